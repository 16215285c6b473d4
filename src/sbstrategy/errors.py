"""Diagnostics, the one exception type, and the one caret renderer.

Every problem the library finds in user input becomes a `Diagnostic`; loading
collects them all and raises one `SbStrategyError` holding every one, so an
analyst fixes a file in one pass. The error subclasses `ValueError` because
bad input is what it reports.
"""

from __future__ import annotations

import functools
import re
from array import array
from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from ._attrs_repr import fields_repr
from .ast import Span

__all__ = ["Diagnostic", "SbStrategyError", "Severity", "render_diagnostic"]

Severity = Literal["error", "warning"]

# A source line longer than this is shown as a window around the caret.
_MAX_SHOWN = 100


@attrs.frozen(repr=False)
class Diagnostic:
    """One problem: where it is, how bad, a stable `code`, and what to do."""

    __repr__ = fields_repr

    severity: Severity
    code: str
    message: str
    span: Span | None = None
    suggestion: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def path(self) -> str | None:
        return self.span.path if self.span else None

    def to_dict(self) -> dict[str, object]:
        span = self.span
        return {
            "path": span.path if span else None,
            "line": span.line if span else None,
            "column": span.column if span else None,
            "end_line": span.end_line if span else None,
            "end_column": span.end_column if span else None,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "suggestion": self.suggestion,
            "notes": list(self.notes),
        }

    def sort_key(self) -> tuple[str, int, int, str]:
        span = self.span
        if span is None:
            return ("", 0, 0, self.code)
        return (span.path, span.line, span.column, self.code)


def render_diagnostic(diagnostic: Diagnostic, source: str | None = None) -> str:
    """`path:line:col: error: message`, the source line, a caret, then help."""
    span = diagnostic.span
    head = f"{diagnostic.severity}: {diagnostic.message} [{diagnostic.code}]"
    lines = [f"{span.path}:{span.line}:{span.column}: {head}" if span else head]
    if span is not None and source is not None:
        lines.extend(_excerpt(span, source))
    lines.extend(f"    note: {note}" for note in diagnostic.notes)
    if diagnostic.suggestion:
        lines.append(f"    help: {diagnostic.suggestion}")
    return "\n".join(lines)


@functools.lru_cache(maxsize=2)
def _line_starts(source: str) -> array[int]:
    """Where each line of `source` starts. Cached (str hashes are cached too), so
    rendering thousands of diagnostics of one file finds each line at once
    instead of walking the text from its start every time."""
    starts = array("q", [0])
    starts.extend(match.end() for match in _NEWLINE.finditer(source))
    return starts


_NEWLINE = re.compile("\n")


def _source_line(source: str, number: int) -> str | None:
    starts = _line_starts(source)
    if not 1 <= number <= len(starts):
        return None
    start = starts[number - 1]
    end = source.find("\n", start)
    return source[start : end if end >= 0 else len(source)].rstrip("\r")


def _excerpt(span: Span, source: str) -> list[str]:
    text = _source_line(source, span.line)
    if text is None:
        return []
    text = text.replace("\t", " ")
    first = max(span.column - 1, 0)
    last = span.end_column - 1 if span.end_line == span.line else len(text)
    last = max(min(last, len(text)), first + 1)
    left = 0
    if len(text) > _MAX_SHOWN:
        # Show a window around the caret so a 2 MB line stays readable.
        left = max(0, first - 20)
        right = min(len(text), left + _MAX_SHOWN)
        prefix = "…" if left else ""
        suffix = "…" if right < len(text) else ""
        text = prefix + text[left:right] + suffix
        first, last = first - left + len(prefix), min(last, right) - left + len(prefix)
    width = max(last - first, 1)
    return [f"    {text}", f"    {' ' * first}{'^' * min(width, _MAX_SHOWN)}"]


class SbStrategyError(ValueError):
    """Raised for any bad input: rule files, assessments, paths, limits.

    `diagnostics` holds every problem found (warnings found alongside included);
    `str(error)` renders them with source excerpts.
    """

    def __init__(
        self,
        diagnostics: Iterable[Diagnostic],
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        self.sources: Mapping[str, str] = dict(sources or {})
        super().__init__(self.render())

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    def render(self) -> str:
        return "\n".join(
            render_diagnostic(d, self.sources.get(d.span.path) if d.span else None) for d in self.diagnostics
        )

    def __str__(self) -> str:
        return self.render()
