"""The compiled evaluation: what-if, batches, the summary, shared root causes (issue 7).

Every shortcut of the engine is pinned to the plain definition: an incremental
re-evaluation equals a full one, a batch row equals `evaluate` of that row, the
summary's counts equal the lengths of the lists, and root causes materialised
all at once equal those found one node at a time.
"""

from __future__ import annotations

import re

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sbstrategy
from sbstrategy import _compiled

from .conftest import loads
from .strategies import LEVELLED, fact_values, facts_for, rule_sets

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEVELS = st.lists(st.one_of(st.integers(0, 3), st.just("unknown")), min_size=2, max_size=2)
CHANGE_VALUES = st.one_of(st.sampled_from(["yes", "no", "unknown", "Yes", "n"]), st.integers(0, 3))


def _facts(rules: sbstrategy.RuleSet, values: list[object], levels: list[object]) -> dict[str, object]:
    return facts_for([c.name for c in rules.capabilities], values, levels)


def _same(a: sbstrategy.Evaluation, b: sbstrategy.Evaluation) -> None:
    assert a.to_dict() == b.to_dict()
    assert a.summary() == b.summary()


@FAST
@given(
    rule_sets(),
    st.lists(fact_values, min_size=7, max_size=7),
    LEVELS,
    st.lists(st.tuples(st.integers(0, 8), CHANGE_VALUES), min_size=1, max_size=3),
)
def test_incremental_what_if_equals_a_full_evaluation(
    text: str, values: list[object], levels: list[object], changes: list[tuple[int, object]]
) -> None:
    rules = sbstrategy.loads(text)
    facts = _facts(rules, values, levels)
    names = [c.name for c in rules.capabilities]
    assumed: dict[str, object] = {}
    for position, value in changes:
        name = names[position % len(names)]
        # compared by level: a level (or unknown), never yes/no
        levelled = name in ("l0", "l1") and isinstance(value, str) and value.casefold() != "unknown"
        assumed[name] = 2 if levelled else value
    before = rules.evaluate(facts)
    _same(before.with_facts(assumed), rules.evaluate(facts | assumed))
    # and again from the changed result: changes compose
    _same(before.with_facts(assumed).with_facts(facts), before)


@FAST
@given(
    rule_sets(),
    st.lists(st.lists(fact_values, min_size=7, max_size=7), min_size=1, max_size=20),
    LEVELS,
    st.sampled_from([None, "unknown", "no"]),
)
def test_evaluate_many_equals_evaluate_per_row(
    text: str, rows: list[list[object]], levels: list[object], unlisted: str | None
) -> None:
    rules = sbstrategy.loads(text)
    # drop every third fact, so unlisted capabilities are exercised
    table = [
        {"facts": {k: v for n, (k, v) in enumerate(_facts(rules, row, levels).items()) if n % 3 != 2 or k[0] == "l"}}
        | {"organisation": f"org {i}"}
        for i, row in enumerate(rows)
    ]
    results = list(rules.evaluate_many(table, unlisted=unlisted))
    assert len(results) == len(table)
    for row, result in zip(table, results, strict=True):
        one = rules.evaluate(row, unlisted=unlisted)
        assert result.organisation == row["organisation"]
        _same(result, one)


def test_evaluate_many_uses_the_generated_pass_for_long_batches() -> None:
    rules = loads(
        "capability a, b, c, d, l\nb requires a or c\nd requires 2 of (a, b, not c)\n"
        "stage s\ns requires b, l level >= 2, not c\nstage t after s\nt requires d or l level < 1\n"
    )
    rows = [{"a": x % 2 == 0, "b": "yes", "c": x % 3 == 0, "d": x % 5 > 1, "l": x % 4} for x in range(300)]
    results = list(rules.evaluate_many(rows))
    assert rules.compiled._batch is not None
    for row, result in zip(rows, results, strict=True):
        _same(result, rules.evaluate(row))


