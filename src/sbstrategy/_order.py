"""Dependency edges of a model, the evaluation order, and cycles.

Plain lists and a heap rather than networkx: this runs on every load, and the
order must be deterministic (declaration order wherever dependencies allow).
The order is computed from the requirements' codes (`_code`) with node
numbers; `Edge` objects, which carry positions for messages, are built only
for the edges of a cycle and for tools that ask for them.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from itertools import repeat

import attrs

from . import ast
from ._code import names, references
from .model import Model

__all__ = ["Edge", "Order", "dependency_edges", "order"]


@attrs.frozen
class Edge:
    """`subject` needs `target`: through a rule (`requires`), a stage's
    `after`, or a level comparison (`level`, which needs only the fact)."""

    subject: str
    target: str
    kind: str
    span: ast.Span = attrs.field(eq=False)


@attrs.frozen
class Order:
    keys: tuple[str, ...]
    cycles: tuple[tuple[Edge, ...], ...]


def dependency_edges(model: Model) -> list[Edge]:
    """Every edge whose target is declared, in source order."""
    edges: list[Edge] = []
    nodes = model.nodes
    for stage in model.stages:
        if stage.after is not None and stage.after in nodes and stage.after_span:
            edges.append(Edge(stage.key, stage.after, "after", stage.after_span))
    for requirement in model.requirements:
        if requirement.subject not in nodes:
            continue
        for key, compared in names(requirement.code):
            if key in nodes:
                edges.append(Edge(requirement.subject, key, "level" if compared else "requires", requirement.span))
    return edges


def order(
    model: Model,
    refs: Sequence[tuple[tuple[str, ...], tuple[str, ...], bool]] | None = None,
    *,
    index: dict[str, int] | None = None,
    requirements_forward: bool = False,
) -> Order:
    """Kahn's algorithm, ties broken by declaration order; cycles found after.

    `refs` are `_code.references` of each requirement, if already known;
    `index` each node's place in declaration order; `requirements_forward`
    says that every requirement is known to read only nodes declared before its
    subject (`_terms.Terms.forward`).
    """
    nodes = model.nodes
    if index is None:
        index = {key: i for i, key in enumerate(nodes)}
    keys = list(nodes)
    get = index.get
    # Edges as (prerequisite, dependent) numbers; an undeclared name is no edge.
    edges: list[tuple[int, int]] = []
    for stage in model.stages:
        if stage.after is not None and stage.after_span:
            t = get(stage.after)
            if t is not None:
                edges.append((t, index[stage.key]))
    # When every edge runs from an earlier declaration to a later one (as in most
    # files), declaration order is a valid order, and exactly the one Kahn's
    # algorithm picks below (the earliest ready declaration first).
    stages_forward = all(t < s for t, s in edges)
    if stages_forward and requirements_forward:
        return Order(tuple(keys), ())
    if refs is None:
        refs = [references(r.code) for r in model.requirements]
    subjects = [get(requirement.subject, -1) for requirement in model.requirements]
    if stages_forward and all(
        max(map(get, targets, repeat(-1)), default=-1) < s
        for s, (targets, _, _) in zip(subjects, refs, strict=True)
        if s >= 0
    ):
        return Order(tuple(keys), ())
    for s, (targets, _, _) in zip(subjects, refs, strict=True):
        if s >= 0:
            edges.extend((t, s) for t in map(get, targets, repeat(-1)) if t >= 0)
    waiting = [0] * len(keys)
    dependents: list[list[int]] = [[] for _ in keys]
    for t, s in edges:
        waiting[s] += 1
        dependents[t].append(s)
    ready = [i for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        i = heapq.heappop(ready)
        result.append(keys[i])
        for d in dependents[i]:
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(ready, d)
    cycles: tuple[tuple[Edge, ...], ...] = ()
    if len(result) < len(keys):
        stuck = {i for i, n in enumerate(waiting) if n > 0}
        prerequisites: dict[int, list[Edge]] = {}
        for edge in dependency_edges(model):
            s = index[edge.subject]
            if edge.kind != "level" and s in stuck:  # a comparison reads the assessed level only
                prerequisites.setdefault(s, []).append(edge)
        cycles = _cycles(stuck, prerequisites, index)
    return Order(tuple(result), cycles)


def _cycles(
    stuck: set[int], prerequisites: dict[int, list[Edge]], index: dict[str, int]
) -> tuple[tuple[Edge, ...], ...]:
    """One cycle per strongly connected group, found by iterative DFS."""
    found: list[tuple[Edge, ...]] = []
    done: set[int] = set()
    for start in sorted(stuck):
        if start in done:
            continue
        path: list[Edge] = []
        on_path = {start: 0}
        stack = [(start, iter(prerequisites.get(start, ())))]
        while stack:
            node, edges = stack[-1]
            advanced = False
            for edge in edges:
                target = index[edge.target]
                if target not in stuck or target in done:
                    continue
                if target in on_path:
                    cycle = [*path[on_path[target] :], edge]
                    found.append(tuple(cycle))
                    done.update(index[e.subject] for e in cycle)
                    stack.clear()
                    break
                on_path[target] = len(path) + 1
                path.append(edge)
                stack.append((target, iter(prerequisites.get(target, ()))))
                advanced = True
                break
            else:
                if not advanced:
                    stack.pop()
                    done.add(node)
                    on_path.pop(node, None)
                    if path:
                        path.pop()
        done.add(start)
    return tuple(found)
