"""Text to AST: the lazily built Lark parser, line structure, syntax errors.

Lark's exceptions stop here: every syntax error becomes a `Diagnostic` in the
analyst's words (never a terminal name such as `_NL` or `$END`). To report
every syntax error of a file in one run, the statement that failed is left out
and parsing goes on after it. Only the lines not yet read are parsed again
(the statements before the failed one are parsed once more on their own), so
a file with many errors costs about two parses, not one per error: re-parsing
the whole text per error made a 1 MB file with 25 errors near its end take
forty seconds.

Text goes to the hand-written fast path (`_fastparse`) first: it reads text
written the usual way and gives up on anything else. Only then is Lark imported
and its parser built, which costs more than reading a small file.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import ast
from ._fastparse import parse_fast
from ._resources import data_dir
from ._transform import CURRENT_PATH, SyntaxProblem, ToAst
from .errors import Diagnostic

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedInput

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
        from lark import Token

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
    from lark import Lark

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
    fast = parse_fast(text, path)
    if fast is not None:
        return fast, []
    from lark.exceptions import UnexpectedInput

    reset = CURRENT_PATH.set(path)
    try:
        # Trailing white space would read as an indented line at the end.
        work = text.rstrip() + "\n"
        try:
            statements: tuple[ast.Statement, ...] = _lark().parse(work)  # type: ignore[assignment]
        except (UnexpectedInput, SyntaxProblem) as problem:
            return _recover(work, path, problem)
        return statements, []
    finally:
        CURRENT_PATH.reset(reset)


# Error recovery -----------------------------------------------------------------


def _recover(
    work: str, path: str, problem: UnexpectedInput | SyntaxProblem
) -> tuple[tuple[ast.Statement, ...], list[Diagnostic]]:
    """Every syntax error of `work`, whose first parse failed with `problem`.

    The text is read as segments of whole lines. When a segment fails, the
    failed statement is reported and dropped, and the lines before it and
    after it become two new segments: the first is known to parse (the parser
    read it without complaint), the second is parsed from its start. Each
    segment is parsed with its original line numbers (blank lines stand in
    for the text above it), so spans need no adjusting.
    """
    from lark.exceptions import UnexpectedInput

    lines = work.split("\n")
    statements: list[ast.Statement] = []
    diagnostics: list[Diagnostic] = []
    segments = [(1, len(lines))]  # 1-based, inclusive; the last one is read first
    failure: UnexpectedInput | SyntaxProblem | None = problem
    while segments:
        first_line, last_line = segments.pop()
        if failure is None:
            segment = "\n" * (first_line - 1) + "\n".join(lines[first_line - 1 : last_line]) + "\n"
            try:
                statements.extend(_lark().parse(segment))  # type: ignore[arg-type]
                continue
            except (UnexpectedInput, SyntaxProblem) as again:
                failure = again
        diagnostic, first, last = _describe(failure, lines, first_line, last_line, path)
        failure = None
        diagnostics.append(diagnostic)
        if len(diagnostics) >= MAX_SYNTAX_ERRORS:
            return (), diagnostics
        # Drop lines first..last; the clamps guarantee progress.
        first = min(max(first, first_line), last_line)
        last = min(max(last, first), last_line)
        if last < last_line:
            segments.append((last + 1, last_line))
        if first > first_line:
            segments.append((first_line, first - 1))
    return tuple(statements), diagnostics


def _statement_bounds(lines: list[str], line: int, lowest: int = 1, highest: int | None = None) -> tuple[int, int]:
    """1-based first and last line of the statement around `line`, within lowest..highest."""
    top = len(lines) if highest is None else min(highest, len(lines))
    index = min(max(line, lowest), top) - 1
    first = index
    while first > lowest - 1 and not _starts_statement(lines[first]):
        first -= 1
    last = index
    while last + 1 < top and not _starts_statement(lines[last + 1]):
        last += 1
    return first + 1, last + 1


def _starts_statement(line: str) -> bool:
    return bool(line) and not line[0].isspace() and not line.startswith("#")


# Only these characters matter when looking for an open parenthesis.
_PAREN_SCAN = re.compile(r'[()"#\\]')


def _unclosed_paren(lines: list[str], first: int, line: int, column: int) -> tuple[int, int] | None:
    """Line and column of the innermost '(' still open just before (line, column),
    reading from line `first` (where the parse started)."""
    stack: list[tuple[int, int]] = []
    for number in range(first, line + 1):
        source = lines[number - 1]
        stop = max(column - 1, 0) if number == line else len(source)
        in_string = False
        skip = -1
        for match in _PAREN_SCAN.finditer(source, 0, stop):
            position = match.start()
            if position < skip:
                continue
            char = source[position]
            if in_string:
                if char == "\\":
                    skip = position + 2
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "#":
                break
            elif char == "(":
                stack.append((number, position + 1))
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


def _describe(
    problem: UnexpectedInput | SyntaxProblem, lines: list[str], lowest: int, highest: int, path: str
) -> tuple[Diagnostic, int, int]:
    """The diagnostic for a syntax error in lines lowest..highest, and which lines to drop."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(problem, SyntaxProblem):
        first, last = _statement_bounds(lines, problem.span.line, lowest, highest)
        diagnostic = Diagnostic("error", "syntax", problem.message, problem.span, problem.suggestion)
        return diagnostic, first, last

    line = problem.line if problem.line and problem.line > 0 else highest
    line = min(max(line, lowest), highest, len(lines))
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
            message = f"unexpected word '{_shorten(str(token))}'"
        elif kind == "STRING":
            message = f"unexpected string {_shorten(str(token))}"
        else:
            message = f"unexpected {_describe_terminal(kind)}"
        wanted = _expected(expected)
        if wanted:
            message += f"; {wanted}"
    elif isinstance(problem, UnexpectedCharacters):
        source = lines[line - 1]
        char = source[column - 1] if column - 1 < len(source) else ""
        message = f"unexpected character {char!r}"
        if char == '"':
            message = "string is not closed before the end of the line"
        elif char.isdigit():
            message = "a name cannot start with a digit"
            suggestion = 'write the name in double quotes, e.g. "2nd stage"'
    else:  # pragma: no cover - Lark raises only the two kinds above for LALR
        message = "syntax error"

    first, last = _statement_bounds(lines, line, lowest, highest)
    opened = _unclosed_paren(lines, lowest, line, column)
    if opened is not None and opened[0] < line:
        paren_line, paren_column = opened
        span = ast.Span(path, paren_line, paren_column, paren_line, paren_column + 1)
        message = "'(' is never closed"
        suggestion = f"close it before line {line}, where a new statement starts"
        first = min(first, _statement_bounds(lines, paren_line, lowest, highest)[0])
        return Diagnostic("error", "syntax", message, span, suggestion), first, last
    if lines[first - 1][:1].isspace():
        message = "an indented line must belong to a declaration above it"
        suggestion = "start statements in the first column; indent only attribute lines"
        span = ast.Span(path, first, 1, first, len(lines[first - 1]) + 1)
        return Diagnostic("error", "syntax", message, span, suggestion), first, last

    typo = _keyword_typo(lines, first, line, column, expected)
    if typo is not None:
        word_line, word_col, word, keyword = typo
        span = ast.Span(path, word_line, word_col, word_line, word_col + len(word))
        message = f"unknown word '{word}'"
        suggestion = f"did you mean '{keyword}'?"
    return Diagnostic("error", "syntax", message, span, suggestion), first, last


