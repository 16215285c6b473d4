"""Progress between two assessments (`diff`) and what-if assumptions (`--assume`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sbstrategy
from sbstrategy.progress import compare, diff
from sbstrategy.whatif import apply_assumptions, parse_assumption, what_if

ROOT = Path(__file__).resolve().parent.parent
RULES = sbstrategy.loads(
    "capability goals, sponsor, budget\ncapability roadmap\n  effort 3\n"
    "roadmap requires goals, sponsor\nstage planned\nstage funded after planned\n"
    "planned requires roadmap\nfunded requires budget level >= 2\n",
    path="t.sbr",
)
OLD = {"goals": "no", "sponsor": "yes", "roadmap": "no", "budget": 1}
NEW = {"goals": "yes", "sponsor": "yes", "roadmap": "no", "budget": 1}


def test_diff_reports_moves_and_root_causes() -> None:
    progress = diff(RULES, OLD, NEW)
    assert [(c.name, c.before, c.after, c.direction) for c in progress.changes] == [
        ("goals", "ready", "met", "better"),
        ("roadmap", "blocked", "ready", "better"),
    ]
    assert progress.stages == ()
    assert progress.resolved == ("goals",)
    assert progress.appeared == ("roadmap",)
    assert [(s.name, s.resolved, s.appeared) for s in progress.stage_causes] == [
        ("planned", ("goals",), ("roadmap",)),
        ("funded", ("goals",), ("roadmap",)),
    ]


def test_diff_of_an_assessment_with_itself_is_empty() -> None:
    progress = diff(RULES, OLD, OLD)
    assert (progress.changes, progress.resolved, progress.appeared) == ((), (), ())


def test_a_stage_that_moves() -> None:
    progress = diff(RULES, OLD, NEW | {"roadmap": "yes", "budget": 2})
    assert [(c.name, c.before, c.after) for c in progress.stages] == [
        ("planned", "blocked", "reached"),
        ("funded", "blocked", "reached"),
    ]
    assert progress.to_dict()["highest_reached"] == {"old": None, "new": "funded"}
    levels = [c for c in progress.capabilities if c.name == "budget"]
    assert [(c.level_before, c.level_after, c.before, c.after, c.direction) for c in levels] == [
        (1, 2, "met", "met", "same")
    ]


def test_compare_lists_fact_changes_that_keep_the_status() -> None:
    before, after = RULES.evaluate(OLD), RULES.evaluate(OLD | {"budget": 0})
    (change,) = compare(before, after)
    assert (change.name, change.direction, change.level_before, change.level_after) == ("budget", "worse", 1, 0)
    assert (change.before, change.after, change.in_place_before, change.in_place_after) == ("met", "ready", "yes", "no")


def test_cli_diff(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "r.sbr"
    rules.write_text("capability goals, sponsor\nstage planned\nplanned requires goals, sponsor\n", encoding="utf-8")
    old, new = tmp_path / "old.yaml", tmp_path / "new.json"
    old.write_text("organisation: Acme\nfacts:\n  goals: no\n  sponsor: yes\n", encoding="utf-8")
    new.write_text('{"organisation": "Acme", "facts": {"goals": "yes", "sponsor": "yes"}}', encoding="utf-8")
    run = cli("diff", str(rules), str(old), str(new))
    assert run.status == 0, run.out + run.err
    assert "Stages moved\n  planned  blocked → reached" in run.out
    assert "  resolved: goals" in run.out
    data = json.loads(cli("diff", str(rules), str(old), str(new), "--format", "json").out)
    assert data["stages"] == [
        {"name": "planned", "kind": "stage", "before": "blocked", "after": "reached", "direction": "better"}
    ]
    assert data["root_causes"] == {"resolved": ["goals"], "appeared": []}
    assert cli("diff", str(rules), str(old), str(new), "--format", "markdown").out.startswith("# Progress: ")
    assert cli("diff", str(rules), str(old), str(tmp_path / "missing.yaml")).status == 2


# What-if ----------------------------------------------------------------------------------------------


def test_parse_assumption() -> None:
    assert parse_assumption("roadmap=yes") == ("roadmap", "yes")
    assert parse_assumption(" executive  sponsorship = NO ") == ("executive sponsorship", "no")
    assert parse_assumption("budget=2.5") == ("budget", 2.5)
    for bad in ("roadmap", "=yes", "roadmap=maybe", "budget=-1", "budget=nan"):
        with pytest.raises(sbstrategy.SbStrategyError):
            parse_assumption(bad)


def test_what_if_compares_against_the_assessment_as_it_is() -> None:
    assessment = sbstrategy.Assessment.from_mapping(OLD)
    result = what_if(RULES, assessment, ["Goals=yes"])
    assert result.assumptions == (("goals", "yes"),)
    assert result.was == {"goals": "ready", "roadmap": "blocked"}
    assert result.after.capability("roadmap").status == "ready"
    assert result.before.capability("roadmap").status == "blocked"


def test_assumptions_must_name_capabilities() -> None:
    assessment = sbstrategy.Assessment.from_mapping(OLD)
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        apply_assumptions(RULES, assessment, {"goal": "yes", "planned": "yes"})
    messages = [(d.message, d.suggestion) for d in info.value.diagnostics]
    assert messages == [
        ("'goal' is not a capability of these rules", "did you mean 'goals'?"),
        (
            "'planned' is a stage; stages follow from the capabilities and cannot be assumed",
            "assume the capabilities it requires instead",
        ),
    ]


def test_cli_assess_highlights_what_changed(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli(
        "assess", "examples/getting-started.sbr", "examples/getting-started.yaml", "--assume", "business goals=yes"
    )
    assert run.status == 0, run.err
    lines = run.out.splitlines()
    assert lines[:5] == [
        "What-if: assuming business goals = yes",
        "Changed against the assessment as it is:",
        "  optimizing social media  blocked → unknown",
        "  business goals           ready → met (in place no → yes)",
        "  roadmap                  blocked → unknown",
    ]
    assert "  ? roadmap  unknown  (was blocked)" in lines
    data = json.loads(
        cli(
            "assess",
            "examples/getting-started.sbr",
            "examples/getting-started.yaml",
            "--assume",
            "business goals=yes",
            "--format",
            "json",
        ).out
    )
    assert data["what_if"]["assumptions"] == [{"name": "business goals", "value": "yes"}]
    assert [c["name"] for c in data["what_if"]["changes"]] == ["optimizing social media", "business goals", "roadmap"]
    markdown = cli(
        "assess",
        "examples/getting-started.sbr",
        "examples/getting-started.yaml",
        "--assume",
        "business goals=yes",
        "--format",
        "markdown",
    ).out
    assert markdown.startswith("> **What-if:** assuming business goals = yes")
    assert "| roadmap | **unknown** (was blocked) |" in markdown


def test_cli_bad_assumptions_are_usage_errors(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    base = ("assess", "examples/getting-started.sbr", "examples/getting-started.yaml")
    run = cli(*base, "--assume", "busines goals=yes")
    assert run.status == 2 and "did you mean 'business goals'?" in run.err
    run = cli(*base, "--assume", "business goals")
    assert run.status == 2 and "is not an assumption" in run.err
    run = cli(*base, "--assume", "bolt on=yes")
    assert run.status == 2 and "is a stage" in run.err


def test_cli_assess_output_file(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    target = tmp_path / "report.md"
    run = cli(
        "assess",
        "examples/getting-started.sbr",
        "examples/getting-started.yaml",
        "--format",
        "markdown",
        "-o",
        str(target),
    )
    assert run.status == 0 and run.out == ""
    assert target.read_text(encoding="utf-8").startswith("# Getting started — Example GmbH\n")
    run = cli(
        "assess", "examples/getting-started.sbr", "examples/getting-started.yaml", "-o", str(tmp_path / "no" / "x")
    )
    assert run.status == 2 and "cannot write" in run.err
