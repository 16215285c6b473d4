"""A loaded, checked rule set: the object the public API hands out."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from . import ast
from ._order import Order
from ._transform import name_key
from .errors import Diagnostic
from .model import Capability, Model, Node, Requirement, Stage

if TYPE_CHECKING:
    import networkx

    from .assessment import Assessment
    from .evaluation import Evaluation
    from .scenarios import ScenarioResult

__all__ = ["RuleSet"]


class RuleSet:
    """Capabilities, stages and rules read from one or more files.

    Build one with `sbstrategy.load(path)` or `sbstrategy.loads(text)`.
    """

    def __init__(
        self, model: Model, order: Order, diagnostics: tuple[Diagnostic, ...], sources: Mapping[str, str]
    ) -> None:
        self.model = model
        self.order: tuple[str, ...] = order.keys
        #: Warnings found while loading (errors are raised instead).
        self.diagnostics = diagnostics
        #: The text of every file read, by path (for diagnostics and tools).
        self.sources = dict(sources)

    def __repr__(self) -> str:
        return f"<RuleSet {self.framework!r}: {len(self.capabilities)} capabilities, {len(self.stages)} stages>"

    @property
    def framework(self) -> str | None:
        """The title given by the main file's `framework` line."""
        return self.model.framework

    @property
    def path(self) -> str:
        return self.model.files[0]

    @property
    def files(self) -> tuple[str, ...]:
        return self.model.files

    @property
    def capabilities(self) -> tuple[Capability, ...]:
        """In declaration order."""
        return self.model.capabilities

    @cached_property
    def stages(self) -> tuple[Stage, ...]:
        """In dependency order: a stage comes after everything it needs."""
        nodes = self.model.nodes
        return tuple(n for k in self.order if isinstance(n := nodes[k], Stage))

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        return self.model.requirements

    @property
    def scenarios(self) -> tuple[ast.Scenario, ...]:
        return self.model.scenarios

    def node(self, name: str) -> Node:
        """The capability or stage called `name` (any case or spacing); KeyError if none."""
        try:
            return self.model.nodes[name_key(name)]
        except KeyError:
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name_key(name) in self.model.nodes

    @cached_property
    def requirements_by_subject(self) -> dict[str, tuple[Requirement, ...]]:
        grouped: dict[str, list[Requirement]] = {}
        for requirement in self.model.requirements:
            grouped.setdefault(requirement.subject, []).append(requirement)
        return {key: tuple(value) for key, value in grouped.items()}

    @cached_property
    def graph(self) -> networkx.DiGraph:
        """The dependency graph (networkx): an edge runs from a prerequisite to
        what needs it; nodes carry `kind` and their attributes."""
        from ._graph import build_graph

        return build_graph(self.model)

    def evaluate(self, facts: Assessment | Mapping[str, object], *, unlisted: str | None = None) -> Evaluation:
        """Evaluate an assessment (or a plain mapping of name to yes/no/unknown/level)."""
        from .assessment import Assessment, resolve_facts
        from .evaluation import evaluate

        assessment = facts if isinstance(facts, Assessment) else Assessment.from_mapping(facts)
        if unlisted is not None:
            assessment = assessment.with_unlisted(unlisted)
        return evaluate(self, resolve_facts(self, assessment), assessment.organisation)

    def run_scenarios(self, *, included: bool = False) -> tuple[ScenarioResult, ...]:
        """Run the scenarios written in the main file (with `included`, also those
        of included files, evaluated against this whole rule set)."""
        from .scenarios import run_scenarios

        return run_scenarios(self, included=included)