@FAST
@given(rule_sets(), st.lists(fact_values, min_size=7, max_size=7), LEVELS)
def test_the_generated_batch_pass_equals_the_plain_pass(text: str, values: list[object], levels: list[object]) -> None:
    from sbstrategy._facts import encode_assessment

    rules = sbstrategy.loads(text)
    program = rules.compiled
    in_place, levels_ = encode_assessment(rules, sbstrategy.Assessment(_facts(rules, values, levels)))
    assert program.batch_pass()(in_place, levels_) == program.run(in_place, levels_)


@FAST
@given(rule_sets(), st.lists(fact_values, min_size=7, max_size=7), LEVELS, st.sampled_from(["unknown", "no"]))
def test_facts_listed_in_declaration_order_read_as_in_any_order(
    text: str, values: list[object], levels: list[object], unlisted: str
) -> None:
    # Every capability by its key in declaration order is compared in order, not looked up
    # (`_facts._encode`): the arrays must be those of the same facts in another order.
    from sbstrategy._facts import encode_assessment

    rules = sbstrategy.loads(text)
    by_name = _facts(rules, values, levels)
    in_order = {c.key: by_name[c.name] for c in rules.capabilities}
    assert tuple(in_order) == rules.compiled.capability_keys
    reversed_ = dict(reversed(in_order.items()))
    fast = encode_assessment(rules, sbstrategy.Assessment(in_order, unlisted=unlisted))
    assert fast == encode_assessment(rules, sbstrategy.Assessment(reversed_, unlisted=unlisted))
    assert fast == encode_assessment(rules, sbstrategy.Assessment(by_name, unlisted=unlisted))


def test_facts_in_declaration_order_land_on_their_capabilities_between_stages() -> None:
    from sbstrategy._compiled import NO, UNKNOWN, YES
    from sbstrategy._facts import encode_assessment

    rules = loads("stage s\ncapability a\nstage t after s\ncapability b\ns requires a\nt requires b\n")
    in_place, _ = encode_assessment(rules, sbstrategy.Assessment({"a": "no", "b": "unknown"}))
    assert [in_place[rules.compiled.index[key]] for key in ("s", "a", "t", "b")] == [YES, NO, YES, UNKNOWN]
    assert rules.evaluate({"a": "no", "b": "unknown"}).stage("t").status == "blocked"


def test_evaluate_many_is_lazy_and_reports_bad_rows() -> None:
    rules = loads("capability roadmap\nstage s\ns requires roadmap\n")
    results = rules.evaluate_many([{"roadmap": "yes"}, {"roadmpa": "yes"}])
    assert next(results).stage("s").status == "reached"
    with pytest.raises(sbstrategy.SbStrategyError, match="did you mean 'roadmap'"):
        next(results)


@FAST
@given(rule_sets(), st.lists(fact_values, min_size=7, max_size=7), LEVELS, st.integers(0, 3))
def test_root_causes_materialised_at_once_equal_those_found_one_by_one(
    text: str, values: list[object], levels: list[object], bulk_after: int
) -> None:
    rules = sbstrategy.loads(text)
    facts = _facts(rules, values, levels)
    one_by_one = rules.evaluate(facts)
    expected = [(r.root_causes, r.open_questions) for r in (*one_by_one.stages, *one_by_one.capabilities)]
    at_once = rules.evaluate(facts)
    at_once._run.materialise("causes")
    at_once._run.materialise("questions")
    assert [(r.root_causes, r.open_questions) for r in (*at_once.stages, *at_once.capabilities)] == expected
    # and any mix: bulk after a few single queries
    original = _compiled._BULK_AFTER
    _compiled._BULK_AFTER = bulk_after
    try:
        mixed = rules.evaluate(facts)
        assert [(r.root_causes, r.open_questions) for r in (*mixed.capabilities, *mixed.stages)] == [
            *expected[len(mixed.stages) :],
            *expected[: len(mixed.stages)],
        ]
    finally:
        _compiled._BULK_AFTER = original


