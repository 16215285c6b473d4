"""The command line through main([...]), and the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIRST = str(HERE / "golden" / "language-first-example.sbr")


@pytest.fixture
def org(tmp_path: Path) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text("organisation: Example\nfacts:\n  executive sponsorship: yes\n  business goals: no\n  budget: 4\n")
    return path


def test_check_clean_file(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check", FIRST)
    assert run.status == 0
    assert run.out.strip() == "checked 1 file: 0 errors, 0 warnings"


def test_check_reports_every_problem_with_caret(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.sbr"
    bad.write_text("capability roadmap\nstage s\ns requires roadmapp\ns requires 3 of (roadmap)\n")
    run = cli("check", str(bad))
    assert run.status == 1
    assert f"{bad}:3:12: error: undeclared name 'roadmapp'" in run.out
    assert "help: did you mean 'roadmap'?" in run.out
    assert f"{bad}:4:12: error:" in run.out
    assert "Traceback" not in run.out + run.err


def test_check_json(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.sbr"
    bad.write_text("capability a\nstage s\ns requires b\n")
    run = cli("check", "--format", "json", str(bad))
    (item,) = json.loads(run.out)
    assert {k: item[k] for k in ("path", "line", "column", "severity", "code")} == {
        "path": str(bad),
        "line": 3,
        "column": 12,
        "severity": "error",
        "code": "undeclared-name",
    }


def test_check_strict_fails_on_warnings(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "w.sbr"
    path.write_text("capability spare\n")
    assert cli("check", str(path)).status == 0
    assert cli("check", "--strict", str(path)).status == 1


def test_assess_text(cli, org: Path) -> None:  # type: ignore[no-untyped-def]
    run = cli("assess", FIRST, str(org))
    assert run.status == 0
    assert "Seven success factors — Example" in run.out
    assert "Reached: bolt on." in run.out
    assert "work on first:" in run.out
    assert "\033[" not in run.out  # no colour off a terminal


def test_assess_markdown_and_json(cli, org: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("assess", FIRST, str(org), "--format", "markdown").out.startswith("# Seven success factors — Example")
    data = json.loads(cli("assess", FIRST, str(org), "--format", "json").out)
    assert data["organisation"] == "Example"


def test_assess_unknown_fact_is_an_error_with_suggestion(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "org.toml"
    path.write_text('[facts]\n"roadmapp" = "yes"\n')
    run = cli("assess", FIRST, str(path))
    assert run.status == 1
    assert f"{path}:2:1: error: 'roadmapp' is not a capability of these rules" in run.out
    assert "did you mean 'roadmap'?" in run.out


def test_test_command_reports_failures(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.sbr"
    path.write_text('capability a\nstage s\ns requires a\nscenario "wrong"\n  given a\n  expect s is blocked\n')
    run = cli("test", str(path))
    assert run.status == 1
    assert f'FAIL {path}:4: scenario "wrong"' in run.out
    assert f"{path}:6: expect s is blocked" in run.out
    assert "actual:   reached" in run.out
    assert run.out.strip().endswith("0 passed, 1 failed")


def test_usage_errors_exit_2(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli().status == 2
    assert cli("assess", "no-such-file.sbr", "x.yaml").status == 2
    assert cli("bogus").status == 2


def test_version_and_help(cli) -> None:  # type: ignore[no-untyped-def]

    assert cli("--version").status == 0
    for command in ("check", "assess", "test", "frameworks"):
        run = cli(command, "--help")
        assert run.status == 0 and "usage: sbstrategy" in run.out


def test_installed_console_script(org: Path) -> None:
    script = shutil.which("sbstrategy", path=os.path.dirname(sys.executable)) or shutil.which("sbstrategy")
    if script is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs the package: the sbstrategy console script must exist")
        pytest.skip("sbstrategy is not installed as a console script in this environment")
    done = subprocess.run(
        [script, "assess", FIRST, str(org), "--format", "json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["framework"] == "Seven success factors"
    module = subprocess.run(
        [sys.executable, "-m", "sbstrategy", "--version"], capture_output=True, text=True, check=False
    )
    assert module.returncode == 0 and module.stdout.startswith("sbstrategy ")


def test_a_command_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """`main` tunes and freezes the collector for the command's bulk work; a program
    that calls it in-process gets its own settings back."""
    import gc
    import io

    from sbstrategy.cli import main

    rules = tmp_path / "rules.sbr"
    rules.write_text("capability a\nstage s\ns requires a\n", encoding="utf-8")
    (tmp_path / "org.yaml").write_text("a: yes\n", encoding="utf-8")
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    assert main(["assess", str(rules), str(tmp_path / "org.yaml")], out=io.StringIO()) == 0
    assert main(["assess", str(rules), str(tmp_path / "missing.yaml")], out=io.StringIO()) == 2
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


@pytest.mark.parametrize("columns", [None, "50", "200", "0", "wide"])
def test_help_is_as_wide_as_argparse_makes_it(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    import shutil

    from sbstrategy.cli import _help_width

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _help_width() == shutil.get_terminal_size().columns - 2


def test_help_wraps_at_the_terminal_width(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    description = {}
    for columns in ("50", "200"):
        monkeypatch.setenv("COLUMNS", columns)
        run = cli("assess", "--help")
        assert run.status == 0
        description[columns] = next(line for line in run.out.splitlines() if line.startswith("Evaluate an"))
    assert len(description["50"]) <= 48
    assert description["200"].endswith("and the open questions.")


def _command_parsers(argv: list[str] | None) -> dict[str, object]:
    from sbstrategy.cli import _parser

    (commands,) = (action for action in _parser(argv)._actions if action.dest == "command")
    return dict(commands.choices)


def test_a_command_line_makes_only_its_command_and_that_one_as_in_full() -> None:
    # start-up: the other commands' options are not made when the arguments name a command
    everything = _command_parsers(None)
    assert len(everything) == 9
    for name, full in everything.items():
        only = _command_parsers([name, "--help"])
        assert list(only) == [name]
        assert only[name].format_help() == full.format_help()  # type: ignore[attr-defined]
        assert only[name]._defaults == full._defaults  # type: ignore[attr-defined]  # the command it runs
    # not a command first: every command, as `--help` and a misspelt command's error list them
    assert list(_command_parsers(["--help", "assess"])) == list(everything)
    assert list(_command_parsers(["asses"])) == list(everything)


def test_building_the_command_line_imports_neither_pathlib_nor_shutil() -> None:
    # start-up: every command pays for what the command line imports (the 1k benchmark)
    code = (
        "import sys; import sbstrategy.cli as c; c._parser(); print(sorted({'pathlib', 'shutil'} & set(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
