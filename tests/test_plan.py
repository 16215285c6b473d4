"""`plan`: waves that respect the dependencies, the least effort, and leverage."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sbstrategy
from sbstrategy.planning import Plan, leverage, plan

from .strategies import LEVELLED, facts_for, rule_sets

ROOT = Path(__file__).resolve().parent.parent
COMBINED = ROOT / "rules" / "social-business-readiness.sbr"
BAKERY = ROOT / "examples" / "sme-bakery.yaml"
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def combined() -> sbstrategy.RuleSet:
    return sbstrategy.load(COMBINED)


def _follow(facts: Mapping[str, object], roadmap: Plan, waves: int | None = None) -> dict[str, object]:
    """The facts once the first `waves` waves of the plan are done."""
    done = dict(facts)
    for wave in roadmap.waves[:waves]:
        for step in wave.steps:
            if step.ended:
                done[step.name] = 0 if step.name in LEVELLED else "no"
            elif step.level is not None:
                done[step.name] = step.level
            else:
                done[step.name] = "yes"
    return done


def _pessimistic(facts: Mapping[str, object]) -> dict[str, object]:
    """What the plan takes the assessment to say: unknown is not in place (an
    unknown level stays unknown: the plan sets it when it needs it)."""
    return {n: "no" if v == "unknown" and n not in LEVELLED else v for n, v in facts.items()}


def test_the_bakery_plan_to_optimizing_social_media(combined: sbstrategy.RuleSet) -> None:
    roadmap = plan(combined, sbstrategy.load_assessment(BAKERY))
    assert (roadmap.target, roadmap.status, roadmap.reachable, roadmap.method) == (
        "optimizing social media",
        "blocked",
        True,
        "exact",
    )
    assert [[s.name for s in w.steps] for w in roadmap.waves] == [
        ["social media budget", "social media expertise", "social media governance"],
        ["social media guidelines"],
    ]
    assert [w.unlocks for w in roadmap.waves] == [(), ("optimizing social media",)]
    assert [w.cumulative for w in roadmap.waves] == [7, 9]
    first = roadmap.waves[0].steps[0]
    assert first.action == "put social media budget in place: raise it to level 2 (now 1)"
    assert roadmap.total_effort == 9


def test_a_plan_chooses_the_cheaper_alternative() -> None:
    rules = sbstrategy.loads(
        "capability cheap, dear, base\ncapability costly\n  effort 5\n"
        "dear requires costly\ncheap requires base\nstage s\ns requires cheap or dear\n",
        path="t.sbr",
    )
    roadmap = plan(rules, {"cheap": "no", "dear": "no", "base": "no", "costly": "no"}, "s")
    assert roadmap.optimal and roadmap.routes == 2
    assert [[s.name for s in w.steps] for w in roadmap.waves] == [["base"], ["cheap"]]
    assert roadmap.total_effort == 2


def test_n_of_takes_the_cheapest_items() -> None:
    rules = sbstrategy.loads(
        "capability a, b, c\ncapability d\n  effort 4\nstage s\ns requires 2 of (a, d, b and c)\n", path="t.sbr"
    )
    roadmap = plan(rules, {"a": "no", "b": "no", "c": "no", "d": "no"}, "s")
    assert sorted(s.name for s in roadmap.steps) == ["a", "b", "c"]
    assert roadmap.total_effort == 3 and roadmap.optimal


def test_a_level_is_raised_and_at_risk_capabilities_are_repaired() -> None:
    rules = sbstrategy.loads(
        "capability budget, team, plan\nplan requires team\nstage s\ns requires budget level >= 3, plan\n",
        path="t.sbr",
    )
    roadmap = plan(rules, {"budget": 1, "team": "no", "plan": "yes"}, "s")
    assert [[s.action for s in w.steps] for w in roadmap.waves] == [
        ["raise budget to level 3 (now 1)", "put team in place"]
    ]
    assert roadmap.waves[0].unlocks == ("s",)


def test_a_not_is_met_by_ending_what_it_excludes() -> None:
    rules = sbstrategy.loads("capability chaos, roles\nstage s\ns requires roles, not chaos\n", path="t.sbr")
    roadmap = plan(rules, {"chaos": "yes", "roles": "no"}, "s")
    (wave,) = roadmap.waves
    assert [(s.name, s.ended) for s in wave.steps] == [("chaos", True), ("roles", False)]
    assert "a rule excludes it" in wave.steps[0].action


def test_an_unreachable_target_says_what_is_in_the_way() -> None:
    rules = sbstrategy.loads("capability budget\nstage s\ns requires budget level <= 1\n", path="t.sbr")
    roadmap = plan(rules, {"budget": 3}, "s")
    assert not roadmap.reachable and roadmap.waves == ()
    assert roadmap.obstacles == ("budget level <= 1: the level is 3, and a plan only raises levels",)


def test_unknown_facts_are_questions_to_answer_first() -> None:
    rules = sbstrategy.loads("capability a, b\nstage s\ns requires a, b\n", path="t.sbr")
    roadmap = plan(rules, {"a": "unknown", "b": "no"}, "s")
    assert roadmap.questions == ("a",)
    assert [s.unknown for s in roadmap.steps] == [True, False]


def test_an_already_reached_target_needs_nothing() -> None:
    rules = sbstrategy.loads("capability a\nstage s\ns requires a\n", path="t.sbr")
    roadmap = plan(rules, {"a": "yes"}, "s")
    assert roadmap.reachable and roadmap.waves == () and roadmap.total_effort == 0


def test_leverage_ranks_root_causes_by_what_they_hold_up(combined: sbstrategy.RuleSet) -> None:
    ranked = leverage(combined, sbstrategy.load_assessment(BAKERY))
    assert ranked[0].name == "social media budget"
    counts = [entry.count for entry in ranked]
    assert counts == sorted(counts, reverse=True)
    evaluation = combined.evaluate(sbstrategy.load_assessment(BAKERY))
    for entry in ranked:
        for stage in entry.stages:
            assert entry.name in evaluation.stage(stage).root_causes


def test_cli_plan_text_json_and_markdown(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("plan", "readiness", "examples/sme-bakery.yaml", "--target", "optimizing the business")
    assert run.status == 0, run.err
    assert "Plan to reach optimizing the business (now blocked)" in run.out
    assert "Optimal: no other way costs less" in run.out
    assert "Wave 1 — ready now" in run.out
    assert "Leverage (root causes by how much they hold up)" in run.out
    data = json.loads(cli("plan", "readiness", "examples/sme-bakery.yaml", "--format", "json").out)
    assert data["target"] == "optimizing social media" and data["method"] == "exact"
    assert data["waves"][-1]["unlocks"] == ["optimizing social media"]
    markdown = cli("plan", "readiness", "examples/sme-bakery.yaml", "--format", "markdown").out
    assert markdown.startswith("# Plan: optimizing social media\n")


def test_cli_plan_with_an_assumption(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("plan", "readiness", "examples/sme-bakery.yaml", "--assume", "social media budget=2")
    assert run.status == 0
    assert run.out.startswith("What-if: assuming social media budget = 2\n")
    assert "social media budget" not in run.out.split("Wave 1")[1].split("Leverage")[0]


def test_cli_plan_unknown_target(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("plan", "readiness", "examples/sme-bakery.yaml", "--target", "optimising the business")
    assert run.status == 2
    assert "did you mean 'optimizing the business'?" in run.err


# Properties --------------------------------------------------------------------------------------------

PLAIN = st.sampled_from(["yes", "no", "unknown", 0, 1, 2])
LEVELS = st.lists(st.one_of(st.integers(0, 3), st.just("unknown")), min_size=2, max_size=2)


def _all_in_place(rules: sbstrategy.RuleSet) -> dict[str, object]:
    return {c.name: 4 if c.name in LEVELLED else "yes" for c in rules.capabilities}


def _check_plan(rules: sbstrategy.RuleSet, facts: dict[str, object], stage: str, *, monotone: bool) -> Plan:
    roadmap = plan(rules, facts, stage)
    base = _pessimistic(facts)
    if monotone and rules.evaluate(_all_in_place(rules)).stage(stage).holds:
        assert roadmap.reachable, stage
    if not roadmap.reachable:
        return roadmap
    # Following the plan wave by wave reaches the target ...
    assert rules.evaluate(_follow(base, roadmap)).stage(stage).holds, stage
    if monotone:
        assert rules.evaluate(_follow(facts, roadmap)).stage(stage).holds, stage
    # ... and no step comes before what it needs: its requirements hold once the
    # waves before it are done.
    for number, wave in enumerate(roadmap.waves):
        before = _follow(base, roadmap, number)
        for step in wave.steps:
            if not step.ended and (monotone or step.put_in_place):
                in_place = before | {step.name: 4 if step.name in LEVELLED else "yes"}
                assert rules.evaluate(in_place).capability(step.name).status == "met", (stage, step)
    assert [w.cumulative for w in roadmap.waves] == list(itertools.accumulate(w.effort for w in roadmap.waves))
    return roadmap


@FAST
@given(rule_sets(monotone=True), st.lists(PLAIN, min_size=7, max_size=7), LEVELS)
def test_following_a_plan_reaches_the_target(text: str, values: list[object], levels: list[object]) -> None:
    rules = sbstrategy.loads(text)
    facts = facts_for([c.name for c in rules.capabilities], values, levels)
    for stage in rules.stages:
        roadmap = _check_plan(rules, facts, stage.name, monotone=True)
        if roadmap.optimal and roadmap.reachable:
            assert roadmap.total_effort == _cheapest(rules, _pessimistic(facts), stage.name), stage.name


@FAST
@given(rule_sets(), st.lists(PLAIN, min_size=7, max_size=7), LEVELS)
def test_a_plan_with_not_is_sound(text: str, values: list[object], levels: list[object]) -> None:
    rules = sbstrategy.loads(text)
    facts = facts_for([c.name for c in rules.capabilities], values, levels)
    for stage in rules.stages:
        _check_plan(rules, facts, stage.name, monotone=False)


def _cheapest(rules: sbstrategy.RuleSet, facts: dict[str, object], stage: str) -> float:
    """Brute force: the fewest capabilities (effort 1 each) to put in place, at
    the highest level, for `stage` to be reached."""
    names = [c.name for c in rules.capabilities]
    for size in range(len(names) + 1):
        for chosen in itertools.combinations(names, size):
            changed = dict(facts) | {n: 4 if n in LEVELLED else "yes" for n in chosen}
            changed |= {n: 4 for n in chosen if not isinstance(facts[n], str)}
            if rules.evaluate(changed).stage(stage).holds:
                return size
    raise AssertionError("unreachable")
