"""Dependency cycles, shown whole: every edge with its file and line."""

from __future__ import annotations

from ..errors import Diagnostic
from ._context import Context

__all__ = ["check"]


def check(context: Context) -> list[Diagnostic]:
    nodes = context.model.nodes
    found: list[Diagnostic] = []
    for cycle in context.order.cycles:
        names = [nodes[edge.subject].name for edge in cycle] + [nodes[cycle[0].subject].name]
        notes = tuple(
            f"{edge.span.path}:{edge.span.line}: '{nodes[edge.subject].name}' "
            f"{'comes after' if edge.kind == 'after' else 'requires'} '{nodes[edge.target].name}'"
            for edge in cycle
        )
        found.append(
            Diagnostic(
                "error",
                "cycle",
                "dependency cycle: " + " -> ".join(names),
                cycle[0].span,
                "remove one of these requirements so that something can come first",
                notes,
            )
        )
    return found
