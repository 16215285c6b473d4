"""The analyst commands: `assess` with what-if, `explain`, `plan`, `diff`, `graph`, `fmt`.

Kept apart from cli.py (which owns the parser, the exit codes and the core
commands) so that each report command is a few lines: read the inputs once
(`_inputs`), compute with the library, render, write (`_write`). Every report
can go to a file with `--output`, written atomically, so an interrupted run
never leaves half a report behind.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from . import load_assessment
from ._render import Style, diagnostics_text, evaluation_markdown, evaluation_text, json_text
from ._transform import name_key
from .cli import UsageError, _colour, _load_or_report, _rules_path, limits, rule_files_in
from .errors import SbStrategyError
from .sources import SourceError, read_text_file

if TYPE_CHECKING:
    from .assessment import Assessment
    from .cli import _Commands
    from .evaluation import Evaluation
    from .ruleset import RuleSet
    from .whatif import WhatIf

# Modules a command needs only for some options (what-if, --output, fmt's diff) are
# imported where they are used: start-up is most of a small command's time.

__all__ = ["COMMANDS", "assess_options"]

_EXIT_ERRORS = 1


# Shared options and steps ----------------------------------------------------------------------


def _output_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of standard output (atomically: never half a file)",
    )


def _color_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour (default: auto, on a terminal)"
    )


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format (default: text)"
    )


def _unlisted_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--unlisted",
        choices=("unknown", "no"),
        default=None,
        help="what a capability missing from the assessment is (default: the assessment's own setting, else unknown)",
    )


def _assume_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--assume",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="what-if: take a capability as yes, no, unknown or a level, e.g. --assume 'roadmap=yes' "
        "(repeatable); changed statuses are shown against the assessment as it is",
    )


def _style(args: argparse.Namespace, out: TextIO) -> Style:
    if getattr(args, "output", None):
        return Style(args.color == "always")
    return Style(_colour(out, args.color))


def _write(args: argparse.Namespace, out: TextIO, text: str) -> None:
    text = text if text.endswith("\n") else text + "\n"
    target = getattr(args, "output", None)
    if not target:
        print(text, file=out, end="")
        return
    try:
        from ._atomic import write_atomic

        write_atomic(target, text)
    except OSError as problem:
        raise UsageError(f"cannot write {target}: {problem.strerror or problem}") from None


def _one_line(error: SbStrategyError) -> str:
    parts = []
    for diagnostic in error.diagnostics:
        hint = f" ({diagnostic.suggestion})" if diagnostic.suggestion else ""
        parts.append(diagnostic.message + hint)
    return "; ".join(parts)


@attrs.frozen
class _Inputs:
    rules: RuleSet
    assessment: Assessment
    evaluation: Evaluation
    whatif: WhatIf | None


def _load_assessment(path: str, unlisted: str | None) -> Assessment:
    if not os.path.exists(path):
        raise UsageError(f"no such file: {path}")
    assessment = load_assessment(path, limits())
    return assessment.with_unlisted(unlisted) if unlisted else assessment


def _inputs(args: argparse.Namespace, out: TextIO) -> _Inputs | int:
    """Rules, assessment (with any assumptions) and evaluation, or an exit status."""
    rules = _load_or_report(_rules_path(args.rules), out)
    if rules is None:
        return _EXIT_ERRORS
    try:
        assessment = _load_assessment(args.assessment, args.unlisted)
    except SbStrategyError as error:
        print(diagnostics_text(error.diagnostics, error.sources), file=out)
        return _EXIT_ERRORS
    assumptions = getattr(args, "assume", None) or []
    if assumptions:
        from .whatif import apply_assumptions, what_if
    try:
        assumed = apply_assumptions(rules, assessment, assumptions) if assumptions else assessment
    except SbStrategyError as error:
        raise UsageError(_one_line(error)) from None
    try:
        if assumptions:
            whatif = what_if(rules, assessment, assumptions)
            return _Inputs(rules, assumed, whatif.after, whatif)
        return _Inputs(rules, assessment, rules.evaluate(assessment), None)
    except SbStrategyError as error:
        print(diagnostics_text(error.diagnostics, error.sources), file=out)
        return _EXIT_ERRORS


def _node_name(rules: RuleSet, name: str, what: str = "capability or stage") -> str:
    """The declared name, or a usage error with a suggestion."""
    from ._checks._context import suggest

    if name in rules:
        return rules.node(name).name
    declared = {key: node.name for key, node in rules.model.nodes.items()}
    hint = suggest(name_key(name), declared)
    raise UsageError(f"'{name}' is not a {what} of these rules" + (f"; {hint}" if hint else ""))


def _with_whatif(data: dict[str, object], whatif: WhatIf | None) -> dict[str, object]:
    if whatif is not None:
        data["what_if"] = whatif.to_dict()
    return data


def _whatif_text(whatif: WhatIf | None, style: Style) -> list[str]:
    from ._render_progress import whatif_lines

    return [*whatif_lines(whatif, style), ""] if whatif is not None else []


def _whatif_markdown(whatif: WhatIf | None) -> str:
    from ._render_progress import whatif_markdown

    return whatif_markdown(whatif) if whatif is not None else ""


def _report(
    args: argparse.Namespace,
    out: TextIO,
    result: Any,
    whatif: WhatIf | None,
    markdown: Callable[[Any], str],
    text: Callable[[Any, Style], str],
) -> int:
    """Write a report of `result` (anything with `to_dict`) in the chosen format, with the what-if."""
    if args.format == "json":
        rendered = json.dumps(_with_whatif(result.to_dict(), whatif), indent=2, ensure_ascii=False)
    elif args.format == "markdown":
        rendered = _whatif_markdown(whatif) + markdown(result)
    else:
        style = _style(args, out)
        rendered = "\n".join([*_whatif_text(whatif, style), text(result, style)])
    _write(args, out, rendered)
    return 0


# Commands ------------------------------------------------------------------------------------------


def _assess(args: argparse.Namespace, out: TextIO) -> int:
    from ._cli_batch import assess_many, is_batch

    if is_batch(args):
        return assess_many(args, out)
    inputs = _inputs(args, out)
    if isinstance(inputs, int):
        return inputs
    evaluation, whatif = inputs.evaluation, inputs.whatif
    was = whatif.was if whatif is not None else None
    if args.format == "summary":
        text = json_text(_with_whatif(evaluation.summary(), whatif))
    elif args.format == "json":
        # json_text is json.dumps(..., indent=2, ensure_ascii=False), fast on large results
        text = json_text(_with_whatif(evaluation.to_dict(), whatif))
    elif args.format == "markdown":
        text = _whatif_markdown(whatif) + evaluation_markdown(evaluation, was)
    else:
        style = _style(args, out)
        text = "\n".join([*_whatif_text(whatif, style), evaluation_text(evaluation, style, was)])
    _write(args, out, text)
    return 0


def _explain(args: argparse.Namespace, out: TextIO) -> int:
    from ._render_explain import explanation_markdown, explanation_text
    from .explain import explain

    inputs = _inputs(args, out)
    if isinstance(inputs, int):
        return inputs
    name = _node_name(inputs.rules, args.name)
    explanation = explain(inputs.rules, inputs.evaluation, name)
    return _report(args, out, explanation, inputs.whatif, explanation_markdown, explanation_text)


def _plan(args: argparse.Namespace, out: TextIO) -> int:
    from ._render_plan import plan_markdown, plan_text
    from .planning import plan

    inputs = _inputs(args, out)
    if isinstance(inputs, int):
        return inputs
    target = _node_name(inputs.rules, args.target) if args.target else None
    if target is None and not inputs.rules.stages:
        raise UsageError("these rules declare no stage; name a target with --target")
    roadmap = plan(inputs.rules, inputs.assessment, target)
    return _report(args, out, roadmap, inputs.whatif, plan_markdown, plan_text)


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    from ._render_progress import progress_json, progress_markdown, progress_text
    from .progress import diff

    rules = _load_or_report(_rules_path(args.rules), out)
    if rules is None:
        return _EXIT_ERRORS
    try:
        old = rules.evaluate(_load_assessment(args.old, args.unlisted))
        new = rules.evaluate(_load_assessment(args.new, args.unlisted))
    except SbStrategyError as error:
        print(diagnostics_text(error.diagnostics, error.sources), file=out)
        return _EXIT_ERRORS
    progress = diff(rules, old, new)
    if args.format == "json":
        text = progress_json(progress)
    elif args.format == "markdown":
        text = progress_markdown(progress)
    else:
        text = progress_text(progress, _style(args, out))
    _write(args, out, text)
    return 0


def _graph(args: argparse.Namespace, out: TextIO) -> int:
    from .export import export_graph

    rules = _load_or_report(_rules_path(args.rules), out)
    if rules is None:
        return _EXIT_ERRORS
    evaluation = None
    if args.assessment:
        try:
            evaluation = rules.evaluate(_load_assessment(args.assessment, args.unlisted))
        except SbStrategyError as error:
            print(diagnostics_text(error.diagnostics, error.sources), file=out)
            return _EXIT_ERRORS
    _write(args, out, export_graph(rules, evaluation, args.format))
    return 0


def _fmt_files(arguments: list[str]) -> list[str]:
    paths: list[str] = []
    for argument in arguments:
        if os.path.isdir(argument):
            paths.extend(rule_files_in(argument))
        elif not os.path.exists(argument):
            raise UsageError(f"no such file: {argument}")
        else:
            paths.append(argument)
    return paths


def _fmt(args: argparse.Namespace, out: TextIO) -> int:
    import difflib

    from ._atomic import write_atomic
    from .fmt import format_text

    changed = unchanged = broken = 0
    for path in _fmt_files(args.files):
        try:
            source = read_text_file(path, limits())
            formatted = format_text(source.text, path, limits())
        except SourceError as problem:
            print(f"{path}: error: {problem.message}", file=out)
            broken += 1
            continue
        except SbStrategyError as error:
            print(diagnostics_text(error.diagnostics, error.sources), file=out)
            print(f"{path}: not formatted: fix the errors above first", file=out)
            broken += 1
            continue
        if formatted == source.text:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            lines = difflib.unified_diff(
                source.text.splitlines(keepends=True),
                formatted.splitlines(keepends=True),
                f"{path} (original)",
                f"{path} (formatted)",
            )
            print("".join(line if line.endswith("\n") else line + "\n" for line in lines), file=out, end="")
        if args.check or args.diff:
            print(f"would reformat {path}", file=out)
        else:
            try:
                write_atomic(path, formatted)
            except OSError as problem:
                print(f"{path}: error: cannot write: {problem.strerror or problem}", file=out)
                broken += 1
                changed -= 1
                continue
            print(f"reformatted {path}", file=out)
    verb = "would be reformatted" if args.check or args.diff else "reformatted"
    summary = f"{changed} file{'s' if changed != 1 else ''} {verb}, {unchanged} unchanged"
    if broken:
        summary += f", {broken} with errors (left untouched)"
    print(summary, file=out)
    return 1 if broken or (args.check and changed) else 0


# Parser ------------------------------------------------------------------------------------------------


def _assessment_command(commands: _Commands, name: str, help_: str, description: str) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help_, description=description)
    parser.add_argument("rules", metavar="RULES", help="a rule file or a shipped framework name (e.g. readiness)")
    parser.add_argument("assessment", metavar="ASSESSMENT", help="a .yaml, .yml, .json or .toml assessment")
    return parser


def assess_options(assess: argparse.ArgumentParser) -> None:
    """Add what-if and --output to `assess` (made in cli.py with the core options)."""
    _assume_option(assess)
    _output_option(assess)
    assess.set_defaults(run=_assess)


def _add_explain(commands: _Commands) -> None:
    explain = _assessment_command(
        commands,
        "explain",
        "why a stage or capability has its status",
        "Explain why a stage or capability has its status: the rules it rests on (file:line), "
        "their rationale and the value of every term, down to the root causes, and what to do.",
    )
    explain.add_argument("name", metavar="NAME", help="the stage or capability to explain")
    for option in (_format_option, _unlisted_option, _assume_option, _output_option, _color_option):
        option(explain)
    explain.set_defaults(run=_explain)


def _add_plan(commands: _Commands) -> None:
    plan = _assessment_command(
        commands,
        "plan",
        "the roadmap to a stage, in waves, with the least effort",
        "Plan which capabilities to put in place, in waves that respect the dependencies "
        "(wave 1 is ready now), to reach the target stage with the least total effort; "
        "then rank the root causes by how much they hold up.",
    )
    plan.add_argument(
        "--target", metavar="STAGE", help="the stage (or capability) to reach (default: the next stage not reached)"
    )
    for option in (_format_option, _unlisted_option, _assume_option, _output_option, _color_option):
        option(plan)
    plan.set_defaults(run=_plan)


def _add_diff(commands: _Commands) -> None:
    diff = commands.add_parser(
        "diff",
        help="progress between two assessments of one organisation",
        description="Compare two assessments of the same organisation over time: what changed, "
        "which stages moved, which root causes were resolved or appeared.",
    )
    diff.add_argument("rules", metavar="RULES", help="a rule file or a shipped framework name")
    diff.add_argument("old", metavar="OLD", help="the earlier assessment")
    diff.add_argument("new", metavar="NEW", help="the later assessment")
    for option in (_format_option, _unlisted_option, _output_option, _color_option):
        option(diff)
    diff.set_defaults(run=_diff)


def _add_graph(commands: _Commands) -> None:
    graph = commands.add_parser(
        "graph",
        help="export the dependency graph (Mermaid, DOT, GraphML, JSON)",
        description="Export the dependency graph; with an assessment, nodes are coloured by status.",
    )
    graph.add_argument("rules", metavar="RULES", help="a rule file or a shipped framework name")
    graph.add_argument("--assessment", metavar="FILE", help="colour the nodes by this assessment's statuses")
    graph.add_argument(
        "--format",
        choices=("mermaid", "dot", "graphml", "json"),
        default="mermaid",
        help="output format (default: mermaid)",
    )
    _unlisted_option(graph)
    _output_option(graph)
    graph.set_defaults(run=_graph)


def _add_fmt(commands: _Commands) -> None:
    fmt = commands.add_parser(
        "fmt",
        help="rewrite rule files in the canonical layout",
        description="Rewrite rule files in one canonical layout, keeping every comment. "
        "A file with errors is reported and left untouched; files are replaced atomically.",
    )
    fmt.add_argument("files", nargs="+", metavar="FILE", help="rule files or folders of them")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    fmt.add_argument("--diff", action="store_true", help="change nothing; print a unified diff of the changes")
    fmt.set_defaults(run=_fmt)


# The analyst commands, in the order `sbstrategy --help` lists them (after cli.py's own)
COMMANDS: dict[str, Callable[[_Commands], None]] = {
    "explain": _add_explain,
    "plan": _add_plan,
    "diff": _add_diff,
    "graph": _add_graph,
    "fmt": _add_fmt,
}
