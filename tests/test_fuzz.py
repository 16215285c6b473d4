"""Fuzz properties: whatever the input, only `SbStrategyError` escapes, every diagnostic points
inside its file, and evaluating anything that loads terminates.

Inputs come from tests/fuzz_inputs.py (rule files generated from the grammar, assessments in
three formats, and mutants of both: tokens deleted, duplicated, swapped or inserted, random
bytes, truncation), drawn through `st.randoms()` so that Hypothesis replays a failure from its
database. The example counts are bounded for CI; fuzz/long_run.py runs the same generators for
millions of inputs (see fuzz/README.md).
"""

from __future__ import annotations

import json
import os
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sbstrategy
from sbstrategy.sources import decode

from . import fuzz_inputs as F
from .strategies import rule_sets

# SBSTRATEGY_FUZZ_SCALE=100 runs a hundred times the examples (see fuzz/README.md).
SCALE = max(1, int(os.environ.get("SBSTRATEGY_FUZZ_SCALE", "1")))
FUZZ = settings(
    max_examples=300 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
RANDOMS = st.randoms(use_true_random=False)

# One evaluation of a small generated file takes milliseconds; this only catches a hang.
_TERMINATES_WITHIN = 20.0


def check_spans(error: sbstrategy.SbStrategyError, texts: dict[str, str]) -> None:
    """Every diagnostic of `error` about one of `texts` lies inside that text."""
    assert error.diagnostics, "an error without diagnostics"
    for diagnostic in error.diagnostics:
        assert diagnostic.message, diagnostic
        span = diagnostic.span
        if span is None or span.path not in texts:
            continue
        lines = texts[span.path].split("\n")
        assert 1 <= span.line <= len(lines) + 1, diagnostic
        assert span.end_line >= span.line, diagnostic
        assert span.end_line <= len(lines) + 1, diagnostic
        line = lines[span.line - 1] if span.line <= len(lines) else ""
        assert 1 <= span.column <= len(line) + 2, diagnostic
        if span.end_line == span.line:
            assert span.end_column >= span.column, diagnostic
    str(error)  # renders, with carets, without failing


def load_or_error(text: str, **options: object) -> sbstrategy.RuleSet | None:
    """The rule set, or None after checking the error; any other exception fails the test."""
    path = str(options.pop("path", "fuzz.sbr"))
    try:
        return sbstrategy.loads(text, path=path, **options)  # type: ignore[arg-type]
    except sbstrategy.SbStrategyError as error:
        resolver = options.get("resolver")
        texts = {path: text, **(getattr(resolver, "files", None) or {})}
        check_spans(error, texts)
        return None


def exercise(rules: sbstrategy.RuleSet, rnd: random.Random) -> None:
    """Evaluate a loaded rule set every way the library offers; it must finish, and only our
    error may say that the facts are wrong."""
    started = time.monotonic()
    names = [c.name for c in rules.capabilities]
    for _ in range(2):
        facts = {n: rnd.choice(["yes", "no", "unknown", 0, 1, 2, 3]) for n in names if rnd.random() < 0.8}
        try:
            evaluation = rules.evaluate(facts)
        except sbstrategy.SbStrategyError as error:  # a yes/no fact compared by level
            check_spans(error, {})
            continue
        json.dumps(evaluation.to_dict())
        for result in (*evaluation.stages, *evaluation.capabilities)[:3]:
            sbstrategy.explain(rules, evaluation, result.name)
    rules.run_scenarios()
    assert time.monotonic() - started < _TERMINATES_WITHIN


# Rule files -----------------------------------------------------------------------------------


@FUZZ
@given(RANDOMS)
def test_generated_rule_files_load_or_raise_our_error(rnd: random.Random) -> None:
    rules = load_or_error(F.rule_file(rnd))
    if rules is not None:
        exercise(rules, rnd)


@FUZZ
@given(RANDOMS)
def test_mutated_rule_files_load_or_raise_our_error(rnd: random.Random) -> None:
    rules = load_or_error(F.mutate(rnd, F.rule_file(rnd)))
    if rules is not None:
        exercise(rules, rnd)


@FUZZ
@given(rule_sets(), RANDOMS)
def test_mutated_valid_rule_sets_load_or_raise_our_error(text: str, rnd: random.Random) -> None:
    # strategies.rule_sets() always loads; its mutants stay close to valid, which reaches the
    # checks and the evaluation more often than noise does.
    rules = load_or_error(F.mutate(rnd, text))
    if rules is not None:
        exercise(rules, rnd)


@settings(FUZZ, max_examples=150 * SCALE)
@given(st.binary(max_size=300), RANDOMS)
def test_random_bytes_as_a_file_raise_only_our_error(data: bytes, rnd: random.Random) -> None:
    # What load() does with a file's bytes: decode (refusing non-UTF-8 and NUL), then load.
    try:
        text = decode(data, "fuzz.sbr")
    except sbstrategy.SourceError as problem:
        assert problem.code == "encoding"
        assert problem.span is not None and problem.span.line >= 1 and problem.span.column >= 1
        return
    load_or_error(text)
    load_or_error(F.mutate(rnd, text))


@settings(FUZZ, max_examples=100 * SCALE)
@given(RANDOMS)
def test_truncated_rule_files_raise_only_our_error(rnd: random.Random) -> None:
    text = F.rule_file(rnd)
    for cut in sorted({rnd.randrange(len(text) + 1) for _ in range(5)}):
        load_or_error(text[:cut])


@settings(FUZZ, max_examples=100 * SCALE)
@given(RANDOMS)
def test_includes_through_a_memory_resolver_raise_only_our_error(rnd: random.Random) -> None:
    # A small tree of files, some including each other (loops too), some missing, some mutated.
    names = [f"part{i}.sbr" for i in range(rnd.randint(1, 4))]
    files = {}
    for name in names:
        targets = tuple(rnd.sample([*names, "missing.sbr", "../up.sbr", "/abs.sbr"], k=rnd.randint(0, 2)))
        text = F.rule_file(rnd, includes=targets, size=rnd.randint(1, 6))
        files[name] = F.mutate(rnd, text) if rnd.random() < 0.3 else text
    main = F.rule_file(rnd, includes=tuple(names), size=rnd.randint(0, 3))
    limits = sbstrategy.Limits(max_files=rnd.choice((2, 3, 100)))
    rules = load_or_error(main, path="main.sbr", resolver=sbstrategy.MemoryResolver(files), limits=limits)
    if rules is not None:
        exercise(rules, rnd)


@settings(FUZZ, max_examples=40 * SCALE)
@given(RANDOMS, st.sampled_from(["not ", "(", "1 of (", "(a and ", "(a or not "]), st.integers(40, 300))
def test_deep_expressions_load_or_give_one_limit_error(rnd: random.Random, opener: str, depth: int) -> None:
    closer = ")" * opener.count("(")
    text = f"capability a, b\nb requires {opener * depth}a{closer * depth}\n"
    limits = sbstrategy.Limits(max_depth=rnd.choice((50, 100, 200)))
    try:
        rules = sbstrategy.loads(text, limits=limits)
    except sbstrategy.SbStrategyError as error:
        check_spans(error, {"<string>": text})
        if depth > limits.max_depth:
            assert [d.code for d in error.errors] == ["limit"]
            assert "max_depth" in error.errors[0].message
        return
    assert depth <= limits.max_depth or opener == "("  # parentheses alone add no depth
    exercise(rules, rnd)


# Assessments ----------------------------------------------------------------------------------

_RULES, _NAMES = F.ASSESSED_RULES, F.ASSESSED_NAMES


@pytest.fixture(scope="module")
def rules() -> sbstrategy.RuleSet:
    return sbstrategy.loads(_RULES)


@settings(FUZZ, max_examples=400 * SCALE)
@given(RANDOMS)
def test_assessment_texts_parse_or_raise_our_error(rnd: random.Random) -> None:
    ruleset = sbstrategy.loads(_RULES)
    fmt, text = F.assessment_text(rnd, _NAMES)
    path = f"fuzz.{fmt}"
    try:
        assessment = sbstrategy.parse_assessment(text, path)
        evaluation = ruleset.evaluate(assessment)
    except sbstrategy.SbStrategyError as error:
        check_spans(error, {path: text})
        return
    json.dumps(evaluation.to_dict())


@settings(FUZZ, max_examples=300 * SCALE)
@given(RANDOMS)
def test_assessment_data_of_any_shape_raises_only_our_error(rnd: random.Random) -> None:
    ruleset = sbstrategy.loads(_RULES)
    data = F.assessment_data(rnd, _NAMES)
    try:
        evaluation = ruleset.evaluate(data)  # type: ignore[arg-type]
    except sbstrategy.SbStrategyError as error:
        check_spans(error, {})
        return
    json.dumps(evaluation.to_dict())


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["yes", "no", "unknown", "2", "nan", "1e999"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)


@settings(FUZZ, max_examples=200 * SCALE)
@given(
    st.dictionaries(st.one_of(st.sampled_from(_NAMES), st.text(max_size=20)), _VALUES, max_size=6),
    st.sampled_from(["mapping", "facts", "assessment"]),
)
def test_python_values_as_facts_raise_only_our_error(facts: dict[str, object], shape: str) -> None:
    ruleset = sbstrategy.loads(_RULES)
    data: object = {"facts": facts} if shape == "facts" else facts
    try:
        if shape == "assessment":
            ruleset.evaluate(sbstrategy.Assessment.from_mapping(facts))
        else:
            ruleset.evaluate(data)  # type: ignore[arg-type]
    except sbstrategy.SbStrategyError as error:
        check_spans(error, {})
