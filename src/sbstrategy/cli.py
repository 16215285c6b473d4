"""The command line: `sbstrategy check | assess | test | frameworks | explain | plan | diff | graph | fmt`.

`main(argv)` returns the exit status and never lets an exception escape for
bad input: 0 all good, 1 rule or assessment errors or failed scenarios,
2 usage errors (including files named on the command line that do not exist).
"""

from __future__ import annotations

import argparse
import contextvars
import gc
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from . import __version__, load
from ._render import Style, diagnostics_json, diagnostics_text, scenario_report
from .errors import Diagnostic, SbStrategyError
from .sources import Limits, MiB

if TYPE_CHECKING:
    from typing import TypeAlias

    from .ruleset import RuleSet

    _Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line use: exit status 2."""


def _colour(stream: TextIO, choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _rules_path(argument: str) -> str:
    """A rule file path, or the name of a shipped framework."""
    if os.path.exists(argument):
        return argument
    from .catalogue import find_framework  # only for a name that is not a file

    shipped = find_framework(argument)
    if shipped is not None and os.sep not in argument and "/" not in argument:
        relative = os.path.relpath(shipped)
        return relative if not relative.startswith("..") else str(shipped)
    raise UsageError(f"no such file or shipped framework: {argument} (see 'sbstrategy frameworks')")


def _expand(arguments: Sequence[str]) -> list[str]:
    """Files, shipped names, and folders (their *.sbr files, sorted)."""
    paths: list[str] = []
    for argument in arguments:
        if os.path.isdir(argument):
            paths.extend(rule_files_in(argument))
        else:
            paths.append(_rules_path(argument))
    return paths


def rule_files_in(folder: str) -> list[str]:
    """The *.sbr files of `folder`, sorted; a usage error when there are none."""
    from pathlib import Path  # only for folders: pathlib costs every command's start-up

    inside = sorted(str(p) for p in Path(folder).glob("*.sbr"))
    if not inside:
        raise UsageError(f"no .sbr files in folder {folder}")
    return inside


# Limits ----------------------------------------------------------------------------

# The command line reads files its operator chose, among them generated models
# of a million capabilities (about 60 MB), so it allows more than the library's
# defaults, which are sized for text from strangers. `--limit NAME=VALUE`
# changes any of them; the library reads files only under these.
CLI_LIMITS = Limits(max_file_bytes=256 * MiB, max_total_bytes=1024 * MiB)

_LIMITS: contextvars.ContextVar[Limits] = contextvars.ContextVar("sbstrategy_cli_limits", default=CLI_LIMITS)
_LIMIT_NAMES = ("max_file_bytes", "max_total_bytes", "max_name_length", "max_depth", "max_files")
_SIZE = re.compile(r"(\d[\d_]*)\s*([kmg]?)i?b?", re.IGNORECASE)


def limits() -> Limits:
    """The limits of the command being run (`--limit`, else `CLI_LIMITS`)."""
    return _LIMITS.get()


def _limit_argument(text: str) -> tuple[str, int]:
    name, _, value = text.partition("=")
    name = name.strip().replace("-", "_")
    if name not in _LIMIT_NAMES:
        raise argparse.ArgumentTypeError(f"unknown limit {name!r}; the limits are {', '.join(_LIMIT_NAMES)}")
    match = _SIZE.fullmatch(value.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{name} takes a whole number (sizes may end in K, M or G), not {value!r}")
    scale = {"": 1, "k": 1024, "m": MiB, "g": 1024 * MiB}[match.group(2).lower()]
    return name, int(match.group(1).replace("_", "")) * scale


def _limit_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        type=_limit_argument,
        metavar="NAME=VALUE",
        help="change a limit on what is read (repeatable): max_file_bytes (default 256M), max_total_bytes "
        "(1G), max_name_length (200), max_depth (100, at most 200), max_files (2000); see SECURITY.md",
    )


def _limits_of(args: argparse.Namespace) -> Limits:
    changes = dict(getattr(args, "limit", None) or ())
    try:
        return attrs.evolve(CLI_LIMITS, **changes)
    except ValueError as problem:
        raise UsageError(str(problem)) from None


def _load_or_report(path: str, out: TextIO) -> RuleSet | None:
    from ._gc import paused as paused_gc
    from ._memory import keep_freed_memory_for

    keep_freed_memory_for(path)  # a very large model: freed tables are reused, not mapped anew

    # The rule set lives as long as the command. Frozen, its objects (millions for a
    # large model) are left out of every later garbage collection, which would
    # otherwise visit them all again and again while the evaluation and the report
    # are built; `main` unfreezes them when the command ends. Frozen before the
    # collector is on again: freezing also resets its count of new objects, which
    # would otherwise start a collection over the whole model at once.
    with paused_gc():
        try:
            rules = load(path, limits=limits())
        except SbStrategyError as error:
            print(diagnostics_text(error.diagnostics, error.sources), file=out)
            return None
        gc.freeze()
    return rules


# Commands ---------------------------------------------------------------------------


def _check(args: argparse.Namespace, out: TextIO) -> int:
    found: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for path in _expand(args.files):
        try:
            rules = load(path, limits=limits())
            found.extend(rules.diagnostics)
            sources.update(rules.sources)
        except SbStrategyError as error:
            found.extend(error.diagnostics)
            sources.update(error.sources)
    unique = list(dict.fromkeys(found))
    errors = sum(1 for d in unique if d.severity == "error")
    warnings = len(unique) - errors
    if args.format == "json":
        print(diagnostics_json(unique), file=out)
    else:
        if unique:
            print(diagnostics_text(unique, sources), file=out)
        files = len(_expand(args.files))
        print(
            f"checked {files} file{'s' if files != 1 else ''}: "
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}",
            file=out,
        )
    return 1 if errors or (args.strict and warnings) else 0


def _test(args: argparse.Namespace, out: TextIO) -> int:
    style = Style(_colour(out, args.color))
    passed = failed = broken = 0
    for path in _expand(args.files):
        rules = _load_or_report(path, out)
        if rules is None:
            broken += 1
            continue
        results = rules.run_scenarios()
        ok = sum(1 for r in results if r.passed)
        passed += ok
        failed += len(results) - ok
        for line in scenario_report(path, results, rules.sources, style):
            print(line, file=out)
        if args.verbose or len(results) == ok:
            print(f"{path}: {len(results)} scenario{'s' if len(results) != 1 else ''}, {ok} passed", file=out)
    summary = f"{passed} passed, {failed} failed"
    if broken:
        summary += f" ({broken} file{'s' if broken != 1 else ''} did not load)"
    print(summary, file=out)
    return 1 if failed or broken else 0


def _count(number: int, word: str) -> str:
    plural = "capabilities" if word == "capability" else word + "s"
    return f"{number} {word if number == 1 else plural}"


def _frameworks(args: argparse.Namespace, out: TextIO) -> int:
    from .catalogue import frameworks

    shipped = frameworks()
    if args.format == "json":
        import json

        print(
            json.dumps(
                [
                    {
                        "name": f.name,
                        "title": f.title,
                        "source": f.source,
                        "capabilities": f.capabilities,
                        "stages": f.stages,
                        "scenarios": f.scenarios,
                    }
                    for f in shipped
                ],
                indent=2,
                ensure_ascii=False,
            ),
            file=out,
        )
        return 0
    width = max((len(f.name) for f in shipped), default=4)
    for info in shipped:
        size = ", ".join(
            _count(n, word)
            for n, word in ((info.capabilities, "capability"), (info.stages, "stage"), (info.scenarios, "scenario"))
        )
        print(f"{info.name.ljust(width)}  {info.title or ''}", file=out)
        print(f"{' ' * width}  {size}; source: {info.source or '-'}", file=out)
    return 0


# Parser -------------------------------------------------------------------------------


def _help_width() -> int:
    """The width argparse gives help text (the terminal's, `COLUMNS` first, less 2),
    found as `shutil.get_terminal_size` finds it: argparse imports shutil for it, and
    shutil imports the compression modules, a few milliseconds of every start."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None):
        super().__init__(prog, indent_increment, max_help_position, _help_width() if width is None else width)


class _Parser(argparse.ArgumentParser):
    """argparse's parser with `_Formatter`; its subcommands' parsers are made of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def _add_check(commands: _Commands) -> None:
    check = commands.add_parser(
        "check",
        help="report errors and warnings in rule files",
        description="Report every error and warning in the given rule files.",
    )
    check.add_argument(
        "files", nargs="+", metavar="FILE", help="rule files, folders of them, or shipped framework names"
    )
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    _limit_option(check)
    check.set_defaults(run=_check)


def _add_assess(commands: _Commands) -> None:
    from ._cli_tools import _color_option, _unlisted_option, assess_options

    assess = commands.add_parser(
        "assess",
        help="evaluate an organisation's assessment",
        description="Evaluate an assessment: the stage reached, what blocks each stage, "
        "the root causes to work on first, and the open questions.",
    )
    assess.add_argument("rules", metavar="RULES", help="a rule file or a shipped framework name (e.g. readiness)")
    assess.add_argument(
        "assessment",
        metavar="ASSESSMENT",
        help="a .yaml, .yml, .json or .toml assessment, or a .csv with one organisation per row "
        "(columns: organisation, then capabilities; cells yes, no, unknown, a level, or empty for unlisted)",
    )
    assess.add_argument(
        "--format",
        choices=("text", "json", "markdown", "summary", "csv", "jsonl"),
        default="text",
        help="output format (default: text); summary: JSON with each stage's status and counts and the next "
        "stage's root causes in full; csv, jsonl: one row per organisation (the format for a .csv of organisations)",
    )
    assess.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="a progress bar on standard error while a CSV of organisations is assessed (default: auto, on a terminal)",
    )
    _unlisted_option(assess)
    _color_option(assess)
    _limit_option(assess)
    assess_options(assess)


def _add_test(commands: _Commands) -> None:
    from ._cli_tools import _color_option

    test = commands.add_parser(
        "test",
        help="run the scenarios in rule files",
        description="Run every scenario; print each failure with expected and actual status.",
    )
    test.add_argument(
        "files", nargs="+", metavar="FILE", help="rule files, folders of them, or shipped framework names"
    )
    test.add_argument("-v", "--verbose", action="store_true", help="also list files whose scenarios all pass")
    _color_option(test)
    _limit_option(test)
    test.set_defaults(run=_test)


def _add_frameworks(commands: _Commands) -> None:
    shipped = commands.add_parser(
        "frameworks",
        help="list the shipped frameworks",
        description="List the frameworks shipped with sbstrategy, with title, source and size.",
    )
    shipped.add_argument("--format", choices=("text", "json"), default="text")
    shipped.set_defaults(run=_frameworks)


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser; given the arguments, only the command they start with gets its options.

    Every subcommand is listed in any case (help, choices); making the options of
    all nine, each with argparse's message lookups, was a few milliseconds of every
    start, which a command on a small model feels. When the arguments do not start
    with a command (`--help`, `--version`, a misspelt command) every command is
    made in full, so help and errors are the same as ever.
    """
    # The analyst commands (explain, plan, diff, graph, fmt) live in their own module,
    # with the options that several commands share.
    from ._cli_tools import COMMANDS

    builders: dict[str, Callable[[_Commands], None]] = {
        "check": _add_check,
        "assess": _add_assess,
        "test": _add_test,
        "frameworks": _add_frameworks,
        **COMMANDS,
    }
    chosen = argv[0] if argv and argv[0] in builders else None
    parser: argparse.ArgumentParser = _Parser(
        prog="sbstrategy",
        description="Check, test and evaluate social business strategy rule files (*.sbr).",
        epilog="Exit status: 0 all good, 1 rule or assessment errors or failed scenarios, 2 usage errors.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name, add in builders.items():
        if chosen in (None, name):
            add(commands)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out or sys.stdout
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(arguments)
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    reset = None
    frozen = gc.get_freeze_count()
    thresholds = gc.get_threshold()
    # A command allocates its objects in bulk and keeps nearly all of them until it ends:
    # collecting every 700 new objects (the default) visits the same young objects
    # again and again. A collection every 100,000 still bounds what cycles a long
    # batch may leave behind (as mypy does for the same reason).
    gc.set_threshold(100_000, 50, 50)
    try:
        reset = _LIMITS.set(_limits_of(args))
        return int(args.run(args, out))
    except UsageError as problem:
        print(f"sbstrategy: error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    finally:
        gc.set_threshold(*thresholds)
        if reset is not None:
            _LIMITS.reset(reset)
        if not frozen and gc.get_freeze_count():
            gc.unfreeze()


def main_entry() -> None:
    """Console-script (and `python -m sbstrategy`) entry point.

    Ends the process without tearing the heap down: freeing the millions of
    objects of a large model one by one at interpreter exit took 0.4 s of a 3 s
    run, for nothing the operating system does not do at once. Output is flushed
    first; a failure to flush (a closed pipe) is the usual exit status 0 of
    `BrokenPipeError` handling, or 1 when nothing was handled.
    """
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    except OSError:
        status = status or 1
    os._exit(status)
