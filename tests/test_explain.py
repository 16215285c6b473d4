"""`explain`: the derivation of a status, down to the same root causes `assess` reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sbstrategy
from sbstrategy._transform import name_key
from sbstrategy.explain import Explanation, explain

from .strategies import fact_values, facts_for, rule_sets

ROOT = Path(__file__).resolve().parent.parent
COMBINED = ROOT / "rules" / "social-business-readiness.sbr"
EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".yaml", ".json", ".toml"))
# The combined model's own examples (getting-started.yaml belongs to getting-started.sbr).
COMBINED_EXAMPLES = [p for p in EXAMPLES if p.stem != "getting-started"]
GETTING_STARTED = ROOT / "examples" / "getting-started.sbr"
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def combined() -> sbstrategy.RuleSet:
    return sbstrategy.load(COMBINED)


def _cited_rules_exist(explanation: Explanation) -> None:
    """Every reason cites a file and line that holds that very rule."""
    lines: dict[str, list[str]] = {}
    for step in explanation.steps():
        for reason in step.reasons:
            source = lines.setdefault(reason.path, Path(reason.path).read_text(encoding="utf-8").split("\n"))
            text = source[reason.line - 1]
            if reason.kind == "after":
                head, _, tail = text.partition(" after ")
                assert head.startswith("stage ") and name_key(head[6:].strip('" ')) == name_key(step.name), text
                assert name_key(tail.strip().strip('"')) == name_key(reason.expression), text
            else:
                subject, _, expression = text.partition(" requires ")
                assert name_key(subject.strip('"')) == name_key(step.name), (text, step.name)
                assert expression.strip() == reason.expression, (text, reason.expression)


@pytest.mark.parametrize("example", COMBINED_EXAMPLES, ids=lambda p: p.name)
def test_every_blocked_stage_ends_at_the_root_causes_assess_reports(
    combined: sbstrategy.RuleSet, example: Path
) -> None:
    evaluation = combined.evaluate(sbstrategy.load_assessment(example))
    blocked = [s for s in evaluation.stages if s.status == "blocked"]
    assert blocked, "each example blocks at least one stage"
    for stage in blocked:
        explanation = explain(combined, evaluation, stage.name)
        assert explanation.leaves() == stage.root_causes, stage.name
        assert explanation.root_causes == stage.root_causes
        _cited_rules_exist(explanation)
        assert explanation.actions, stage.name


@pytest.mark.parametrize("example", COMBINED_EXAMPLES, ids=lambda p: p.name)
def test_every_node_explains_consistently(combined: sbstrategy.RuleSet, example: Path) -> None:
    evaluation = combined.evaluate(sbstrategy.load_assessment(example))
    for result in (*evaluation.stages, *evaluation.capabilities):
        explanation = explain(combined, evaluation, result.name)
        _cited_rules_exist(explanation)
        if result.status in ("blocked", "at-risk"):
            assert explanation.leaves() == result.root_causes, result.name
        elif result.status == "unknown":
            assert explanation.leaves("open-question") == result.open_questions, result.name


def test_cli_explain_reads_like_a_derivation(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("explain", "examples/getting-started.sbr", "examples/getting-started.yaml", "Optimizing  Social Media")
    assert run.status == 0, run.out + run.err
    lines = run.out.splitlines()
    assert lines[0] == "Getting started — Example GmbH"
    assert lines[2] == "optimizing social media is blocked: what it needs is missing"
    assert "  - it requires roadmap, which fails  [examples/getting-started.sbr:13]" in lines
    assert '          because "a plan without a sponsor is not carried out"' in lines
    assert "          executive sponsorship = yes (met); business goals = no (ready)" in lines
    assert any(line.strip().startswith("business goals is ready") and "→ root cause" in line for line in lines)
    assert "Root causes (as assess reports them): business goals" in lines
    assert lines[-1] == "  1. put business goals in place (effort 1)"


def test_cli_explain_json_is_the_same_tree(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("explain", "examples/getting-started.sbr", "examples/getting-started.yaml", "roadmap", "--format", "json")
    assert run.status == 0
    data = json.loads(run.out)
    rules = sbstrategy.load("examples/getting-started.sbr")
    expected = explain(rules, sbstrategy.load_assessment("examples/getting-started.yaml"), "roadmap")
    assert data == json.loads(json.dumps(expected.to_dict()))
    root = data["derivation"]
    assert (root["name"], root["status"], root["in_place"]) == ("roadmap", "blocked", "unknown")
    (reason,) = root["reasons"]
    assert reason["rule"] == "roadmap requires executive sponsorship and business goals"
    assert (reason["path"], reason["line"], reason["value"]) == ("examples/getting-started.sbr", 11, "no")
    assert reason["terms"] == [
        {"term": "executive sponsorship", "value": "yes", "status": "met"},
        {"term": "business goals", "value": "no", "status": "ready"},
    ]
    (leaf,) = reason["steps"]
    assert (leaf["name"], leaf["role"], leaf["action"]) == (
        "business goals",
        "root-cause",
        "put business goals in place (effort 1)",
    )
    assert data["root_causes"] == ["business goals"]


def test_cli_explain_markdown(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli(
        "explain", "examples/getting-started.sbr", "examples/getting-started.yaml", "roadmap", "--format", "markdown"
    )
    assert run.status == 0
    assert run.out.startswith("# Why roadmap is blocked\n")
    assert "**business goals** is ready" in run.out
    assert "**What to do:**" in run.out


def test_explain_a_reached_stage_rests_on_facts(combined: sbstrategy.RuleSet) -> None:
    evaluation = combined.evaluate(sbstrategy.load_assessment(ROOT / "examples" / "sme-bakery.yaml"))
    explanation = explain(combined, evaluation, "bolt on")
    assert explanation.status == "reached"
    assert explanation.leaves("fact") == ("social media experiments",)
    assert explanation.actions == ()
    (reason,) = explanation.subject.reasons
    assert reason.value == "yes"


def test_explain_an_unknown_stage_ends_at_its_open_questions(combined: sbstrategy.RuleSet) -> None:
    evaluation = combined.evaluate(sbstrategy.load_assessment(ROOT / "examples" / "corporate-group.toml"))
    stage = evaluation.stage("optimizing the business")
    assert stage.status == "unknown"
    explanation = explain(combined, evaluation, stage.name)
    assert explanation.leaves("open-question") == stage.open_questions
    assert explanation.actions == ("answer the open questions: " + ", ".join(stage.open_questions),)


def test_level_and_excluded_root_causes_say_what_to_do() -> None:
    rules = sbstrategy.loads(
        "capability budget, chaos, plan\nstage s\ns requires budget level >= 3, not chaos, plan\n", path="t.sbr"
    )
    explanation = explain(rules, {"budget": 1, "chaos": "yes", "plan": "no"}, "s")
    assert explanation.leaves() == ("budget", "chaos", "plan")
    assert explanation.actions == (
        "raise budget to level 3 (now 1)",
        "end chaos (the rule excludes it)",
        "put plan in place (effort 1)",
    )


def test_a_node_needed_twice_is_explained_once() -> None:
    rules = sbstrategy.loads("capability a, b, c\nb requires a\nc requires a\nstage s\ns requires b, c\n", path="t.sbr")
    explanation = explain(rules, {"a": "no", "b": "yes", "c": "yes"}, "s")
    roles = [(step.name, step.role) for step in explanation.steps()]
    assert roles == [
        ("s", "explained"),
        ("b", "explained"),
        ("a", "root-cause"),
        ("c", "explained"),
        ("a", "root-cause"),
    ]
    rules = sbstrategy.loads(
        "capability a, b\nb requires a\nstage s\nstage t\ns requires b\nt requires s, b\n", path="t.sbr"
    )
    explanation = explain(rules, {"a": "no", "b": "no"}, "t")
    assert [(step.name, step.role) for step in explanation.steps()] == [
        ("t", "explained"),
        ("s", "explained"),
        ("b", "explained"),
        ("a", "root-cause"),
        ("b", "see-above"),
    ]


def test_a_long_chain_needs_no_deep_recursion() -> None:
    size = 3000
    lines = [f"capability c{i}" for i in range(size)]
    lines += [f"c{i} requires c{i - 1}" for i in range(1, size)]
    lines += ["stage s", f"s requires c{size - 1}"]
    rules = sbstrategy.loads("\n".join(lines) + "\n", path="chain.sbr")
    explanation = explain(rules, {f"c{i}": "yes" if i else "no" for i in range(size)}, "s")
    assert explanation.leaves() == ("c0",)
    assert len(explanation.subject.to_dict()["reasons"]) == 1  # type: ignore[arg-type]
    from sbstrategy._render_explain import explanation_json, explanation_text

    text = explanation_text(explanation)
    assert text.count("\n") > size
    assert max(len(line) for line in text.splitlines()) < 400  # indentation stops growing
    data = explanation_json(explanation)
    assert data.startswith('{"framework":null,') and len(data) < 1000 * size  # compact, linear


def test_unknown_name_is_a_usage_error_with_a_suggestion(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("explain", "examples/getting-started.sbr", "examples/getting-started.yaml", "roadmapp")
    assert run.status == 2
    assert "did you mean 'roadmap'?" in run.err


def test_explain_writes_its_output_atomically(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    target = tmp_path / "why.txt"
    run = cli("explain", "examples/getting-started.sbr", "examples/getting-started.yaml", "roadmap", "-o", str(target))
    assert run.status == 0 and run.out == ""
    assert target.read_text(encoding="utf-8").startswith("Getting started — Example GmbH\n")
    assert [p.name for p in tmp_path.iterdir()] == ["why.txt"]


LEVELS = st.lists(st.one_of(st.integers(0, 3), st.just("unknown")), min_size=2, max_size=2)


@FAST
@given(rule_sets(), st.lists(fact_values, min_size=7, max_size=7), LEVELS)
def test_explanations_end_where_the_evaluator_says(text: str, values: list[object], levels: list[object]) -> None:
    rules = sbstrategy.loads(text)
    evaluation = rules.evaluate(facts_for([c.name for c in rules.capabilities], values, levels))
    for result in (*evaluation.stages, *evaluation.capabilities):
        explanation = explain(rules, evaluation, result.name)
        if result.status in ("blocked", "at-risk"):
            assert explanation.leaves() == result.root_causes, result.name
        elif result.status == "unknown":
            assert explanation.leaves("open-question") == result.open_questions, result.name
        else:
            assert explanation.leaves() == () or result.status == "ready"
