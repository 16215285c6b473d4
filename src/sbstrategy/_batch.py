"""Many organisations against one rule set: `RuleSet.evaluate_many` and `assess RULES many.csv`.

A batch is the same evaluation repeated, so everything that does not depend on
the row is done once: the rule set is compiled once, and after a few rows the
pass is generated as one Python function (`Program.batch_pass`) in which every
node's value is a local variable. A row then costs reading its cells, one pass
and writing one line: time proportional to the model, nothing that grows with
the number of rows, and no per-row result kept once it is written.

CSV in, CSV or JSON Lines out, streaming: `csv.reader` feeds one row at a time
and `csv.writer` writes it, so memory does not depend on how many organisations
the file holds. The header is checked before any row is read (an unknown
column is an error with a suggestion; a typo must never turn into an unassessed
capability for every organisation), and a bad cell is reported with its line
and column like every other diagnostic; the row is left out, the rest go on,
and the exit status says that something was left out.
"""

from __future__ import annotations

import csv
import json
import operator
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from ._compiled import (
    CAPABILITY_STATUSES,
    NO,
    STAGE_STATUS,
    UNKNOWN,
    YES,
    BatchPass,
    Level,
    Program,
    Run,
    capability_counts,
    highest_reached,
    next_stage,
)
from ._facts import WORDS, encode_assessment, word_or_level
from .assessment import Assessment
from .ast import Span
from .errors import Diagnostic, SbStrategyError, render_diagnostic
from .evaluation import Evaluation

if TYPE_CHECKING:
    from _csv import Reader as _Reader

    from .ruleset import RuleSet

__all__ = ["BatchError", "assess_rows", "evaluate_many", "row_result"]

# The generated pass runs about three times faster than the plain one, but compiling it
# costs about 150 plain passes of the same model (60 µs a node: 0.3 s at 5,000 nodes), so
# it pays from a few hundred rows on; and compiling one function grows faster than its
# size, so very large models keep the plain pass.
_GENERATE_AFTER = 256
_GENERATE_MAX_NODES = 20_000
_SHOWN_ERRORS = 20  # rows with problems printed in full; the rest are counted
_CACHE_LIMIT = 4096  # distinct cell texts remembered per batch


