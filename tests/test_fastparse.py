"""The fast path (`_fastparse`) reads what the Lark grammar reads, the same way.

The grammar is the definition of the language. Whenever the fast path accepts a
text, the Lark path must accept it too and build the same statements with the
same spans (spans are excluded from AST equality, so they are compared here
field by field). The fast path may give up on anything; these tests also check
that it does not give up on what real files contain, so that it is really used.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbstrategy import _parser, ast
from sbstrategy._fastparse import parse_fast
from sbstrategy._transform import CURRENT_PATH, SyntaxProblem

from .strategies import rule_sets

ROOT = Path(__file__).resolve().parent.parent
RULES = sorted((ROOT / "rules").glob("*.sbr"))
MANY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load_generate():
    spec = importlib.util.spec_from_file_location("_bench_generate_fast", ROOT / "benchmarks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


generate = _load_generate()


def lark_parse(text: str, path: str = "t.sbr") -> tuple[ast.Statement, ...] | None:
    """The Lark path alone: its statements, or None on a syntax error."""
    from lark.exceptions import UnexpectedInput

    reset = CURRENT_PATH.set(path)
    try:
        return _parser._lark().parse(text.rstrip() + "\n")  # type: ignore[return-value]
    except (UnexpectedInput, SyntaxProblem):
        return None
    finally:
        CURRENT_PATH.reset(reset)


def same(a: object, b: object, where: str = "") -> None:
    """Equal including every field that equality leaves out (spans, quoted, …)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), f"{where}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif attrs.has(type(a)):
        for field in attrs.fields(type(a)):
            same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def check(text: str) -> bool:
    """If the fast path accepts `text`, it agrees with Lark; True if it accepted."""
    fast = parse_fast(text, "t.sbr")
    if fast is None:
        return False
    slow = lark_parse(text)
    assert slow is not None, "the fast path accepted a text that Lark refuses"
    same(fast, slow)
    return True


# Accepts what real files contain -------------------------------------------------------


@pytest.mark.parametrize("path", RULES, ids=[p.name for p in RULES])
def test_shipped_rules_take_the_fast_path(path: Path) -> None:
    assert check(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("flavour", ["plain", "rich"])
def test_benchmark_workloads_take_the_fast_path(flavour: str) -> None:
    text = generate.generate(600, 3, flavour=flavour).render()["model.sbr"]
    assert check(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "capability a\r\ncapability b\r\n",
        'capability a, "b and c", d e\n  description "x"\n  tags "p", "q"\n  met at 2\n',
        "stage s1\nstage s2 after s1\n  effort 2.5\ns2 requires a\n",
        'x requires (a or\n  # a comment inside\n\n    b) and c\n  because "why"\n',
        "x requires not not a, b or 2 of (c, d and e, not (f or g)) or h level >= 2\n",
        'x requires "q" level != 3 and "r" < 1 and s LEVEL = 0.5\n',
        'scenario "s"\n  given a, b\n  given unknown c\n  given d = 2\n  expect x is Met\n'
        '  expect y is blocked by a, b\n  description "d"\n',
        "capability definition of goals, at home office, stage gate, by the way\n",
        'Capability  A\tB\n\tdescription "tabbed"\nCAPABILITY c\nx REQUIRES a AND b OR NOT c\n',
        "capability Führungsunterstützung, qualité, o'reilly, self_service, data-driven\n",
        'include "other.sbr"\nframework "F"\n  source "s"\n',
        'x requires a # trailing comment\n  because "b" # another\n',
        "capability a \n\n\nx requires a \n",  # white space at the end of a line
        'capability a\t\n  description "d" \f\nx requires (a or\t\n b) \n',
    ],
)
def test_hand_picked_texts_take_the_fast_path(text: str) -> None:
    assert check(text)


@pytest.mark.parametrize(
    "text",
    [
        "capability a after b\n",  # `after` inside a name is a keyword there
        "x requires a is b\n",
        "  capability a\n",  # an indented first line
        "capability a\n description x\n",  # unquoted attribute value
        "x requires (a\n",
        "capability a\rb\n",  # a lone carriage return
        'x requires "a" b >= 1\n',
        "given a = 1\n",
        "\x0b # \n\na \n",  # a character no token starts with, then a comment: no token at all
        "capability a\x0bb # c\n",  # the same inside a line, its length made up by the comment
    ],
)
def test_unusual_texts_go_to_lark(text: str) -> None:
    assert parse_fast(text, "t.sbr") is None


