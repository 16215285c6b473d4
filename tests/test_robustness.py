"""Hostile input: limits with clear errors, safe includes, safe data formats, nothing lost.

Each test feeds one kind of input an attacker or an accident could produce and checks that the
answer is one `SbStrategyError` naming the problem (or a correct result), quickly. The time
bounds are generous (CI machines vary); the measured numbers are in SECURITY.md.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import sbstrategy
from sbstrategy import Limits, MemoryResolver, SbStrategyError
from sbstrategy._atomic import write_atomic
from sbstrategy.cli import main
from sbstrategy.sources import MAX_DEPTH_CEILING, FileResolver, SourceError

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests read files written for them; nothing of theirs belongs in the user's cache.
    monkeypatch.setenv("SBSTRATEGY_NO_CACHE", "1")


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    assert took < seconds, f"took {took:.1f}s"


def error_of(text: str, **options: object) -> SbStrategyError:
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.loads(text, **options)  # type: ignore[arg-type]
    return info.value


def codes(error: SbStrategyError) -> list[str]:
    return [d.code for d in error.errors]


# Limits -----------------------------------------------------------------------------------------


def test_limits_have_documented_defaults_and_refuse_nonsense() -> None:
    limits = Limits()
    assert (limits.max_file_bytes, limits.max_total_bytes) == (1024 * 1024, 8 * 1024 * 1024)
    assert (limits.max_name_length, limits.max_depth, limits.max_files) == (200, 100, 2000)
    for bad in ({"max_depth": MAX_DEPTH_CEILING + 1}, {"max_depth": 0}, {"max_files": -1}, {"max_file_bytes": 1.5}):
        with pytest.raises(ValueError, match="Limits"):
            Limits(**bad)  # type: ignore[arg-type]
    assert Limits(max_depth=MAX_DEPTH_CEILING).max_depth == MAX_DEPTH_CEILING


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(
            lambda: "".join(f"capability capability number c{i}\n" for i in range(300_000)), id="declarations"
        ),
        pytest.param(lambda: "capability " + "x" * (10 * MB) + "\n", id="one-line"),
        pytest.param(lambda: '("#,\n' * (2 * MB), id="garbage"),
    ],
)
def test_a_ten_megabyte_rule_file_is_refused_at_once(shape) -> None:  # type: ignore[no-untyped-def]
    text = shape()
    assert len(text) >= 10 * MB
    with within(5):
        error = error_of(text)
    assert codes(error) == ["limit"]
    assert "max_file_bytes" in error.errors[0].message


def test_a_ten_megabyte_file_on_disk_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.sbr"
    with big.open("wb") as stream:
        stream.truncate(10 * MB)  # sparse: reading it would show in the time
    with within(2), pytest.raises(SbStrategyError) as info:
        sbstrategy.load(big)
    assert "max_file_bytes" in info.value.errors[0].message


def test_a_larger_file_loads_when_the_limit_allows_it() -> None:
    text = "".join(f"capability capability number c{i}\n" for i in range(60_000))  # about 2 MB
    with within(60):
        rules = sbstrategy.loads(text, limits=Limits(max_file_bytes=4 * 1024 * 1024))
    assert len(rules.capabilities) == 60_000


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param("(" * 100_000 + "a" + ")" * 100_000, id="parentheses"),
        pytest.param("not " * 100_000 + "a", id="not-chain"),
        pytest.param("(a and " * 100_000 + "a" + ")" * 100_000, id="and-chain"),
        pytest.param("2 of (" * 100_000 + "a, b" + ")" * 100_000, id="count-chain"),
        pytest.param("(a or not " * 50_000 + "a" + ")" * 50_000, id="or-not-chain"),
    ],
)
def test_a_hundred_thousand_deep_expression_is_one_limit_error(expression: str) -> None:
    text = f"capability a, b\nstage s\ns requires {expression}\n"
    with within(30):
        error = error_of(text)
    assert codes(error) == ["limit"]
    (diagnostic,) = error.errors
    assert "max_depth" in diagnostic.message
    assert diagnostic.span is not None and diagnostic.span.line == 3


def test_depth_is_counted_in_the_expression_not_in_redundant_parentheses() -> None:
    rules = sbstrategy.loads("capability a\nstage s\ns requires " + "(" * 90 + "a" + ")" * 90 + "\n")
    assert rules.evaluate({"a": "yes"}).stage("s").status == "reached"


def test_every_tool_handles_the_deepest_allowed_expression() -> None:
    depth = MAX_DEPTH_CEILING
    names = [f"x{i}" for i in range(depth)]
    expression = (
        "".join(f"(x{i} {'and' if i % 2 else 'or'} not " for i in range(depth // 3)) + "x0" + ")" * (depth // 3)
    )
    text = f"capability {', '.join(names)}\nstage goal\ngoal requires {expression}\n"
    limits = Limits(max_depth=depth)
    rules = sbstrategy.loads(text, limits=limits)
    for facts in ({}, dict.fromkeys(names, "no"), {n: "yes" if i % 2 else "unknown" for i, n in enumerate(names)}):
        evaluation = rules.evaluate(facts)
        json.dumps(evaluation.to_dict())
        sbstrategy.explain(rules, evaluation, "goal")
        sbstrategy.export_graph(rules, evaluation, "dot")
    from sbstrategy.fmt import format_text

    assert sbstrategy.loads(format_text(text, limits=limits), limits=limits).capabilities == rules.capabilities


def test_names_longer_than_the_limit_are_refused() -> None:
    error = error_of("capability " + "x" * 1000 + "\n")
    assert codes(error) == ["limit"] and "max_name_length" in error.errors[0].message
    assert sbstrategy.loads("capability " + "x" * 20 + "\n", limits=Limits(max_name_length=20))


def test_numbers_too_long_for_python_are_syntax_errors() -> None:
    for number in ("9" * 60, "9" * 5000, "1" + "0" * 400 + ".5"):
        for text in (
            f"capability a\n  effort {number}\n",
            f"capability a\n  met at {number}\n",
            f"capability a, b\nb requires a level >= {number}\n",
            f"capability a, b\nb requires {number} of (a)\n",
            f'capability a\nscenario "s"\n  given a = {number}\n',
        ):
            error = error_of(text)
            assert codes(error) == ["syntax"], text
            assert "too long" in error.errors[0].message
            assert len(str(error)) < 2000


def test_a_file_full_of_syntax_errors_is_read_in_about_two_parses() -> None:
    # Re-parsing the whole text per error took 38 s for this file (25 errors after 1 MB).
    good = "".join(f"capability capability number c{i}\n" for i in range(28_000))
    bad = "".join(f"capability 9x{i}\n" for i in range(30))
    with within(30):
        error = error_of(good + bad, limits=Limits(max_file_bytes=2 * 1024 * 1024))
    assert len(error.errors) == 25
    assert {d.span.line for d in error.errors if d.span} == set(range(28_001, 28_026))


def test_a_long_statement_with_an_error_is_described_in_linear_time() -> None:
    # Looking for a misspelt keyword once walked the line for every word: quadratic.
    text = "capability " + "a," * 200_000 + " 9\n"
    with within(30):
        error = error_of(text)
    assert codes(error) == ["syntax"]


def test_thousands_of_unknown_names_get_suggestions_within_a_budget() -> None:
    declared = "".join(f"capability cap number c{i}\n" for i in range(5000))
    used = "".join(f"cap number c{i} requires cap numbr c{i}\n" for i in range(5000))  # misspelt
    with within(30):
        error = error_of(declared + used, limits=Limits(max_file_bytes=4 * 1024 * 1024))
    assert len(error.errors) == 5000
    assert error.errors[0].suggestion == "did you mean 'cap number c0'?"
    suggested = sum("did you mean" in (d.suggestion or "") for d in error.errors)
    assert 1 <= suggested < 5000  # past the budget, no more comparisons


def test_the_search_for_contradictions_is_bounded() -> None:
    # Twelve names, 4,096 combinations, each tried on a 700 kB requirement: over a minute once.
    names = [f"n{i}" for i in range(12)]
    clause = "(" + " or ".join(names) + ")"
    body = " and ".join([clause] * 10_000) + " and " + " and ".join(f"not {n}" for n in names)
    with within(20):
        sbstrategy.loads("capability " + ", ".join(names) + "\nstage s\ns requires " + body + "\n")
    small = " and ".join([clause] * 3) + " and " + " and ".join(f"not {n}" for n in names)
    rules = sbstrategy.loads("capability " + ", ".join(names) + "\nstage s\ns requires " + small + "\n")
    assert [d.code for d in rules.diagnostics] == ["unreachable-stage"]


def test_huge_tokens_are_shortened_in_messages() -> None:
    error = error_of('capability a\n"' + "x" * 500_000 + '" "y"\n')
    assert max(len(d.message) for d in error.diagnostics) < 2000
    assert len(str(error)) < 5000


# Includes ---------------------------------------------------------------------------------------


def _chain(folder: Path, count: int) -> Path:
    for i in range(1, count + 1):
        nxt = f'include "a{i + 1}.sbr"\n' if i < count else ""
        (folder / f"a{i}.sbr").write_text(f"{nxt}capability c{i}\n", encoding="utf-8")
    return folder / "a1.sbr"


def test_an_include_chain_of_a_thousand_files_loads(tmp_path: Path) -> None:
    main_file = _chain(tmp_path, 1000)
    with within(60):
        rules = sbstrategy.load(main_file, cache=False)
    assert len(rules.capabilities) == 1000
    assert len(rules.sources) == 1000


def test_one_file_more_than_max_files_is_one_limit_error(tmp_path: Path) -> None:
    main_file = _chain(tmp_path, 1001)
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.load(main_file, limits=Limits(max_files=1000), cache=False)
    assert codes(info.value) == ["limit"]
    assert "max_files" in info.value.errors[0].message
    assert sbstrategy.load(main_file, limits=Limits(max_files=1001), cache=False)


class CountingResolver:
    def __init__(self, files: dict[str, str]) -> None:
        self.inner = MemoryResolver(files)
        self.calls = 0

    def resolve(self, target: str, including: str | None, limits: Limits) -> sbstrategy.SourceText:
        self.calls += 1
        return self.inner.resolve(target, including, limits)


def test_the_same_include_many_times_is_resolved_once() -> None:
    resolver = CountingResolver({"shared.sbr": "capability shared\n"})
    text = 'include "shared.sbr"\ninclude "./shared.sbr"\n' * 5000 + "capability own\n"
    rules = sbstrategy.loads(text, resolver=resolver)
    assert resolver.calls == 1
    assert {c.name for c in rules.capabilities} == {"shared", "own"}


def test_ever_new_includes_stop_at_max_files() -> None:
    resolver = CountingResolver({})
    text = "".join(f'include "missing{i}.sbr"\n' for i in range(20_000))
    with within(30):
        error = error_of(text, resolver=resolver, limits=Limits(max_files=100))
    assert resolver.calls < 100
    assert codes(error).count("limit") == 1


def test_all_files_together_are_limited() -> None:
    part = "capability " + ", ".join(f"c{i}" for i in range(30_000)) + "\n"  # about 200 kB
    files = {f"p{i}.sbr": part.replace("c", f"p{i}x") for i in range(10)}
    text = "".join(f'include "p{i}.sbr"\n' for i in range(10))
    error = error_of(text, resolver=MemoryResolver(files), limits=Limits(max_total_bytes=1024 * 1024))
    assert "limit" in codes(error)
    assert any("max_total_bytes" in d.message for d in error.errors)


def test_loads_reads_no_file_without_a_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file was opened")

    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    monkeypatch.setattr(os, "listdir", refuse)
    monkeypatch.setattr(os, "scandir", refuse)
    error = error_of('include "/etc/passwd"\ninclude "../secret.sbr"\ncapability a\n')
    assert codes(error) == ["include-refused", "include-refused"]


def test_a_memory_resolver_never_looks_at_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "secret.sbr").write_text("capability secret\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    error = error_of('include "secret.sbx"\n', resolver=MemoryResolver({"public.sbr": ""}))
    assert codes(error) == ["include-not-found"]
    assert "secret" not in (error.errors[0].suggestion or "")


@pytest.fixture
def jail(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "outside.sbr").write_text("capability outside\n", encoding="utf-8")
    (root / "sub" / "inside.sbr").write_text("capability inside\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "target",
    ["../outside.sbr", "sub/../../outside.sbr", "link-out.sbr", "dirlink/outside.sbr", "__ABSOLUTE__"],
)
def test_a_root_restricted_resolver_refuses_paths_that_escape(jail: Path, target: str) -> None:
    (jail / "link-out.sbr").symlink_to(jail.parent / "outside.sbr")
    (jail / "dirlink").symlink_to(jail.parent, target_is_directory=True)
    if target == "__ABSOLUTE__":
        target = str(jail.parent / "outside.sbr")
    (jail / "main.sbr").write_text(f"include {json.dumps(target)}\ncapability main\n", encoding="utf-8")
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.load(jail / "main.sbr", cache=False)
    assert codes(info.value) == ["include-refused"]
    assert "capability outside" not in str(info.value.sources)


def test_a_root_restricted_resolver_follows_links_that_stay_inside(jail: Path) -> None:
    (jail / "link-in.sbr").symlink_to(jail / "sub" / "inside.sbr")
    (jail / "main.sbr").write_text('include "link-in.sbr"\ninclude "sub/inside.sbr"\n', encoding="utf-8")
    rules = sbstrategy.load(jail / "main.sbr", cache=False)
    assert [c.name for c in rules.capabilities] == ["inside"]


def test_special_files_are_not_included(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.sbr")
    (tmp_path / "main.sbr").write_text('include "pipe.sbr"\n', encoding="utf-8")
    with within(5), pytest.raises(SbStrategyError) as info:
        sbstrategy.load(tmp_path / "main.sbr", cache=False)
    assert "not a regular file" in info.value.errors[0].message
    with pytest.raises(SourceError, match="not a regular file"):
        FileResolver().resolve("/dev/zero", None, Limits())


def test_an_include_path_with_a_nul_character_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        FileResolver(root=str(tmp_path)).resolve("a\0b.sbr", str(tmp_path / "main.sbr"), Limits())


# Files named by the caller --------------------------------------------------------------------


def test_unreadable_main_files_are_our_error(tmp_path: Path) -> None:
    (tmp_path / "latin1.sbr").write_bytes("capability Führung\n".encode("latin-1"))
    (tmp_path / "binary.sbr").write_bytes(b"capability a\n\0\0\0")
    os.mkfifo(tmp_path / "pipe.sbr")
    cases = {
        tmp_path / "latin1.sbr": "encoding",
        tmp_path / "binary.sbr": "encoding",
        tmp_path: "unreadable-file",
        tmp_path / "missing.sbr": "file-not-found",
        Path("/dev/zero"): "limit",
    }
    for path, code in cases.items():
        with within(5), pytest.raises(SbStrategyError) as info:
            sbstrategy.load(path, cache=False)
        assert codes(info.value) == [code], path
    # A FIFO with no writer reads as an empty file: no hang.
    with within(5):
        assert sbstrategy.load(tmp_path / "pipe.sbr", cache=False).capabilities == ()


def test_a_bad_byte_after_a_byte_order_mark_is_found_where_it_is(tmp_path: Path) -> None:
    (tmp_path / "bom.sbr").write_bytes(b"\xef\xbb\xbfcapability a\n\xff\n")
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.load(tmp_path / "bom.sbr", cache=False)
    (problem,) = info.value.diagnostics
    assert "byte 0xff at line 2, column 1" in problem.message
    assert (problem.span.line, problem.span.column) == (2, 1)
    # and a mark before good text is dropped, as before
    (tmp_path / "good.sbr").write_bytes(b"\xef\xbb\xbfcapability a\n")
    assert [c.name for c in sbstrategy.load(tmp_path / "good.sbr", cache=False).capabilities] == ["a"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_a_file_without_read_permission_is_our_error(tmp_path: Path) -> None:
    for name in ("locked.sbr", "locked.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
        (tmp_path / name).chmod(0)
    for read in (lambda: sbstrategy.load(tmp_path / "locked.sbr", cache=False),
                 lambda: sbstrategy.load_assessment(tmp_path / "locked.json")):  # fmt: skip
        with pytest.raises(SbStrategyError) as info:
            read()
        assert "permission denied" in info.value.errors[0].message


def test_permission_denied_is_our_error_even_for_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same, where the tests run as root: the operating system's refusal, simulated.
    (tmp_path / "locked.sbr").write_text("capability a\n", encoding="utf-8")
    (tmp_path / "locked.json").write_text("{}", encoding="utf-8")

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "open", refuse)
    for read in (lambda: sbstrategy.load(tmp_path / "locked.sbr", cache=False),
                 lambda: sbstrategy.load_assessment(tmp_path / "locked.json")):  # fmt: skip
        with pytest.raises(SbStrategyError) as info:
            read()
        assert codes(info.value) == ["unreadable-file"]
        assert "permission denied" in info.value.errors[0].message


# Assessments ------------------------------------------------------------------------------------

BILLION_LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)

HOSTILE_ASSESSMENTS = {
    "bomb.yaml": (BILLION_LAUGHS + "facts: {}\n", "assessment", "anchors and aliases"),
    "python-object.yaml": ('facts: !!python/object/apply:os.system ["echo pwned"]\n', "assessment", "tag"),
    "python-name.yaml": ("facts:\n  a: !!python/name:os.system\n", "assessment", "tag"),
    "custom-tag.yaml": ("facts:\n  a: !secret x\n", "assessment", "tag"),
    "set.yaml": ("facts: !!set {a, b}\n", "assessment", "tag"),
    "merge.yaml": ("facts:\n  <<: {roadmap: yes}\n", "assessment", "tag"),
    "two-documents.yaml": ("facts: {}\n---\nfacts: {}\n", "assessment", "one YAML document"),
    "nul.yaml": ("facts:\n  roadmap: \0\n", "assessment", "U+0000"),
    "deep.yaml": ("facts:\n  roadmap: " + "[" * 100_000 + "]" * 100_000 + "\n", "limit", "max_depth"),
    "deep-block.yaml": ("facts:\n" + "".join(" " * i + "-\n" for i in range(1, 400)), "limit", "max_depth"),
    "duplicate.yaml": ("facts:\n  roadmap: yes\n  roadmap: no\n", "assessment", "given twice"),
    "key-list.yaml": ("facts:\n  ? [a, b]\n  : yes\n", "assessment", "keys are names"),
    "duplicate.json": ('{"facts": {"roadmap": "yes", "roadmap": "no"}}', "assessment", "given twice"),
    "nan.json": ('{"facts": {"roadmap": NaN, "budget": Infinity}}', "bad-fact", "not yes, no"),
    "huge.json": ('{"facts": {"budget": 1e400}}', "bad-fact", "not yes, no"),
    "huge-int.json": ('{"facts": {"budget": ' + "9" * 5000 + "}}", "assessment", "not a valid JSON value"),
    "big-int.json": ('{"facts": {"budget": ' + "9" * 4000 + "}}", "bad-fact", "not yes, no"),
    "deep.json": ('{"facts": {"roadmap": ' + "[" * 100_000 + "]" * 100_000 + "}}", "limit", "max_depth"),
    "shallow-deep.json": ('{"facts": {"roadmap": ' + "[" * 500 + "]" * 500 + "}}", "limit", "max_depth"),
    "list.json": ("[1, 2]", "assessment", "mapping"),
    "facts-list.json": ('{"facts": [1, 2]}', "assessment", "mapping"),
    "value-list.json": ('{"facts": {"roadmap": [1, 2]}}', "bad-fact", "a list"),
    "value-map.json": ('{"facts": {"roadmap": {"x": 1}}}', "bad-fact", "a mapping"),
    "organisation.json": ('{"facts": {}, "organisation": ["x"]}', "assessment", "organisation"),
    "mixed-keys.yaml": ("facts: {}\n1: x\nb: y\n", "assessment", "unknown top-level key"),
    "long-name.json": ('{"facts": {"' + "x" * 100_000 + '": "yes"}}', "limit", "max_name_length"),
    "huge-int.toml": ("[facts]\nbudget = " + "9" * 5000 + "\n", "assessment", "not a valid TOML value"),
    "deep.toml": ("facts = {a = " + "[" * 100_000 + "]" * 100_000 + "}\n", "limit", "max_depth"),
    "broken.toml": ("facts = {a = \n", "assessment", "not valid TOML"),
    "datetime.toml": ("[facts]\nroadmap = 1979-05-27T07:32:00Z\n", "bad-fact", "datetime"),
}


@pytest.fixture(scope="module")
def small_rules() -> sbstrategy.RuleSet:
    return sbstrategy.loads("capability roadmap, budget\nstage s\ns requires roadmap and budget level >= 2\n")


@pytest.mark.parametrize("name", sorted(HOSTILE_ASSESSMENTS))
def test_hostile_assessments_are_one_clear_error(name: str, small_rules: sbstrategy.RuleSet) -> None:
    text, code, words = HOSTILE_ASSESSMENTS[name]
    with within(5), pytest.raises(SbStrategyError) as info:
        small_rules.evaluate(sbstrategy.parse_assessment(text, name))
    error = info.value
    assert codes(error)[0] == code, str(error)
    assert words in error.errors[0].message, str(error)
    assert len(str(error)) < 20_000
    span = error.errors[0].span
    if span is not None:
        assert 1 <= span.line <= text.count("\n") + 2 and span.column >= 1


def test_an_alias_bomb_is_refused_at_its_first_anchor_in_any_size() -> None:
    bomb = BILLION_LAUGHS.replace("9", "99") * 1  # the shape, not the size, matters
    with within(1), pytest.raises(SbStrategyError) as info:
        sbstrategy.parse_assessment(bomb + "j: &j [" + ", ".join(["*i"] * 1000) + "]\n", "bomb.yaml")
    assert info.value.errors[0].span is not None and info.value.errors[0].span.line == 1


def test_yaml_positions_count_lines_as_every_other_reader_does() -> None:
    # YAML also breaks lines at U+2028; the diagnostic's line must be the file's "\n" line.
    text = "\u2028{\u2028byg|2framework{"
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.parse_assessment(text, "a.yaml")
    span = info.value.errors[0].span
    assert span is not None and span.line == 1 and 1 <= span.column <= len(text) + 1


def test_assessment_files_that_cannot_be_read_are_our_error(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes("facts:\n  Führung: yes\n".encode("latin-1"))
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "big.json").write_text('{"facts": {}}' + " " * (2 * MB), encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yaml")
    cases = {
        "latin1.yaml": "encoding",
        "folder.json": "unreadable-file",
        "missing.json": "file-not-found",
        "big.json": "limit",
        "rules.txt": "assessment",
    }
    (tmp_path / "rules.txt").write_text("x", encoding="utf-8")
    for name, code in cases.items():
        with pytest.raises(SbStrategyError) as info:
            sbstrategy.load_assessment(tmp_path / name)
        assert codes(info.value) == [code], name
    with within(5):
        assert sbstrategy.load_assessment(tmp_path / "pipe.yaml").facts == {}


def test_assessment_limits_are_configurable() -> None:
    text = '{"facts": {"roadmap": "yes"}}'
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.parse_assessment(text, "a.json", limits=Limits(max_file_bytes=10))
    assert "max_file_bytes" in info.value.errors[0].message
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.parse_assessment(text, "a.json", limits=Limits(max_name_length=3))
    assert "max_name_length" in info.value.errors[0].message
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.parse_assessment(text, "a.json", limits=Limits(max_depth=1))
    assert "max_depth" in info.value.errors[0].message
    with pytest.raises(SbStrategyError):
        sbstrategy.parse_assessment(text, "a.json", "xml")


def test_json_assessments_keep_every_value_and_share_the_words() -> None:
    text = '{"facts": {"a": "yes", "b": "yes", "c": 2, "d": null, "e": "Yes"}, "organisation": "o"}'
    facts = sbstrategy.parse_assessment(text, "a.json").facts
    assert facts == {"a": "yes", "b": "yes", "c": 2, "d": None, "e": "Yes"}
    assert facts["a"] is facts["b"]  # one string for every "yes" of a large assessment
    # a list among the values is left as it is, for the checks to report
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.parse_assessment('{"facts": {"a": ["yes"], "a": "no"}}', "a.json")
    assert "given twice" in info.value.errors[0].message


@pytest.mark.parametrize(
    "text",
    [
        '{"facts": {"a" : "yes", "a": "no"}}',  # white space before a colon
        '{"facts": {"a":"yes",\n"a"\n:"no"}}',
        '{"facts": {"a": ":", "a": "no"}}',  # a string that starts with a colon
        '{"facts": {"a": "x\\":", "b": "no", "b": "yes"}}',  # an escaped quote before a colon
        '{"facts": {"a": "yes"}, "organisation": "o", "facts": {"b": "no"}}',  # at the top
        '{"facts": {"a": "yes"}, "description": {"x": 1, "x": 2}}',  # in a nested mapping
    ],
)
def test_a_json_key_written_twice_is_found_however_the_text_is_spaced(text: str) -> None:
    with pytest.raises(SbStrategyError) as info:
        sbstrategy.parse_assessment(text, "a.json")
    assert "given twice" in info.value.errors[0].message


def test_json_strings_with_colons_are_no_repeated_keys() -> None:
    text = '{"facts": {"a": ":", "b" : "no", "c": "x\\":y"}, "organisation": "\\":"}'
    assessment = sbstrategy.parse_assessment(text, "a.json")
    assert assessment.facts == {"a": ":", "b": "no", "c": 'x":y'}
    assert assessment.organisation == '":'


def test_thousands_of_unknown_facts_are_reported_quickly(small_rules: sbstrategy.RuleSet) -> None:
    text = json.dumps({"facts": {f"unknown thing u{i}": "yes" for i in range(20_000)}}, indent=1)
    assessment = sbstrategy.parse_assessment(text, "a.json")
    with within(30), pytest.raises(SbStrategyError) as info:
        small_rules.evaluate(assessment)
    assert len(info.value.errors) == 20_000
    assert info.value.errors[-1].span is not None and info.value.errors[-1].span.line > 1
    str(info.value)


@pytest.mark.parametrize("value", [10**400, 2**2000, float("nan"), [[[]]], {"a": {}}, object(), b"yes", 1j])
def test_facts_of_any_python_type_are_our_error(value: object, small_rules: sbstrategy.RuleSet) -> None:
    with pytest.raises(SbStrategyError) as info:
        small_rules.evaluate({"budget": value})
    assert codes(info.value) == ["bad-fact"]
    assert len(info.value.errors[0].message) < 200


# Nothing lost -----------------------------------------------------------------------------------


class _FailingStream(io.TextIOWrapper):
    """Writes half of what it is given, then fails like a full disk."""

    def write(self, text: str) -> int:
        super().write(text[: len(text) // 2])
        self.flush()
        raise OSError(errno.ENOSPC, "No space left on device")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in ("report.md", "rules.sbr", "target.md"))


@pytest.mark.parametrize("failure", ["write", "fsync", "replace", "interrupt"])
def test_a_failing_write_leaves_the_original_intact(
    failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.md"
    original = "the report as it was\n" * 1000
    target.write_text(original, encoding="utf-8")
    before = target.read_bytes()
    import sbstrategy._atomic as atomic

    if failure == "write":
        real_fdopen = os.fdopen

        def failing_fdopen(fd: int, *args: object, **kwargs: object) -> io.TextIOWrapper:
            binary = real_fdopen(fd, "wb")
            return _FailingStream(binary, encoding="utf-8", newline="")

        monkeypatch.setattr(atomic.os, "fdopen", failing_fdopen)
        expected: type[BaseException] = OSError
    elif failure == "fsync":
        monkeypatch.setattr(atomic.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
        expected = OSError
    elif failure == "replace":
        monkeypatch.setattr(atomic.os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(errno.EXDEV, "x")))
        expected = OSError
    else:
        monkeypatch.setattr(atomic.os, "fsync", lambda fd: (_ for _ in ()).throw(KeyboardInterrupt()))
        expected = KeyboardInterrupt
    with pytest.raises(expected):
        write_atomic(target, "the new report\n" * 5000)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_new_file_gets_ordinary_permissions_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.md", "x\n")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644
    (tmp_path / "old.md").write_text("y\n", encoding="utf-8")
    (tmp_path / "old.md").chmod(0o640)
    write_atomic(tmp_path / "old.md", "z\n")
    assert stat.S_IMODE((tmp_path / "old.md").stat().st_mode) == 0o640
    assert (tmp_path / "old.md").read_text(encoding="utf-8") == "z\n"


def test_writing_through_a_symbolic_link_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "target.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(tmp_path / "target.md")
    write_atomic(tmp_path / "link.md", "new\n")
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "target.md").read_text(encoding="utf-8") == "new\n"


def test_fmt_that_fails_to_write_leaves_the_rule_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.sbr"
    rules.write_text("capability   roadmap\nstage s\ns requires   roadmap\n", encoding="utf-8")
    before = rules.read_bytes()
    import sbstrategy._atomic as atomic

    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(errno.ENOSPC, "disk full")))
    status = main(["fmt", str(rules)], out=io.StringIO())
    capsys.readouterr()
    assert status != 0
    assert rules.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_report_that_fails_to_write_leaves_the_old_report_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.yaml").write_text("facts:\n  roadmap: yes\n", encoding="utf-8")
    (tmp_path / "rules.sbr").write_text("capability roadmap\nstage s\ns requires roadmap\n", encoding="utf-8")
    report = tmp_path / "report.md"
    report.write_text("yesterday's report\n", encoding="utf-8")
    import sbstrategy._atomic as atomic

    real_fdopen = os.fdopen
    monkeypatch.setattr(
        atomic.os, "fdopen", lambda fd, *a, **k: _FailingStream(real_fdopen(fd, "wb"), encoding="utf-8", newline="")
    )
    argv = ["assess", str(tmp_path / "rules.sbr"), str(tmp_path / "a.yaml"), "--output", str(report)]
    status = main(argv, out=io.StringIO())
    capsys.readouterr()
    assert status == 2
    assert report.read_text(encoding="utf-8") == "yesterday's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "report.md", "rules.sbr"]


# The command line -------------------------------------------------------------------------------


def test_limit_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.sbr"
    rules.write_text("capability " + ", ".join(f"c{i}" for i in range(500)) + "\n", encoding="utf-8")
    assert main(["check", str(rules)], out=io.StringIO()) == 0
    out = io.StringIO()
    assert main(["check", str(rules), "--limit", "max_file_bytes=1K"], out=out) == 1
    assert "max_file_bytes" in out.getvalue()
    assert main(["test", str(rules), "--limit", "max-name-length=2", "--limit", "max_depth=3"], out=io.StringIO()) == 1
    for bad in ("max_depth=1000", "max_nothing=3", "max_depth=x", "max_files=0"):
        assert main(["check", str(rules), "--limit", bad], out=io.StringIO()) == 2, bad
    capsys.readouterr()


def _hostile_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Rule files and assessments an attacker might hand the command line."""
    rules = {
        "deep.sbr": "capability a\nstage s\ns requires " + "not " * 20_000 + "a\n",
        "parens.sbr": "capability a\nstage s\ns requires " + "(" * 20_000 + "a" + ")" * 20_000 + "\n",
        "numbers.sbr": "capability a\n  effort " + "9" * 5000 + "\n",
        "garbage.sbr": '\x01\x02((("\n  )))#\n' * 1000,
        "escape.sbr": 'include "../../../../etc/passwd"\ninclude "/etc/passwd"\n',
        "names.sbr": "capability " + "x" * 10_000 + "\n",
    }
    assessments = {
        "bomb.yaml": BILLION_LAUGHS + "facts: {}\n",
        "object.yaml": 'facts: !!python/object/apply:os.system ["echo pwned"]\n',
        "deep.json": '{"facts": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "nan.json": '{"facts": {"a": NaN, "a": 1e999}}',
        "int.toml": "[facts]\na = " + "9" * 5000 + "\n",
        "deep.toml": "facts = " + "[" * 5000 + "]" * 5000 + "\n",
        "latin1.yaml": None,
        "folder.json": None,
    }
    rule_paths = []
    for name, text in rules.items():
        (folder / name).write_text(text, encoding="utf-8")
        rule_paths.append(folder / name)
    (folder / "latin1.sbr").write_bytes(b"capability F\xfchrung\n")
    (folder / "nul.sbr").write_bytes(b"capability a\0\n")
    rule_paths += [folder / "latin1.sbr", folder / "nul.sbr"]
    assessment_paths = []
    for name, text in assessments.items():
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
        assessment_paths.append(folder / name)
    (folder / "latin1.yaml").write_bytes(b"facts:\n  F\xfchrung: yes\n")
    (folder / "folder.json").mkdir()
    return rule_paths, assessment_paths