class _Pass:
    """The pass for a batch: the plain one first, the generated one once the batch proves long."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.rows = 0
        self.generated: BatchPass | None = None if program.n <= _GENERATE_MAX_NODES else program.run

    def __call__(self, in_place: list[int], levels: Sequence[Level]) -> tuple[list[int], list[int]]:
        if self.generated is not None:
            return self.generated(in_place, levels)
        self.rows += 1
        if self.rows > _GENERATE_AFTER:
            self.generated = self.program.batch_pass()
        return self.program.run(in_place, levels)


def evaluate_many(
    ruleset: RuleSet, rows: Iterable[Assessment | Mapping[str, object]], *, unlisted: str | None = None
) -> Iterator[Evaluation]:
    program = ruleset.compiled
    framework = ruleset.framework
    run_pass = _Pass(program)
    for row in rows:
        assessment = row if isinstance(row, Assessment) else Assessment.from_mapping(row)
        if unlisted is not None:
            assessment = assessment.with_unlisted(unlisted)
        in_place, levels = encode_assessment(ruleset, assessment)
        values, holds = run_pass(in_place, levels)
        yield Evaluation(framework, assessment.organisation, Run(program, in_place, levels, values, holds))


# --- one output row ------------------------------------------------------------------------------


def columns(program: Program) -> list[str]:
    """The header of the CSV output."""
    stages = [f"stage: {program.name(s)}" for s in program.stages]
    counts = [f"capabilities {status}" for status in CAPABILITY_STATUSES]
    return ["organisation", "highest_reached", "next_stage", *stages, *counts]


def row_result(run: Run, organisation: str | None) -> dict[str, object]:
    """One organisation's outcome: the stage reached, the next one, every stage's status, the counts."""
    program, holds = run.program, run.holds
    highest, upcoming = run.highest_reached(), run.next_stage()
    return {
        "organisation": organisation,
        "highest_reached": program.name(highest) if highest >= 0 else None,
        "next_stage": program.name(upcoming) if upcoming >= 0 else None,
        "stages": {program.name(s): STAGE_STATUS[holds[s]] for s in program.stages},
        "capability_status": run.capability_counts(),
    }


def _csv_cells(result: dict[str, object]) -> list[object]:
    stages: dict[str, str] = result["stages"]  # type: ignore[assignment]
    counts: dict[str, int] = result["capability_status"]  # type: ignore[assignment]
    return [
        result["organisation"] or "",
        result["highest_reached"] or "",
        result["next_stage"] or "",
        *stages.values(),
        *counts.values(),
    ]


# --- reading a CSV of organisations -------------------------------------------------------------------


class BatchError(Exception):
    """A problem with the batch as a whole (unreadable file, bad header): nothing was evaluated."""

    def __init__(self, error: SbStrategyError) -> None:
        super().__init__(str(error))
        self.error = error


def _lines(stream: TextIO, record: list[str]) -> Iterator[str]:
    """The file's lines for csv.reader, each also added to `record` (the caller clears it per row),
    so that a problem can be shown in the text of its row."""
    for line in stream:
        record.append(line)
        yield line


def _position(stream: TextIO) -> int:
    """Bytes read so far (by the buffer, a little ahead of the rows): for the progress bar only."""
    try:
        return int(stream.buffer.tell())
    except (AttributeError, OSError, ValueError):
        return 0


def _field_starts(text: str) -> list[int]:
    """Where each field of one CSV record starts in its text (the default dialect: quotes doubled)."""
    starts = [0]
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"':
                if i + 1 < len(text) and text[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
        elif char == '"':
            quoted = True
        elif char == ",":
            starts.append(i + 1)
        i += 1
    return starts


def _span(path: str, line: int, record: list[str], field: int) -> tuple[Span, str]:
    """Where field `field` of a record starting at `line` is, and a source text for the caret renderer."""
    text = "".join(record).rstrip("\r\n")
    starts = _field_starts(text)
    offset = starts[field] if field < len(starts) else 0
    end = starts[field + 1] - 1 if field + 1 < len(starts) else len(text)
    before = text[:offset]
    line += before.count("\n")
    column = offset - (before.rfind("\n") + 1) + 1
    shown = text.split("\n")[before.count("\n")].rstrip("\r")
    width = len(text[offset:end].split("\n")[0].rstrip("\r"))
    # the record's line at its own number: the one caret renderer finds it there
    source = "\n" * (line - 1) + shown
    return Span(path, line, column, line, column + max(width, 1)), source


class _Problems:
    """Rows with problems, rendered as they are found (a batch is not held in memory)."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.rows = 0

    def report(self, diagnostics: list[tuple[Diagnostic, str]]) -> None:
        self.rows += 1
        if self.rows <= _SHOWN_ERRORS:
            for diagnostic, source in diagnostics:
                print(render_diagnostic(diagnostic, source), file=self.err)


def _header(program: Program, path: str, header: list[str], record: list[str]) -> tuple[int, list[tuple[int, int]]]:
    """(the organisation column, (column, capability index) pairs); SbStrategyError for a bad header."""
    from ._checks._context import suggest

    found: list[Diagnostic] = []
    sources: dict[str, str] = {}
    organisation = -1
    cells: list[tuple[int, int]] = []
    seen: dict[int, int] = {}
    declared = {program.keys[i]: program.name(i) for i in program.capabilities}

    def problem(field: int, message: str, suggestion: str | None = None, code: str = "assessment") -> None:
        span, source = _span(path, 1, record, field)
        found.append(Diagnostic("error", code, message, span, suggestion))
        sources[path] = source

    for field, raw in enumerate(header):
        name = " ".join(raw.split())
        if not name:
            problem(field, f"column {field + 1} has no name", "name every column: organisation, then capabilities")
            continue
        if name.casefold() in ("organisation", "organization"):
            if organisation >= 0:
                problem(field, "the organisation column is given twice")
            organisation = field
            continue
        i = program.lookup(name)
        if i is None:
            from ._transform import name_key

            hint = suggest(name_key(name), declared) or "check the spelling against the rule files"
            problem(field, f"'{name}' is not a capability of these rules", hint, "unknown-fact")
        elif program.is_stage[i]:
            message = f"'{name}' is a stage; stages follow from the capabilities and are not assessed"
            problem(field, message, code="unknown-fact")
        elif i in seen:
            problem(field, f"'{name}' is given twice (also column {seen[i] + 1})", "give each capability one column")
        else:
            seen[i] = field
            cells.append((field, i))
    if organisation < 0:
        span = Span(path, 1, 1, 1, 2)
        found.append(
            Diagnostic(
                "error",
                "assessment",
                "the first column is 'organisation'",
                span,
                "start the header with: organisation,<capability>,<capability>,…",
            )
        )
        sources[path] = "".join(record).split("\n")[0]
    if found:
        raise SbStrategyError(found, sources)
    return organisation, cells