def test_lark_is_not_imported_when_the_fast_path_reads_everything(tmp_path: Path) -> None:
    model = tmp_path / "m.sbr"
    model.write_text((ROOT / "rules" / "seven-success-factors.sbr").read_text(encoding="utf-8"), encoding="utf-8")
    code = (
        "import sys, sbstrategy\n"
        f"sbstrategy.load({str(model)!r}, cache=False).run_scenarios()\n"
        "assert 'lark' not in sys.modules, 'lark was imported'\n"
        "assert 'networkx' not in sys.modules, 'networkx was imported'\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr


# Agrees with Lark whenever it accepts ------------------------------------------------------


@MANY
@given(rule_sets())
def test_agrees_on_generated_rule_sets(text: str) -> None:
    assert check(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 120), st.integers(0, 10_000), st.sampled_from(["plain", "rich"]))
def test_agrees_on_benchmark_workloads(n: int, seed: int, flavour: str) -> None:
    assert check(generate.generate(n, seed, flavour=flavour).render()["model.sbr"])


# Pieces that text is made of, weighted towards the ones that decide how Lark reads it:
# keywords in and out of place, letter case, Unicode that folds to a keyword, white space.
PIECES = [
    "a", "b c", "x", "Budget", "level", "LEVEL", "after", "AFTER", "is", "Is", "of", "by", "at",
    "met", "met at", "given", "expect", "unknown", "capability", "Capability", "stage", "framework",
    "include", "scenario", "description", "source", "effort", "tags", "owner", "because",
    "and", "AND", "or", "not", "requires", "Requires", "requıres", "ſource", "capabılıty", "İs",
    "qualité", "o'reilly", "self_service", "-x", "x-", "'tis", "2", "3.5", "2nd", "0",
    '"q"', '"a and b"', '""', '"  "', '"esc \\" q"', '"unterminated', "(", ")", ",", ">=", "<=", "!=", "=",
    ">", "<", "#", "# note", "\t", "\f", "\r", "\v", "\u00a0", "\\",
]  # fmt: skip
SPACES = [" ", " ", " ", "  ", "\t", ""]
# Line starts that make the rest of the line more likely to parse.
STARTS = [
    "", "", "capability ", "stage ", "x requires ", "x requires a ", "  given ", "  expect a is ",
    "  expect ", 'scenario "s"', "  description ", "  met at ", "y requires 2 of (", "  tags ",
]  # fmt: skip


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        indent = draw(st.sampled_from(["", "", "", "  ", "\t", " \f"]))
        start = draw(st.sampled_from(STARTS))
        pieces = draw(st.lists(st.sampled_from(PIECES), min_size=0, max_size=9))
        seps = draw(st.lists(st.sampled_from(SPACES), min_size=len(pieces), max_size=len(pieces)))
        lines.append(indent + start + "".join(p + s for p, s in zip(pieces, seps, strict=True)))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n", " \n"]))


@MANY
@given(token_soup())
def test_agrees_on_token_soup(text: str) -> None:
    check(text)


# Words of names, many of them keywords somewhere in the grammar, in odd letter cases.
NAME_WORDS = [
    "a", "b", "level", "Level", "of", "by", "at", "met", "given", "expect", "unknown", "after", "is",
    "İs", "IS", "stage", "capability", "source", "effort", "framework", "scenario", "include",
    "ſource", "capabılıty", "ǅ", "k6", "x",
]  # fmt: skip


@st.composite
def keyword_names(draw: st.DrawFn) -> str:
    def name() -> str:
        if draw(st.integers(0, 5)) == 0:
            return '"' + " ".join(draw(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=2))) + '"'
        return " ".join(draw(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3)))

    def expr(depth: int = 0) -> str:
        kind = draw(st.sampled_from(["ref", "ref", "cmp", "and", "or", "not", "of"] if depth < 2 else ["ref"]))
        if kind == "ref":
            return name()
        if kind == "cmp":
            return f"{name()} {draw(st.sampled_from(['level ', '']))}{draw(st.sampled_from(['>=', '=', '<']))} 2"
        if kind == "not":
            return "not " + expr(depth + 1)
        if kind == "of":
            return f"1 of ({expr(depth + 1)}, {expr(depth + 1)})"
        return f" {kind} ".join([expr(depth + 1), expr(depth + 1)])

    lines = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["capability", "stage", "rule", "scenario"]))
        if kind == "capability":
            lines.append("capability " + ", ".join(name() for _ in range(draw(st.integers(1, 3)))))
        elif kind == "stage":
            lines.append(f"stage {name()}" + (f" after {name()}" if draw(st.booleans()) else ""))
        elif kind == "rule":
            lines.append(f"{name()} requires {expr()}")
        else:
            lines.append('scenario "s"')
            lines.append(f"  given {draw(st.sampled_from(['', 'unknown ']))}{name()}")
            lines.append(f"  expect {name()} is blocked" + (f" by {name()}" if draw(st.booleans()) else ""))
    return "\n".join(lines) + "\n"


