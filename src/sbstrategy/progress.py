"""Two evaluations side by side: what changed, which stages moved, which root
causes were resolved or appeared.

Used for progress over time (`sbstrategy diff RULES OLD NEW`) and for what-if
questions (the assessment as it is against the assessment with assumptions);
both compare evaluations of one rule set, so nodes are matched by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from ._transform import name_key
from .evaluation import Evaluation, NodeResult

if TYPE_CHECKING:
    from .assessment import Assessment
    from .ruleset import RuleSet

__all__ = ["Change", "Progress", "compare", "diff"]

# How far along a status is, to tell progress from regress.
_RANK = {"blocked": 0, "at-risk": 0, "unknown": 1, "ready": 2, "met": 3, "reached": 3}


@attrs.frozen
class Change:
    """One node whose status, in-place fact or level differs."""

    name: str
    kind: str
    before: str
    after: str
    in_place_before: str | None = None
    in_place_after: str | None = None
    level_before: float | None = None
    level_after: float | None = None

    @property
    def direction(self) -> str:
        """`better`, `worse` or `same` (the status kept, a fact changed)."""
        before, after = _RANK[self.before], _RANK[self.after]
        return "better" if after > before else "worse" if after < before else "same"

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"name": self.name, "kind": self.kind, "before": self.before, "after": self.after}
        out["direction"] = self.direction
        if self.kind == "capability":
            out.update(in_place_before=self.in_place_before, in_place_after=self.in_place_after)
            if self.level_before is not None or self.level_after is not None:
                out.update(level_before=_num(self.level_before), level_after=_num(self.level_after))
        return out


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def compare(before: Evaluation, after: Evaluation) -> tuple[Change, ...]:
    """Every node that differs: stages in dependency order, then capabilities."""
    changes = []
    for old in (*before.stages, *before.capabilities):
        new = after.node(old.name)
        if (old.status, old.in_place, old.level) != (new.status, new.in_place, new.level):
            changes.append(
                Change(old.name, old.kind, old.status, new.status, old.in_place, new.in_place, old.level, new.level)
            )
    return tuple(changes)


@attrs.frozen
class StageCauses:
    """How the root causes of one stage that is not reached changed."""

    name: str
    resolved: tuple[str, ...]
    appeared: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "resolved": list(self.resolved), "appeared": list(self.appeared)}


@attrs.frozen
class Progress:
    """What changed between two evaluations of the same organisation."""

    old: Evaluation
    new: Evaluation
    changes: tuple[Change, ...]
    resolved: tuple[str, ...]
    appeared: tuple[str, ...]
    #: Open questions that no longer decide a stage (answered, or made moot).
    answered: tuple[str, ...]
    new_questions: tuple[str, ...]
    stage_causes: tuple[StageCauses, ...]

    @property
    def stages(self) -> tuple[Change, ...]:
        """The stages whose status moved."""
        return tuple(c for c in self.changes if c.kind == "stage")

    @property
    def capabilities(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == "capability")

    def to_dict(self) -> dict[str, object]:
        def name(result: NodeResult | None) -> str | None:
            return result.name if result else None

        return {
            "framework": self.new.framework,
            "organisation": {"old": self.old.organisation, "new": self.new.organisation},
            "highest_reached": {"old": name(self.old.highest_reached), "new": name(self.new.highest_reached)},
            "next_stage": {"old": name(self.old.next_stage), "new": name(self.new.next_stage)},
            "stages": [c.to_dict() for c in self.stages],
            "capabilities": [c.to_dict() for c in self.capabilities],
            "root_causes": {"resolved": list(self.resolved), "appeared": list(self.appeared)},
            "open_questions": {"closed": list(self.answered), "new": list(self.new_questions)},
            "stage_root_causes": [s.to_dict() for s in self.stage_causes],
        }


def _sorted(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(names), key=lambda n: (name_key(n), n)))


def _open(evaluation: Evaluation) -> tuple[NodeResult, ...]:
    """The nodes whose root causes count: stages not reached, or, in a rule
    set without stages, capabilities not met."""
    if evaluation.stages:
        return tuple(s for s in evaluation.stages if not s.holds)
    return tuple(c for c in evaluation.capabilities if not c.holds)


def diff(
    ruleset: RuleSet,
    old: Evaluation | Assessment | Mapping[str, object],
    new: Evaluation | Assessment | Mapping[str, object],
) -> Progress:
    """Compare two assessments (or evaluations) of one organisation against `ruleset`."""
    before = old if isinstance(old, Evaluation) else ruleset.evaluate(old)
    after = new if isinstance(new, Evaluation) else ruleset.evaluate(new)
    causes_before = {c for r in _open(before) for c in r.root_causes}
    causes_after = {c for r in _open(after) for c in r.root_causes}
    questions_before = {q for r in _open(before) for q in r.open_questions}
    questions_after = {q for r in _open(after) for q in r.open_questions}
    per_stage = []
    for stage in after.stages:
        earlier = before.node(stage.name)
        if stage.holds and earlier.holds:
            continue
        gone = set(earlier.root_causes) - set(stage.root_causes)
        came = set(stage.root_causes) - set(earlier.root_causes)
        if gone or came:
            per_stage.append(StageCauses(stage.name, _sorted(gone), _sorted(came)))
    return Progress(
        before,
        after,
        compare(before, after),
        _sorted(causes_before - causes_after),
        _sorted(causes_after - causes_before),
        _sorted(questions_before - questions_after),
        _sorted(questions_after - questions_before),
        tuple(per_stage),
    )
