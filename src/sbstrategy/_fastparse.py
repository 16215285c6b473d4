"""The fast path from rule text to AST, for text written the usual way.

Why it exists: Lark's LALR parser spends most of a large file's load time in
per-token Python machinery (a Token object per word, the contextual lexer, the
post-lexer, a callback per grammar rule), and importing and building it costs
more than reading a small file. Rule files are line-oriented - one statement per
line, indented attribute lines, names made of words, a small expression
language - so one regular expression per line and a small recursive-descent
parser read them several times faster, without importing Lark at all.

The contract: for every text this module accepts, it builds exactly the AST the
Lark path builds (the same nodes, names, values and spans). It never reports a
problem: on anything it does not expect (a syntax error, a keyword in a name,
an unusual layout, deep nesting) it gives up, `parse_fast` returns None, and
the Lark path reads the text and words the diagnostics. The grammar
(grammars/sbr.lark) stays the definition of the language; a Hypothesis property
test (tests/test_fastparse.py) checks that whenever this module accepts a text,
its statements and every span equal the Lark path's.

Two outputs of one reader: `parse_fast` gives AST statements (for `parse_text`
and tools); `read_compact` gives the loader small records instead of the
statements large files are made of (declarations and rules: a name's text,
key and span, a rule's code from `_code`), because building an AST node per
reference costs most of a large load's time and memory. `Origin` reads a
statement's AST again from the text when someone asks for it. Two quick lanes,
one regular expression each, read the commonest lines (`capability NAME`, and
`NAME requires` names joined by `and`, `,` and `or`) without tokens; the
general reader below them handles everything else the same way in both modes.

Lark's keywords, as reproduced here: a word is a keyword only where the parser
state accepts that keyword, compared as Lark compares them (`re.IGNORECASE`,
under which `ı` matches `i`). The parser state after any word of a name is
shared by every kind of name (LALR merges them), so `after` and `is` end every
unquoted name: this module gives up when one appears inside a name, except where
the statement expects it (`stage A after B`, `expect A is S`).
"""

from __future__ import annotations

import re
from typing import Any

from . import ast
from ._code import ALL, ANY, CMP, NOT, OF, Code
from ._transform import MAX_NUMBER_LENGTH, name_key, unquote

__all__ = ["CAPABILITY", "DECLARE", "RULE", "Compact", "Origin", "parse_fast", "read_compact"]

# The grammar's terminals, for one line at a time. A reserved word is a word
# whose whole run is `and`, `or`, `not` or `requires` (the grammar's WORD
# refuses exactly those), so words and reserved words share one group.
_TOKEN = re.compile(
    r"""([\t \f]*)(?:
        ("(?:[^"\\\n\r]|\\.)*")          # string
      | ((?:[^\W\d]|')[\w'\-]*)           # word
      | (\d+(?:\.\d+)?(?![\w'\-]))        # number
      | (>=|<=|!=|=|>|<|[(),])            # comparison, parenthesis, comma
      | (\#[^\r\n]*)                      # comment
      | ([^\t \f])                        # anything else but trailing white space: not for the fast path
    )""",
    re.VERBOSE,
)
_KEYWORDS = (
    "and", "or", "not", "requires",  # reserved: never a word
    "framework", "capability", "stage", "include", "scenario",  # at the start of a statement
    "after", "is", "of", "by", "given", "expect", "unknown", "at",  # where the grammar expects them
    "description", "source", "effort", "owner", "tags", "because", "met",  # attribute keys
)  # fmt: skip
_KEYWORD_SET = frozenset(_KEYWORDS)
# Only non-ASCII words need it (see _fold); compiled by `re` on first use and kept in its cache.
_KEYWORD_PATTERN = "|".join(f"(?P<{k}>{k})" for k in _KEYWORDS)
_RESERVED = frozenset(_KEYWORDS[:4])
_ATTRIBUTE_KEYS = frozenset(_KEYWORDS[-7:])
_COMPARISONS = frozenset((">=", "<=", "!=", "=", ">", "<"))
# Deeper expressions go to the Lark path (which also applies the depth limit);
# this keeps the recursive descent far from Python's recursion limit.
_MAX_DEPTH = 40

# A token is (kind, text, line, column). Kinds: a word, a string, a number, an
# operator or parenthesis or comma, or for a reserved word the word in lower case.
Token = tuple[str, str, int, int]
_WORD, _STRING, _NUMBER, _OP = "w", "s", "n", "o"


