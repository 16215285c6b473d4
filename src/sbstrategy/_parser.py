"""Text to AST: the lazily built Lark parser, line structure, syntax errors.

Lark's exceptions stop here: every syntax error becomes a `Diagnostic` in the
analyst's words (never a terminal name such as `_NL` or `$END`). To report
every syntax error of a file in one run, the statement that failed is blanked
out (keeping line numbers) and the text parsed again.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from . import ast
from ._resources import data_dir
from ._transform import CURRENT_PATH, SyntaxProblem, ToAst
from .errors import Diagnostic

__all__ = ["parse_text"]

# After this many syntax errors in one file the rest is not worth reading.
MAX_SYNTAX_ERRORS = 25

_TERMINAL_WORDS = {
    "WORD": "a name",
    "STRING": "a quoted string",
    "NUMBER": "a number",
    "CMP": "a comparison (>=, >, <=, <, =, !=)",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "_NL": "the end of the line",
    "_INDENT": "an indented attribute line",
    "NEWLINE": "the end of the line",
    "$END": "the end of the file",
}
_KEYWORDS = {
    "FRAMEWORK": "framework",
    "CAPABILITY": "capability",
    "STAGE": "stage",
    "INCLUDE": "include",
    "SCENARIO": "scenario",
    "_AFTER": "after",
    "_OF": "of",
    "DESCRIPTION": "description",
    "SOURCE": "source",
    "EFFORT": "effort",
    "OWNER": "owner",
    "TAGS": "tags",
    "BECAUSE": "because",
    "MET": "met at",
    "_AT": "at",
    "GIVEN": "given",
    "UNKNOWN": "unknown",
    "EXPECT": "expect",
    "_IS": "is",
    "_BY": "by",
    "_AND": "and",
    "_OR": "or",
    "NOT": "not",
    "_REQUIRES": "requires",
}
_RESERVED = {"_AND", "_OR", "NOT", "_REQUIRES"}
_STATEMENT_KEYWORDS = ("framework", "capability", "stage", "include", "scenario")
_WORD = re.compile(r"(?:[^\W\d]|')[\w'\-]*")


class _LineStructure:
    """Post-lexer: a line break ends a statement (`_NL`), or starts an indented
    attribute line (`_INDENT`), or is ignored inside parentheses."""

    always_accept = ("NEWLINE",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        # Each line break is passed on at once: the contextual lexer lexes the
        # next word in the parser state that the break leads to.
        depth = 0
        for token in stream:
            kind = token.type
            if kind == "NEWLINE":
                if depth:
                    continue
                last_line = token.value.rsplit("\n", 1)[-1]
                # Only a line that holds a statement's words can be indented;
                # a trailing comment at the end of the file cannot.
                indented = last_line != "" and "#" not in last_line
                yield Token.new_borrow_pos("_INDENT" if indented else "_NL", "", token)
                continue
            if kind == "LPAR":
                depth += 1
            elif kind == "RPAR" and depth:
                depth -= 1
            yield token


@functools.cache
def _lark() -> Lark:
    grammar = (data_dir("grammars") / "sbr.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        postlex=_LineStructure(),
        transformer=ToAst(),
        maybe_placeholders=True,
    )


def parse_text(text: str, path: str) -> tuple[tuple[ast.Statement, ...], list[Diagnostic]]:
    """Parse one file's text; return its statements and its syntax errors.

    Statements that failed to parse are left out of the result.
    """
    diagnostics: list[Diagnostic] = []
    reset = CURRENT_PATH.set(path)
    try:
        # Trailing white space would read as an indented line at the end.
        work = text.rstrip() + "\n"
        while True:
            try:
                statements: tuple[ast.Statement, ...] = _lark().parse(work)  # type: ignore[assignment]
                return statements, diagnostics
            except (UnexpectedInput, SyntaxProblem) as problem:
                diagnostic, first, last = _describe(problem, work, path)
                diagnostics.append(diagnostic)
                blanked = _blank_lines(work, first, last)
                if blanked == work or len(diagnostics) >= MAX_SYNTAX_ERRORS:
                    return (), diagnostics
                work = blanked
    finally:
        CURRENT_PATH.reset(reset)


# Error recovery -----------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _statement_bounds(lines: list[str], line: int) -> tuple[int, int]:
    """1-based first and last line of the statement around `line`."""
    index = min(max(line - 1, 0), len(lines) - 1)
    first = index
    while first > 0 and not _starts_statement(lines[first]):
        first -= 1
    last = index
    while last + 1 < len(lines) and not _starts_statement(lines[last + 1]):
        last += 1
    return first + 1, last + 1


def _starts_statement(line: str) -> bool:
    return bool(line) and not line[0].isspace() and not line.startswith("#")


def _blank_lines(text: str, first: int, last: int) -> str:
    lines = _lines(text)
    for index in range(first - 1, min(last, len(lines))):
        lines[index] = " " * len(lines[index].rstrip("\r"))
    return "\n".join(lines)


def _unclosed_paren(text: str, upto: int) -> tuple[int, int] | None:
    """Line and column of the innermost '(' still open at offset `upto`."""
    stack: list[tuple[int, int]] = []
    line, col = 1, 0
    in_string = in_comment = escaped = False
    for char in text[:upto]:
        col += 1
        if char == "\n":
            line, col, in_comment, in_string = line + 1, 0, False, False
        elif in_comment:
            continue
        elif in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "#":
            in_comment = True
        elif char == "(":
            stack.append((line, col))
        elif char == ")" and stack:
            stack.pop()
    return stack[-1] if stack else None


# Messages -------------------------------------------------------------------------


def _describe_terminal(name: str) -> str:
    if name in _KEYWORDS:
        return f"'{_KEYWORDS[name]}'"
    return _TERMINAL_WORDS.get(name, name.lower())


def _expected(names: set[str]) -> str:
    words = sorted({_describe_terminal(n) for n in names if n != "NEWLINE"})
    if not words:
        return ""
    if len(words) > 6:
        words = [*words[:6], "…"]
    return "expected " + (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1])


def _offset(text: str, line: int, column: int) -> int:
    lines = _lines(text)
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def _describe(problem: UnexpectedInput | SyntaxProblem, text: str, path: str) -> tuple[Diagnostic, int, int]:
    """The diagnostic for a syntax error, and which lines to blank out."""
    if isinstance(problem, SyntaxProblem):
        first, last = _statement_bounds(_lines(text), problem.span.line)
        diagnostic = Diagnostic("error", "syntax", problem.message, problem.span, problem.suggestion)
        return diagnostic, first, last

    line = problem.line if problem.line and problem.line > 0 else len(_lines(text))
    column = problem.column if problem.column and problem.column > 0 else 1
    expected: set[str] = set(getattr(problem, "expected", None) or getattr(problem, "allowed", None) or ())
    span = ast.Span(path, line, column, line, column + 1)
    suggestion: str | None = None

    if isinstance(problem, UnexpectedToken):
        token = problem.token
        kind = token.type
        if kind not in ("$END", "_NL", "_INDENT") and token.end_column:
            span = ast.Span(path, line, column, token.end_line or line, token.end_column)
        if kind in _RESERVED:
            message = f"'{token}' is a reserved word and cannot stand here"
            suggestion = 'a name that contains a reserved word is written in double quotes, e.g. "staff and funding"'
        elif kind == "$END":
            message = "unexpected end of file"
        elif kind in ("_NL", "_INDENT"):
            message = "unexpected end of line"
            if kind == "_INDENT":
                message = "unexpected indented line"
        elif kind == "WORD":
            message = f"unexpected word '{token}'"
        elif kind == "STRING":
            message = f"unexpected string {token}"
        else:
            message = f"unexpected {_describe_terminal(kind)}"
        wanted = _expected(expected)
        if wanted:
            message += f"; {wanted}"
    elif isinstance(problem, UnexpectedCharacters):
        position = problem.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        message = f"unexpected character {char!r}"
        if char == '"':
            message = "string is not closed before the end of the line"
        elif char.isdigit():
            message = "a name cannot start with a digit"
            suggestion = 'write the name in double quotes, e.g. "2nd stage"'
    else:  # pragma: no cover - Lark raises only the two kinds above for LALR
        message = "syntax error"

    lines = _lines(text)
    first, last = _statement_bounds(lines, line)
    opened = _unclosed_paren(text, _offset(text, line, column))
    if opened is not None and opened[0] < line:
        paren_line, paren_column = opened
        span = ast.Span(path, paren_line, paren_column, paren_line, paren_column + 1)
        message = "'(' is never closed"
        suggestion = f"close it before line {line}, where a new statement starts"
        first = min(first, _statement_bounds(lines, paren_line)[0])
        return Diagnostic("error", "syntax", message, span, suggestion), first, last
    if lines[first - 1][:1].isspace():
        message = "an indented line must belong to a declaration above it"
        suggestion = "start statements in the first column; indent only attribute lines"
        span = ast.Span(path, first, 1, first, len(lines[first - 1]) + 1)
        return Diagnostic("error", "syntax", message, span, suggestion), first, last

    typo = _keyword_typo(text, first, line, column, expected)
    if typo is not None:
        word_line, word_col, word, keyword = typo
        span = ast.Span(path, word_line, word_col, word_line, word_col + len(word))
        message = f"unknown word '{word}'"
        suggestion = f"did you mean '{keyword}'?"
    return Diagnostic("error", "syntax", message, span, suggestion), first, last


def _keyword_typo(
    text: str, first_line: int, line: int, column: int, expected: set[str]
) -> tuple[int, int, str, str] | None:
    """A misspelt keyword before the error point, such as `require` or `capabilty`."""
    candidates = {_KEYWORDS[n] for n in expected if n in _KEYWORDS}
    candidates.update(_STATEMENT_KEYWORDS)
    candidates.add("requires")
    lines = _lines(text)
    for number in range(first_line, line + 1):
        source = lines[number - 1]
        stop = column if number == line else len(source) + 1
        in_string = False
        for match in _WORD.finditer(source):
            if match.start() >= stop:
                break
            # Skip words inside quotes and comments on this line.
            before = source[: match.start()]
            in_string = before.count('"') % 2 == 1
            if in_string or "#" in before.replace('"#', ""):
                continue
            word = match.group().lower()
            if word in candidates:
                continue
            close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.8)
            if close and (number, match.start()) != (0, 0):
                is_statement_kw = close[0] in _STATEMENT_KEYWORDS
                if is_statement_kw and not (match.start() == 0 and number == first_line):
                    continue
                return number, match.start() + 1, match.group(), close[0]
    return None
