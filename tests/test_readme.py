"""README.md's examples are the shipped files, and its output is current."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from sbstrategy.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_quick_start_has_exactly_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", quick_start, re.S)
    commands = block.strip().splitlines()
    assert commands == ["./sbstrategy assess readiness examples/sme-bakery.yaml", "./test"]
    assert (ROOT / "examples" / "sme-bakery.yaml").is_file()


def test_example_files_are_quoted_verbatim() -> None:
    assert _blocks("sbr")[0] == (ROOT / "examples" / "getting-started.sbr").read_text(encoding="utf-8")
    assert _blocks("yaml")[0] == (ROOT / "examples" / "getting-started.yaml").read_text(encoding="utf-8")


def test_shown_output_is_what_the_tool_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT / "examples")
    out = io.StringIO()
    assert main(["assess", "getting-started.sbr", "getting-started.yaml"], out=out) == 0
    assert _blocks("text")[0] == out.getvalue()


def test_python_example_runs_and_prints_what_it_says(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (code,) = _blocks("python")
    expected = "\n".join(line[2:] for line in code.splitlines() if line.startswith("# ")) + "\n"
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert capsys.readouterr().out == expected
    assert os.getcwd() == str(ROOT)
