"""A capability nothing refers to cannot affect any stage: usually a leftover
or a rule someone forgot to write."""

from __future__ import annotations

from itertools import filterfalse

from ..errors import Diagnostic
from ..model import Capability
from ._context import Context

__all__ = ["check"]


def check(context: Context) -> list[Diagnostic]:
    return [
        Diagnostic(
            "warning",
            "unused-capability",
            f"capability '{capability.name}' is not required by anything",
            capability.span,
            "require it from a stage or another capability, or remove it",
        )
        for capability in _unused(context)
    ]


def _unused(context: Context) -> list[Capability]:
    model = context.model
    used = {stage.after for stage in model.stages if stage.after is not None}
    terms = context.terms
    if terms is not None:
        # by node number: the capabilities left out are few, and looked at one by one
        index = context.index
        numbers = terms.used()
        numbers.update(index[key] for key in used if key in index)
        nodes = list(model.nodes.values())
        left = filterfalse(numbers.__contains__, range(len(nodes)))
        return [node for node in map(nodes.__getitem__, left) if isinstance(node, Capability)]
    for requirement, (refs, compared, _) in zip(model.requirements, context.references, strict=True):
        if requirement.subject in model.nodes:
            used.update(refs)
            used.update(compared)
    return [capability for capability in model.capabilities if capability.key not in used]
