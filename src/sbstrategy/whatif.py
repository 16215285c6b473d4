"""What-if questions: the assessment with some facts assumed otherwise.

An assumption is `NAME=yes|no|unknown|LEVEL`. It is checked here, against the
rules, before anything is evaluated, because a mistyped name on the command
line must never silently assume something about a capability that does not
exist. The answer keeps both evaluations, so every report can show the
changed statuses against the unmodified assessment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from ._transform import name_key
from .errors import Diagnostic, SbStrategyError
from .evaluation import Evaluation
from .progress import Change, compare

if TYPE_CHECKING:
    from .assessment import Assessment
    from .ruleset import RuleSet

__all__ = ["WhatIf", "apply_assumptions", "parse_assumption", "what_if"]

_WORDS = {"yes": "yes", "no": "no", "unknown": "unknown"}


def _problem(message: str, suggestion: str | None = None) -> SbStrategyError:
    return SbStrategyError([Diagnostic("error", "assumption", message, None, suggestion)])


def parse_assumption(text: str) -> tuple[str, str | float]:
    """`"budget=3"` -> `("budget", 3.0)`; `"roadmap = yes"` -> `("roadmap", "yes")`."""
    name, equals, raw = text.rpartition("=")
    if not equals or not name.strip():
        raise _problem(f"'{text}' is not an assumption", "write NAME=yes, NAME=no, NAME=unknown or NAME=LEVEL")
    word = raw.strip().casefold()
    if word in _WORDS:
        return " ".join(name.split()), _WORDS[word]
    try:
        level = float(word)
    except ValueError:
        raise _problem(
            f"'{raw.strip()}' is not yes, no, unknown or a level (in '{text}')",
            "write NAME=yes, NAME=no, NAME=unknown or NAME=LEVEL",
        ) from None
    if not math.isfinite(level) or level < 0:
        raise _problem(f"'{raw.strip()}' is not a level (in '{text}')", "a level is a number of 0 or more")
    return " ".join(name.split()), level


def _checked(ruleset: RuleSet, assumptions: Mapping[str, object]) -> dict[str, object]:
    from ._checks._context import suggest

    nodes = ruleset.model.nodes
    declared = {k: n.name for k, n in nodes.items() if n.kind == "capability"}
    problems: list[Diagnostic] = []
    checked: dict[str, object] = {}
    for name, value in assumptions.items():
        node = nodes.get(name_key(name))
        if node is None:
            hint = suggest(name_key(name), declared) or "assumptions name capabilities of the rules"
            problems.append(
                Diagnostic("error", "assumption", f"'{name}' is not a capability of these rules", None, hint)
            )
        elif node.kind != "capability":
            problems.append(
                Diagnostic(
                    "error",
                    "assumption",
                    f"'{node.name}' is a stage; stages follow from the capabilities and cannot be assumed",
                    None,
                    "assume the capabilities it requires instead",
                )
            )
        else:
            checked[node.name] = value
    if problems:
        raise SbStrategyError(problems)
    return checked


def apply_assumptions(
    ruleset: RuleSet, assessment: Assessment, assumptions: Mapping[str, object] | Iterable[str]
) -> Assessment:
    """The assessment with the assumed facts in place of its own.

    `assumptions` is a mapping of name to value, or strings `NAME=VALUE`.
    Raises `SbStrategyError` for a name the rules do not declare as a capability.
    """
    return assessment.with_facts(_checked(ruleset, _as_mapping(assumptions)))


def _as_mapping(assumptions: Mapping[str, object] | Iterable[str]) -> dict[str, object]:
    if isinstance(assumptions, Mapping):
        return dict(assumptions)
    out: dict[str, object] = {}
    for text in assumptions:
        name, value = parse_assumption(text)
        out[name] = value
    return out


@attrs.frozen
class WhatIf:
    """The assessment as it is (`before`) and with the assumptions (`after`)."""

    assumptions: tuple[tuple[str, str | float], ...]
    before: Evaluation
    after: Evaluation
    changes: tuple[Change, ...]

    @property
    def was(self) -> dict[str, str]:
        """The earlier status of every node whose status changed, by name."""
        return {c.name: c.before for c in self.changes if c.before != c.after}

    def to_dict(self) -> dict[str, object]:
        return {
            "assumptions": [{"name": n, "value": _shown(v)} for n, v in self.assumptions],
            "changes": [c.to_dict() for c in self.changes],
        }


def _shown(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def what_if(ruleset: RuleSet, assessment: Assessment, assumptions: Mapping[str, object] | Iterable[str]) -> WhatIf:
    """Evaluate the assessment with and without the assumptions."""
    checked = _checked(ruleset, _as_mapping(assumptions))
    before = ruleset.evaluate(assessment)
    after = ruleset.evaluate(assessment.with_facts(checked))
    shown = tuple((name, value) for name, value in checked.items())
    return WhatIf(shown, before, after, compare(before, after))  # type: ignore[arg-type]
