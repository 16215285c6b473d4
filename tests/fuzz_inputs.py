"""Random inputs for fuzzing: rule files from the grammar, assessments, and mutations of both.

Every generator takes a `random.Random`, so the same code feeds the Hypothesis properties in
tests/test_fuzz.py (through `st.randoms()`, so failures replay from Hypothesis' database) and the
long seeded run in fuzz/long_run.py (a plain loop, a million inputs and more). Nothing here
imports sbstrategy: the generators know the language from LANGUAGE.md and grammars/sbr.lark.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable

# Rule files -------------------------------------------------------------------------------

_WORDS = (
    "roadmap", "budget", "governance", "culture", "sponsorship", "goals", "focus", "staff",
    "Führung", "qualité", "o'brien", "open-source", "KPI", "x_1", "level", "definition",
    "after", "is", "of", "by", "given", "expect", "met", "at", "unknown", "effort", "tags",
    "source", "because", "owner", "description", "Framework", "Stage", "ÄÖÜ", "ß", "İstanbul",
    "ǅ", "ﬁ", "a", "b", "c",
)  # fmt: skip
_QUOTED = (
    '"staff and funding"', '"Web 2.0 guidelines"', '"2nd stage"', '"a \\"quoted\\" name"',
    '"back\\\\slash"', '"not requires or"', '"  spaced   out  "', '"é"', '"level"', '"stage review"',
)  # fmt: skip
_OPS = (">=", ">", "<=", "<", "=", "!=")
_STATUSES = ("met", "ready", "blocked", "at-risk", "unknown", "reached", "met", "blocked", "bogus")


_PLAIN_WORDS = (*_WORDS[: _WORDS.index("level")], "a", "b", "c")


def name(rnd: random.Random) -> str:
    """A name as written: one to four words, or a quoted string.

    Mostly plain words; sometimes words that are keywords in some places, which makes a name
    the parser may refuse (that is for it to say).
    """
    if rnd.random() < 0.15:
        return rnd.choice(_QUOTED)
    pool = _WORDS if rnd.random() < 0.1 else _PLAIN_WORDS
    return " ".join(rnd.choice(pool) for _ in range(rnd.randint(1, 3)))


def number(rnd: random.Random) -> str:
    roll = rnd.random()
    if roll < 0.7:
        return str(rnd.randint(1, 5))
    if roll < 0.85:
        return f"{rnd.randint(0, 9)}.{rnd.randint(0, 99)}"
    if roll < 0.95:
        return str(rnd.randint(0, 10**18))
    return "9" * rnd.choice((40, 60, 400, 5000))  # past the 50-character and the 4,300-digit limits


def expression(rnd: random.Random, names: list[str], depth: int = 0, max_depth: int = 4) -> str:
    """An expression over `names`; deeper than `max_depth` only by accident of `not` chains."""
    leaf = depth >= max_depth or rnd.random() < 0.35
    if leaf:
        pick = rnd.choice(names)
        roll = rnd.random()
        if roll < 0.75:
            return pick
        level = " level" if rnd.random() < 0.7 else ""
        return f"{pick}{level} {rnd.choice(_OPS)} {number(rnd)}"
    kind = rnd.choice(("and", "comma", "or", "not", "count", "group"))
    if kind == "not":
        return "not " + expression(rnd, names, depth + 1, max_depth)
    if kind == "group":
        return "(" + expression(rnd, names, depth + 1, max_depth) + ")"
    parts = [expression(rnd, names, depth + 1, max_depth) for _ in range(rnd.randint(2, 4))]
    if kind == "count":
        # Items are separated by commas: a conjunction inside is written with `and`.
        items = [p if "," not in p else f"({p})" for p in parts]
        count = rnd.randint(1, len(items)) if rnd.random() < 0.9 else rnd.choice((0, len(items) + 1))
        return f"{count} of ({', '.join(items)})"
    joiner = {"and": " and ", "comma": ", ", "or": " or "}[kind]
    text = joiner.join(f"({p})" if rnd.random() < 0.3 else p for p in parts)
    if rnd.random() < 0.2:
        # An open parenthesis continues the statement onto the next lines.
        text = "(\n    " + text.replace(joiner, joiner.rstrip() + "\n    ", 1) + "\n)"
    return text


def _attributes(rnd: random.Random, allowed: tuple[str, ...]) -> list[str]:
    lines = []
    count = rnd.choice((0, 0, 1, 2, 3))
    # Mostly each key once (twice is an error the checks report, and not the only one to reach).
    keys = rnd.sample(allowed, min(count, len(allowed))) if rnd.random() < 0.9 else rnd.choices(allowed, k=count)
    for key in keys:
        if key in ("effort", "met at"):
            value = number(rnd)
        elif key == "tags":
            value = ", ".join(f'"{rnd.choice(_WORDS)}"' for _ in range(rnd.randint(1, 3)))
        else:
            value = json.dumps(" ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(0, 6))), ensure_ascii=False)
        lines.append(f"{rnd.choice(('  ', '    ', chr(9)))}{key} {value}")
    return lines


def rule_file(rnd: random.Random, includes: tuple[str, ...] = (), size: int | None = None) -> str:
    """A rule file from the grammar: mostly well-formed, with every kind of statement.

    Names are drawn from a small pool so that uses meet declarations; requirements point
    mostly backwards (few cycles), and sometimes at undeclared names.
    """
    count = size if size is not None else rnd.randint(1, 25)
    capabilities: list[str] = []
    stages: list[str] = []
    lines: list[str] = []
    if rnd.random() < 0.3:
        lines.append(f"framework {json.dumps(rnd.choice(_WORDS))}")
        lines += _attributes(rnd, ("description", "source", "owner", "tags"))
    for target in includes:
        lines.append(f"include {json.dumps(target)}")
    for _ in range(count):
        roll = rnd.random()
        if roll < 0.35 or not capabilities:
            declared = [_fresh(rnd, len(lines)) for _ in range(rnd.randint(1, 3))]
            capabilities += declared
            lines.append("capability " + ", ".join(declared))
            lines += _attributes(rnd, ("description", "source", "effort", "owner", "tags", "met at"))
        elif roll < 0.5:
            stage = _fresh(rnd, len(lines))
            after = f" after {rnd.choice(stages)}" if stages and rnd.random() < 0.6 else ""
            stages.append(stage)
            lines.append(f"stage {stage}{after}")
            lines += _attributes(rnd, ("description", "source", "effort", "owner", "tags"))
        elif roll < 0.85:
            # Mostly a stage, or a capability that needs only capabilities declared before it
            # (no cycles); sometimes anything (a cycle, or a stage used as a capability).
            subject = rnd.choice(capabilities + stages)
            if rnd.random() < 0.1:
                pool = capabilities + stages
            elif subject in stages:
                pool = capabilities + stages[: stages.index(subject)] or capabilities
            else:
                pool = capabilities[: capabilities.index(subject)]
                if not pool:
                    continue  # the first capability has nothing before it to need
            if rnd.random() < 0.05:
                pool = [*pool, name(rnd)]  # probably undeclared
            lines.append(f"{subject} requires {expression(rnd, pool)}")
            lines += _attributes(rnd, ("because", "source"))
        elif roll < 0.95:
            lines.append(f"scenario {json.dumps(' '.join(rnd.choice(_WORDS) for _ in range(2)))}")
            for _ in range(rnd.randint(1, 4)):
                lines.append("  " + _scenario_line(rnd, capabilities, stages))
        else:
            lines.append(rnd.choice(("", "# a comment", "   # indented comment", "")))
        if rnd.random() < 0.1:
            lines[-1] += "  # trailing comment"
    newline = "\r\n" if rnd.random() < 0.05 else "\n"
    return newline.join(lines) + (newline if rnd.random() < 0.9 else "")


def _fresh(rnd: random.Random, serial: int) -> str:
    """A name to declare: mostly new (a numbered word), sometimes one that may repeat."""
    if rnd.random() < 0.2:
        return name(rnd)
    return f"{rnd.choice(_PLAIN_WORDS)} n{serial}x{rnd.randrange(100)}"


def _scenario_line(rnd: random.Random, capabilities: list[str], stages: list[str]) -> str:
    roll = rnd.random()
    if roll < 0.3:
        return "given " + ", ".join(rnd.choice(capabilities) for _ in range(rnd.randint(1, 3)))
    if roll < 0.4:
        return f"given {rnd.choice(capabilities)} = {number(rnd)}"
    if roll < 0.5:
        return f"given unknown {rnd.choice(capabilities)}"
    subject = rnd.choice(capabilities + stages)
    status = rnd.choice(_STATUSES)
    if status == "blocked" and rnd.random() < 0.5:
        return f"expect {subject} is blocked by {rnd.choice(capabilities)}"
    return f"expect {subject} is {status}"


# Mutations ------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s+|"(?:[^"\\\n]|\\.)*"|\w+|.', re.DOTALL)
_INSERTS = (
    "(", ")", '"', "#", "\n", "\n  ", "\t", "  ", ",", "9", "1.5", "=", ">=", "requires", "and", "or",
    "not", "of", "level", "capability", "stage", "include", "scenario", "framework", "after", "given",
    "expect", "is", "by", "\\", "\r", "\x00", "\x0b", "\u2028", "\ufeff", "\ud800", "é", "😀", "'", "-",
    "capabilty", "require", "x" * 300, "(" * 150, "not " * 150, "9" * 60,
)  # fmt: skip


def mutate(rnd: random.Random, text: str) -> str:
    """`text` with tokens deleted, duplicated, swapped or inserted, bytes sprinkled, or cut short."""
    tokens = _TOKEN.findall(text) or [""]
    for _ in range(rnd.choice((1, 1, 2, 3, 5, 10, 30))):
        roll = rnd.random()
        at = rnd.randrange(len(tokens))
        if roll < 0.25 and len(tokens) > 1:
            del tokens[at]
        elif roll < 0.45:
            tokens.insert(at, tokens[rnd.randrange(len(tokens))])
        elif roll < 0.55:
            other = rnd.randrange(len(tokens))
            tokens[at], tokens[other] = tokens[other], tokens[at]
        elif roll < 0.85:
            tokens.insert(at, rnd.choice(_INSERTS))
        elif roll < 0.95:
            tokens.insert(at, random_text(rnd, rnd.randint(1, 8)))
        else:
            tokens = tokens[:at] or [""]
    return "".join(tokens)


def random_text(rnd: random.Random, size: int) -> str:
    """Text from random bytes (decoded as the library would be handed them) or code points."""
    if rnd.random() < 0.5:
        data = bytes(rnd.randrange(256) for _ in range(size))
        return data.decode("utf-8", errors=rnd.choice(("replace", "surrogateescape", "ignore")))
    return "".join(chr(rnd.choice((rnd.randrange(32, 127), rnd.randrange(0x110000)))) for _ in range(size))


def random_bytes(rnd: random.Random, size: int) -> bytes:
    return bytes(rnd.randrange(256) for _ in range(size))


def rule_text(rnd: random.Random) -> str:
    """What the rule fuzzers feed `loads`: well-formed files, mutants, and noise."""
    roll = rnd.random()
    if roll < 0.25:
        return rule_file(rnd)
    if roll < 0.9:
        return mutate(rnd, rule_file(rnd))
    return random_text(rnd, rnd.randint(0, 200))


# Assessments ----------------------------------------------------------------------------

# The rule set that fuzzed assessments are read against (every kind of term, a level, a
# Unicode and a quoted name), and the names they use: declared ones, a stage, another
# spelling of a declared name, and one that is not declared.
ASSESSED_RULES = """\
capability roadmap, budget, governance, Führung
  met at 2
