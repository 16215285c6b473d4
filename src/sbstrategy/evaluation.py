"""Three-valued evaluation: statuses, blockers, root causes, open questions.

The pass itself runs over the rule set's compiled form (`_compiled.py`): one
forward sweep over int-indexed arrays decides every node's value and status.
This module turns those arrays into the public results, and only when they
are read: a `NodeResult` is built when a node is looked up, its blockers when
they are read, its root causes and open questions when they are read. An
evaluation that only reports the stage reached and the status counts (the
`summary` format, a batch over many organisations) therefore never pays for
the blockers and root causes of 100,000 capabilities; one that prints them all
pays for each once (see `_compiled.Run.materialise_causes`).

Truth values are the integers 0 (no), 1 (unknown) and 2 (yes): Kleene's `and`
is `min`, `or` is `max`, `not` is `2 - x`.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from itertools import compress
from typing import TYPE_CHECKING, Any, cast

import attrs

from . import _code, ast
from ._attrs_repr import fields_repr
from ._code import OPS
from ._compiled import (
    _BULK_AFTER,
    NO,
    STATE_WORD,
    UNKNOWN,
    YES,
    Level,
    Program,
    RequirementCode,
    Run,
    fact_arrays,
)
from ._gc import paused as gc_paused
from ._transform import name_key
from .assessment import Fact
from .model import Stage

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["Blocker", "Evaluation", "NodeResult", "evaluate"]

_WORD = {NO: "no", UNKNOWN: "unknown", YES: "yes"}


@attrs.frozen(repr=False)
class Blocker:
    """One failing term of a requirement, kept in the requirement's structure.

    `kind` says which fields matter:

    - `missing`: `name` (a capability or stage, `node_kind`) is not met/reached; `status` is its status.
    - `level`: `name`'s assessed level `found` fails `op needed` (`found` is None if unassessed).
    - `excluded`: a `not …` fails because `names` hold.
    - `any`: none of the alternatives holds; `options` has each one's blockers (fixing any one suffices).
    - `at-least`: `needed` items must hold, `have` do; `items` has the failing items' blockers.
    - `after`: the stage `name` that comes first is not reached.

    Top-level blockers carry the `because` text and the position (`rule`) of the rule they come from.
    """

    __repr__ = fields_repr

    kind: str
    name: str | None = None
    node_kind: str | None = None
    status: str | None = None
    op: str | None = None
    needed: float | None = None
    found: float | None = None
    have: int | None = None
    names: tuple[str, ...] = ()
    options: tuple[tuple[Blocker, ...], ...] = ()
    items: tuple[Blocker, ...] = ()
    because: str | None = None
    rule: ast.Span | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind}
        if self.kind in ("missing", "after"):
            out.update(name=self.name, node_kind=self.node_kind, status=self.status)
        elif self.kind == "level":
            out.update(name=self.name, op=self.op, needed=_num(self.needed), found=_num(self.found))
        elif self.kind == "excluded":
            out["names"] = list(self.names)
        elif self.kind == "any":
            out["options"] = [[b.to_dict() for b in option] for option in self.options]
        elif self.kind == "at-least":
            out.update(needed=_num(self.needed), have=self.have, items=[b.to_dict() for b in self.items])
        if self.because is not None:
            out["because"] = self.because
        if self.rule is not None:
            out["rule"] = {"path": self.rule.path, "line": self.rule.line, "column": self.rule.column}
        return out


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


_UNSET: Any = object()


class NodeResult:
    """The outcome for one capability or stage.

    Fields: `name`, `kind` ("capability" or "stage"), `status`, `blockers`,
    `root_causes`, `open_questions` (sorted names), `in_place`, `level`
    (capabilities), `effort`, `description`, `after` (stages). Results are
    immutable; the blockers, root causes and open questions of a result that
    comes from an evaluation are worked out the first time they are read.
    """

    # The fields that come from the rule set (name, kind, effort, description, after)
    # are one tuple shared by every evaluation; blockers, root causes and open
    # questions are a list filled in when each is first read.
    __slots__ = ("_derived", "_index", "_source", "_static", "in_place", "level", "status")

    status: str
    in_place: str | None
    level: float | None
    _static: tuple[str, str, float, str | None, str | None]
    _derived: list[Any]
    _source: Any
    _index: int

    def __init__(
        self,
        name: str,
        kind: str,
        status: str,
        blockers: tuple[Blocker, ...] = (),
        root_causes: tuple[str, ...] = (),
        open_questions: tuple[str, ...] = (),
        in_place: str | None = None,
        level: float | None = None,
        effort: float = 1,
        description: str | None = None,
        after: str | None = None,
    ) -> None:
        _SET_STATIC(self, (name, kind, effort, description, after))
        _SET_STATUS(self, status)
        _SET_IN_PLACE(self, in_place)
        _SET_LEVEL(self, level)
        _SET_DERIVED(self, [blockers, root_causes, open_questions])
        _SET_SOURCE(self, None)
        _SET_INDEX(self, -1)

    @classmethod
    def _lazy(cls, evaluation: Evaluation, i: int) -> NodeResult:
        run = evaluation._run
        result = object.__new__(cls)
        static = run.program.static(i)
        _SET_STATIC(result, static)
        _SET_STATUS(result, run.status(i))
        if static[1] == "capability":
            _SET_IN_PLACE(result, STATE_WORD[run.in_place[i]])
            _SET_LEVEL(result, run.levels[i])
        else:
            _SET_IN_PLACE(result, None)
            _SET_LEVEL(result, None)
        _SET_DERIVED(result, [_UNSET, _UNSET, _UNSET])
        _SET_SOURCE(result, evaluation)
        _SET_INDEX(result, i)
        return result

    def __setattr__(self, name: str, value: object) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    @property
    def name(self) -> str:
        return self._static[0]

    @property
    def kind(self) -> str:
        return self._static[1]

    @property
    def effort(self) -> float:
        return self._static[2]

    @property
    def description(self) -> str | None:
        return self._static[3]

    @property
    def after(self) -> str | None:
        """The stage this stage comes after (None for a capability)."""
        return self._static[4]

    @property
    def blockers(self) -> tuple[Blocker, ...]:
        derived = self._derived
        if derived[0] is _UNSET:
            derived[0] = self._source._blockers(self._index)
        found: tuple[Blocker, ...] = derived[0]
        return found

    @property
    def root_causes(self) -> tuple[str, ...]:
        derived = self._derived
        if derived[1] is _UNSET:
            derived[1] = self._source._root_causes(self._index)
        found: tuple[str, ...] = derived[1]
        return found

    @property
    def open_questions(self) -> tuple[str, ...]:
        derived = self._derived
        if derived[2] is _UNSET:
            derived[2] = self._source._open_questions(self._index)
        found: tuple[str, ...] = derived[2]
        return found

    @property
    def holds(self) -> bool:
        """Met (a capability) or reached (a stage)."""
        return self.status in ("met", "reached")

    _FIELDS = (
        "name",
        "kind",
        "status",
        "blockers",
        "root_causes",
        "open_questions",
        "in_place",
        "level",
        "effort",
        "description",
        "after",
    )

    def _fields(self) -> tuple[object, ...]:
        return (
            self.name,
            self.kind,
            self.status,
            self.blockers,
            self.root_causes,
            self.open_questions,
            self.in_place,
            self.level,
            self.effort,
            self.description,
            self.after,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return "NodeResult(" + ", ".join(f"{k}={v!r}" for k, v in zip(self._FIELDS, self._fields(), strict=True)) + ")"

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "status": self.status}
        if self.kind == "capability":
            out["in_place"] = self.in_place
            if self.level is not None:
                out["level"] = _num(self.level)
            out["effort"] = _num(self.effort)
        out["blockers"] = [b.to_dict() for b in self.blockers]
        out["root_causes"] = list(self.root_causes)
        out["open_questions"] = list(self.open_questions)
        return out


# Setting slots through their descriptors: NodeResult refuses attribute assignment.
_SLOT: Mapping[str, Any] = NodeResult.__dict__
_SET_STATIC = _SLOT["_static"].__set__
_SET_STATUS = _SLOT["status"].__set__
_SET_IN_PLACE = _SLOT["in_place"].__set__
_SET_LEVEL = _SLOT["level"].__set__
_SET_DERIVED = _SLOT["_derived"].__set__
_SET_SOURCE = _SLOT["_source"].__set__
_SET_INDEX = _SLOT["_index"].__set__


class Evaluation:
    """Statuses of every stage (dependency order) and capability (declaration order).

    `framework` and `organisation` name the rule set and the assessment;
    `stages` and `capabilities` are tuples of `NodeResult`.
    """

    __slots__ = ("_capabilities", "_results", "_run", "_stages", "framework", "organisation")

    framework: str | None
    organisation: str | None

    def __init__(self, framework: str | None, organisation: str | None, run: Run) -> None:
        self.framework = framework
        self.organisation = organisation
        self._run = run
        self._results: dict[int, NodeResult] = {}
        self._stages: tuple[NodeResult, ...] | None = None
        self._capabilities: tuple[NodeResult, ...] | None = None

    def _result(self, i: int) -> NodeResult:
        result = self._results.get(i)
        if result is None:
            result = self._results[i] = NodeResult._lazy(self, i)
        return result

    @property
    def stages(self) -> tuple[NodeResult, ...]:
        if self._stages is None:
            self._stages = tuple(self._result(i) for i in self._run.program.stages)
        return self._stages

    @property
    def capabilities(self) -> tuple[NodeResult, ...]:
        if self._capabilities is None:
            self._capabilities = tuple(self._result(i) for i in self._run.program.capabilities)
        return self._capabilities

    def node(self, name: str) -> NodeResult:
        """The result for a capability or stage, by name in any case or spacing."""
        i = self._run.program.index.get(name_key(name))
        if i is None:
            raise KeyError(name)
        return self._result(i)

    def stage(self, name: str) -> NodeResult:
        result = self.node(name)
        if result.kind != "stage":
            raise KeyError(f"{name!r} is a capability, not a stage")
        return result

    def capability(self, name: str) -> NodeResult:
        result = self.node(name)
        if result.kind != "capability":
            raise KeyError(f"{name!r} is a stage, not a capability")
        return result

    def truth(self, expr: ast.Expr) -> str:
        """The value of any expression over the rule set's names: yes, no or unknown."""
        return _WORD[_Evaluator(self._run).value(expr)]

    @property
    def highest_reached(self) -> NodeResult | None:
        """The reached stage furthest along an `after` chain (the first such in
        dependency order), or None if no stage is reached."""
        i = self._run.highest_reached()
        return self._result(i) if i >= 0 else None

    @property
    def next_stage(self) -> NodeResult | None:
        """The stage to work towards: not reached, but the stage it comes after
        is (or it has none); the one furthest along a chain first."""
        i = self._run.next_stage()
        return self._result(i) if i >= 0 else None

    def status_counts(self) -> dict[str, int]:
        """How many capabilities have each status: met, at-risk, ready, blocked, unknown."""
        return self._run.capability_counts()

    def with_facts(self, changes: Mapping[str, object]) -> Evaluation:
        """This evaluation with some facts replaced, re-deciding only what depends on them.

        `changes` maps capability names (any case or spacing) to yes, no, unknown
        or a level, as in an assessment. The result is exactly what evaluating the
        changed assessment from scratch gives; on a large model a change to one
        fact costs a small fraction of that. Raises `SbStrategyError` for an
        undeclared name (with a suggestion), a stage, or a bad value.
        """
        from ._facts import encode_changes

        run = self._run
        return Evaluation(self.framework, self.organisation, run.with_facts(encode_changes(run.program, changes)))

    def to_dict(self) -> dict[str, object]:
        run = self._run
        if len(run.program.capabilities) > _BULK_AFTER:
            # every list is printed: one bottom-up pass beats a walk per node
            run.materialise("causes")
            run.materialise("questions")
        highest, upcoming = self.highest_reached, self.next_stage
        with gc_paused():
            return {
                "framework": self.framework,
                "organisation": self.organisation,
                "highest_reached": highest.name if highest else None,
                "next_stage": upcoming.name if upcoming else None,
                "stages": [s.to_dict() for s in self.stages],
                "capabilities": [c.to_dict() for c in self.capabilities],
            }

    def summary(self) -> dict[str, object]:
        """The whole evaluation in a size that does not grow with the root-cause lists.

        Each stage with its status and the number of its blockers, root causes and
        open questions; the next stage's root causes and open questions in full; how
        many capabilities have each status. The `summary` output format.
        """
        run = self._run
        program = run.program
        causes = run.stage_counts("causes")
        questions = run.stage_counts("questions")
        evaluator = _Evaluator(run)
        highest, upcoming = self.highest_reached, self.next_stage
        stage_counts = dict.fromkeys(("reached", "blocked", "unknown"), 0)
        stages = []
        for i in program.stages:
            status = run.status(i)
            stage_counts[status] += 1
            stages.append(
                {
                    "name": program.name(i),
                    "status": status,
                    "blocker_count": evaluator.node_blocker_count(i) if run.holds[i] == NO else 0,
                    "root_cause_count": causes[i],
                    "open_question_count": questions[i],
                }
            )
        return {
            "framework": self.framework,
            "organisation": self.organisation,
            "highest_reached": highest.name if highest else None,
            "next_stage": upcoming.name if upcoming else None,
            "next_stage_status": upcoming.status if upcoming else None,
            "next_stage_root_causes": list(upcoming.root_causes) if upcoming else [],
            "next_stage_open_questions": list(upcoming.open_questions) if upcoming else [],
            "stages": stages,
            "stage_status": stage_counts,
            "capability_status": run.capability_counts(),
        }

    # lazily derived parts of node results --------------------------------------------
    def _blockers(self, i: int) -> tuple[Blocker, ...]:
        run = self._run
        if run.holds[i] != NO:
            return ()
        return tuple(_Evaluator(run).node_blockers(i))

    def _root_causes(self, i: int) -> tuple[str, ...]:
        return self._run.program.sorted_names(self._run.causes(i))

    def _open_questions(self, i: int) -> tuple[str, ...]:
        return self._run.program.sorted_names(self._run.questions(i))

    # equality: the same results, as the attrs class before this one had ----------------
    def _fields(self) -> tuple[object, ...]:
        return (self.framework, self.organisation, self.stages, self.capabilities)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        run = self._run
        return hash((self.framework, self.organisation, tuple(run.values), tuple(run.holds)))

    def __repr__(self) -> str:
        return (
            f"Evaluation(framework={self.framework!r}, organisation={self.organisation!r}, "
            f"stages={len(self._run.program.stages)}, capabilities={len(self._run.program.capabilities)})"
        )