@FAST
@given(rule_sets(), st.lists(fact_values, min_size=7, max_size=7), LEVELS)
def test_summary_counts_are_the_lengths_of_the_lists(text: str, values: list[object], levels: list[object]) -> None:
    rules = sbstrategy.loads(text)
    result = rules.evaluate(_facts(rules, values, levels))
    summary = result.summary()
    assert [s["name"] for s in summary["stages"]] == [s.name for s in result.stages]  # type: ignore[index]
    for entry, stage in zip(summary["stages"], result.stages, strict=True):  # type: ignore[arg-type]
        assert entry["status"] == stage.status
        assert entry["blocker_count"] == len(stage.blockers)
        assert entry["root_cause_count"] == len(stage.root_causes)
        assert entry["open_question_count"] == len(stage.open_questions)
    upcoming = result.next_stage
    assert summary["next_stage"] == (upcoming.name if upcoming else None)
    assert summary["next_stage_root_causes"] == (list(upcoming.root_causes) if upcoming else [])
    assert summary["next_stage_open_questions"] == (list(upcoming.open_questions) if upcoming else [])
    counts = {status: 0 for status in ("met", "at-risk", "ready", "blocked", "unknown")}
    for capability in result.capabilities:
        counts[capability.status] += 1
    assert summary["capability_status"] == counts


@pytest.mark.parametrize(
    ("facts", "key", "expected"),
    [
        ({"a": "yes", "b": "no", "c": "no", "d": "no"}, "root_cause_count", [2, 3]),
        ({"a": "yes", "b": "unknown", "c": "no", "d": "unknown"}, "open_question_count", [1, 2]),
        ({"a": "yes", "b": "unknown", "c": "yes", "d": "unknown"}, "open_question_count", [0, 1]),
    ],
)
def test_stage_counts_follow_an_or_group_down_a_chain_of_stages(
    facts: dict[str, str], key: str, expected: list[int]
) -> None:
    # two stages in a row with the same status are counted in one sweep (`stage_counts`),
    # which follows the `or` group only when the group itself fails (or is undecided)
    rules = loads(
        "capability a, b, c, d\nstage one\none requires a and (b or c)\nstage two after one\ntwo requires d\n"
    )
    summary = rules.evaluate(facts).summary()
    assert [stage[key] for stage in summary["stages"]] == expected  # type: ignore[index]


def test_summary_of_the_language_example() -> None:
    rules = loads(
        "capability goals, sponsor, roadmap, budget\nroadmap requires sponsor and goals\n"
        "stage one\none requires roadmap\nstage two after one\ntwo requires budget\n"
    )
    summary = rules.evaluate({"sponsor": "yes", "goals": "no", "roadmap": "no", "budget": "no"}).summary()
    assert summary == {
        "framework": None,
        "organisation": None,
        "highest_reached": None,
        "next_stage": "one",
        "next_stage_status": "blocked",
        "next_stage_root_causes": ["goals"],
        "next_stage_open_questions": [],
        "stages": [
            {"name": "one", "status": "blocked", "blocker_count": 1, "root_cause_count": 1, "open_question_count": 0},
            {"name": "two", "status": "blocked", "blocker_count": 2, "root_cause_count": 2, "open_question_count": 0},
        ],
        "stage_status": {"reached": 0, "blocked": 2, "unknown": 0},
        "capability_status": {"met": 1, "at-risk": 0, "ready": 2, "blocked": 1, "unknown": 0},
    }


def test_with_facts_checks_names_and_values() -> None:
    rules = loads("capability roadmap, budget\nstage s\ns requires roadmap, budget level >= 2\n")
    result = rules.evaluate({"roadmap": "no", "budget": 1})
    assert result.with_facts({"Roadmap": "yes", "budget": 3}).stage("s").status == "reached"
    with pytest.raises(sbstrategy.SbStrategyError, match="did you mean 'roadmap'"):
        result.with_facts({"roadmpa": "yes"})
    with pytest.raises(sbstrategy.SbStrategyError, match="is a stage"):
        result.with_facts({"s": "yes"})
    with pytest.raises(sbstrategy.SbStrategyError, match="not yes, no, unknown or a number"):
        result.with_facts({"roadmap": "maybe"})
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        result.with_facts({"budget": "yes"})
    assert info.value.diagnostics[0].code == "level-needed"


