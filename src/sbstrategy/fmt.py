"""The formatter: one canonical layout for rule files, keeping every comment.

The parser drops comments, so the layout is rebuilt from two things: the
statements (each printed canonically from the AST) and the source lines
(where each comment, blank line and statement stood). Every source line
belongs to a statement's first line (its header, which may run over several
lines inside parentheses), to one of its indented lines, or to nothing (a
comment or blank line between statements). Walking the lines in order then
places each comment where it was:

- a comment after a statement line stays at the end of that line;
- a comment inside a header that ran over several lines moves just under it,
  indented like an attribute, since the header is joined into one line;
- a comment line keeps its place among the statements: indented by two
  spaces inside a statement's block (or where it was indented), else at the
  start of the line.

The canonical layout: statements at column 1, indented lines at two spaces,
`, ` between list items, single spaces, names quoted only where the grammar
needs it (`_names.needs_quotes`), keywords in lower case, runs of blank lines
collapsed to one, no blank line at either end, and a final newline. Formatting
refuses a file with syntax errors rather than guess; `format_text` is
idempotent and never changes what the file means (the tests check both).
"""

from __future__ import annotations

import attrs

from . import ast
from ._exprs import depth, number_text, to_text
from ._names import quote, spell
from ._parser import parse_text
from .errors import Diagnostic, SbStrategyError
from .sources import Limits

__all__ = ["format_text"]

_INDENT = "  "


def format_text(text: str, path: str = "<string>", limits: Limits | None = None) -> str:
    """`text` in the canonical layout. Raises `SbStrategyError` (every syntax
    error found) when the text does not parse: such a file is left to its author."""
    statements, diagnostics = parse_text(text, path)
    errors = [d for d in diagnostics if d.severity == "error"]
    max_depth = (limits or Limits()).max_depth
    for statement in statements:
        if isinstance(statement, ast.Rule):
            level, deepest = depth(statement.requirement)
            if level > max_depth:
                errors.append(
                    Diagnostic(
                        "error",
                        "limit",
                        f"expression nested {level} levels deep; the limit is {max_depth} (max_depth)",
                        deepest.span,
                    )
                )
    if errors:
        raise SbStrategyError(errors, {path: text})
    return _Layout(text, statements).render()


# Source lines --------------------------------------------------------------------------------


@attrs.frozen
class _Line:
    code: str  # the line without its comment, stripped
    comment: str | None  # from `#` to the end, trailing space removed
    indented: bool


def _split(line: str) -> _Line:
    """A line's code and comment: `#` inside a string is not a comment."""
    in_string = escaped = False
    for index, char in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "#":
            return _Line(line[:index].strip(), line[index:].rstrip(), line[:1].isspace())
    return _Line(line.strip(), None, line[:1].isspace())


# Statements ---------------------------------------------------------------------------------


def _value(value: str | int | float | ast.Words) -> str:
    if isinstance(value, ast.Words):
        return value.text
    if isinstance(value, str):
        return quote(value)
    return number_text(value)


def _attribute(attribute: ast.Attribute) -> str:
    return f"{attribute.key} " + ", ".join(_value(v) for v in attribute.values)


def _names(names: tuple[ast.Name, ...], where: str) -> str:
    return ", ".join(spell(n.text, where) for n in names)


def _scenario_line(line: ast.ScenarioLine) -> str:
    if isinstance(line, ast.Attribute):
        return _attribute(line)
    if isinstance(line, ast.Given):
        if line.state == "unknown":
            return f"given unknown {_names(line.names, 'given')}"
        if line.state == "level" and line.level is not None:
            return f"given {_names(line.names, 'given')} = {number_text(line.level)}"
        return f"given {_names(line.names, 'given')}"
    text = f"expect {spell(line.name.text, 'expect')} is {line.status}"
    if line.blocked_by:
        text += f" by {_names(line.blocked_by, 'declaration')}"
    return text


def _header(statement: ast.Statement, lines: list[str]) -> str:
    if isinstance(statement, ast.FrameworkDecl):
        return f"framework {quote(statement.title)}"
    if isinstance(statement, ast.CapabilityDecl):
        return f"capability {_names(statement.names, 'declaration')}"
    if isinstance(statement, ast.StageDecl):
        after = f" after {spell(statement.after.text, 'declaration')}" if statement.after else ""
        return f"stage {spell(statement.name.text, 'stage')}{after}"
    if isinstance(statement, ast.Include):
        return f"include {quote(statement.path)}"
    if isinstance(statement, ast.Scenario):
        return f"scenario {quote(statement.title)}"
    return f"{spell(statement.subject.text)} requires {to_text(statement.requirement, lines)}"


def _body(statement: ast.Statement) -> tuple[tuple[int, str], ...]:
    """The indented lines of a statement: (source line, canonical text)."""
    if isinstance(statement, ast.Scenario):
        return tuple((line.span.line, _scenario_line(line)) for line in statement.lines)
    return tuple((a.span.line, _attribute(a)) for a in statement.attributes)


# Layout --------------------------------------------------------------------------------------------


@attrs.define
class _Item:
    """A statement's header or one of its indented lines, and the source lines it covers."""

    first: int
    last: int
    text: str
    indented: bool
    block_end: int  # the last line of the statement this item belongs to


class _Layout:
    def __init__(self, text: str, statements: tuple[ast.Statement, ...]) -> None:
        self.raw = [line.rstrip("\r") for line in text.split("\n")]
        self.lines = [_split(line) for line in self.raw]
        self.statements = statements

    def _items(self) -> dict[int, _Item]:
        """Items by their first line; every line with code is covered by one."""
        starts = sorted(
            [s.span.line for s in self.statements] + [line for s in self.statements for line, _ in _body(s)]
        )
        items: dict[int, _Item] = {}
        for statement in self.statements:
            body = _body(statement)
            block_end = max([statement.span.end_line, *(line for line, _ in body)])
            first = statement.span.line
            later = [s for s in starts if s > first]
            last = self._last_code(first, (later[0] - 1) if later else len(self.lines))
            block_end = max(block_end, last)
            items[first] = _Item(first, last, _header(statement, self.raw), False, block_end)
            for line, text in body:
                items[line] = _Item(line, line, text, True, block_end)
        return items

    def _last_code(self, first: int, limit: int) -> int:
        last = first
        for number in range(first, limit + 1):
            if self.lines[number - 1].code:
                last = number
        return last

    def render(self) -> str:
        items = self._items()
        out: list[str] = []
        blank = False
        block: tuple[int, int] | None = None  # the lines of the statement being written
        number = 1
        total = len(self.lines)

        def emit(line: str) -> None:
            nonlocal blank
            if blank and out:
                out.append("")
            blank = False
            out.append(line)

        while number <= total:
            line = self.lines[number - 1]
            item = items.get(number)
            if item is not None:
                if not item.indented:
                    block = (item.first, item.block_end)
                comment = f"  {line.comment}" if line.comment else ""
                emit((_INDENT if item.indented else "") + item.text + comment)
                # Comments inside a header joined into one line follow it.
                for inner in range(item.first + 1, item.last + 1):
                    inside = self.lines[inner - 1].comment
                    if inside:
                        emit(_INDENT + inside)
                number = item.last + 1
                continue
            if line.code:
                raise SbStrategyError(
                    [Diagnostic("error", "format", f"line {number} could not be placed; the file is left as it is")]
                )
            if line.comment is None:
                blank = True
            else:
                within = block is not None and block[0] < number <= block[1]
                emit((_INDENT if within or line.indented else "") + line.comment)
            number += 1
        return "\n".join(out) + "\n" if out else ""