class _Progress:
    """A progress bar on standard error, only when it is a terminal."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.shown = 0.0

    def update(self, rows: int, done: int, *, final: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not final and now - self.shown < 0.1:
            return
        self.shown = now
        share = min(done / self.total, 1.0)
        bar = "#" * int(share * 30)
        end = "\n" if final else ""
        self.stream.write(f"\rassess: [{bar:<30}] {share:4.0%}  {rows:,} organisations{end}")
        self.stream.flush()


def assess_rows(
    ruleset: RuleSet,
    path: str,
    out: TextIO,
    fmt: str,
    *,
    unlisted: str = "unknown",
    err: TextIO | None = None,
    progress: bool | None = None,
) -> int:
    """Evaluate every organisation of a CSV file and write one row (CSV) or line (JSON Lines) each.

    Returns the number of rows left out because of a problem (each reported on
    `err` as it is found). Raises `BatchError` when nothing can be evaluated
    (unreadable file, bad header). `progress` (default: `err` is a terminal)
    draws a progress bar on `err`.
    """
    err = err or sys.stderr
    program = ruleset.compiled
    if progress is None:
        progress = hasattr(err, "isatty") and err.isatty()
    try:
        size = os.path.getsize(path)
        stream = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115  (closed below)
    except OSError as problem:
        raise BatchError(
            SbStrategyError(
                [Diagnostic("error", "unreadable-file", f"cannot read {path}: {problem.strerror or problem}")]
            )
        ) from None
    with stream:
        record: list[str] = []
        reader: _Reader = csv.reader(_lines(stream, record))
        try:
            header = next(reader, None)
            if header is None:
                span = Span(path, 1, 1, 1, 2)
                message = "the file is empty"
                raise BatchError(
                    SbStrategyError(
                        [Diagnostic("error", "assessment", message, span, "the first line names the columns")]
                    )
                )
            try:
                organisation, cells = _header(program, path, header, record)
            except SbStrategyError as error:
                raise BatchError(error) from None
            record.clear()
            batch = _Batch(program, path, organisation, cells, len(header), unlisted, err)
            return batch.run(reader, record, stream, out, fmt, progress, size)
        except UnicodeDecodeError as problem:
            raise BatchError(
                SbStrategyError([Diagnostic("error", "encoding", f"{path} is not UTF-8 text: {problem.reason}")])
            ) from None
        except csv.Error as problem:
            span = Span(path, reader.line_num or 1, 1, reader.line_num or 1, 2)
            raise BatchError(
                SbStrategyError([Diagnostic("error", "assessment", f"not valid CSV: {problem}", span)])
            ) from None


class _Batch:
    """The rows of one CSV file: cells to arrays, the pass, one output row each."""

    def __init__(
        self,
        program: Program,
        path: str,
        organisation: int,
        cells: list[tuple[int, int]],
        width: int,
        unlisted: str,
        err: TextIO,
    ) -> None:
        self.program = program
        self.path = path
        self.organisation = organisation
        self.cells = cells
        self.width = width
        self.problems = _Problems(err)
        self.err = err
        self.base_in_place, self.base_levels = program.template(unlisted)
        # The fast path reads a row's in-place codes in node order with one itemgetter:
        # two cells are appended to every row, "" for a capability without a column
        # (unlisted) and "\0" for a stage (always 2, the neutral value of `min`).
        field_of = dict((i, field) for field, i in cells)
        picks = [width + 1 if program.is_stage[i] else field_of.get(i, width) for i in range(program.n)]
        pick = operator.itemgetter(*picks) if picks else (lambda row: ())
        self.pick = pick if len(picks) != 1 else (lambda row: (pick(row),))
        self.codes = {**WORDS, "": self.base_in_place[program.capabilities[0]] if program.capabilities else UNKNOWN}
        self.codes["\0"] = YES
        # compared capabilities need a number (or unknown): their yes/no cells take the careful path
        self.compared = [(field, i) for field, i in cells if i in program.compared_at]
        self.cache: dict[str, tuple[int, Level] | None] = {}
        self.stage_names = [program.name(s) for s in program.stages]

    def run(
        self,
        reader: _Reader,
        record: list[str],
        stream: TextIO,
        out: TextIO,
        fmt: str,
        progress: bool,
        size: int,
    ) -> int:
        program = self.program
        bar = _Progress(size, self.err if progress else None)
        writer = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if writer is not None:
            writer.writerow(columns(program))
        run_pass = _Pass(program)
        pick, get_code, compared = self.pick, self.codes.get, self.compared
        base_levels, width, organisation = self.base_levels, self.width, self.organisation
        stages = program.stages
        names = {s: program.name(s) for s in stages}
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        end = reader.line_num
        rows = 0
        flushed = time.monotonic()
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row:
                record.clear()
                continue  # a blank line
            if len(row) != width:
                span, source = _span(self.path, start, record, 0)
                message = f"this row has {len(row)} cells, the header has {width}"
                self.problems.report([(Diagnostic("error", "assessment", message, span), source)])
                record.clear()
                continue
            name = row[organisation] or None
            row.append("")
            row.append("\0")
            # no None among the codes means every cell was a plain word
            codes = list(map(get_code, pick(row)))
            levels = base_levels  # read only: a plain word has no level, an empty cell the unlisted one
            if None in codes or any(row[field] in ("yes", "no") for field, _ in compared):
                found = self._careful(row, start, record)
                if found is None:
                    record.clear()
                    continue
                in_place, levels = found
            else:
                in_place = codes  # type: ignore[assignment]
            record.clear()
            _, holds = run_pass(in_place, levels)
            highest, upcoming = highest_reached(program, holds), next_stage(program, holds)
            counts = capability_counts(program, in_place, holds)
            if writer is not None:
                writer.writerow(
                    [
                        name or "",
                        names[highest] if highest >= 0 else "",
                        names[upcoming] if upcoming >= 0 else "",
                        *[STAGE_STATUS[holds[s]] for s in stages],
                        *counts.values(),
                    ]
                )
            else:
                result = {
                    "organisation": name,
                    "highest_reached": names[highest] if highest >= 0 else None,
                    "next_stage": names[upcoming] if upcoming >= 0 else None,
                    "stages": dict(zip(self.stage_names, [STAGE_STATUS[holds[s]] for s in stages], strict=True)),
                    "capability_status": counts,
                }
                out.write(dumps(result) + "\n")
            rows += 1
            if not rows & 1023:
                now = time.monotonic()
                if now - flushed > 0.1:
                    out.flush()
                    flushed = now
                    bar.update(rows, _position(stream))
        out.flush()
        bar.update(rows, size, final=True)
        problems = self.problems.rows
        if problems > _SHOWN_ERRORS:
            print(f"{self.path}: {problems - _SHOWN_ERRORS} more rows with problems not shown", file=self.err)
        if problems:
            print(f"{self.path}: {problems} row{'s' if problems != 1 else ''} left out (see above)", file=self.err)
        return problems

    def _careful(self, row: list[str], start: int, record: list[str]) -> tuple[list[int], list[Level]] | None:
        """A row's arrays cell by cell (numbers, other spellings, problems); None when it has a problem."""
        program, cache = self.program, self.cache
        met_at, compared = program.met_at, program.compared
        in_place, levels = self.base_in_place.copy(), self.base_levels.copy()  # base_levels is shared
        bad: list[tuple[Diagnostic, str]] = []
        for field, i in self.cells:
            text = row[field]
            if not text:
                continue  # unlisted
            if text in cache:
                found = cache[text]
            else:
                found = word_or_level(text)  # level: decided by `met at` below
                if len(cache) < _CACHE_LIMIT:
                    cache[text] = found
            if found is None:
                span, source = _span(self.path, start, record, field)
                message = f"'{program.name(i)}': {text!r} is not yes, no, unknown or a number"
                bad.append((Diagnostic("error", "bad-fact", message, span), source))
                continue
            state, level = found
            if state < 0:
                state = YES if level >= met_at.get(i, 1.0) else NO  # type: ignore[operator]
            elif i in compared and state != UNKNOWN:
                requirement = compared[i]
                span, source = _span(self.path, start, record, field)
                message = (
                    f"'{program.name(i)}' is compared by level at {requirement.span.path}:{requirement.span.line}, "
                    f"but this row says {text!r}, which has no level"
                )
                bad.append((Diagnostic("error", "level-needed", message, span, "give a number, e.g. 2"), source))
                continue
            in_place[i] = state
            levels[i] = level
        if bad:
            self.problems.report(bad)
            return None
        return in_place, levels