def _shorten(text: str, most: int = 1000) -> str:
    """A word or string for a message: a 10 MB token is shown by its start."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _keyword_typo(
    lines: list[str], first_line: int, line: int, column: int, expected: set[str]
) -> tuple[int, int, str, str] | None:
    """A misspelt keyword before the error point, such as `require` or `capabilty`."""
    candidates = {_KEYWORDS[n] for n in expected if n in _KEYWORDS}
    candidates.update(_STATEMENT_KEYWORDS)
    candidates.add("requires")
    ordered = sorted(candidates)
    # A word more than half as long again as the longest keyword is never
    # within difflib's 0.8 of it; words are looked at once each, and only the
    # first few hundred, so a statement of a million words costs no more.
    longest = max(map(len, ordered)) * 3 // 2
    close_to: dict[str, list[str]] = {}
    looked = 0
    for number in range(first_line, line + 1):
        source = lines[number - 1]
        stop = column if number == line else len(source) + 1
        for match in _TYPO_SCAN.finditer(source):
            if match.start() >= stop or looked >= _MAX_TYPO_WORDS:
                break
            if match.lastgroup == "comment":
                break
            if match.lastgroup != "word":
                continue  # a quoted string
            looked += 1
            word = match.group().lower()
            if word in candidates or len(word) > longest:
                continue
            if word not in close_to:
                close_to[word] = difflib.get_close_matches(word, ordered, n=1, cutoff=0.8)
            close = close_to[word]
            if close:
                is_statement_kw = close[0] in _STATEMENT_KEYWORDS
                if is_statement_kw and not (match.start() == 0 and number == first_line):
                    continue
                return number, match.start() + 1, match.group(), close[0]
    return None


_TYPO_SCAN = re.compile(r'(?P<string>"(?:[^"\\]|\\.)*"?)|(?P<comment>#)|(?P<word>' + _WORD.pattern + ")")
_MAX_TYPO_WORDS = 400