def test_results_are_lazy_but_immutable_and_comparable() -> None:
    rules = loads("capability a, b\nb requires a\nstage s\ns requires b\n")
    first, second = rules.evaluate({"a": "no", "b": "no"}), rules.evaluate({"a": "no", "b": "no"})
    stage = first.stage("s")
    with pytest.raises(AttributeError):
        stage.status = "reached"  # type: ignore[misc]
    assert stage == second.stage("s") and hash(stage) == hash(second.stage("s"))
    assert first == second
    assert stage.root_causes == ("a",)
    assert "root_causes=('a',)" in repr(stage)
    built = sbstrategy.NodeResult("s", "stage", "blocked", root_causes=("a",))
    assert built.root_causes == ("a",) and built.blockers == ()


def test_truth_of_any_expression() -> None:
    from sbstrategy import ast

    rules = loads("capability a, b\nstage s\ns requires a or b\n")
    result = rules.evaluate({"a": "no", "b": "unknown"})
    expr = rules.requirements[0].expr
    assert isinstance(expr, ast.Any)
    assert result.truth(expr) == "unknown"
    assert result.truth(expr.operands[0]) == "no"


@FAST
@given(rule_sets(), st.lists(fact_values, min_size=7, max_size=7), LEVELS)
def test_a_program_kept_as_plain_data_evaluates_the_same(text: str, values: list[object], levels: list[object]) -> None:
    import pickle

    from sbstrategy._cache import _unpickle
    from sbstrategy._compiled import Program

    rules = sbstrategy.loads(text)
    facts = _facts(rules, values, levels)
    expected = rules.evaluate(facts)
    # through pickle and the cache's unpickler, which refuses anything but plain data
    data = _unpickle(memoryview(pickle.dumps(rules.compiled.to_plain(), protocol=5)))
    again = sbstrategy.loads(text)
    again.__dict__["compiled"] = Program.from_plain(again, data)
    _same(again.evaluate(facts), expected)


def test_a_program_of_another_rule_set_is_refused() -> None:
    from sbstrategy._compiled import Program

    small, large = loads("capability a\n"), loads("capability a, b\n")
    with pytest.raises(ValueError, match="another rule set"):
        Program.from_plain(large, small.compiled.to_plain())
    with pytest.raises(ValueError, match="not a compiled program"):
        Program.from_plain(large, (0, (), {}))


def _declared_last(text: str) -> str:
    """The same rule set with its capabilities declared at the end, last first: then
    requirements name nodes declared after their subjects."""
    statements = re.split(r"\n(?=\S)", text.strip())
    declarations = [s for s in statements if s.startswith("capability ")]
    others = [s for s in statements if not s.startswith("capability ")]
    return "\n".join(others + declarations[::-1]) + "\n"


@FAST
@given(rule_sets(), st.lists(fact_values, min_size=7, max_size=7), LEVELS)
def test_results_do_not_depend_on_the_order_of_declarations(
    text: str, values: list[object], levels: list[object]
) -> None:
    # The loader numbers nodes in declaration order and translates the requirements once;
    # the compiler reuses that translation only when the evaluation order is the same.
    # A file declared the other way round takes the other path: both must agree.
    forward, backward = loads(text), loads(_declared_last(text))
    assert forward.order != backward.order or len(forward.capabilities) <= len(LEVELLED) + 1
    facts = _facts(forward, values, levels)
    a, b = forward.evaluate(facts), backward.evaluate(facts)

    def results(evaluation: sbstrategy.Evaluation) -> dict[str, tuple[object, ...]]:
        return {
            # a blocker's rule is where it is written: other lines in the other file
            n.name: (n.status, n.root_causes, n.open_questions, [attrs.evolve(b, rule=None) for b in n.blockers])
            for n in (*evaluation.capabilities, *evaluation.stages)
        }

    assert results(a) == results(b)
    # (which unrelated stage counts as the highest reached follows the order: not compared)
    assert a.status_counts() == b.status_counts()
