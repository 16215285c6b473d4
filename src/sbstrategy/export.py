"""The dependency graph for other tools: Mermaid, Graphviz DOT, GraphML, JSON.

An edge runs from a prerequisite to what needs it. Stages are drawn apart from
capabilities (a hexagon, a heavier border); with an evaluation, every node is
coloured by its status and names it, so the picture reads without colour too.
Output is deterministic: nodes in declaration order (capabilities, then stages
in dependency order), edges in source order, ids numbered in that order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs

from . import ast
from ._exprs import children
from .model import Node, Stage

if TYPE_CHECKING:
    from .evaluation import Evaluation
    from .ruleset import RuleSet

__all__ = ["FORMATS", "export_graph"]

FORMATS = ("mermaid", "dot", "graphml", "json")

# fill, border: light fills with dark borders, legible in print and on screens.
_COLOURS = {
    "met": ("#c8e6c9", "#2e7d32"),
    "reached": ("#c8e6c9", "#2e7d32"),
    "ready": ("#e3f2fd", "#1565c0"),
    "blocked": ("#ffcdd2", "#c62828"),
    "at-risk": ("#ffe0b2", "#ef6c00"),
    "unknown": ("#fff9c4", "#f9a825"),
}


@attrs.frozen
class _Node:
    id: str
    name: str
    kind: str
    status: str | None
    effort: float
    description: str | None
    path: str
    line: int


@attrs.frozen
class _Edge:
    source: str
    target: str
    kind: str  # requires, level, not, after
    label: str
    path: str
    line: int


def _negated_atoms(expr: ast.Expr) -> Iterator[tuple[ast.Ref | ast.Compare, bool]]:
    """The atoms of `expr`, left to right, each with whether a `not` covers it."""
    stack: list[tuple[ast.Expr, bool]] = [(expr, False)]
    while stack:
        node, negated = stack.pop()
        if isinstance(node, ast.Ref | ast.Compare):
            yield node, negated
            continue
        inner = not negated if isinstance(node, ast.Not) else negated
        stack.extend((child, inner) for child in reversed(children(node)))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _graph(ruleset: RuleSet, evaluation: Evaluation | None) -> tuple[list[_Node], list[_Edge]]:
    model = ruleset.model
    nodes: list[_Node] = []
    ids: dict[str, str] = {}
    groups: tuple[tuple[str, tuple[Node, ...]], ...] = (("c", model.capabilities), ("s", ruleset.stages))
    for prefix, group in groups:
        for index, node in enumerate(group, 1):
            ids[node.key] = f"{prefix}{index}"
            status = evaluation.node(node.name).status if evaluation is not None else None
            nodes.append(
                _Node(ids[node.key], node.name, node.kind, status, node.effort, node.description, *_where(node.span))
            )
    edges: list[_Edge] = []
    seen: set[tuple[str, str, str, str]] = set()

    def add(edge: _Edge) -> None:
        key = (edge.source, edge.target, edge.kind, edge.label)
        if key not in seen:
            seen.add(key)
            edges.append(edge)

    for stage in ruleset.stages:
        if isinstance(stage, Stage) and stage.after is not None and stage.after_span is not None:
            add(_Edge(ids[stage.after], ids[stage.key], "after", "after", *_where(stage.after_span)))
    for requirement in model.requirements:
        for atom, negated in _negated_atoms(requirement.expr):
            source, target = ids[atom.name.key], ids[requirement.subject]
            if isinstance(atom, ast.Compare):
                label = ("not " if negated else "") + f"level {atom.op} {_number(atom.value)}"
                add(_Edge(source, target, "level", label, *_where(requirement.span)))
            elif negated:
                add(_Edge(source, target, "not", "not", *_where(requirement.span)))
            else:
                add(_Edge(source, target, "requires", "", *_where(requirement.span)))
    return nodes, edges


def _where(span: ast.Span) -> tuple[str, int]:
    return span.path, span.line


def export_graph(ruleset: RuleSet, evaluation: Evaluation | None = None, fmt: str = "mermaid") -> str:
    """The dependency graph as text in `fmt` (one of `FORMATS`), coloured by the
    statuses of `evaluation` when one is given."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "graphml":
        from ._graph import graphml

        statuses = None
        if evaluation is not None:
            statuses = {r.name: r.status for r in (*evaluation.stages, *evaluation.capabilities)}
        return graphml(ruleset.graph, statuses)
    nodes, edges = _graph(ruleset, evaluation)
    title = ruleset.framework or "Rule set"
    if evaluation is not None and evaluation.organisation:
        title += f" — {evaluation.organisation}"
    if fmt == "mermaid":
        return _mermaid(title, nodes, edges)
    if fmt == "dot":
        return _dot(title, nodes, edges)
    return _json(ruleset, evaluation, nodes, edges)


