"""A very large model's load keeps freed memory for reuse (sbstrategy._memory)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from sbstrategy import _memory

HERE = Path(__file__).resolve().parent
FIRST = str(HERE / "golden" / "language-first-example.sbr")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls of keep_freed_memory (replaced: the test process keeps its allocator as it is)."""
    calls: list[str] = []
    monkeypatch.setattr(_memory, "keep_freed_memory", lambda: calls.append("asked") or True)
    return calls


def test_a_file_of_the_large_size_asks_malloc_to_keep_memory(tmp_path: Path, asked: list[str]) -> None:
    large = tmp_path / "large.sbr"
    with open(large, "wb") as handle:
        handle.truncate(_memory.LARGE_FILE)  # sparse: no disk space used
    assert _memory.keep_freed_memory_for(str(large)) is True
    assert asked == ["asked"]


def test_smaller_or_missing_files_leave_malloc_alone(tmp_path: Path, asked: list[str]) -> None:
    small = tmp_path / "small.sbr"
    with open(small, "wb") as handle:
        handle.truncate(_memory.LARGE_FILE - 1)
    assert _memory.keep_freed_memory_for(str(small)) is False
    assert _memory.keep_freed_memory_for(str(tmp_path / "missing.sbr")) is False
    assert _memory.keep_freed_memory_for("bad\0path") is False
    assert asked == []


def test_commands_that_load_rules_ask_with_the_rules_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from sbstrategy.cli import main

    paths: list[str] = []
    monkeypatch.setattr(_memory, "keep_freed_memory_for", paths.append)
    org = tmp_path / "org.yaml"
    org.write_text("facts:\n  executive sponsorship: yes\n")
    with open(os.devnull, "w", encoding="utf-8") as out:
        assert main(["assess", FIRST, str(org)], out) == 0
        assert main(["graph", FIRST], out) == 0
    assert paths == [FIRST, FIRST]


@pytest.mark.skipif(sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_agrees() -> None:
    # in a process of its own: the setting lasts as long as the process
    code = "from sbstrategy._memory import keep_freed_memory; print(keep_freed_memory())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "True"
