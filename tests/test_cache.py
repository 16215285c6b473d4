"""The compiled-model cache: hits give the same RuleSet, anything changed or
broken is a miss, and a miss is never an error."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import sbstrategy
from sbstrategy import _cache, _load

ROOT = Path(__file__).resolve().parent.parent

MAIN = """\
framework "Cached"
include "shared.sbr"
capability roadmap
  description "a plan"
capability unused thing
stage planned
planned requires roadmap and sponsorship
stage launched after planned
launched requires roadmap

scenario "a plan is not enough"
  given roadmap
  expect planned is blocked by sponsorship
"""
SHARED = "capability sponsorship\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SBSTRATEGY_CACHE_DIR", str(folder))
    monkeypatch.delenv("SBSTRATEGY_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "main.sbr").write_text(MAIN, encoding="utf-8")
    (tmp_path / "shared.sbr").write_text(SHARED, encoding="utf-8")
    return tmp_path / "main.sbr"


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.model")) if folder.is_dir() else []


class Loads:
    """Counts the loads that really read and check files (cache misses)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = _load.load_source

        def counting(*args: object, **kwargs: object) -> sbstrategy.RuleSet:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(_load, "load_source", counting)


def same_ruleset(a: sbstrategy.RuleSet, b: sbstrategy.RuleSet) -> None:
    assert a.model == b.model
    assert a.order == b.order
    assert a.diagnostics == b.diagnostics
    assert [d.span for d in a.diagnostics] == [d.span for d in b.diagnostics]
    assert a.sources == b.sources
    assert [c.span for c in a.capabilities] == [c.span for c in b.capabilities]
    for x, y in zip(a.requirements, b.requirements, strict=True):
        assert (x.expr, x.span, x.subject_name) == (y.expr, y.span, y.subject_name)
        assert x.expr.span == y.expr.span
    assert a.scenarios == b.scenarios
    assert [s.span for s in a.scenarios] == [s.span for s in b.scenarios]


