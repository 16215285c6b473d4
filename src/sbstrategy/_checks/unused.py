"""A capability nothing refers to cannot affect any stage: usually a leftover
or a rule someone forgot to write."""

from __future__ import annotations

from itertools import chain

from ..errors import Diagnostic
from ._context import Context

__all__ = ["check"]


def check(context: Context) -> list[Diagnostic]:
    model = context.model
    used = {stage.after for stage in model.stages if stage.after is not None}
    if context.all_declared:
        used.update(chain.from_iterable(refs for refs, _, _ in context.references))
        used.update(chain.from_iterable(compared for _, compared, _ in context.references))
    else:
        for requirement, (refs, compared, _) in zip(model.requirements, context.references, strict=True):
            if requirement.subject in model.nodes:
                used.update(refs)
                used.update(compared)
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
