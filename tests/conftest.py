from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import sbstrategy
from sbstrategy.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _cache_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`sbstrategy.load` caches compiled models: keep the tests' entries out of
    the user's cache folder (subprocesses inherit the variable)."""
    os.environ["SBSTRATEGY_CACHE_DIR"] = str(tmp_path_factory.mktemp("sbstrategy-cache"))


@pytest.fixture
def root() -> Path:
    return ROOT


class Run:
    """The result of running the command line in-process."""

    def __init__(self, status: int, out: str, err: str):
        self.status, self.out, self.err = status, out, err


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    def run(*argv: str) -> Run:
        buffer = io.StringIO()
        status = main(list(argv), out=buffer)
        captured = capsys.readouterr()
        return Run(status, buffer.getvalue() + captured.out, captured.err)

    return run


def loads(text: str) -> sbstrategy.RuleSet:
    return sbstrategy.loads(text, path="t.sbr")


def errors_of(text: str) -> list[sbstrategy.Diagnostic]:
    with pytest.raises(sbstrategy.SbStrategyError) as info:
        sbstrategy.loads(text, path="t.sbr")
    return [d for d in info.value.diagnostics if d.severity == "error"]
