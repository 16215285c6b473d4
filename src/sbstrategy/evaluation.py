"""Three-valued evaluation: statuses, blockers, root causes, open questions.

One pass over the nodes in dependency order. Each node's root causes and open
questions are built from those of the nodes it needs, which were finished
earlier in the pass, so nothing is searched again per stage.

Truth values are the integers 0 (no), 1 (unknown) and 2 (yes): Kleene's `and`
is `min`, `or` is `max`, `not` is `2 - x`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from . import ast
from ._transform import name_key
from .assessment import Fact
from .model import Node, Requirement, Stage

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["Blocker", "Evaluation", "NodeResult", "evaluate"]

NO, UNKNOWN, YES = 0, 1, 2
_WORD = {NO: "no", UNKNOWN: "unknown", YES: "yes"}
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}
_EMPTY: frozenset[str] = frozenset()


@attrs.frozen
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


@attrs.frozen
class NodeResult:
    """The outcome for one capability or stage."""

    name: str
    kind: str
    status: str
    blockers: tuple[Blocker, ...] = ()
    root_causes: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()
    in_place: str | None = None
    level: float | None = None
    effort: float = 1
    description: str | None = None
    after: str | None = None

    @property
    def holds(self) -> bool:
        """Met (a capability) or reached (a stage)."""
        return self.status in ("met", "reached")

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


@attrs.frozen
class Evaluation:
    """Statuses of every stage (dependency order) and capability (declaration order)."""

    framework: str | None
    organisation: str | None
    stages: tuple[NodeResult, ...]
    capabilities: tuple[NodeResult, ...]
    _by_key: Mapping[str, NodeResult] = attrs.field(repr=False, eq=False)

    def node(self, name: str) -> NodeResult:
        """The result for a capability or stage, by name in any case or spacing."""
        try:
            return self._by_key[name_key(name)]
        except KeyError:
            raise KeyError(name) from None

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

    def _chain_depth(self) -> dict[str, int]:
        """How many `after` links lead to each stage (0 for a stage with none)."""
        depth: dict[str, int] = {}
        for stage in self.stages:  # dependency order: a stage's `after` comes first
            depth[stage.name] = depth[stage.after] + 1 if stage.after in depth else 0
        return depth

    @property
    def highest_reached(self) -> NodeResult | None:
        """The reached stage furthest along an `after` chain (the first such in
        dependency order), or None if no stage is reached."""
        depth = self._chain_depth()
        reached = [s for s in self.stages if s.status == "reached"]
        return max(reached, key=lambda s: depth[s.name], default=None)

    @property
    def next_stage(self) -> NodeResult | None:
        """The stage to work towards: not reached, but the stage it comes after
        is (or it has none); the one furthest along a chain first."""
        depth = self._chain_depth()
        status = {s.name: s.status for s in self.stages}
        open_ = [s for s in self.stages if s.status != "reached" and (s.after is None or status[s.after] == "reached")]
        return max(open_, key=lambda s: depth[s.name], default=None)

    def to_dict(self) -> dict[str, object]:
        highest, upcoming = self.highest_reached, self.next_stage
        return {
            "framework": self.framework,
            "organisation": self.organisation,
            "highest_reached": highest.name if highest else None,
            "next_stage": upcoming.name if upcoming else None,
            "stages": [s.to_dict() for s in self.stages],
            "capabilities": [c.to_dict() for c in self.capabilities],
        }


# The pass ---------------------------------------------------------------------------


@attrs.define
class _State:
    value: dict[str, int] = attrs.field(factory=dict)
    status: dict[str, str] = attrs.field(factory=dict)
    causes: dict[str, frozenset[str]] = attrs.field(factory=dict)
    blockers: dict[str, tuple[Blocker, ...]] = attrs.field(factory=dict)
    questions: dict[str, frozenset[str]] = attrs.field(factory=dict)


class _Evaluator:
    def __init__(self, ruleset: RuleSet, facts: Mapping[str, Fact]) -> None:
        self.nodes = ruleset.model.nodes
        self.facts = facts
        self.state = _State()

    # values ---------------------------------------------------------------------
    def value(self, expr: ast.Expr) -> int:
        if isinstance(expr, ast.Ref):
            return self.state.value[expr.name.key]
        if isinstance(expr, ast.Compare):
            level = self.facts[expr.name.key].level
            if level is None:
                return UNKNOWN
            return YES if _OPS[expr.op](level, expr.value) else NO
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
        values = [self.value(item) for item in expr.items]
        yes = values.count(YES)
        if yes >= expr.count:
            return YES
        return NO if yes + values.count(UNKNOWN) < expr.count else UNKNOWN

    # blockers (for a term whose value is NO) -------------------------------------------
    def blockers(self, expr: ast.Expr) -> list[Blocker]:
        if isinstance(expr, ast.Ref):
            key = expr.name.key
            node = self.nodes[key]
            return [Blocker("missing", node.name, node.kind, self.state.status[key])]
        if isinstance(expr, ast.Compare):
            node = self.nodes[expr.name.key]
            found = self.facts[expr.name.key].level
            return [Blocker("level", node.name, "capability", op=expr.op, needed=expr.value, found=found)]
        if isinstance(expr, ast.Not):
            holding = sorted({self.nodes[a.name.key].name for a in _atoms_with(self, expr.operand, YES)}, key=name_key)
            return [Blocker("excluded", names=tuple(holding))]
        if isinstance(expr, ast.All):
            out: list[Blocker] = []
            for operand in expr.operands:
                if self.value(operand) == NO:
                    out.extend(self.blockers(operand))
            return out
        if isinstance(expr, ast.Any):
            return [Blocker("any", options=tuple(tuple(self.blockers(op)) for op in expr.operands))]
        failing = [item for item in expr.items if self.value(item) == NO]
        have = sum(1 for item in expr.items if self.value(item) == YES)
        items = tuple(b for item in failing for b in self.blockers(item))
        return [Blocker("at-least", needed=expr.count, have=have, items=items)]

    def causes(self, blockers: Iterable[Blocker]) -> frozenset[str]:
        found: set[str] = set()
        single: frozenset[str] | None = None
        count = 0
        for blocker in blockers:
            part = self._causes_of(blocker)
            count += 1
            single = part
            found.update(part)
        if count == 1 and single is not None:
            return single  # share the set: chains stay linear
        return frozenset(found)

    def _causes_of(self, blocker: Blocker) -> frozenset[str]:
        kind = blocker.kind
        if kind in ("missing", "after"):
            key = name_key(blocker.name or "")
            status = self.state.status[key]
            if status in ("ready", "unknown"):
                return frozenset((key,))
            return self.state.causes.get(key, _EMPTY)
        if kind == "level":
            return frozenset((name_key(blocker.name or ""),))
        if kind == "excluded":
            return frozenset(name_key(n) for n in blocker.names)
        if kind == "any":
            return self.causes(b for option in blocker.options for b in option)
        return self.causes(blocker.items)

    # open questions (for a term whose value is UNKNOWN) -----------------------------------
    def questions(self, expr: ast.Expr) -> frozenset[str]:
        if isinstance(expr, ast.Ref):
            return self.state.questions.get(expr.name.key, _EMPTY)
        if isinstance(expr, ast.Compare):
            return frozenset((expr.name.key,))
        found: set[str] = set()
        parts = [c for c in _children(expr) if self.value(c) == UNKNOWN]
        if len(parts) == 1:
            return self.questions(parts[0])
        for part in parts:
            found.update(self.questions(part))
        return frozenset(found)

    # nodes ---------------------------------------------------------------------------
    def run(self, order: Iterable[str], by_subject: Mapping[str, tuple[Requirement, ...]]) -> None:
        state = self.state
        for key in order:
            node = self.nodes[key]
            requirements = by_subject.get(key, ())
            values = [self.value(r.expr) for r in requirements]
            after = node.after if isinstance(node, Stage) else None
            after_value = state.value[after] if after is not None else YES
            holds = min([*values, after_value], default=YES)
            if isinstance(node, Stage):
                state.value[key] = holds
                status = {YES: "reached", NO: "blocked", UNKNOWN: "unknown"}[holds]
            else:
                in_place = self._in_place(key)
                state.value[key] = min(in_place, holds)
                status = _capability_status(in_place, holds)
            state.status[key] = status
            if holds == NO:
                blockers = tuple(self._node_blockers(node, requirements, values, after_value))
                state.blockers[key] = blockers
                state.causes[key] = self.causes(blockers)
            if status == "unknown":
                state.questions[key] = self._node_questions(key, node, requirements, values, after_value)

    def _in_place(self, key: str) -> int:
        state = self.facts[key].state
        return YES if state == "yes" else NO if state == "no" else UNKNOWN

    def _node_blockers(
        self, node: Node, requirements: Iterable[Requirement], values: list[int], after_value: int
    ) -> list[Blocker]:
        out: list[Blocker] = []
        if isinstance(node, Stage) and node.after is not None and after_value == NO:
            before = self.nodes[node.after]
            out.append(Blocker("after", before.name, "stage", self.state.status[node.after], rule=node.after_span))
        for requirement, value in zip(requirements, values, strict=True):
            if value == NO:
                out.extend(
                    attrs.evolve(b, because=requirement.because, rule=requirement.span)
                    for b in self.blockers(requirement.expr)
                )
        return out

    def _node_questions(
        self, key: str, node: Node, requirements: Iterable[Requirement], values: list[int], after_value: int
    ) -> frozenset[str]:
        found: set[str] = set()
        if node.kind == "capability" and self.facts[key].state == "unknown":
            found.add(key)
        if isinstance(node, Stage) and node.after is not None and after_value == UNKNOWN:
            found.update(self.state.questions.get(node.after, _EMPTY))
        for requirement, value in zip(requirements, values, strict=True):
            if value == UNKNOWN:
                found.update(self.questions(requirement.expr))
        return frozenset(found)


def _children(expr: ast.Expr) -> tuple[ast.Expr, ...]:
    if isinstance(expr, ast.All | ast.Any):
        return expr.operands
    if isinstance(expr, ast.AtLeast):
        return expr.items
    if isinstance(expr, ast.Not):
        return (expr.operand,)
    return ()


def _atoms_with(evaluator: _Evaluator, expr: ast.Expr, value: int) -> list[ast.Ref | ast.Compare]:
    """The references and comparisons inside `expr` whose term has `value`."""
    from ._exprs import atoms

    return [a for a in atoms(expr) if evaluator.value(a) == value]


def _capability_status(in_place: int, requirements: int) -> str:
    if requirements == UNKNOWN:
        return "unknown"
    if in_place == YES:
        return "met" if requirements == YES else "at-risk"
    if in_place == NO:
        return "ready" if requirements == YES else "blocked"
    return "unknown" if requirements == YES else "blocked"


def _sorted_names(keys: Iterable[str], nodes: Mapping[str, Node]) -> tuple[str, ...]:
    return tuple(sorted((nodes[k].name for k in keys), key=lambda n: (name_key(n), n)))


def evaluate(ruleset: RuleSet, facts: Mapping[str, Fact], organisation: str | None = None) -> Evaluation:
    """Evaluate checked facts (see `assessment.resolve_facts`) against `ruleset`."""
    evaluator = _Evaluator(ruleset, facts)
    by_subject = ruleset.requirements_by_subject
    evaluator.run(ruleset.order, by_subject)
    state = evaluator.state
    nodes = ruleset.model.nodes

    def result(node: Node) -> NodeResult:
        key = node.key
        status = state.status[key]
        blockers = state.blockers.get(key, ())
        causes = state.causes.get(key, _EMPTY)
        if not isinstance(node, Stage):
            fact = facts[key]
            in_place = fact.state
            return NodeResult(
                node.name,
                "capability",
                status,
                blockers,
                _sorted_names(causes, nodes) if status != "met" else (),
                _sorted_names(state.questions.get(key, _EMPTY), nodes),
                in_place,
                fact.level,
                node.effort,
                node.description,
            )
        return NodeResult(
            node.name,
            "stage",
            status,
            blockers,
            _sorted_names(causes, nodes),
            _sorted_names(state.questions.get(key, _EMPTY), nodes),
            description=node.description,
            effort=node.effort,
            after=nodes[node.after].name if node.after else None,
        )

    stages = tuple(result(s) for s in ruleset.stages)
    capabilities = tuple(result(c) for c in ruleset.capabilities)
    by_key = {name_key(r.name): r for r in (*stages, *capabilities)}
    return Evaluation(ruleset.framework, organisation, stages, capabilities, by_key)