# Quick lanes for the two lines that large files are mostly made of, each read by
# one regular expression (the general reader below handles everything else):
# `capability NAME` and `NAME requires TERM, TERM and TERM` where a term is a
# name or a parenthesised `or` of names (or the whole requirement an `or` of
# names). Name words are refused exactly as the grammar refuses them.
_S = r"[\t \f]+"
_END = r"(?![\w'\-])"
# Possessive (`*+`, `++`): nothing that may follow a name or a list of terms can start
# inside it (a name's words are never `and`, `or` or `requires`), so backtracking
# into them only costs time when a line does not match.
_NAME = (
    rf"(?!(?i:and|or|not|requires){_END})(?:[^\W\d]|')[\w'\-]*+"
    rf"(?:{_S}(?!(?i:and|or|not|requires|after|is){_END})(?:[^\W\d]|')[\w'\-]*+)*+"
)
_OR = rf"{_S}(?i:or){_S}"
_TERM = rf"{_NAME}|\([\t \f]*{_NAME}(?:{_OR}{_NAME})++[\t \f]*\)"
_SEP = rf"[\t \f]*,[\t \f]*|{_S}(?i:and){_S}"
_QUICK_RULE = re.compile(
    rf"((?!(?i:framework|capability|stage|include|scenario){_END}){_NAME}){_S}(?i:requires){_S}"
    rf"((?:{_TERM})(?:(?:{_SEP})(?:{_TERM}))*+|{_NAME}(?:{_OR}{_NAME})++)[\t \f]*"
)
_QUICK_CAPABILITY = re.compile(rf"(?i:capability){_S}({_NAME})[\t \f]*")
_SPACE_OR_HASH = frozenset("\t \f#")


def _split(matched: str, word: str, separator: str) -> list[str]:
    """`re.split(separator, matched)`, for terms a quick lane has matched (separated by `,`
    or by `word`, such as " and ", in any letter case between white space): a plain
    `str.split` when every separator is `word` as written here, which is how files
    are mostly written and takes half the time of the regular expression."""
    if matched.isascii() and "," not in matched and "  " not in matched and "\t" not in matched and "\f" not in matched:
        parts = matched.split(word)
        # no other spelling of the word (a name's words are never `and` or `or`)
        if len(parts) - 1 == matched.lower().count(word):
            return parts
    return re.split(separator, matched)  # compiled on first use (most files never need it)


# Records that `read_compact` gives for the statements that large files are made of
# (every other statement is given as its AST); they are small because a large file
# has hundreds of thousands of them:
#   (CAPABILITY, text, key, span)  `capability NAME` alone, without attribute lines
#   (DECLARE, kind, names, after, attributes)  kind "capability" or "stage"; names a
#       tuple of (text, key, span); after one such or None
#   (RULE, subject text, subject key, code, span, attributes)
# where attributes are AST nodes. `Origin.statement` reads a rule's AST again from
# the line its span starts on.
CAPABILITY, DECLARE, RULE = "capability", "declare", "rule"
NameRecord = tuple[str, str, ast.Span]
Record = tuple[Any, ...] | ast.Statement


class _GiveUp(Exception):
    """Not something the fast path reads: the Lark path decides."""


def parse_fast(text: str, path: str) -> tuple[ast.Statement, ...] | None:
    """The statements of `text`, or None when the Lark path must read it."""
    try:
        return tuple(_Reader(text, path, compact=False).statements())  # type: ignore[arg-type]
    except _GiveUp:
        return None


class Compact:
    """What `read_compact` found in one file."""

    def __init__(self, records: list[Record], reader: _Reader) -> None:
        self.records = records
        #: At least as long as the longest name, and as deep as the deepest
        #: expression's AST (each level of parentheses or `not` holds at most an
        #: `or`, an `and` and one more node): enough for the loader to know that
        #: no statement breaks a limit.
        self.longest = max(map(len, reader.keys), default=0)
        self.depth = 3 * (reader.nesting + 1)


def read_compact(text: str, path: str) -> Compact | None:
    """The statements of `text` as records (see DECLARE and RULE), or None
    when the Lark path must read it."""
    try:
        reader = _Reader(text, path, compact=True)
        return Compact(reader.statements(), reader)
    except _GiveUp:
        return None