def test_the_command_line_prints_no_traceback_for_hostile_input(tmp_path: Path) -> None:
    rule_paths, assessment_paths = _hostile_files(tmp_path)
    good = tmp_path / "good.sbr"
    good.write_text("capability a\nstage s\ns requires a\n", encoding="utf-8")
    env = dict(os.environ, SBSTRATEGY_NO_CACHE="1", PYTHONPATH=os.pathsep.join([str(ROOT / "src"), *sys.path]))
    runs = [
        ["check", *map(str, rule_paths)],
        ["check", "--format", "json", *map(str, rule_paths)],
        ["test", *map(str, rule_paths)],
        *(["assess", str(path), str(assessment_paths[0])] for path in rule_paths[:3]),
        *(["assess", str(good), str(path)] for path in assessment_paths),
        ["fmt", "--check", *map(str, rule_paths)],
    ]
    for argv in runs:
        proc = subprocess.run(
            [sys.executable, "-m", "sbstrategy", *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert proc.returncode in (1, 2), (argv, proc.returncode, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr + proc.stdout, (argv, proc.stderr[-3000:])


def test_the_command_line_waits_for_no_pipe(tmp_path: Path) -> None:
    # A FIFO named as an assessment reads as empty when nobody writes to it: no hang.
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "rules.sbr").write_text("capability a\n", encoding="utf-8")
    done: list[int] = []
    thread = threading.Thread(
        target=lambda: done.append(
            main(["assess", str(tmp_path / "rules.sbr"), str(tmp_path / "pipe.yaml")], out=io.StringIO())
        ),
        daemon=True,
    )
    thread.start()
    thread.join(10)
    assert done == [0]
