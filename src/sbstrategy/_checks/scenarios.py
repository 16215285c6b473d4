"""Scenario lines must ask for statuses that exist for the node's kind."""

from __future__ import annotations

from .. import ast
from ..errors import Diagnostic
from ._context import Context

__all__ = ["STATUSES", "check"]

STATUSES = {
    "capability": ("met", "at-risk", "ready", "blocked", "unknown"),
    "stage": ("reached", "blocked", "unknown"),
}


def check(context: Context) -> list[Diagnostic]:
    nodes = context.model.nodes
    found: list[Diagnostic] = []
    for scenario in context.model.scenarios:
        for line in scenario.lines:
            if not isinstance(line, ast.Expect):
                continue
            node = nodes.get(line.name.key)
            if node is None:
                continue
            allowed = STATUSES[node.kind]
            if line.status not in allowed:
                import difflib

                close = difflib.get_close_matches(line.status, allowed, n=1)
                found.append(
                    Diagnostic(
                        "error",
                        "bad-status",
                        f"'{line.status}' is not a status of a {node.kind}",
                        line.status_span,
                        f"did you mean '{close[0]}'?"
                        if close
                        else "a " + node.kind + " is one of: " + ", ".join(allowed),
                    )
                )
            elif line.blocked_by and line.status != "blocked":
                found.append(
                    Diagnostic(
                        "error",
                        "bad-status",
                        "'by' lists root causes, so the status must be 'blocked'",
                        line.status_span,
                        f"write: expect {line.name.text} is blocked by …",
                    )
                )
    return found