def test_second_load_is_a_hit_with_the_same_ruleset(cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads = Loads(monkeypatch)
    first = sbstrategy.load(files)
    assert loads.count == 1 and len(entries(cache)) == 1
    second = sbstrategy.load(files)
    assert loads.count == 1, "the second load read the files again"
    same_ruleset(first, second)
    same_ruleset(second, sbstrategy.load(files, cache=False))
    # warnings come back too
    assert [d.code for d in second.diagnostics] == ["unused-capability"]
    assert [r.passed for r in second.run_scenarios()] == [True]


def test_a_hit_evaluates_without_building_the_model(cache: Path, files: Path) -> None:
    """A second load evaluates and summarises on the stored program; the model's objects
    are built only when asked for, and are then those of a cold load."""
    cold = sbstrategy.load(files, cache=False)
    facts = {"roadmap": "yes", "sponsorship": "unknown"}
    sbstrategy.load(files)  # fills the cache
    hit = sbstrategy.load(files)
    evaluation = hit.evaluate(facts)
    assert evaluation.summary() == cold.evaluate(facts).summary()
    assert evaluation.next_stage is not None and evaluation.next_stage.name == "planned"
    # blocked stages: the summary counts their blockers (and the stage they come after)
    blocked = {"roadmap": "yes", "sponsorship": "no"}
    summary = hit.evaluate(blocked).summary()
    assert summary == cold.evaluate(blocked).summary()
    assert [s["blocker_count"] for s in summary["stages"]] == [1, 1]  # type: ignore[index]
    assert hit.framework == "Cached" and hit.files == cold.files
    assert hit._model is None, "evaluating a cached rule set built the model"
    assert evaluation == cold.evaluate(facts)  # every result in full: blockers cite the rules
    same_ruleset(hit, cold)


def test_a_hit_imports_neither_the_reader_nor_the_checks(cache: Path, files: Path) -> None:
    # start-up: the second load of a large model is mostly the time to start (the warm benchmark)
    sbstrategy.load(files)
    code = (
        "import sys, sbstrategy; sbstrategy.load(sys.argv[1]); "
        "print(sorted({'sbstrategy._load', 'sbstrategy._fastparse', 'sbstrategy._checks'} & set(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(files)], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
    assert len(entries(cache)) == 1


def test_a_changed_main_file_is_a_miss(cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sbstrategy.load(files)
    files.write_text(MAIN.replace("a plan", "a longer plan"), encoding="utf-8")
    loads = Loads(monkeypatch)
    ruleset = sbstrategy.load(files)
    assert loads.count == 1
    assert ruleset.node("roadmap").description == "a longer plan"  # type: ignore[union-attr]


def test_a_changed_included_file_is_a_miss(cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sbstrategy.load(files)
    (files.parent / "shared.sbr").write_text(SHARED + '  description "now described"\n', encoding="utf-8")
    loads = Loads(monkeypatch)
    ruleset = sbstrategy.load(files)
    assert loads.count == 1
    assert ruleset.node("sponsorship").description == "now described"  # type: ignore[union-attr]
    # and an included file that disappeared is a miss that reports the error
    (files.parent / "shared.sbr").unlink()
    with pytest.raises(sbstrategy.SbStrategyError, match="not found"):
        sbstrategy.load(files)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # a flipped bit: the checksum fails
        lambda data: b"",
        lambda data: b"not a cache entry at all",
        lambda data: data[:8] + bytes([99]) + data[9:],  # another format
    ],
    ids=["truncated", "flipped", "empty", "foreign", "format"],
)
def test_a_broken_entry_is_a_miss_and_is_rewritten(
    cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    first = sbstrategy.load(files)
    (entry,) = entries(cache)
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    loads = Loads(monkeypatch)
    same_ruleset(first, sbstrategy.load(files))
    assert loads.count == 1
    sbstrategy.load(files)
    assert loads.count == 1, "the rewritten entry was not used"


def test_an_entry_that_names_a_class_is_refused(cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only plain data is read back: a payload that would build objects (and so
    could run code) is a miss, even with a valid checksum."""
    sbstrategy.load(files)
    (entry,) = entries(cache)
    payload = pickle.dumps(Path("x"), protocol=5)  # names a class (pathlib.PosixPath)
    import hashlib

    entry.write_bytes(entry.read_bytes()[:9] + hashlib.sha256(payload).digest() + payload)
    loads = Loads(monkeypatch)
    sbstrategy.load(files)
    assert loads.count == 1


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("SBSTRATEGY_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("SBSTRATEGY_NO_CACHE", raising=False)
    assert sbstrategy.load(files).framework == "Cached"
    assert sbstrategy.load(files).framework == "Cached"


def test_switched_off_by_the_environment_and_by_the_argument(
    cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sbstrategy.load(files, cache=False)
    assert entries(cache) == []
    monkeypatch.setenv("SBSTRATEGY_NO_CACHE", "1")
    sbstrategy.load(files)
    assert entries(cache) == []
    monkeypatch.setenv("SBSTRATEGY_NO_CACHE", "0")
    sbstrategy.load(files)
    assert len(entries(cache)) == 1


def test_errors_and_loads_are_never_cached(cache: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sbr"
    broken.write_text("x requires y\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(sbstrategy.SbStrategyError):
            sbstrategy.load(broken)
    sbstrategy.loads("capability a\n")
    assert entries(cache) == []


def test_the_key_holds_the_path_and_the_limits(cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sbstrategy.load(files)
    copy = files.parent / "copy.sbr"
    copy.write_text(MAIN, encoding="utf-8")
    loads = Loads(monkeypatch)
    ruleset = sbstrategy.load(copy)  # same text, another file: its own spans
    assert loads.count == 1
    assert ruleset.node("roadmap").span.path == str(copy)
    sbstrategy.load(files, limits=sbstrategy.Limits(max_name_length=50))
    assert loads.count == 2


def test_the_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SBSTRATEGY_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache.cache_dir() == str(tmp_path / "sbstrategy")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _cache.cache_dir() == str(tmp_path / ".cache" / "sbstrategy")


WRITER = """
import sys
import sbstrategy
for _ in range(int(sys.argv[2])):
    ruleset = sbstrategy.load(sys.argv[1])
    assert ruleset.framework == "Cached", ruleset.framework
    assert len(ruleset.capabilities) == 3
"""


def test_concurrent_writers_leave_a_valid_entry(cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The writers must import the very sbstrategy this test imports (the
    # installed wheel in CI, the source tree here): the cache key covers the code.
    home = str(Path(sbstrategy.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([home, os.environ.get("PYTHONPATH", "")]))
    runs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(files), "15"], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert len(entries(cache)) == 1
    assert not list(cache.glob("*.tmp")), "a temporary file was left behind"
    loads = Loads(monkeypatch)
    assert sbstrategy.load(files).framework == "Cached"
    assert loads.count == 0


def test_a_file_only_lark_reads_comes_back_the_same(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path gives up on an indented first line (which Lark reads as a
    statement): the entry is restored all the same, and its ASTs are Lark's."""
    from sbstrategy._fastparse import parse_fast

    text = (
        '  capability roadmap\ncapability x\nx requires roadmap\n\nscenario "s"\n  given roadmap\n  expect x is ready\n'
    )
    assert parse_fast(text, "t.sbr") is None
    path = tmp_path / "odd.sbr"
    path.write_text(text, encoding="utf-8")
    first = sbstrategy.load(path)
    loads = Loads(monkeypatch)
    second = sbstrategy.load(path)
    assert loads.count == 0
    same_ruleset(first, second)
    assert [r.passed for r in second.run_scenarios()] == [True]


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*.sbr")), ids=lambda p: p.name)
def test_shipped_rules_come_back_the_same(cache: Path, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = sbstrategy.load(path, cache=False)
    sbstrategy.load(path)  # fills the cache
    loads = Loads(monkeypatch)
    cached = sbstrategy.load(path)
    assert loads.count == 0
    same_ruleset(fresh, cached)
    assert [(r.scenario.title, r.passed) for r in cached.run_scenarios(included=True)] == [
        (r.scenario.title, r.passed) for r in fresh.run_scenarios(included=True)
    ]


def test_changed_code_is_a_miss(cache: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A working copy whose modules changed does not read what its old code wrote."""
    sbstrategy.load(files)
    monkeypatch.setattr(_cache, "_code_stamp", lambda: "other code")
    loads = Loads(monkeypatch)
    sbstrategy.load(files)
    assert loads.count == 1


def test_old_entries_are_pruned(cache: Path, files: Path) -> None:
    for number in range(5):
        files.write_text(MAIN + f"capability extra {'abcde'[number]}\n", encoding="utf-8")
        sbstrategy.load(files)
    assert len(entries(cache)) == 5
    _cache._prune(str(cache), keep=2)
    assert len(entries(cache)) == 2
    sbstrategy.load(files)  # the newest entry is still there: a hit
    assert len(entries(cache)) == 2
