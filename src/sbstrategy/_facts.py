"""Facts straight into the compiled form's arrays: assessments, batch rows, what-if changes.

`assessment.resolve_facts` is the reference: it checks every fact against the
rules and reports every problem with its position. Building a `Fact` object and
a name key per capability costs more than evaluating the capability, so the
encoders here take the common path directly (names spelt as declared, plain
values) and, as soon as anything is off, hand the whole input to
`resolve_facts`, so the diagnostics are exactly the ones it gives.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, cast

from ._compiled import NO, UNKNOWN, YES, Level, Program, fact_arrays
from .assessment import Assessment, _value, resolve_facts

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["WORDS", "encode_assessment", "encode_changes", "encode_value", "word_or_level"]

# The spellings an assessment almost always uses; anything else goes through `assessment._value`.
WORDS: dict[str, int] = {"yes": YES, "no": NO, "unknown": UNKNOWN}
_WORDS_ANY: dict[object, int] = {word: code for word, code in WORDS.items()}  # looked up with any value


class _Slow(Exception):
    """Something needs the reference path (a problem to report, or an unusual input)."""


def encode_value(program: Program, i: int, raw: object) -> tuple[int, Level]:
    """(in place, level) of one explicit fact for capability `i`; _Slow if it is not a value."""
    read = word_or_level(raw)
    if read is None:
        raise _Slow
    code, level = read
    if level is not None:
        return (YES if level >= program.met_at.get(i, 1.0) else NO), level
    return code, None


def word_or_level(raw: object) -> tuple[int, Level] | None:
    """(the word's code, None) or (-1, level) for one value of an assessment; None if it is not one."""
    if type(raw) is str:
        code = WORDS.get(raw)
        if code is not None:
            return code, None
    fact = _value(raw)
    if fact is None:
        return None
    if fact.level is not None:
        return -1, fact.level
    return WORDS[fact.state], None


def _encode(program: Program, facts: Mapping[str, object], unlisted: str) -> tuple[list[int], list[Level]]:
    # One `map` per step over all facts: a Python statement per fact would cost more
    # than evaluating the capability it describes.
    in_place, levels = program.template(unlisted)
    found: Sequence[int]
    if len(facts) == len(program.capabilities) and tuple(facts) == program.capability_keys:
        # Every capability by its key, in declaration order, as a tool that writes assessments
        # from the model lists them: compared in order instead of looked up (a million lookups
        # in a dictionary too large for the processor's caches took 0.3 s; comparing 0.05 s).
        found = program.capabilities
    else:
        indices: list[int | None] = list(map(program.index.get, facts))
        if None in indices:
            indices = [program.lookup(str(name)) if i is None else i for name, i in zip(facts, indices, strict=True)]
            if None in indices:
                raise _Slow  # an undeclared name
        found = indices  # type: ignore[assignment]
        if any(map(program.is_stage.__getitem__, found)) or len(set(found)) != len(found):
            raise _Slow  # a stage, or one capability given twice
    raws = list(facts.values())
    try:
        codes: list[int | None] = list(map(_WORDS_ANY.get, raws))
    except TypeError:  # an unhashable value: not a fact
        codes = [None] * len(raws)
    deque(map(in_place.__setitem__, found, cast(list[int], codes)), 0)  # any None is replaced below
    if unlisted == "no" or None in codes:
        levels = levels.copy()  # the template's list is shared
    if unlisted == "no":
        deque(map(levels.__setitem__, found, repeat(None)), 0)  # a word has no level
    if None in codes:
        for i, raw, code in zip(found, raws, codes, strict=True):
            if code is None:
                in_place[i], levels[i] = encode_value(program, i, raw)
    for j in program.compared_at:
        # given yes or no (an unlisted fact is unknown, or no with level 0): resolve_facts says where
        if levels[j] is None and in_place[j] != UNKNOWN:
            raise _Slow
    return in_place, levels


def encode_assessment(ruleset: RuleSet, assessment: Assessment) -> tuple[list[int], list[Level]]:
    """The arrays of a checked assessment; raises `SbStrategyError` as `resolve_facts` does."""
    program = ruleset.compiled
    try:
        return _encode(program, assessment.facts, assessment.unlisted)
    except _Slow:
        return fact_arrays(program, resolve_facts(ruleset, assessment))


def encode_changes(program: Program, changes: Mapping[str, object]) -> dict[int, tuple[int, Level]]:
    """What-if changes by capability index; raises `SbStrategyError` for a bad name or value."""
    out: dict[int, tuple[int, Level]] = {}
    try:
        for name, raw in changes.items():
            i = program.lookup(str(name))
            if i is None or program.is_stage[i] or i in out:
                raise _Slow
            out[i] = encode_value(program, i, raw)
            if i in program.compared_at and out[i][1] is None and out[i][0] != UNKNOWN:
                raise _Slow
    except _Slow:
        ruleset = program.ruleset
        facts = resolve_facts(ruleset, Assessment.from_mapping(changes))  # raises for the problem found
        index = program.index
        words = WORDS
        out = {}
        for key, fact in facts.items():
            if fact.explicit:
                out[index[key]] = (words[fact.state], fact.level)
    return out