_NODE_KIND = ("capability", "stage")  # by `Program.is_stage`
_is_no = operator.not_  # of a truth value: NO is 0


class _Evaluator:
    """Term values and blockers of AST expressions, read from one run's arrays.

    Blockers keep the structure of the rule as written, so they are built from
    the AST (the compiled form flattens conjunctions); only the nodes whose
    blockers are read pay for it.
    """

    def __init__(self, run: Run) -> None:
        self.run = run
        self.program: Program = run.program
        self.index = run.program.index

    def value(self, expr: ast.Expr) -> int:
        values, levels, index = self.run.values, self.run.levels, self.index
        if isinstance(expr, ast.Ref):
            return values[index[expr.name.key]]
        if isinstance(expr, ast.Compare):
            level = levels[index[expr.name.key]]
            if level is None:
                return UNKNOWN
            return YES if OPS[expr.op](level, expr.value) else NO
        if isinstance(expr, ast.Not):
            return YES - self.value(expr.operand)
        if isinstance(expr, ast.All):
            result = YES
            for operand in expr.operands:
                result = min(result, self.value(operand))
                if result == NO:
                    break
            return result
        if isinstance(expr, ast.Any):
            result = NO
            for operand in expr.operands:
                result = max(result, self.value(operand))
                if result == YES:
                    break
            return result
        found = [self.value(item) for item in expr.items]
        yes = found.count(YES)
        if yes >= expr.count:
            return YES
        return NO if yes + found.count(UNKNOWN) < expr.count else UNKNOWN

    def code_value(self, code: RequirementCode) -> int:
        """The value of a requirement's code (see `_code`: names by key)."""
        if code.__class__ is str:
            return self.run.values[self.index[code]]
        op = code[0]
        if op == _code.CMP:
            level = self.run.levels[self.index[code[1]]]
            if level is None:
                return UNKNOWN
            return YES if OPS[code[2]](level, code[3]) else NO
        if op == _code.NOT:
            return YES - self.code_value(code[1])
        if op == _code.ALL:
            return min(map(self.code_value, code[1:]))
        if op == _code.ANY:
            return max(map(self.code_value, code[1:]))
        found = [self.code_value(item) for item in code[2:]]
        yes = found.count(YES)
        if yes >= code[1]:
            return YES
        return NO if yes + found.count(UNKNOWN) < code[1] else UNKNOWN

    def blockers(
        self, code: RequirementCode, because: str | None = None, rule: ast.Span | None = None
    ) -> list[Blocker]:
        """The blockers of a term whose value is NO, in the structure of the rule as written.

        `because` and `rule` go on the blockers of the top level (the items of the
        list returned, which for `A and B` are those of the failing sides).
        """
        program, run = self.program, self.run
        if code.__class__ is str:
            return [self.missing(self.index[code], because, rule)]
        op = code[0]
        if op == _code.CMP:
            j = self.index[code[1]]
            needed, found = code[3], run.levels[j]
            name = program.name(j)
            return [
                Blocker("level", name, "capability", op=code[2], needed=needed, found=found, because=because, rule=rule)
            ]
        if op == _code.NOT:
            # the names inside whose term holds
            keys: set[str] = set()
            stack = [code[1]]
            while stack:
                part = stack.pop()
                if part.__class__ is str or part[0] == _code.CMP:
                    if self.code_value(part) == YES:
                        keys.add(part if part.__class__ is str else part[1])
                else:
                    stack.extend(part[1:] if part[0] != _code.OF else part[2:])
            names = tuple(program.name(self.index[k]) for k in sorted(keys))
            return [Blocker("excluded", names=names, because=because, rule=rule)]
        if op == _code.ALL:
            out: list[Blocker] = []
            for side in self.failing_sides(code):
                if side.__class__ is int:
                    out.append(self.missing(side, because, rule))
                else:
                    out.extend(self.blockers(side, because, rule))
            return out
        if op == _code.ANY:
            options = tuple(tuple(self.blockers(part)) for part in code[1:])
            return [Blocker("any", options=options, because=because, rule=rule)]
        items = code[2:]
        found_values = [self.code_value(item) for item in items]
        failing = tuple(b for item, v in zip(items, found_values, strict=True) if v == NO for b in self.blockers(item))
        have = found_values.count(YES)
        return [Blocker("at-least", needed=code[1], have=have, items=failing, because=because, rule=rule)]

    def failing_sides(self, code: RequirementCode) -> list[Any]:
        """The sides of an `A and B …` term whose value is NO, in the order written: a
        name as its index, any other term as it is."""
        values, sides = self.run.values, code[1:]
        found: list[int | None] = list(map(self.index.get, sides))  # None: a side that is not a name
        if None not in found:  # names only, the common case: all in C
            names = cast(list[int], found)
            return list(compress(names, map(_is_no, map(values.__getitem__, names))))
        return [
            side if j is None else j
            for side, j in zip(sides, found, strict=True)
            if (self.code_value(side) if j is None else values[j]) == NO
        ]

    def missing(self, j: int, because: str | None, rule: ast.Span | None) -> Blocker:
        """The blocker of a name `j` whose value is NO."""
        program = self.program
        kind = _NODE_KIND[program.is_stage[j]]
        return Blocker("missing", program.name(j), kind, self.run.status(j), because=because, rule=rule)

    def blocker_count(self, code: RequirementCode) -> int:
        """How many blockers `blockers` gives for a term whose value is NO, without making them."""
        if code.__class__ is str or code[0] != _code.ALL:
            return 1
        return sum(1 if side.__class__ is int else self.blocker_count(side) for side in self.failing_sides(code))

    def node_blockers(self, i: int) -> list[Blocker]:
        out: list[Blocker] = []
        a = self.failing_after(i)
        if a >= 0:
            node = self.program.node(i)
            assert isinstance(node, Stage)
            out.append(Blocker("after", self.program.name(a), "stage", self.run.status(a), rule=node.after_span))
        for requirement in self.program.requirements_of(i):
            if self.may_fail(requirement.code):
                out.extend(self.blockers(requirement.code, requirement.because, requirement.span))
        return out

    def node_blocker_count(self, i: int) -> int:
        """len(node_blockers(i)), without making them (the summary's counts)."""
        refs = self.program.and_refs(i)
        if refs is not None:
            # Names joined by `and` only: a blocker per name that is NO (the `after` stage is
            # one of them), counted in C from the plan's numbers; looking the names of a large
            # stage up again cost more than its root causes.
            return list(map(self.run.values.__getitem__, refs)).count(NO)
        codes = filter(self.may_fail, self.program.requirement_codes(i))
        return sum(map(self.blocker_count, codes)) + (self.failing_after(i) >= 0)

    def failing_after(self, i: int) -> int:
        """The stage that stage `i` comes after if that is not reached (a blocker); else -1."""
        a = self.program.after.get(i, -1)
        return a if a >= 0 and self.run.values[a] == NO else -1

    def may_fail(self, code: RequirementCode) -> bool:
        """Whether a requirement can have blockers: it fails, or it is `A and B …`, whose blockers
        are those of its failing sides (none unless it fails)."""
        return (code.__class__ is not str and code[0] == _code.ALL) or self.code_value(code) == NO


def evaluate(ruleset: RuleSet, facts: Mapping[str, Fact], organisation: str | None = None) -> Evaluation:
    """Evaluate checked facts (see `assessment.resolve_facts`) against `ruleset`."""
    program = ruleset.compiled
    in_place, levels = fact_arrays(program, facts)
    return Evaluation(ruleset.framework, organisation, Run.evaluate(program, in_place, levels))


def evaluate_arrays(
    ruleset: RuleSet, in_place: list[int], levels: list[Level], organisation: str | None = None
) -> Evaluation:
    """Evaluate facts already encoded as arrays (see `_facts`)."""
    return Evaluation(ruleset.framework, organisation, Run.evaluate(ruleset.compiled, in_place, levels))
