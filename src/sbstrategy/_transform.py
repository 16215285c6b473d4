"""Lark parse-tree callbacks that build our AST (`ast.py`) during the parse.

The transformer is handed to Lark's LALR parser, so no parse tree is ever
built. It is shared by every parse and keeps no state of its own: the path of
the file being parsed comes from a context variable set by `_parser`.

This module does not import Lark: `name_key` and `unquote` are used on every
load, and Lark is imported only when the fast path (`_fastparse`) hands a text
to the Lark parser. Lark needs no Transformer base class, only the callbacks;
its tokens are recognised as the `str` subclass they are.
"""

from __future__ import annotations

import contextvars
import unicodedata
from typing import TYPE_CHECKING
from typing import Any as _Any

from . import ast

if TYPE_CHECKING:
    from lark import Token

__all__ = ["CURRENT_PATH", "SyntaxProblem", "ToAst", "name_key"]

CURRENT_PATH: contextvars.ContextVar[str] = contextvars.ContextVar("sbstrategy_current_path", default="<string>")


class SyntaxProblem(Exception):
    """A construct that parses but is malformed; reported as a syntax error."""

    def __init__(self, message: str, span: ast.Span, suggestion: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.suggestion = suggestion


def name_key(text: str) -> str:
    """How names are compared: NFC, case-folded, runs of white space collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _tok_span(tok: Token) -> ast.Span:
    return ast.Span(CURRENT_PATH.get(), tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0)


def _join(first: ast.Span, last: ast.Span) -> ast.Span:
    return ast.Span(first.path, first.line, first.column, last.end_line, last.end_column)


def unquote(raw: str) -> str:
    """The text of a string literal: `\\"` and `\\\\` are the escapes."""
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    chars = iter(body)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append(nxt if nxt in ('"', "\\") else "\\" + nxt)
        else:
            out.append(char)
    return "".join(out)


def _number(tok: Token) -> int | float:
    text = str(tok)
    if len(text) > MAX_NUMBER_LENGTH:
        # int() refuses more than 4,300 digits with a ValueError, and a long
        # enough decimal is float infinity: neither is a level or an effort.
        raise SyntaxProblem(
            f"a number of {len(text):,} characters is too long (at most {MAX_NUMBER_LENGTH})", _tok_span(tok)
        )
    return float(text) if "." in text else int(text)


MAX_NUMBER_LENGTH = 50


def _span_of(node: _Any) -> ast.Span:
    if isinstance(node, str):  # a lark Token
        return _tok_span(node)  # type: ignore[arg-type]
    return node.span  # type: ignore[no-any-return]


def _statement_span(keyword: Token | ast.Span, children: list[_Any]) -> ast.Span:
    start = keyword if isinstance(keyword, ast.Span) else _tok_span(keyword)
    last = start
    for child in children:
        if child is not None and not isinstance(child, ast.Attribute | ast.Given | ast.Expect):
            last = _span_of(child)
    return _join(start, last)


class ToAst:
    """One callback per grammar rule; see grammars/sbr.lark."""

    def start(self, children: list[_Any]) -> tuple[ast.Statement, ...]:
        return tuple(c for c in children if c is not None)

    # names ----------------------------------------------------------------
    def name(self, children: list[Token]) -> ast.Name:
        first = children[0]
        if first.type == "STRING":
            text = " ".join(unquote(first).split())
            span = _tok_span(first)
            if not text:
                raise SyntaxProblem("a name cannot be empty", span)
            return ast.Name(text, name_key(text), span, quoted=True)
        text = " ".join(str(t) for t in children)
        return ast.Name(text, name_key(text), _join(_tok_span(first), _tok_span(children[-1])))

    stage_name = name
    expect_name = name

    def bare_words(self, children: list[Token]) -> ast.Words:
        return ast.Words(" ".join(str(t) for t in children))

    # statements -------------------------------------------------------------
    def framework(self, children: list[_Any]) -> ast.FrameworkDecl:
        keyword, title, *attributes = children
        return ast.FrameworkDecl(unquote(title), tuple(attributes), _statement_span(keyword, [title]))

    def capability_decl(self, children: list[_Any]) -> ast.CapabilityDecl:
        keyword, *rest = children
        names = tuple(c for c in rest if isinstance(c, ast.Name))
        attributes = tuple(c for c in rest if isinstance(c, ast.Attribute))
        return ast.CapabilityDecl(names, attributes, _statement_span(keyword, list(names)))

    def stage_decl(self, children: list[_Any]) -> ast.StageDecl:
        keyword, name, after, *attributes = children
        return ast.StageDecl(name, after, tuple(attributes), _statement_span(keyword, [name, after]))

    def include(self, children: list[_Any]) -> ast.Include:
        keyword, path, *attributes = children
        return ast.Include(unquote(path), tuple(attributes), _statement_span(keyword, [path]))

    def scenario(self, children: list[_Any]) -> ast.Scenario:
        keyword, title, *lines = children
        return ast.Scenario(unquote(title), tuple(lines), _statement_span(keyword, [title]))

    def rule(self, children: list[_Any]) -> ast.Rule:
        subject, requirement, *attributes = children
        return ast.Rule(subject, requirement, tuple(attributes), _join(subject.span, requirement.span))

    def attr_key(self, children: list[Token]) -> Token:
        from lark import Token

        keyword = children[0]
        text = "met at" if keyword.type == "MET" else keyword.lower()
        return Token.new_borrow_pos("KEY", text, keyword)

    def attribute(self, children: list[_Any]) -> ast.Attribute:
        key, *raw = children
        values: list[str | int | float | ast.Words] = []
        for value in raw:
            if isinstance(value, ast.Words):
                values.append(value)
            elif value.type == "STRING":
                values.append(unquote(value))
            else:
                values.append(_number(value))
        last = raw[-1] if raw and isinstance(raw[-1], str) else key
        return ast.Attribute(str(key), tuple(values), _join(_tok_span(key), _span_of(last)))

    # scenarios ----------------------------------------------------------------
    def given(self, children: list[_Any]) -> ast.Given:
        keyword, *names = children
        return ast.Given(tuple(names), "yes", None, _statement_span(keyword, names))

    def given_unknown(self, children: list[_Any]) -> ast.Given:
        keyword, _unknown, *names = children
        return ast.Given(tuple(names), "unknown", None, _statement_span(keyword, names))

    def given_level(self, children: list[_Any]) -> ast.Given:
        keyword, name, op, number = children
        if op != "=":
            raise SyntaxProblem(
                f"'given' sets a level with '=', not '{op}'",
                _tok_span(op),
                f"write: given {name.text} = {number}",
            )
        return ast.Given((name,), "level", _number(number), _statement_span(keyword, [number]))

    def expect(self, children: list[_Any]) -> ast.Expect:
        keyword, name, status = children
        return ast.Expect(name, status.lower(), (), _statement_span(keyword, [status]), _tok_span(status))

    def expect_blocked(self, children: list[_Any]) -> ast.Expect:
        keyword, name, status, *causes = children
        return ast.Expect(
            name,
            status.lower(),
            tuple(causes),
            _statement_span(keyword, causes),
            _tok_span(status),
        )

    # expressions --------------------------------------------------------------
    def expr(self, children: list[ast.Expr]) -> ast.Any:
        return ast.Any(tuple(children), _join(children[0].span, children[-1].span))

    item = expr

    def and_expr(self, children: list[ast.Expr]) -> ast.All:
        return ast.All(tuple(children), _join(children[0].span, children[-1].span))

    and_item = and_expr

    def negation(self, children: list[_Any]) -> ast.Not:
        keyword, operand = children
        return ast.Not(operand, _join(_tok_span(keyword), operand.span))

    def ref(self, children: list[ast.Name]) -> ast.Ref:
        return ast.Ref(children[0])

    def compare(self, children: list[_Any]) -> ast.Compare:
        name, op, number = children
        words = name.text.split(" ")
        if not name.quoted and len(words) > 1 and name_key(words[-1]) == "level":
            # `budget level >= 3`: the trailing `level` is the optional keyword.
            text = " ".join(words[:-1])
            name = ast.Name(text, name_key(text), name.span)
        return ast.Compare(name, str(op), _number(number), _join(name.span, _tok_span(number)))

    def compare_quoted(self, children: list[Token]) -> ast.Compare:
        string, word, op, number = children
        if name_key(word) != "level":
            raise SyntaxProblem(
                f"unexpected word '{word}' after a quoted name",
                _tok_span(word),
                "between a name and a comparison only the word 'level' may stand",
            )
        text = " ".join(unquote(string).split())
        name = ast.Name(text, name_key(text), _tok_span(string), quoted=True)
        return ast.Compare(name, str(op), _number(number), _join(name.span, _tok_span(number)))

    def at_least(self, children: list[_Any]) -> ast.AtLeast:
        number, _lpar, *items, rpar = children
        return ast.AtLeast(_number(number), tuple(items), _join(_tok_span(number), _tok_span(rpar)))

    def group(self, children: list[_Any]) -> ast.Expr:
        return children[1]  # type: ignore[no-any-return]
