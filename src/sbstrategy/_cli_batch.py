"""`sbstrategy assess RULES many.csv --format csv|jsonl`: one output row per organisation.

The command-line side of `_batch`: choosing the input (a CSV of organisations,
or one assessment file giving one row), where the rows go (standard output, or
`--output FILE` written beside the target and renamed into place when complete,
so an interrupted batch never leaves half a file), and where problems go:
standard error, because standard output carries the data.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import TextIO

from ._render import diagnostics_text
from .cli import UsageError, _load_or_report, _rules_path, limits
from .errors import SbStrategyError
from .ruleset import RuleSet

__all__ = ["assess_many", "is_batch"]

BATCH_FORMATS = ("csv", "jsonl")


def is_batch(args: argparse.Namespace) -> bool:
    """Whether `assess` was asked for rows (a CSV of organisations in, or CSV/JSON Lines out)."""
    return args.format in BATCH_FORMATS or str(args.assessment).lower().endswith(".csv")


def assess_many(args: argparse.Namespace, out: TextIO) -> int:
    # imported here: `assess` of one assessment imports this module only to ask `is_batch`
    from ._batch import BatchError, assess_rows

    path = args.assessment
    if args.format not in BATCH_FORMATS:
        raise UsageError(f"{path} is a CSV of organisations: assess it with --format csv or --format jsonl")
    if getattr(args, "assume", None):
        raise UsageError("--assume applies to one assessment, not to a CSV of organisations")
    rules = _load_or_report(_rules_path(args.rules), out)
    if rules is None:
        return 1
    if not os.path.exists(path):
        raise UsageError(f"no such file: {path}")
    progress = {"always": True, "never": False}.get(getattr(args, "progress", "auto"))
    target = getattr(args, "output", None)
    try:
        with _destination(target, out) as stream:
            if path.lower().endswith(".csv"):
                unlisted = args.unlisted or "unknown"
                left_out = assess_rows(rules, path, stream, args.format, unlisted=unlisted, progress=progress)
            else:
                left_out = _one_row(rules, path, stream, args.format, args.unlisted)
    except BatchError as problem:
        print(diagnostics_text(problem.error.diagnostics, problem.error.sources), file=sys.stderr)
        return 1
    except SbStrategyError as error:
        print(diagnostics_text(error.diagnostics, error.sources), file=sys.stderr)
        return 1
    return 1 if left_out else 0


def _one_row(rules: RuleSet, path: str, stream: TextIO, fmt: str, unlisted: str | None) -> int:
    """One assessment file as one row (the same columns as a CSV of organisations gives)."""
    import csv

    from . import load_assessment
    from ._batch import _csv_cells, columns, row_result

    assessment = load_assessment(path, limits())
    evaluation = rules.evaluate(assessment, unlisted=unlisted)
    result = row_result(evaluation._run, evaluation.organisation)
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns(rules.compiled))
        writer.writerow(_csv_cells(result))
    else:
        stream.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


@contextlib.contextmanager
def _destination(target: str | None, out: TextIO) -> Iterator[TextIO]:
    """Standard output, or a temporary file beside `target` renamed into place once complete."""
    if not target:
        yield out
        return
    try:
        from ._atomic import open_atomic

        opened = open_atomic(target)
        stream = opened.__enter__()
    except OSError as problem:
        raise UsageError(f"cannot write {target}: {problem.strerror or problem}") from None
    with contextlib.ExitStack() as stack:
        stack.push(opened)
        yield stream
