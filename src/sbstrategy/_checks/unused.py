"""A capability nothing refers to cannot affect any stage: usually a leftover
or a rule someone forgot to write."""

from __future__ import annotations

from ..errors import Diagnostic
from ._context import Context

__all__ = ["check"]


def check(context: Context) -> list[Diagnostic]:
    used = {edge.target for edge in context.edges}
    return [
        Diagnostic(
            "warning",
            "unused-capability",
            f"capability '{capability.name}' is not required by anything",
            capability.span,
            "require it from a stage or another capability, or remove it",
        )
        for capability in context.model.capabilities
        if capability.key not in used
    ]
