"""Hypothesis strategies: random valid rule sets (as text) and assessments."""

from __future__ import annotations

from hypothesis import strategies as st

LEVELLED = ("l0", "l1")
OPS = (">=", ">", "<=", "<", "=", "!=")
MONOTONE_OPS = (">=", ">")


@st.composite
def expressions(draw: st.DrawFn, names: list[str], *, monotone: bool, depth: int = 0) -> str:
    leaf_kinds = ["ref", "ref", "cmp"]
    kinds = leaf_kinds if depth >= 2 else [*leaf_kinds, "and", "or", "count"] + ([] if monotone else ["not"])
    kind = draw(st.sampled_from(kinds))
    if kind == "ref":
        return draw(st.sampled_from(names))
    if kind == "cmp":
        op = draw(st.sampled_from(MONOTONE_OPS if monotone else OPS))
        # Only the l… capabilities are compared: they are always given levels.
        return f"{draw(st.sampled_from(LEVELLED))} level {op} {draw(st.integers(0, 3))}"
    if kind == "not":
        return f"not ({draw(expressions(names, monotone=monotone, depth=depth + 1))})"
    parts = draw(st.lists(expressions(names, monotone=monotone, depth=depth + 1), min_size=2, max_size=3))
    if kind == "and":
        return "(" + " and ".join(parts) + ")"
    if kind == "or":
        return "(" + " or ".join(parts) + ")"
    count = draw(st.integers(1, len(parts)))
    return f"{count} of ({', '.join(parts)})"


@st.composite
def rule_sets(draw: st.DrawFn, *, monotone: bool = False, max_capabilities: int = 7) -> str:
    """A rule set with no cycles: each capability needs only earlier ones."""
    size = draw(st.integers(1, max_capabilities))
    names = [f"c{i}" for i in range(size)]
    lines = [f"capability {', '.join(LEVELLED)}"]
    lines += [
        f"capability {name}" + (f"\n  met at {draw(st.integers(1, 2))}" if draw(st.booleans()) else "")
        for name in names
    ]
    for i, name in enumerate(names[1:], start=1):
        if draw(st.booleans()):
            lines.append(f"{name} requires {draw(expressions(names[:i], monotone=monotone))}")
    stages = draw(st.integers(1, 3))
    for s in range(stages):
        lines.append(f"stage s{s}" + (f" after s{s - 1}" if s and draw(st.booleans()) else ""))
        lines.append(f"s{s} requires {draw(expressions(names, monotone=monotone))}")
    return "\n".join(lines) + "\n"


fact_values = st.one_of(st.sampled_from(["yes", "no", "unknown"]), st.integers(0, 3))
known_fact_values = st.one_of(st.sampled_from(["yes", "no"]), st.integers(0, 3))


def facts_for(names: list[str], values: list[object], levels: list[object]) -> dict[str, object]:
    """Facts by name: levelled capabilities take from `levels` (numbers or unknown)."""
    plain = iter(values)
    levelled = iter(levels)
    return {n: next(levelled) if n in LEVELLED else next(plain) for n in names}
