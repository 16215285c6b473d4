"""`fmt`: one canonical layout that keeps every comment and never changes the meaning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sbstrategy
from sbstrategy._names import spell
from sbstrategy._parser import parse_text
from sbstrategy.fmt import format_text

from .strategies import rule_sets

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "rules").glob("*.sbr")) + sorted((ROOT / "examples").glob("*.sbr"))
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MESSY = """\


# header comment
FRAMEWORK   "Messy"   # on the framework line
    source "x.txt"
CAPABILITY a,b ,  "c d"   # caps
  # between attributes
\teffort   2.50

  description "with \\"quotes\\" and # no comment"
capability "staff and funding", "plain name", "service level"


stage s1
stage   s2 AFTER s1
s2 REQUIRES a ,(b OR "c d") and not (a, b)   # rule
  because "why"
s1 requires 2 of (a,   # first
   b and "c d",
   # inside
   "staff and funding"
)
s1 requires "service level" level >= 2.0
  # indented, after the block
# at the start of a line

scenario "t"
  given a, b
  given unknown "c d"
  given "service level" = 3
  expect s2 is blocked by "c d"   # why



"""

CANONICAL = """\
# header comment
framework "Messy"  # on the framework line
  source "x.txt"
capability a, b, c d  # caps
  # between attributes
  effort 2.5

  description "with \\"quotes\\" and # no comment"
capability "staff and funding", plain name, service level

stage s1
stage s2 after s1
s2 requires a, (b or c d) and not (a, b)  # rule
  because "why"
s1 requires 2 of (a, b and c d, "staff and funding")  # first
  # inside
s1 requires "service level" level >= 2
  # indented, after the block
# at the start of a line

scenario "t"
  given a, b
  given unknown c d
  given service level = 3
  expect s2 is blocked by c d  # why