capability "staff and funding"
stage planned
planned requires roadmap and budget level >= 2 and not governance
stage scaled after planned
scaled requires 2 of (Führung, "staff and funding", roadmap)
"""
ASSESSED_NAMES = ["roadmap", "budget", "governance", "Führung", "staff and funding", "planned", "ROADMAP", "road map"]

_FACT_WORDS = ("yes", "no", "unknown", "true", "false", "y", "n", "?", "", "maybe", "YES", " no ", "2", "nan")


def fact_value(rnd: random.Random, depth: int = 0) -> object:
    """A fact's value: mostly good, often of the wrong type, size or depth."""
    roll = rnd.random()
    if roll < 0.3:
        return rnd.choice(_FACT_WORDS)
    if roll < 0.45:
        return rnd.choice((True, False, None))
    if roll < 0.6:
        return rnd.choice((0, 1, 2, 3, -1, 2.5, 10**30, 10**400, 1e308, math.inf, -math.inf, math.nan))
    if roll < 0.7 and depth < 3:
        return [fact_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    if roll < 0.8 and depth < 3:
        return {rnd.choice(_WORDS): fact_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))}
    return rnd.choice(("x" * 300, "2024-01-01", "1e999", "0x10", "∞", "\x00"))


def assessment_data(rnd: random.Random, names: list[str]) -> object:
    """An assessment as data: the usual shape, with names from `names` and some strangers."""
    facts: dict[object, object] = {}
    for _ in range(rnd.randint(0, 8)):
        key: object = rnd.choice(names) if names and rnd.random() < 0.7 else rnd.choice(_WORDS)
        if rnd.random() < 0.05:
            key = rnd.choice((1, 2.5, True, "x" * 300, "", "  "))
        facts[key] = fact_value(rnd)
    roll = rnd.random()
    if roll < 0.75:
        data: dict[object, object] = {"facts": facts}
        if rnd.random() < 0.3:
            data["organisation"] = rnd.choice(("ACME", 3, None, ["x"]))
        if rnd.random() < 0.3:
            data["unlisted"] = rnd.choice(("unknown", "no", "yes", False, 0, ["no"]))
        if rnd.random() < 0.05:
            data[rnd.choice(("facts ", "extra", 1))] = "x"
        return data
    if roll < 0.9:
        return facts  # the plain form: names to values
    return rnd.choice(([], "facts", 3, None, [facts], {"facts": [1, 2]}, {"facts": "yes"}))


