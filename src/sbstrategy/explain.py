"""Why a stage or capability has its status: a derivation down to the root causes.

The evaluator already decided every status, blocker, root cause and open
question in one pass; this module only walks those results, so an explanation
can never disagree with `assess`. A blocked node is explained by the rules that
fail and, through their blockers, by the nodes behind them, down to the same
leaves the evaluator calls root causes. A met or reached node is explained by
the terms that hold, down to the facts; an unknown one by the undecided terms,
down to its open questions.

The derivation is a tree in reading order. A node that several branches need
is expanded once, where it is first read, and referred to after that, so the
tree stays as small as the model. The walk uses an explicit stack: a chain of
a thousand capabilities must not exhaust Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

import attrs

from . import ast
from ._exprs import atoms, to_text
from ._transform import name_key
from .evaluation import Blocker, Evaluation, NodeResult
from .model import Capability, Requirement, Stage

if TYPE_CHECKING:
    from .assessment import Assessment
    from .ruleset import RuleSet

__all__ = ["Explanation", "Reason", "Step", "Term", "explain"]


@attrs.frozen
class Term:
    """One name or comparison of a rule, with its value in this evaluation."""

    text: str
    value: str
    status: str | None = None
    level: float | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"term": self.text, "value": self.value}
        if self.status is not None:
            out["status"] = self.status
        if self.level is not None:
            out["level"] = _num(self.level)
        return out


@attrs.frozen
class Reason:
    """One rule behind a step: a `requires` line (`kind` "requires") or the
    stage a stage comes after (`kind` "after"), with what it leads to."""

    kind: str
    rule: str
    expression: str
    path: str
    line: int
    value: str
    because: str | None
    terms: tuple[Term, ...]
    blockers: tuple[Blocker, ...]
    steps: tuple[Step, ...]

    def to_dict(self) -> dict[str, object]:
        return _reason_dict(self, [s.to_dict() for s in self.steps])


@attrs.frozen
class Step:
    """A capability or stage in the derivation.

    `role` says what the step is: `explained` (its reasons follow), `root-cause`
    (a leaf that assess reports as a root cause; `action` says what to do),
    `open-question` (an unknown fact that would decide it), `fact` (a fact a met
    node rests on), or `see-above` (explained earlier in the tree).
    """

    name: str
    kind: str
    status: str
    role: str
    why: str
    in_place: str | None = None
    level: float | None = None
    action: str | None = None
    reasons: tuple[Reason, ...] = ()

    def to_dict(self) -> dict[str, object]:
        # Built bottom-up without recursion: a long chain nests deeply.
        done: dict[int, dict[str, object]] = {}
        for step in reversed(list(_preorder(self))):
            reasons = [_reason_dict(r, [done[id(s)] for s in r.steps]) for r in step.reasons]
            done[id(step)] = _step_dict(step, reasons)
        return done[id(self)]


def _preorder(root: Step) -> Iterator[Step]:
    stack = [root]
    while stack:
        step = stack.pop()
        yield step
        for reason in reversed(step.reasons):
            stack.extend(reversed(reason.steps))


def _step_dict(step: Step, reasons: list[dict[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {"name": step.name, "kind": step.kind, "status": step.status, "role": step.role}
    if step.kind == "capability":
        out["in_place"] = step.in_place
        if step.level is not None:
            out["level"] = _num(step.level)
    out["why"] = step.why
    if step.action is not None:
        out["action"] = step.action
    out["reasons"] = reasons
    return out


def _reason_dict(reason: Reason, steps: list[dict[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {
        "kind": reason.kind,
        "rule": reason.rule,
        "expression": reason.expression,
        "path": reason.path,
        "line": reason.line,
        "value": reason.value,
    }
    if reason.because is not None:
        out["because"] = reason.because
    out["terms"] = [t.to_dict() for t in reason.terms]
    out["blockers"] = [b.to_dict() for b in reason.blockers]
    out["steps"] = steps
    return out


@attrs.frozen
class Explanation:
    """The derivation of one node's status, its root causes (as `assess`
    reports them), open questions, and what to do."""

    subject: Step
    root_causes: tuple[str, ...]
    open_questions: tuple[str, ...]
    actions: tuple[str, ...]
    framework: str | None = None
    organisation: str | None = None

    @property
    def name(self) -> str:
        return self.subject.name

    @property
    def status(self) -> str:
        return self.subject.status

    def steps(self) -> Iterator[Step]:
        """Every step of the tree, in reading order."""
        return _preorder(self.subject)

    def leaves(self, role: str = "root-cause") -> tuple[str, ...]:
        """The distinct names of the steps with `role`, sorted like `assess` sorts them."""
        names = {s.name for s in self.steps() if s.role == role}
        return tuple(sorted(names, key=lambda n: (name_key(n), n)))

    def to_dict(self) -> dict[str, object]:
        return {
            "framework": self.framework,
            "organisation": self.organisation,
            "name": self.name,
            "status": self.status,
            "root_causes": list(self.root_causes),
            "open_questions": list(self.open_questions),
            "actions": list(self.actions),
            "derivation": self.subject.to_dict(),
        }


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


# Building ----------------------------------------------------------------------------------


@attrs.define
class _DraftStep:
    result: NodeResult
    role: str
    why: str
    action: str | None = None
    reasons: list[_DraftReason] = attrs.field(factory=list)
    mode: str | None = None  # how to expand: "blocked", "holds", "unknown"


@attrs.define
class _DraftReason:
    kind: str
    rule: str
    expression: str
    span: ast.Span
    value: str
    because: str | None
    terms: tuple[Term, ...]
    blockers: tuple[Blocker, ...]
    steps: list[_DraftStep] = attrs.field(factory=list)


def explain(
    ruleset: RuleSet,
    facts: Evaluation | Assessment | Mapping[str, object],
    name: str,
) -> Explanation:
    """Explain why `name` (a stage or capability) has its status.

    `facts` is an evaluation of `ruleset`, or an assessment (or mapping of
    name to value) to evaluate. Raises KeyError for a name the rules do not
    declare.
    """
    evaluation = facts if isinstance(facts, Evaluation) else ruleset.evaluate(facts)
    return _Explainer(ruleset, evaluation).explain(name)


class _Explainer:
    def __init__(self, ruleset: RuleSet, evaluation: Evaluation) -> None:
        self.ruleset = ruleset
        self.evaluation = evaluation
        self.nodes = ruleset.model.nodes
        self.by_subject = ruleset.requirements_by_subject
        self._lines: dict[str, list[str]] = {}

    def _text(self, expr: ast.Expr, span: ast.Span) -> str:
        """The expression as its file writes it (`,` or `and`), canonically spaced."""
        lines = self._lines.get(span.path)
        if lines is None:
            lines = self._lines[span.path] = self.ruleset.sources.get(span.path, "").split("\n")
        return to_text(expr, lines)

    def explain(self, name: str) -> Explanation:
        result = self.evaluation.node(name)
        mode = _mode(result)
        subject = self._draft(result, "explained", mode)
        if result.kind == "capability" and result.status == "ready":
            subject.role, subject.action = "root-cause", self._put_in_place(result)
        elif result.kind == "capability" and result.status == "unknown" and result.in_place == "unknown":
            subject.role = "open-question"
        expanded: set[tuple[str, str]] = set()
        stack = [subject]
        while stack:
            draft = stack.pop()
            if draft.mode is None:
                continue
            key = (name_key(draft.result.name), draft.mode)
            if key in expanded:
                draft.role, draft.mode = "see-above", None
                draft.why = "explained above"
                continue
            expanded.add(key)
            draft.reasons = self._reasons(draft.result, draft.mode)
            for reason in reversed(draft.reasons):
                stack.extend(reversed(reason.steps))
        root = _freeze(subject)
        return Explanation(
            root,
            result.root_causes,
            result.open_questions,
            self._actions(root, result),
            self.evaluation.framework,
            self.evaluation.organisation,
        )

    # steps -------------------------------------------------------------------------------
    def _draft(self, result: NodeResult, role: str, mode: str | None) -> _DraftStep:
        return _DraftStep(result, role, _why(result), mode=mode)

    def _reasons(self, result: NodeResult, mode: str) -> list[_DraftReason]:
        key = name_key(result.name)
        node = self.nodes[key]
        reasons: list[_DraftReason] = []
        after = node.after if isinstance(node, Stage) else None
        if after is not None and isinstance(node, Stage) and node.after_span is not None:
            before = self.evaluation.node(self.nodes[after].name)
            value = _value_of(before)
            if _wanted(value, mode):
                term = Term(before.name, value, before.status)
                blockers = tuple(b for b in result.blockers if b.kind == "after")
                reason = _DraftReason(
                    "after",
                    f"stage {node.name} after {before.name}",
                    before.name,
                    node.after_span,
                    value,
                    None,
                    (term,),
                    blockers,
                )
                reason.steps = self._follow_after(before, mode, blockers)
                reasons.append(reason)
        for requirement in self.by_subject.get(key, ()):
            value = self.evaluation.truth(requirement.expr)
            if not _wanted(value, mode):
                continue
            blockers = tuple(b for b in result.blockers if b.kind != "after" and b.rule == requirement.span)
            reason = _DraftReason(
                "requires",
                f"{_subject_text(requirement, node.name)} requires {self._text(requirement.expr, requirement.span)}",
                self._text(requirement.expr, requirement.span),
                requirement.span,
                value,
                requirement.because,
                self._terms(requirement.expr),
                blockers,
            )
            if mode == "blocked":
                reason.steps = self._follow_blockers(blockers)
            elif mode == "holds":
                reason.steps = self._follow_holding(requirement.expr)
            else:
                reason.steps = self._follow_unknown(requirement.expr)
            reasons.append(reason)
        return reasons

    def _terms(self, expr: ast.Expr) -> tuple[Term, ...]:
        terms: list[Term] = []
        seen: set[str] = set()
        for atom in atoms(expr):
            node = self.nodes[atom.name.key]
            value = self.evaluation.truth(atom)
            if isinstance(atom, ast.Ref):
                text, status, level = node.name, self.evaluation.node(node.name).status, None
            else:
                text = f"{node.name} level {atom.op} {_number(atom.value)}"
                status, level = None, self.evaluation.node(node.name).level
            if text not in seen:
                seen.add(text)
                terms.append(Term(text, value, status, level))
        return tuple(terms)

    def _follow_after(self, before: NodeResult, mode: str, blockers: tuple[Blocker, ...]) -> list[_DraftStep]:
        if mode == "blocked":
            return self._follow_blockers(blockers)
        return [self._child(before, mode)]

    def _follow_blockers(self, blockers: Iterable[Blocker]) -> list[_DraftStep]:
        steps: list[_DraftStep] = []
        for blocker in _flatten(blockers):
            if blocker.kind in ("missing", "after"):
                result = self.evaluation.node(blocker.name or "")
                if result.status in ("ready", "unknown"):
                    # The evaluator's rule: such a node is itself a root cause.
                    steps.append(_DraftStep(result, "root-cause", _why(result), self._put_in_place(result)))
                else:
                    steps.append(self._draft(result, "explained", "blocked"))
            elif blocker.kind == "level":
                result = self.evaluation.node(blocker.name or "")
                why = f"its level is {_level(blocker.found)}, the rule needs {blocker.op} {_number(blocker.needed)}"
                action = _level_action(result.name, blocker.op or ">=", blocker.needed or 0, blocker.found)
                steps.append(_DraftStep(result, "root-cause", why, action))
            elif blocker.kind == "excluded":
                for excluded in blocker.names:
                    result = self.evaluation.node(excluded)
                    state = "is met" if result.kind == "capability" else "is reached"
                    why = f"it {state}, and the rule requires that it does not hold"
                    steps.append(_DraftStep(result, "root-cause", why, f"end {result.name} (the rule excludes it)"))
        return steps

    def _follow_holding(self, expr: ast.Expr) -> list[_DraftStep]:
        steps: list[_DraftStep] = []
        for atom in _supporting(expr, self.evaluation):
            result = self.evaluation.node(atom.name.text)
            if isinstance(atom, ast.Compare):
                why = f"its level is {_level(result.level)}, and {atom.op} {_number(atom.value)} holds"
                steps.append(_DraftStep(result, "fact", why))
            else:
                steps.append(self._child(result, "holds"))
        return steps

    def _follow_unknown(self, expr: ast.Expr) -> list[_DraftStep]:
        steps: list[_DraftStep] = []
        for atom in _undecided(expr, self.evaluation):
            result = self.evaluation.node(atom.name.text)
            if isinstance(atom, ast.Compare):
                steps.append(_DraftStep(result, "open-question", "its level is not known"))
            else:
                steps.append(self._child(result, "unknown"))
        return steps

    def _child(self, result: NodeResult, mode: str) -> _DraftStep:
        has_rules = bool(self.by_subject.get(name_key(result.name))) or bool(
            result.kind == "stage" and result.after is not None
        )
        if mode == "unknown" and result.kind == "capability" and result.in_place == "unknown":
            return _DraftStep(result, "open-question", _why(result), mode="unknown" if has_rules else None)
        if not has_rules:
            return _DraftStep(result, "fact", _why(result))
        return self._draft(result, "explained", mode)

    # what to do ------------------------------------------------------------------------------
    def _put_in_place(self, result: NodeResult) -> str:
        effort = f" (effort {_number(result.effort)})"
        node = self.nodes[name_key(result.name)]
        met_at = node.met_at if isinstance(node, Capability) else 1
        if result.level is not None and met_at > 1:
            return f"put {result.name} in place: raise it to level {_number(met_at)}{effort}"
        if result.status == "unknown":
            questions = ", ".join(result.open_questions)
            first = f"; first find out: {questions}" if questions else ""
            return f"put {result.name} in place{effort}{first}"
        return f"put {result.name} in place{effort}"

    def _actions(self, root: Step, result: NodeResult) -> tuple[str, ...]:
        by_name: dict[str, list[str]] = {}
        for step in _preorder(root):
            if step.role == "root-cause" and step.action is not None:
                actions = by_name.setdefault(step.name, [])
                if step.action not in actions:
                    actions.append(step.action)
        ordered = sorted(by_name, key=lambda n: (name_key(n), n))
        out = [a for name in ordered for a in by_name[name]]
        if not out and result.open_questions:
            out.append("answer the open questions: " + ", ".join(result.open_questions))
        return tuple(out)


def _mode(result: NodeResult) -> str:
    if result.status in ("met", "reached", "ready"):
        return "holds"
    if result.status in ("blocked", "at-risk"):
        return "blocked"
    return "unknown"


def _wanted(value: str, mode: str) -> bool:
    return value == {"holds": "yes", "blocked": "no", "unknown": "unknown"}[mode]


def _value_of(result: NodeResult) -> str:
    if result.holds:
        return "yes"
    if result.status == "unknown" and result.in_place != "no":
        return "unknown"
    return "no"


def _subject_text(requirement: Requirement, fallback: str) -> str:
    subject = requirement.subject_name
    if subject is None:
        return fallback
    return to_text(ast.Ref(subject))


def _flatten(blockers: Iterable[Blocker]) -> Iterator[Blocker]:
    """The leaf blockers, in order: alternatives and counted items opened up."""
    stack = list(reversed(list(blockers)))
    while stack:
        blocker = stack.pop()
        if blocker.kind == "any":
            stack.extend(reversed([b for option in blocker.options for b in option]))
        elif blocker.kind == "at-least":
            stack.extend(reversed(blocker.items))
        else:
            yield blocker


def _supporting(expr: ast.Expr, evaluation: Evaluation) -> list[ast.Ref | ast.Compare]:
    """The atoms that make a holding expression hold (a `not` rests on nothing)."""
    out: list[ast.Ref | ast.Compare] = []
    stack: list[ast.Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Ref | ast.Compare):
            out.append(node)
        elif isinstance(node, ast.All):
            stack.extend(reversed(node.operands))
        elif isinstance(node, ast.Any | ast.AtLeast):
            parts = node.operands if isinstance(node, ast.Any) else node.items
            stack.extend(reversed([p for p in parts if evaluation.truth(p) == "yes"]))
    return out


def _undecided(expr: ast.Expr, evaluation: Evaluation) -> list[ast.Ref | ast.Compare]:
    """The atoms whose unknown value leaves an expression undecided."""
    out: list[ast.Ref | ast.Compare] = []
    stack: list[ast.Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Ref | ast.Compare):
            out.append(node)
            continue
        if isinstance(node, ast.Not):
            parts: tuple[ast.Expr, ...] = (node.operand,)
        elif isinstance(node, ast.All | ast.Any):
            parts = node.operands
        else:
            parts = node.items
        stack.extend(reversed([p for p in parts if evaluation.truth(p) == "unknown"]))
    return out


def _freeze(root: _DraftStep) -> Step:
    order: list[_DraftStep] = []
    stack = [root]
    while stack:
        draft = stack.pop()
        order.append(draft)
        for reason in reversed(draft.reasons):
            stack.extend(reversed(reason.steps))
    frozen: dict[int, Step] = {}
    for draft in reversed(order):
        reasons = tuple(
            Reason(
                r.kind,
                r.rule,
                r.expression,
                r.span.path,
                r.span.line,
                r.value,
                r.because,
                r.terms,
                r.blockers,
                tuple(frozen[id(s)] for s in r.steps),
            )
            for r in draft.reasons
        )
        result = draft.result
        frozen[id(draft)] = Step(
            result.name,
            result.kind,
            result.status,
            draft.role,
            draft.why,
            result.in_place,
            result.level,
            draft.action,
            reasons,
        )
    return frozen[id(root)]


# Words ---------------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


def _level(value: float | None) -> str:
    return "not assessed" if value is None else _number(value)


def _level_action(name: str, op: str, needed: float, found: float | None) -> str:
    now = f" (now {_level(found)})"
    if op in (">=", "="):
        return (
            f"raise {name} to level {_number(needed)}{now}"
            if (found or 0) < needed
            else f"set {name} level to {_number(needed)}{now}"
        )
    if op == ">":
        return f"raise {name} above level {_number(needed)}{now}"
    if op in ("<", "<="):
        return f"bring {name} level {op} {_number(needed)}{now}"
    return f"change {name} level from {_number(needed)}{now}"


def _level_phrase(result: NodeResult) -> str:
    return f" (level {_number(result.level)})" if result.level is not None else ""


def _why(result: NodeResult) -> str:
    """One clause: why a node has its status, in the analyst's words."""
    status, in_place = result.status, result.in_place
    if result.kind == "stage":
        return {
            "reached": "what it needs holds",
            "blocked": "what it needs is missing",
        }.get(status, "whether what it needs holds is not known")
    level = _level_phrase(result)
    if status == "met":
        return f"it is in place{level}, and what it needs holds"
    if status == "ready":
        return f"it is not in place{level}, and nothing it needs is missing"
    if status == "at-risk":
        return f"it is in place{level}, but what it needs is missing, so it does not count as met"
    if status == "blocked":
        if in_place == "unknown":
            return "whether it is in place is not known, and what it needs is missing anyway"
        return f"it is not in place{level}, and what it needs is missing"
    if in_place == "unknown":
        return "the assessment does not say whether it is in place"
    if in_place == "yes":
        return f"it is in place{level}, but whether what it needs holds is not known"
    return f"it is not in place{level}, and whether what it needs holds is not known"
