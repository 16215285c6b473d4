from __future__ import annotations

import difflib
from functools import cached_property

import attrs

from .._order import Edge, Order, dependency_edges, order
from ..model import Model

__all__ = ["Context", "suggest"]


@attrs.define
class Context:
    """What the checks share: the model and its edges and order, computed once."""

    model: Model

    @cached_property
    def edges(self) -> list[Edge]:
        return dependency_edges(self.model)

    @cached_property
    def order(self) -> Order:
        return order(self.model, self.edges)

    @cached_property
    def declared_names(self) -> dict[str, str]:
        return {key: node.name for key, node in self.model.nodes.items()}


def suggest(key: str, candidates: dict[str, str]) -> str | None:
    """`did you mean …` for an unknown name, from declared names (difflib)."""
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.75)
    return f"did you mean '{candidates[close[0]]}'?" if close else None