class Origin:
    """One file whose statements are read again when someone asks for their
    AST (the text is the one the RuleSet keeps anyway). A statement the fast
    path cannot read alone is found in the Lark path's reading of the file."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self._reader: _Reader | None = None
        self._by_line: dict[int, ast.Statement] | None = None

    def statement(self, line: int) -> ast.Statement:
        """The statement that starts on `line` (0-based)."""
        if self._by_line is None:
            try:
                if self._reader is None:
                    self._reader = _Reader(self.text, self.path, compact=False)
                return self._reader.statement_at(line)[0]  # type: ignore[return-value]
            except _GiveUp:
                from ._parser import parse_text

                statements, _ = parse_text(self.text, self.path)
                self._by_line = {s.span.line - 1: s for s in statements}
        return self._by_line[line]


def _fold(word: str) -> str | None:
    """The keyword or reserved word that `word` is in any letter case, or None."""
    if word.isascii():
        lower = word.lower()
        return lower if lower in _KEYWORD_SET else None
    match = re.fullmatch(_KEYWORD_PATTERN, word, re.IGNORECASE)
    return match.lastgroup if match else None


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise _GiveUp  # the Lark path reports it (int() would raise past 4,300 digits)
    return float(text) if "." in text else int(text)


def _is(token: Token | None, kind: str, text: str | None = None) -> bool:
    return token is not None and token[0] == kind and (text is None or token[1] == text)


def _keyword(token: Token | None) -> str | None:
    return _fold(token[1]) if token is not None and token[0] == _WORD else None


class _Reader:
    """One file: lines to statements (AST nodes, or records with `compact`)."""

    def __init__(self, text: str, path: str, *, compact: bool) -> None:
        if "\r" in text:
            if text.count("\r") != text.count("\r\n"):
                raise _GiveUp  # a lone carriage return is white space inside a line
            text = text.replace("\r\n", "\n")
        lines = text.split("\n")
        # As the Lark path does: trailing white space would read as an indented line. It is
        # stripped from the lines, not the text (`text.rstrip()` copied a large file once more).
        while len(lines) > 1 and (not lines[-1] or lines[-1].isspace()):
            lines.pop()
        lines[-1] = lines[-1].rstrip()
        self.lines = lines
        self.path = path
        self.compact = compact
        # Each spelling's key is computed once; names with that spelling share the strings.
        self.keys: dict[str, str] = {}
        self.nesting = 0

    def span(self, first: Token, last: Token) -> ast.Span:
        return ast.Span(self.path, first[2], first[3], last[2], last[3] + len(last[1]))

    def key(self, text: str) -> str:
        key = self.keys.get(text)
        if key is None:
            key = name_key(text)
            self.keys[text] = key = text if key == text else key
        return key

    # Lines and tokens -----------------------------------------------------------------

    def tokenize(self, number: int, tokens: list[Token], depth: int) -> int:
        """Append the tokens of line `number` (0-based); return the parenthesis
        depth at its end, given the depth at its start."""
        line = self.lines[number]
        column = 0
        for space, string, word, numeral, op, comment, other in _TOKEN.findall(line):
            column += len(space)
            if word:
                lower = word.lower() if word.isascii() else _fold(word)
                tokens.append((lower if lower in _RESERVED else _WORD, word, number + 1, column + 1))
                column += len(word)
            elif op:
                if op == "(":
                    depth += 1
                    if depth > _MAX_DEPTH:
                        raise _GiveUp  # deep nesting: the Lark path's limits decide
                elif op == ")":
                    depth -= 1
                    if depth < 0:
                        raise _GiveUp  # a ')' with no '(' before it
                tokens.append((_OP, op, number + 1, column + 1))
                column += len(op)
            elif string:
                tokens.append((_STRING, string, number + 1, column + 1))
                column += len(string)
            elif numeral:
                tokens.append((_NUMBER, numeral, number + 1, column + 1))
                column += len(numeral)
            elif other:
                # a character no token starts with (matched, not skipped: findall skips what
                # matches nothing, which only white space at the end of the line may be)
                raise _GiveUp
            else:
                column += len(comment)
        return depth

    def logical_line(self, number: int) -> tuple[list[Token], int]:
        """The tokens of line `number`, continued onto the next lines while a
        parenthesis is open (as the grammar's post-lexer does); and the number
        of the line after them."""
        tokens: list[Token] = []
        depth = self.tokenize(number, tokens, 0)
        number += 1
        while depth:
            if number == len(self.lines):
                raise _GiveUp  # '(' never closed
            depth = self.tokenize(number, tokens, depth)
            number += 1
        return tokens, number

    def statement_at(self, number: int) -> tuple[Record, int]:
        """The statement that starts on line `number` with its indented lines;
        and the number of the line after them."""
        lines = self.lines
        count = len(lines)
        quick = self.quick(lines[number], number) if self.compact else None
        if quick is None:
            tokens, number = self.logical_line(number)
        else:
            tokens, number = [], number + 1
        indented: list[list[Token]] = []
        while number < count:
            line = lines[number]
            if line and line[0] not in _SPACE_OR_HASH:
                break  # the next statement (the common case, checked first)
            head = line.lstrip("\t \f")
            if head and head[0] != "#":
                more, number = self.logical_line(number)
                indented.append(more)
            else:
                number += 1
        if quick is None:
            return self.statement(tokens, indented), number
        if not indented:
            return quick, number
        if quick[0] == RULE:
            return (*quick[:-1], self.attributes(indented)), number
        return (DECLARE, "capability", (quick[1:],), None, self.attributes(indented)), number

    def quick(self, line: str, number: int) -> tuple[Any, ...] | None:
        """The record of line `number` if a quick lane reads it (as if no
        attribute lines followed), else None."""
        row = number + 1  # one int object for both ends of the span
        known = self.keys.get
        match = _QUICK_CAPABILITY.fullmatch(line)
        if match is not None:
            text = " ".join(match[1].split())
            start, end = match.span(1)
            return (CAPABILITY, text, known(text) or self.key(text), ast.Span(self.path, row, start + 1, row, end + 1))
        match = _QUICK_RULE.fullmatch(line)
        if match is None:
            return None
        subject, expression = match.groups()
        terms = _split(expression, " and ", _SEP)
        code = self.term(terms[0]) if len(terms) == 1 else (ALL, *[known(t) or self.term(t) for t in terms])
        end = match.end(2)
        if line[end - 1] == ")":  # a group's parenthesis is not part of the span
            end = len(line[: end - 1].rstrip("\t \f"))
        text = " ".join(subject.split())
        return (RULE, text, known(text) or self.key(text), code, ast.Span(self.path, row, 1, row, end + 1), ())

    def term(self, term: str) -> Code:
        """The code of a quick lane's term: a name, or an `or` of names."""
        if term[0] == "(":
            term = term[1:-1]
        names = _split(term, " or ", _OR)
        if len(names) == 1:
            return self.key(" ".join(term.split()))
        known = self.keys.get
        return (ANY, *[known(name) or self.key(" ".join(name.split())) for name in names])

    def statements(self) -> list[Record]:
        lines = self.lines
        count = len(lines)
        out: list[Record] = []
        quick = self.quick if self.compact else None
        number = 0
        while number < count:
            line = lines[number]
            if not line or line[0] in _SPACE_OR_HASH:
                head = line.lstrip("\t \f")
                if head and head[0] != "#":
                    raise _GiveUp  # an indented line with no statement above it
                number += 1  # blank or comment-only: part of a line break
                continue
            following = lines[number + 1] if number + 1 < count else "."
            record: Record | None = None
            if quick and following and following[0] not in _SPACE_OR_HASH:
                record = quick(line, number)
            if record is None:
                record, after = self.statement_at(number)
            else:
                after = number + 1
            out.append(record)
            if quick:
                # The records are all that reading a large file keeps: its lines go as they are read.
                lines[number] = ""
            number = after
        return out

    # Statements ------------------------------------------------------------------------

    def statement(self, tokens: list[Token], indented: list[list[Token]]) -> Record:
        if not tokens:
            raise _GiveUp  # nothing the fast path knows (every line has a token or is skipped)
        first = tokens[0]
        keyword = _keyword(first)
        if keyword == "capability":
            names, position = self.names(tokens, 1)
            if position != len(tokens):
                raise _GiveUp
            attributes = self.attributes(indented)
            if self.compact:
                return (DECLARE, "capability", tuple(names), None, attributes)
            return ast.CapabilityDecl(tuple(names), attributes, self.span(first, tokens[-1]))  # type: ignore[arg-type]
        if keyword == "stage":
            return self.stage(tokens, indented)
        if keyword in ("framework", "include", "scenario"):
            if len(tokens) != 2 or tokens[1][0] != _STRING:
                raise _GiveUp
            title = unquote(tokens[1][1])
            span = self.span(first, tokens[1])
            if keyword == "framework":
                return ast.FrameworkDecl(title, self.attributes(indented), span)
            if keyword == "include":
                return ast.Include(title, self.attributes(indented), span)
            return ast.Scenario(title, tuple(self.scenario_line(line) for line in indented), span)
        return self.rule(tokens, indented)

    def stage(self, tokens: list[Token], indented: list[list[Token]]) -> Record:
        name, position = self.name(tokens, 1, "after")
        after = None
        if position < len(tokens):
            if _keyword(tokens[position]) != "after":
                raise _GiveUp
            after, position = self.name(tokens, position + 1)
            if position != len(tokens):
                raise _GiveUp
        attributes = self.attributes(indented)
        if self.compact:
            return (DECLARE, "stage", (name,), after, attributes)
        return ast.StageDecl(name, after, attributes, self.span(tokens[0], tokens[-1]))  # type: ignore[arg-type]

    def rule(self, tokens: list[Token], indented: list[list[Token]]) -> Record:
        text, first, _, quoted, position = self.name_parts(tokens, 0)
        if not _is(tokens[position] if position < len(tokens) else None, "requires"):
            raise _GiveUp
        expression = _Expression(self, tokens, position + 1)
        requirement = expression.expr(False, 0)
        if expression.position != len(tokens):
            raise _GiveUp
        end = expression.end
        span = ast.Span(self.path, first[2], first[3], end[2], end[3] + len(end[1]))
        attributes = self.attributes(indented)
        if self.compact:
            return (RULE, text, self.key(text), requirement, span, attributes)
        subject = self.make_name(text, first, tokens[position - 1], quoted)
        return ast.Rule(subject, requirement, attributes, span)  # type: ignore[arg-type]

    def scenario_line(self, tokens: list[Token]) -> ast.ScenarioLine:
        keyword = _keyword(tokens[0])
        if keyword == "given":
            return self.given(tokens)
        if keyword == "expect":
            return self.expect(tokens)
        return self.attribute(tokens)

    def given(self, tokens: list[Token]) -> ast.Given:
        unknown = _keyword(tokens[1] if len(tokens) > 1 else None) == "unknown"
        names, position = self.ast_names(tokens, 2 if unknown else 1)
        if position == len(tokens):
            last = names[-1].span
            span = ast.Span(self.path, tokens[0][2], tokens[0][3], last.end_line, last.end_column)
            return ast.Given(tuple(names), "unknown" if unknown else "yes", None, span)
        # `given NAME = N`: one name and `=` (any other form is an error the Lark path words)
        if unknown or len(names) != 1 or len(tokens) != position + 2:
            raise _GiveUp
        if not _is(tokens[position], _OP, "=") or tokens[position + 1][0] != _NUMBER:
            raise _GiveUp
        number = tokens[position + 1]
        return ast.Given(tuple(names), "level", _number(number[1]), self.span(tokens[0], number))

    def expect(self, tokens: list[Token]) -> ast.Expect:
        name, position = self.ast_name(tokens, 1, "is")
        if _keyword(tokens[position] if position < len(tokens) else None) != "is":
            raise _GiveUp
        if position + 1 >= len(tokens) or tokens[position + 1][0] != _WORD:
            raise _GiveUp
        status = tokens[position + 1]
        status_span = self.span(status, status)
        position += 2
        if position == len(tokens):
            return ast.Expect(name, status[1].lower(), (), self.span(tokens[0], status), status_span)
        if _keyword(tokens[position]) != "by":
            raise _GiveUp
        causes, position = self.ast_names(tokens, position + 1)
        if position != len(tokens):
            raise _GiveUp
        last = causes[-1].span
        span = ast.Span(self.path, tokens[0][2], tokens[0][3], last.end_line, last.end_column)
        return ast.Expect(name, status[1].lower(), tuple(causes), span, status_span)

    def attributes(self, indented: list[list[Token]]) -> tuple[ast.Attribute, ...]:
        return tuple(self.attribute(line) for line in indented) if indented else ()

    def attribute(self, tokens: list[Token]) -> ast.Attribute:
        head = tokens[0]
        keyword = _keyword(head)
        if keyword not in _ATTRIBUTE_KEYS:
            raise _GiveUp
        key, position = head[1].lower(), 1
        if keyword == "met":
            if _keyword(tokens[1] if len(tokens) > 1 else None) != "at":
                raise _GiveUp
            key, position = "met at", 2
        values: list[str | int | float | ast.Words] = []
        while True:
            if position >= len(tokens):
                raise _GiveUp
            kind, text = tokens[position][0], tokens[position][1]
            if kind == _STRING:
                values.append(unquote(text))
            elif kind == _NUMBER:
                values.append(_number(text))
            else:
                raise _GiveUp  # unquoted words are an error, reported from the Lark path's tree
            position += 1
            if position == len(tokens):
                return ast.Attribute(key, tuple(values), self.span(head, tokens[-1]))
            if not _is(tokens[position], _OP, ","):
                raise _GiveUp
            position += 1

    # Names -------------------------------------------------------------------------------

    def names(self, tokens: list[Token], position: int) -> tuple[list[ast.Name | NameRecord], int]:
        """NAME ("," NAME)*"""
        names: list[ast.Name | NameRecord] = []
        while True:
            name, position = self.name(tokens, position)
            names.append(name)
            if position == len(tokens) or not _is(tokens[position], _OP, ","):
                return names, position
            position += 1

    def ast_names(self, tokens: list[Token], position: int) -> tuple[list[ast.Name], int]:
        compact, self.compact = self.compact, False
        try:
            return self.names(tokens, position)  # type: ignore[return-value]
        finally:
            self.compact = compact

    def ast_name(self, tokens: list[Token], position: int, stop: str | None = None) -> tuple[ast.Name, int]:
        compact, self.compact = self.compact, False
        try:
            return self.name(tokens, position, stop)  # type: ignore[return-value]
        finally:
            self.compact = compact

    def name(self, tokens: list[Token], position: int, stop: str | None = None) -> tuple[ast.Name | NameRecord, int]:
        """A declared name: an AST Name, or with `compact` a (text, key, span) record."""
        text, first, last, quoted, position = self.name_parts(tokens, position, stop)
        if self.compact:
            return (text, self.key(text), self.span(first, last)), position
        return self.make_name(text, first, last, quoted), position

    def make_name(self, text: str, first: Token, last: Token, quoted: bool) -> ast.Name:
        if quoted:
            return ast.Name(text, self.key(text), self.span(first, last), quoted=True)
        return ast.Name(text, self.key(text), self.span(first, last))

    def name_parts(
        self, tokens: list[Token], position: int, stop: str | None = None
    ) -> tuple[str, Token, Token, bool, int]:
        """A quoted name, or words up to the first token that is not a word: its
        text, first and last token, whether quoted, and the position after it.

        `stop` is the keyword that may end the name here; any other `after` or
        `is` after a word of a name is a keyword Lark refuses there.
        """
        if position >= len(tokens):
            raise _GiveUp
        first = tokens[position]
        if first[0] == _STRING:
            text = " ".join(unquote(first[1]).split())
            if not text:
                raise _GiveUp  # an empty name: an error the Lark path words
            return text, first, first, True, position + 1
        if first[0] != _WORD:
            raise _GiveUp
        end = position + 1
        count = len(tokens)
        while end < count and tokens[end][0] == _WORD:
            keyword = _fold(tokens[end][1])
            if keyword in ("after", "is"):
                if keyword != stop:
                    raise _GiveUp
                break
            end += 1
        if end == position + 1:
            return first[1], first, first, False, end
        return " ".join(t[1] for t in tokens[position:end]), first, tokens[end - 1], False, end


class _Expression:
    """Precedence parsing of one requirement, mirroring the grammar's rules:
    `or` loosest, then `and` and `,`, then `not`; inside `N of (...)` a comma
    separates items instead. Builds AST nodes, or codes (`_code`) with `compact`."""

    def __init__(self, reader: _Reader, tokens: list[Token], position: int) -> None:
        self.reader = reader
        self.compact = reader.compact
        self.tokens = tokens
        self.position = position
        # the last token of the expression's span (a group's ')' is not in it)
        self.end = tokens[position - 1]

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or not _is(token, kind, text):
            raise _GiveUp
        self.position += 1
        return token

    def expr(self, items: bool, depth: int) -> ast.Expr | Code:
        if depth > self.reader.nesting:
            if depth > _MAX_DEPTH:
                raise _GiveUp
            self.reader.nesting = depth
        parts = [self.and_expr(items, depth)]
        while _is(self.peek(), "or"):
            self.position += 1
            parts.append(self.and_expr(items, depth))
        if len(parts) == 1:
            return parts[0]
        if self.compact:
            return (ANY, *parts)
        return ast.Any(tuple(parts), _join(parts[0].span, parts[-1].span))  # type: ignore[arg-type, union-attr]

    def and_expr(self, items: bool, depth: int) -> ast.Expr | Code:
        parts = [self.not_expr(depth)]
        while True:
            token = self.peek()
            if token is None or not (token[0] == "and" or (token[1] == "," and token[0] == _OP and not items)):
                break
            self.position += 1
            parts.append(self.not_expr(depth))
        if len(parts) == 1:
            return parts[0]
        if self.compact:
            return (ALL, *parts)
        return ast.All(tuple(parts), _join(parts[0].span, parts[-1].span))  # type: ignore[arg-type, union-attr]

    def not_expr(self, depth: int) -> ast.Expr | Code:
        token = self.peek()
        if _is(token, "not"):
            assert token is not None
            if depth + 1 > self.reader.nesting:
                if depth + 1 > _MAX_DEPTH:
                    raise _GiveUp
                self.reader.nesting = depth + 1
            self.position += 1
            operand = self.not_expr(depth + 1)
            if self.compact:
                return (NOT, operand)
            return ast.Not(operand, _join(self.reader.span(token, token), operand.span))  # type: ignore[arg-type, union-attr]
        return self.atom(depth)

    def atom(self, depth: int) -> ast.Expr | Code:
        token = self.peek()
        if token is None:
            raise _GiveUp
        kind = token[0]
        if kind in (_WORD, _STRING):
            return self.reference(token)
        if kind == _NUMBER:
            return self.at_least(depth)
        self.take(_OP, "(")
        inner = self.expr(False, depth + 1)
        self.take(_OP, ")")
        return inner

    def reference(self, token: Token) -> ast.Expr | Code:
        reader = self.reader
        if token[0] == _STRING:
            following = self.tokens[self.position + 1] if self.position + 1 < len(self.tokens) else None
            if _is(following, _WORD):
                # `"quoted name" level >= 3`: only `level` may stand between.
                assert following is not None
                if name_key(following[1]) != "level":
                    raise _GiveUp
                text, first, last, quoted, _ = reader.name_parts(self.tokens, self.position)
                self.position += 2
                return self.compare(text, first, last, quoted)
        text, first, last, quoted, self.position = reader.name_parts(self.tokens, self.position)
        token_after = self.peek()
        if token_after is None or token_after[0] != _OP or token_after[1] not in _COMPARISONS:
            self.end = last
            if self.compact:
                return reader.key(text)
            return ast.Ref(reader.make_name(text, first, last, quoted))
        if not quoted:
            words = text.split(" ")
            if len(words) > 1 and name_key(words[-1]) == "level":
                # `budget level >= 3`: the trailing `level` is the optional keyword
                # (the name's span still covers it, as in the Lark path).
                text = " ".join(words[:-1])
        return self.compare(text, first, last, quoted)

    def compare(self, text: str, first: Token, last: Token, quoted: bool) -> ast.Expr | Code:
        op = self.peek()
        if op is None or op[0] != _OP or op[1] not in _COMPARISONS:
            raise _GiveUp
        self.position += 1
        number = self.end = self.take(_NUMBER)
        reader = self.reader
        if self.compact:
            return (CMP, reader.key(text), op[1], _number(number[1]))
        name = reader.make_name(text, first, last, quoted)
        return ast.Compare(name, op[1], _number(number[1]), reader.span(first, number))

    def at_least(self, depth: int) -> ast.Expr | Code:
        count = self.take(_NUMBER)
        if _keyword(self.peek()) != "of":
            raise _GiveUp
        self.position += 1
        self.take(_OP, "(")
        items = [self.expr(True, depth + 1)]
        while _is(self.peek(), _OP, ","):
            self.position += 1
            items.append(self.expr(True, depth + 1))
        close = self.end = self.take(_OP, ")")
        if self.compact:
            return (OF, _number(count[1]), *items)
        return ast.AtLeast(_number(count[1]), tuple(items), self.reader.span(count, close))  # type: ignore[arg-type]


def _join(first: ast.Span, last: ast.Span) -> ast.Span:
    return ast.Span(first.path, first.line, first.column, last.end_line, last.end_column)
