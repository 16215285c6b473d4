from __future__ import annotations

import operator
from functools import cached_property

import attrs

from .._code import references
from .._order import Edge, Order, dependency_edges, order
from .._terms import Terms, translate
from ..model import Model

__all__ = ["Context", "Suggestions", "suggest"]


@attrs.define
class Context:
    """What the checks share: the model and its edges and order, computed once."""

    model: Model

    @cached_property
    def edges(self) -> list[Edge]:
        """Every dependency edge, with positions (an object per reference: the
        checks that run on every load read `references` instead)."""
        return dependency_edges(self.model)

    @cached_property
    def index(self) -> dict[str, int]:
        """Each node's number: its place in declaration order."""
        nodes = self.model.nodes
        return dict(zip(nodes, range(len(nodes)), strict=True))

    @cached_property
    def terms(self) -> Terms | None:
        """Every requirement translated to node numbers (`_terms`), once for the checks and
        the compiler; None when a subject or a name in a requirement is undeclared."""
        try:
            return translate(self.model.requirements, self.index)
        except KeyError:
            return None

    @cached_property
    def references(self) -> list[tuple[tuple[str, ...], tuple[str, ...], bool]]:
        """For each requirement, the keys it reads, the keys it compares by
        level, and whether it is plain (see `_code.references`): what the
        checks read when `terms` cannot be made."""
        return [references(requirement.code) for requirement in self.model.requirements]

    @cached_property
    def plain(self) -> list[bool]:
        """For each requirement, True where it is certainly names joined by `and` and `or`
        only (no `not`, comparison or `N of`): the checks that look for those skip it."""
        if self.terms is not None:
            return list(map(operator.not_, self.terms.rest))
        return [plain for _, _, plain in self.references]

    @cached_property
    def all_declared(self) -> bool:
        """Whether every subject and every name in a requirement is declared,
        and only capabilities are compared by level (as in any file that loads):
        then the checks that look for the opposite have nothing to find."""
        terms = self.terms
        if terms is None:
            return False
        if not terms.compared_at:
            return True
        nodes = list(self.model.nodes.values())
        return all(nodes[j].kind != "stage" for j in terms.compared_at)

    @cached_property
    def order(self) -> Order:
        terms = self.terms
        if terms is not None and terms.forward:
            return order(self.model, index=self.index, requirements_forward=True)
        return order(self.model, self.references, index=self.index)

    @cached_property
    def declared_names(self) -> dict[str, str]:
        return {key: node.name for key, node in self.model.nodes.items()}

    @cached_property
    def suggest(self) -> Suggestions:
        """`did you mean …` among the declared names, within a budget per load."""
        return Suggestions(self.declared_names)


def suggest(key: str, candidates: dict[str, str]) -> str | None:
    """`did you mean …` for an unknown name, from declared names (difflib)."""
    import difflib  # only when a name is unknown: a file that loads never needs it

    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.75)
    return f"did you mean '{candidates[close[0]]}'?" if close else None


# How many name comparisons one load may spend on `did you mean` (about a
# second): each unknown name is compared with every declared one, so ten
# thousand misspelt names in a model of ten thousand took minutes. The first
# unknown name always gets its suggestion, the next ones while the budget
# lasts (the first ones are the ones an analyst reads).
SUGGESTION_BUDGET = 250_000


class Suggestions:
    """`suggest` for many unknown names against one set of candidates, within
    `SUGGESTION_BUDGET` comparisons; a name asked for twice costs nothing."""

    def __init__(self, candidates: dict[str, str], budget: int = SUGGESTION_BUDGET) -> None:
        self.candidates = candidates
        self.keys = list(candidates)
        self.left = budget
        self.found: dict[str, str | None] = {}

    def __call__(self, key: str) -> str | None:
        if key in self.found:
            return self.found[key]
        if self.found and self.left < len(self.keys):
            return None
        self.left -= len(self.keys)
        import difflib

        close = difflib.get_close_matches(key, self.keys, n=1, cutoff=0.75)
        self.found[key] = hint = f"did you mean '{self.candidates[close[0]]}'?" if close else None
        return hint