def nested(rnd: random.Random, depth: int) -> str:
    kind = rnd.choice(("list", "map"))
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


def to_json(rnd: random.Random, data: object) -> str:
    text = json.dumps(data, default=str, allow_nan=True, indent=rnd.choice((None, 1, 2)))
    if rnd.random() < 0.1:
        # A key given twice: last-one-wins is what the library must refuse.
        text = text.replace("{", '{"dup": 1, "dup": 2, ', 1)
    return text


def to_yaml(rnd: random.Random, data: object) -> str:
    import yaml

    try:
        text = yaml.safe_dump(data, allow_unicode=rnd.random() < 0.5, default_flow_style=rnd.random() < 0.3)
    except (yaml.YAMLError, OverflowError, ValueError):
        text = "facts: {}\n"
    roll = rnd.random()
    if roll < 0.05:
        text += "extra: &a [x, x]\nmore: [*a, *a]\n"
    elif roll < 0.1:
        text = text.replace(": ", ": !!python/object/apply:os.system ", 1)
    elif roll < 0.13:
        text += "---\nfacts: {}\n"
    elif roll < 0.16:
        text = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
    return text


def to_toml(rnd: random.Random, data: object) -> str:
    def value(item: object, depth: int = 0) -> str:
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, int | float):
            if isinstance(item, float) and math.isnan(item):
                return "nan"
            if isinstance(item, float) and math.isinf(item):
                return "inf" if item > 0 else "-inf"
            return repr(item)
        if isinstance(item, list) and depth < 5:
            return "[" + ", ".join(value(x, depth + 1) for x in item) + "]"
        if isinstance(item, dict) and depth < 5:
            return "{" + ", ".join(f"{json.dumps(str(k))} = {value(v, depth + 1)}" for k, v in item.items()) + "}"
        return json.dumps(str(item))

    if not isinstance(data, dict):
        return f"facts = {value(data)}\n"
    lines = []
    for key, item in data.items():
        if key == "facts" and isinstance(item, dict):
            continue
        lines.append(f"{json.dumps(str(key))} = {value(item)}")
    facts = data.get("facts")
    if isinstance(facts, dict):
        lines.append("[facts]")
        lines += [f"{json.dumps(str(k))} = {value(v)}" for k, v in facts.items()]
    return "\n".join(lines) + "\n"


WRITERS: dict[str, Callable[[random.Random, object], str]] = {"json": to_json, "yaml": to_yaml, "toml": to_toml}


def assessment_text(rnd: random.Random, names: list[str]) -> tuple[str, str]:
    """(format, text): an assessment written out, often mutated, sometimes noise or too deep."""
    fmt = rnd.choice(tuple(WRITERS))
    roll = rnd.random()
    if roll < 0.05:
        inner = nested(rnd, rnd.choice((50, 150, 2000, 20000)))
        text = {"json": f'{{"facts": {{"a": {inner}}}}}', "yaml": f"facts:\n  a: {inner}\n", "toml": ""}[fmt]
        return fmt, text or f"facts = {{a = {'[' * 2000}{']' * 2000}}}\n"
    if roll < 0.1:
        return fmt, random_text(rnd, rnd.randint(0, 100))
    text = WRITERS[fmt](rnd, assessment_data(rnd, names))
    if rnd.random() < 0.6:
        text = mutate(rnd, text)
    return fmt, text
