"""Dependency edges of a model, the evaluation order, and cycles.

Plain dicts and a heap rather than networkx: this runs on every load, and the
order must be deterministic (declaration order wherever dependencies allow).
"""

from __future__ import annotations

import heapq

import attrs

from . import ast
from ._exprs import names_in
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
        for name, compared in names_in(requirement.expr):
            if name.key in nodes:
                edges.append(Edge(requirement.subject, name.key, "level" if compared else "requires", requirement.span))
    return edges


def order(model: Model, edges: list[Edge] | None = None) -> Order:
    """Kahn's algorithm, ties broken by declaration order; cycles found after."""
    if edges is None:
        edges = dependency_edges(model)
    index = {key: i for i, key in enumerate(model.nodes)}
    keys = list(model.nodes)
    waiting = [0] * len(keys)
    dependents: list[list[int]] = [[] for _ in keys]
    prerequisites: dict[int, list[Edge]] = {}
    for edge in edges:
        if edge.kind == "level":
            continue  # a comparison reads the assessed level only
        s, t = index[edge.subject], index[edge.target]
        waiting[s] += 1
        dependents[t].append(s)
        prerequisites.setdefault(s, []).append(edge)
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