# Mermaid ---------------------------------------------------------------------------------------

_MERMAID_ARROW = {"requires": "-->", "level": "-->", "not": "-.->", "after": "==>"}


def _mermaid_text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _mermaid(title: str, nodes: list[_Node], edges: list[_Edge]) -> str:
    out = ["flowchart TD", f"  %% {title.replace(chr(10), ' ')}"]
    for node in nodes:
        label = _mermaid_text(node.name) + (f"<br/><i>{node.status}</i>" if node.status else "")
        shape = ('{{"', '"}}') if node.kind == "stage" else ('["', '"]')
        out.append(f"  {node.id}{shape[0]}{label}{shape[1]}")
    for edge in edges:
        arrow = _MERMAID_ARROW[edge.kind]
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        out.append(f"  {edge.source} {arrow}{label} {edge.target}")
    out.append("  classDef stage stroke-width:3px,font-weight:bold")
    stages = [n.id for n in nodes if n.kind == "stage"]
    if stages:
        out.append(f"  class {','.join(stages)} stage")
    statuses = sorted({n.status for n in nodes if n.status})
    for status in statuses:
        fill, stroke = _COLOURS[status]
        css = status.replace("-", "")
        out.append(f"  classDef {css} fill:{fill},stroke:{stroke},color:#000")
        out.append(f"  class {','.join(n.id for n in nodes if n.status == status)} {css}")
    return "\n".join(out) + "\n"


# DOT ---------------------------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot(title: str, nodes: list[_Node], edges: list[_Edge]) -> str:
    out = [
        f"digraph {_dot_text(title)} {{",
        "  graph [rankdir=TB, fontname=Helvetica];",
        '  node [shape=box, style="rounded,filled", fillcolor=white, fontname=Helvetica];',
        "  edge [fontname=Helvetica, fontsize=10];",
    ]
    for node in nodes:
        label = node.name + (f"\n{node.status}" if node.status else "")
        attributes = [f"label={_dot_text(label)}"]
        if node.kind == "stage":
            attributes += ["shape=hexagon", "penwidth=2.5"]
        if node.status:
            fill, stroke = _COLOURS[node.status]
            attributes += [f'fillcolor="{fill}"', f'color="{stroke}"']
        out.append(f"  {node.id} [{', '.join(attributes)}];")
    style = {
        "requires": [],
        "level": [],
        "not": ["style=dashed", "arrowhead=tee"],
        "after": ["style=bold", "penwidth=2"],
    }
    for edge in edges:
        attributes = list(style[edge.kind])
        if edge.label:
            attributes.insert(0, f"label={_dot_text(edge.label)}")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        out.append(f"  {edge.source} -> {edge.target}{suffix};")
    out.append("}")
    return "\n".join(out) + "\n"


# JSON ------------------------------------------------------------------------------------------


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _json(ruleset: RuleSet, evaluation: Evaluation | None, nodes: list[_Node], edges: list[_Edge]) -> str:
    names = {n.id: n.name for n in nodes}
    data = {
        "framework": ruleset.framework,
        "organisation": evaluation.organisation if evaluation is not None else None,
        "nodes": [
            {
                "id": n.id,
                "name": n.name,
                "kind": n.kind,
                **({"status": n.status} if n.status else {}),
                "effort": _num(n.effort),
                "description": n.description,
                "path": n.path,
                "line": n.line,
            }
            for n in nodes
        ],
        "edges": [
            {
                "from": e.source,
                "to": e.target,
                "from_name": names[e.source],
                "to_name": names[e.target],
                "kind": e.kind,
                "label": e.label,
                "path": e.path,
                "line": e.line,
            }
            for e in edges
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