"""


def _statements(text: str) -> tuple[object, ...]:
    statements, problems = parse_text(text, "t.sbr")
    assert not problems, problems
    return statements


def test_the_canonical_layout() -> None:
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL
    assert _statements(CANONICAL) == _statements(MESSY)


def test_empty_and_comment_only_files() -> None:
    assert format_text("") == ""
    assert format_text("\n\n  \n") == ""
    assert format_text("# only a comment   \n\n\n# and another") == "# only a comment\n\n# and another\n"


def test_names_are_quoted_only_where_needed() -> None:
    text = 'capability "x", "is it", "after sales", "made by hand", "unknown risk", "stage left"\n'
    assert format_text(text) == 'capability x, is it, after sales, made by hand, unknown risk, "stage left"\n'
    # `after` is a keyword only in a stage declaration, `is` only in an expect line.
    staged = 'stage "after sales"\nstage "is it"\nscenario "t"\n  expect "is it" is reached\n  expect "after sales" is reached\n'
    assert (
        format_text(staged)
        == 'stage "after sales"\nstage is it\nscenario "t"\n  expect "is it" is reached\n  expect after sales is reached\n'
    )
    assert format_text('capability "unknown risk"\nscenario "t"\n  given "unknown risk"\n').endswith(
        '  given "unknown risk"\n'
    )


def test_a_file_with_errors_is_refused() -> None:
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        format_text("capability a\nstage s\ns requires (a\n", path="bad.sbr")
    assert info.value.diagnostics[0].span.path == "bad.sbr"  # type: ignore[union-attr]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_rule_files_are_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text


def test_cli_fmt_check_on_the_shipped_files(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    run = cli("fmt", "--check", "rules", "examples")
    assert run.status == 0, run.out
    assert run.out.endswith(f"0 files would be reformatted, {len(SHIPPED)} unchanged\n")


def test_cli_fmt_rewrites_checks_and_diffs(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "messy.sbr"
    path.write_text(MESSY, encoding="utf-8")
    os.chmod(path, 0o640)
    run = cli("fmt", "--check", str(path))
    assert (run.status, run.out) == (1, f"would reformat {path}\n1 file would be reformatted, 0 unchanged\n")
    run = cli("fmt", "--diff", str(path))
    assert run.status == 0
    assert f"--- {path} (original)" in run.out and '+framework "Messy"  # on the framework line' in run.out
    assert path.read_text(encoding="utf-8") == MESSY
    run = cli("fmt", str(path))
    assert (run.status, run.out) == (0, f"reformatted {path}\n1 file reformatted, 0 unchanged\n")
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["messy.sbr"]
    assert cli("fmt", "--check", str(path)).status == 0


def test_cli_fmt_leaves_a_broken_file_untouched(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good, bad = tmp_path / "good.sbr", tmp_path / "bad.sbr"
    good.write_text("capability   a\n", encoding="utf-8")
    broken = "capability a\nstage s\ns requires (a\n"
    bad.write_text(broken, encoding="utf-8")
    run = cli("fmt", str(tmp_path))
    assert run.status == 1
    assert f"{bad}:3:13: error:" in run.out
    assert f"{bad}: not formatted: fix the errors above first" in run.out
    assert run.out.endswith("1 file reformatted, 0 unchanged, 1 with errors (left untouched)\n")
    assert bad.read_text(encoding="utf-8") == broken
    assert good.read_text(encoding="utf-8") == "capability a\n"
    assert cli("fmt", str(tmp_path / "missing.sbr")).status == 2


# Properties ---------------------------------------------------------------------------------------------

_COMMENTS = st.sampled_from(["# note", "#", '# a "quoted" # hash', "#requires (", "# ä"])


@st.composite
def messy_files(draw: st.DrawFn) -> str:
    """A valid rule file with comments, blank lines and untidy spacing everywhere."""
    lines = draw(rule_sets()).splitlines()
    lines += [
        'framework "F \\"quoted\\" # not a comment"',
        '  description "d"',
        '  tags "a", "b"',
        'capability "staff and funding", "is it", x y',
        "  effort 2.5",
        "  met at 2",
        '"staff and funding" requires c0 or "is it"',
        '  because "b"',
        "x y requires 2 of (c0, l0 level >= 1 and c0, l1)",
        'scenario "s"',
        '  description "d"',
        "  given c0, x y",
        '  given unknown "is it"',
        "  given l0 = 2",
        "  expect s0 is blocked by c0, x y",
    ]
    out: list[str] = []
    for line in lines:
        indented = line.startswith("  ")
        code = line.strip()
        if '"' not in code and draw(st.booleans()):
            code = code.replace(", ", draw(st.sampled_from([",", " ,  ", ",\t"])))
            code = code.replace(" requires ", draw(st.sampled_from([" REQUIRES ", "  requires  ", " Requires "])))
        if " requires " in code and '"' not in code and draw(st.booleans()):
            subject, expression = code.split(" requires ", 1)
            comment = draw(_COMMENTS)
            code = f"{subject} requires (  {comment}\n      {expression}\n  )"
        for _ in range(draw(st.integers(0, 2))):
            choice = draw(st.integers(0, 2))
            if choice == 0:
                out.append("")
            else:
                out.append(draw(st.sampled_from(["", "  ", "\t"])) + draw(_COMMENTS))
        indent = draw(st.sampled_from(["  ", "    ", "\t"])) if indented else ""
        trailing = draw(st.sampled_from(["", "", "  " + draw(_COMMENTS), "   "]))
        out.append(indent + code + trailing)
    ending = draw(st.sampled_from(["\n", "", "\n\n\n", "\n# last"]))
    return "\n".join(out) + ending


@FAST
@given(messy_files())
def test_fmt_is_idempotent_and_keeps_the_meaning(text: str) -> None:
    formatted = format_text(text)
    assert format_text(formatted) == formatted
    assert _statements(formatted) == _statements(text)
    comments = [line.strip() for line in text.split("\n") if line.strip().startswith("#")]
    for comment in comments:
        assert comment in formatted
    sbstrategy.loads(formatted)  # still a valid rule set


_WORDS = st.sampled_from(
    ["budget", "after", "is", "by", "level", "unknown", "of", "stage", "given", "expect", "met", "at", "not", "x", "Ä"]
)


@FAST
@given(st.lists(_WORDS, min_size=1, max_size=3).map(" ".join))
def test_a_spelt_name_reads_back_as_itself(name: str) -> None:
    text = (
        f"capability {spell(name, 'declaration')}, other\n"
        f"stage {spell(name + ' stage', 'stage')} after {spell(name + ' first', 'declaration')}\n"
        f"stage {spell(name + ' first', 'stage')}\n"
        f"other requires {spell(name)} or {spell(name, 'compare')} level >= 2\n"
        f'scenario "t"\n'
        f"  given {spell(name, 'given')}, other\n"
        f"  given unknown {spell(name, 'given')}\n"
        f"  given {spell(name, 'given')} = 2\n"
        f"  expect {spell(name, 'expect')} is met\n"
        f"  expect other is blocked by {spell(name, 'declaration')}\n"
    )
    rules = sbstrategy.loads(text)
    assert rules.capabilities[0].name == name
    assert {s.name for s in rules.stages} == {name + " stage", name + " first"}
    assert format_text(text) == text
