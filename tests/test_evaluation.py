"""Evaluation: the status tables, blockers, root causes and open questions."""

from __future__ import annotations

import pytest

import sbstrategy

from .conftest import loads

TABLE = loads("capability a, r\na requires r\nstage s\ns requires a\n")


@pytest.mark.parametrize(
    ("in_place", "requirement", "status"),
    [
        ("yes", "yes", "met"),
        ("yes", "no", "at-risk"),
        ("yes", "unknown", "unknown"),
        ("no", "yes", "ready"),
        ("no", "no", "blocked"),
        ("no", "unknown", "unknown"),
        ("unknown", "yes", "unknown"),
        ("unknown", "no", "blocked"),
        ("unknown", "unknown", "unknown"),
    ],
)
def test_capability_status_table(in_place: str, requirement: str, status: str) -> None:
    assert TABLE.evaluate({"a": in_place, "r": requirement}).capability("a").status == status


def test_kleene_logic_decides_when_the_known_part_decides() -> None:
    rules = loads("capability a, b\nstage both\nboth requires a and b\nstage either\neither requires a or b\n")
    result = rules.evaluate({"a": "no", "b": "unknown"})
    assert result.stage("both").status == "blocked"
    assert result.stage("either").status == "unknown"
    assert result.stage("either").open_questions == ("b",)


def test_at_risk_capability_does_not_count_as_met() -> None:
    rules = loads("capability plan, sponsor\nplan requires sponsor\nstage s\ns requires plan\n")
    result = rules.evaluate({"plan": "yes", "sponsor": "no"})
    assert result.capability("plan").status == "at-risk"
    assert result.stage("s").status == "blocked"
    assert result.stage("s").root_causes == ("sponsor",)


def test_stage_needs_the_stage_before_it() -> None:
    rules = loads("capability a, b\nstage one\none requires a\nstage two after one\ntwo requires b\n")
    result = rules.evaluate({"a": "no", "b": "yes"})
    two = result.stage("two")
    assert two.status == "blocked"
    assert [(b.kind, b.name) for b in two.blockers] == [("after", "one")]
    assert two.root_causes == ("a",)
    assert result.highest_reached is None and result.next_stage is not None
    assert result.next_stage.name == "one"


def test_next_stage_follows_the_longest_after_chain() -> None:
    rules = loads(
        "capability a, b, c\nstage side\nside requires c\nstage one\none requires a\n"
        "stage two after one\ntwo requires b\nstage three after two\nthree requires c\n"
    )
    result = rules.evaluate({"a": "yes", "b": "yes", "c": "no"})
    assert result.highest_reached is not None and result.highest_reached.name == "two"
    assert result.next_stage is not None and result.next_stage.name == "three"


def test_blockers_keep_structure_and_because() -> None:
    rules = loads(
        "capability a, b, c, d, budget\nstage s\n"
        's requires a or b\n  because "one of them"\n'
        "s requires 2 of (c, d, a)\n"
        "s requires budget level >= 3\n"
    )
    result = rules.evaluate({"a": "no", "b": "no", "c": "yes", "d": "no", "budget": 1})
    kinds = [b.kind for b in result.stage("s").blockers]
    assert kinds == ["any", "at-least", "level"]
    any_, count, level = result.stage("s").blockers
    assert any_.because == "one of them" and any_.rule is not None and any_.rule.line == 3
    assert count.have == 1 and count.needed == 2 and [b.name for b in count.items] == ["d", "a"]
    assert (level.name, level.found, level.needed) == ("budget", 1, 3)
    assert result.stage("s").root_causes == ("a", "b", "budget", "d")


def test_blockers_of_lines_written_apart_are_all_found_in_order() -> None:
    # a node's requirement lines need not follow one another: the lines of another node,
    # of the same name in another case, and a line of a stage may come between them
    rules = loads(
        "capability a, b, c, d, e\nstage s\n"
        "e requires a\nd requires b\ns requires c and d\nE requires c, b\nd requires a\ns requires e\n"
    )
    result = rules.evaluate({"a": "no", "b": "no", "c": "no", "d": "yes", "e": "yes"})
    assert [(b.name, b.rule.line) for b in result.capability("e").blockers] == [("a", 3), ("c", 6), ("b", 6)]
    assert [(b.name, b.rule.line) for b in result.capability("d").blockers] == [("b", 4), ("a", 7)]
    assert [(b.name, b.rule.line) for b in result.stage("s").blockers] == [("c", 5), ("d", 5), ("e", 8)]
    assert result.summary()["stages"][0]["blocker_count"] == 3  # type: ignore[index]


def test_failing_not_contributes_the_names_that_hold() -> None:
    rules = loads("capability silo, goals\nstage s\ns requires goals and not silo\n")
    stage = rules.evaluate({"silo": "yes", "goals": "yes"}).stage("s")
    assert stage.blockers[0].kind == "excluded"
    assert stage.root_causes == ("silo",)


def test_root_causes_follow_blocked_capabilities_down() -> None:
    rules = loads(
        "capability goals, sponsor, roadmap, governance\nroadmap requires sponsor and goals\n"
        "governance requires roadmap\nstage s\ns requires governance\n"
    )
    result = rules.evaluate({"sponsor": "yes"} | {"goals": "no", "roadmap": "no", "governance": "no"})
    assert result.stage("s").root_causes == ("goals",)
    assert result.capability("governance").status == "blocked"


def test_not_met_capability_with_unknown_status_is_a_root_cause() -> None:
    rules = loads("capability a, b\na requires b\nstage s\ns requires a\n")
    result = rules.evaluate({"a": "no", "b": "unknown"})
    assert result.capability("a").status == "unknown"
    assert result.stage("s").status == "blocked"
    assert result.stage("s").root_causes == ("a",)
    assert result.capability("a").open_questions == ("b",)


def test_unlisted_facts_default_to_unknown_or_no() -> None:
    rules = loads("capability a\nstage s\ns requires a\n")
    assert rules.evaluate({}).stage("s").status == "unknown"
    assert rules.evaluate({}, unlisted="no").stage("s").status == "blocked"


def test_levels_and_met_at() -> None:
    rules = loads("capability training\n  met at 2\nstage s\ns requires training\n")
    assert rules.evaluate({"training": 1}).capability("training").in_place == "no"
    assert rules.evaluate({"training": 2}).stage("s").status == "reached"


def test_assessment_errors_name_and_suggest() -> None:
    rules = loads(
        "capability executive sponsorship, budget\nstage s\ns requires executive sponsorship, budget level >= 2\n"
    )
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        rules.evaluate({"executive sponsorhip": "yes", "budget": "yes", "s": "yes", "x": [1]})
    suggestions = [d.suggestion for d in info.value.diagnostics]
    assert "did you mean 'executive sponsorship'?" in suggestions
    assert sorted(d.code for d in info.value.diagnostics) == [
        "level-needed",
        "unknown-fact",
        "unknown-fact",
        "unknown-fact",
    ]


def test_dependency_order_of_stages_and_json_keys() -> None:
    rules = loads("capability a\nstage late after early\nstage early\nearly requires a\n")
    result = rules.evaluate({"a": "yes"})
    assert [s.name for s in result.stages] == ["early", "late"]
    data = result.to_dict()
    assert set(data) >= {"framework", "stages", "capabilities"}
    assert set(data["stages"][0]) >= {"name", "status", "blockers", "root_causes", "open_questions"}  # type: ignore[index]
    assert set(data["capabilities"][0]) >= {
        "name",
        "status",
        "in_place",
        "blockers",
        "root_causes",
        "open_questions",
    }  # type: ignore[index]
