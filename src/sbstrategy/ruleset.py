"""A loaded, checked rule set: the object the public API hands out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from . import ast
from ._order import Order
from ._transform import name_key
from .errors import Diagnostic
from .model import Capability, Model, Node, Requirement, Stage

if TYPE_CHECKING:
    import networkx

    from ._compiled import Program
    from ._terms import Terms
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
        self._setup(model, None, None, model.framework, model.files, order.keys, diagnostics, sources)

    @classmethod
    def _from_cache(
        cls,
        framework: str | None,
        files: tuple[str, ...],
        order: tuple[str, ...],
        diagnostics: tuple[Diagnostic, ...],
        sources: Mapping[str, str],
        model: Callable[[], Model],
        program: tuple[object, ...],
    ) -> RuleSet:
        """A rule set read back by the compiled-model cache (`_cache`): evaluation runs
        on the stored `program`; the model's objects are built by `model()` only when
        something asks for them (a second load of a large model then builds none)."""
        ruleset = cls.__new__(cls)
        ruleset._setup(None, model, program, framework, files, order, diagnostics, sources)
        return ruleset

    def _setup(
        self,
        model: Model | None,
        restore_model: Callable[[], Model] | None,
        program: tuple[object, ...] | None,
        framework: str | None,
        files: tuple[str, ...],
        order: tuple[str, ...],
        diagnostics: tuple[Diagnostic, ...],
        sources: Mapping[str, str],
    ) -> None:
        self._model = model
        self._restore_model = restore_model
        self._program = program
        self._translation: tuple[dict[str, int], Terms] | None = None
        self.framework = framework
        """The title given by the main file's `framework` line."""
        self.files = files
        self.order = order
        #: Warnings found while loading (errors are raised instead).
        self.diagnostics = diagnostics
        #: The text of every file read, by path (for diagnostics and tools).
        self.sources = dict(sources)

    @property
    def model(self) -> Model:
        """Every declaration and requirement as objects (see `sbstrategy.model`)."""
        if self._model is None:
            assert self._restore_model is not None
            self._model = self._restore_model()
            self._restore_model = None
        return self._model

    def __repr__(self) -> str:
        return f"<RuleSet {self.framework!r}: {len(self.capabilities)} capabilities, {len(self.stages)} stages>"

    @property
    def path(self) -> str:
        return self.files[0]

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

    def _keep_translation(self, index: dict[str, int], terms: Terms) -> None:
        """Keep the loader's numbering of the nodes (declaration order) and its translation of
        the requirements, for compiling: both are large, and made once (see `_terms`)."""
        self._translation = (index, terms)

    def _take_translation(self, order: tuple[str, ...]) -> tuple[dict[str, int], Terms] | None:
        """The kept translation if it numbers the nodes in `order`; it is let go of either way."""
        translation, self._translation = self._translation, None
        # the index was made from the declaration order: its keys are in number order
        if translation is None or tuple(translation[0]) != order:
            return None
        return translation

    @cached_property
    def compiled(self) -> Program:
        """The rule set as int-indexed arrays, built once: what evaluation runs on."""
        from ._compiled import Program

        stored, self._program = self._program, None
        if stored is not None:
            try:
                return Program.from_plain(self, stored)
            except ValueError:
                pass  # not this version's: compile it
        return Program(self)

    def evaluate(self, facts: Assessment | Mapping[str, object], *, unlisted: str | None = None) -> Evaluation:
        """Evaluate an assessment (or a plain mapping of name to yes/no/unknown/level)."""
        from ._facts import encode_assessment
        from .assessment import Assessment
        from .evaluation import evaluate_arrays

        assessment = facts if isinstance(facts, Assessment) else Assessment.from_mapping(facts)
        if unlisted is not None:
            assessment = assessment.with_unlisted(unlisted)
        in_place, levels = encode_assessment(self, assessment)
        return evaluate_arrays(self, in_place, levels, assessment.organisation)

    def evaluate_many(
        self, rows: Iterable[Assessment | Mapping[str, object]], *, unlisted: str | None = None
    ) -> Iterator[Evaluation]:
        """Evaluate many assessments (one per organisation), yielding one result per row as it goes.

        Each row is what `evaluate` takes: an `Assessment`, or a mapping of names to
        yes/no/unknown/level (optionally under `facts:` with an `organisation:`). The
        rule set is compiled once for all rows, and every result is computed lazily
        beyond the statuses, so a row costs time proportional to the model only.
        Raises `SbStrategyError` at the first row with a problem.
        """
        from ._batch import evaluate_many

        return evaluate_many(self, rows, unlisted=unlisted)

    def run_scenarios(self, *, included: bool = False) -> tuple[ScenarioResult, ...]:
        """Run the scenarios written in the main file (with `included`, also those
        of included files, evaluated against this whole rule set)."""
        from .scenarios import run_scenarios

        return run_scenarios(self, included=included)