@MANY
@given(keyword_names())
def test_agrees_on_names_full_of_keywords(text: str) -> None:
    check(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid file (shipped, generated or from the strategies) with a few random edits."""
    source = draw(
        st.one_of(
            st.sampled_from([p.read_text(encoding="utf-8") for p in RULES]),
            rule_sets(),
            st.builds(
                lambda n, seed, flavour: generate.generate(n, seed, flavour=flavour).render()["model.sbr"],
                st.integers(1, 40),
                st.integers(0, 1000),
                st.sampled_from(["plain", "rich"]),
            ),
        )
    )
    text = source
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "newline"]))
        piece = draw(st.sampled_from([*PIECES, "\n", "\n  ", " "]))
        if action == "insert":
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 8)) :]
        elif action == "replace":
            text = text[:position] + piece + text[position + len(piece) :]
        else:
            text = text[:position] + "\n" + draw(st.sampled_from(["", "  ", "\t"])) + text[position:]
    return text


@MANY
@given(mutated())
def test_agrees_on_mutated_files(text: str) -> None:
    check(text)


# The records of the load path describe the same statements ----------------------------------


def same_records(text: str) -> bool:
    """`read_compact` agrees with the AST of `parse_fast`; True if it accepted."""
    from sbstrategy._code import code_of
    from sbstrategy._fastparse import CAPABILITY, DECLARE, RULE, Origin, read_compact

    compact = read_compact(text, "t.sbr")
    statements = parse_fast(text, "t.sbr")
    assert (compact is None) == (statements is None)
    if compact is None or statements is None:
        return False
    assert len(compact.records) == len(statements)
    origin = Origin(text, "t.sbr")
    for read, statement in zip(compact.records, statements, strict=True):
        record = read
        if isinstance(read, tuple) and read[0] == CAPABILITY:
            assert isinstance(statement, ast.CapabilityDecl) and statement.attributes == ()
            record = (DECLARE, "capability", (read[1:],), None, ())
        if isinstance(record, tuple) and record[0] == DECLARE:
            _, kind, names, after, attributes = record
            if kind == "capability":
                assert isinstance(statement, ast.CapabilityDecl)
                declared = statement.names
            else:
                assert isinstance(statement, ast.StageDecl)
                declared = (statement.name,)
                expected = None if statement.after is None else (statement.after.text, statement.after.key)
                assert (after if after is None else after[:2]) == expected
                if after is not None:
                    same(after[2], statement.after.span)  # type: ignore[union-attr]
            assert [n[:2] for n in names] == [(n.text, n.key) for n in declared]
            for (_, _, span), name in zip(names, declared, strict=True):
                same(span, name.span)
            same(attributes, statement.attributes)
        elif isinstance(record, tuple):
            assert record[0] == RULE and isinstance(statement, ast.Rule)
            _, text_, key, code, span, attributes = record
            assert (text_, key) == (statement.subject.text, statement.subject.key)
            assert code == code_of(statement.requirement)
            same(span, statement.span)
            same(attributes, statement.attributes)
            same(origin.statement(span.line - 1), statement)
        else:
            same(record, statement)
    return True


@pytest.mark.parametrize("flavour", ["plain", "rich"])
def test_records_of_benchmark_workloads(flavour: str) -> None:
    assert same_records(generate.generate(600, 5, flavour=flavour).render()["model.sbr"])


@pytest.mark.parametrize("path", RULES, ids=[p.name for p in RULES])
def test_records_of_shipped_rules(path: Path) -> None:
    assert same_records(path.read_text(encoding="utf-8"))


@MANY
@given(st.one_of(rule_sets(), keyword_names(), mutated(), token_soup()))
def test_records_agree_with_the_ast(text: str) -> None:
    same_records(text)


@pytest.mark.parametrize(
    "text",
    [
        "c1 requires (c3 or c5 or  c6) and c8, c9\ncapability  Multi   Word\n",
        "x requires ( a or b )\ny requires a or b or c\nz requires a\tand b\n",
        'x requires (a or b)\n  because "y"\ncapability c\n  description "d"\n',
        "after requires is and after\ncapability is\n",
        # the separators as the plain split reads them, and every other spelling
        "x requires a and b and (c or d)\ny requires a AND b And (c OR d)\nz requires a and b AnD c\n",
        "x requires a  and b\ny requires (c  or d) and e\nz requires a, b and c\nw requires a ,b\n",
        "x requires band and sand\ny requires oregano or corn and (andy or orla)\n",
        "x requires straße and b\ny requires (ä or B) and c\nz requires a and\fb\n",
        # white space at the end of the file, stripped line by line
        "capability a\nb requires a \t\n \n\t\n\n",
        "capability a\r\nb requires a\r\n  \r\n",
    ],
)
def test_records_of_quick_lines(text: str) -> None:
    assert same_records(text)
