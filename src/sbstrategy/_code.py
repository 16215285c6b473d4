"""Requirements in compact form: nested tuples over name keys.

Why a second form beside the AST: a large rule set has hundreds of thousands of
references, and as AST nodes each one is three objects (Ref, Name, Span) that
cost time to build, to keep and to cache. As a code, a reference is the key
string its name already has. Loading (model, checks, ordering), the
compiled-model cache and evaluation read codes; the AST of a requirement is
built only when someone asks for it (`model.Requirement.expr`).

A code is one of:

    key                          a reference: `NAME` (the name's key, a str)
    (CMP, key, op, number)       `NAME level OP N`
    (NOT, code)                  `not A`
    (ALL, code, code, ...)       `A and B`, `A, B`
    (ANY, code, code, ...)       `A or B`
    (OF, count, code, ...)       `N of (A, B, ...)`

It holds exactly the meaning of the AST node (equal ASTs give equal codes),
without positions or the spelling of names.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

from . import ast

__all__ = ["ALL", "ANY", "CMP", "NOT", "OF", "OPS", "Code", "code_of", "depth", "names", "references"]

# The comparison operators of `NAME level OP N`, shared by evaluation and checks.
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}

CMP, NOT, ALL, ANY, OF = "cmp", "not", "all", "any", "of"
# A tuple's items are an opcode, keys, numbers and codes: typed loosely.
Code: TypeAlias = "str | tuple[Any, ...]"


def code_of(expr: ast.Expr) -> Code:
    """The code of an AST expression (limits keep its depth small)."""
    if isinstance(expr, ast.Ref):
        return expr.name.key
    if isinstance(expr, ast.Compare):
        return (CMP, expr.name.key, expr.op, expr.value)
    if isinstance(expr, ast.Not):
        return (NOT, code_of(expr.operand))
    if isinstance(expr, ast.All):
        return (ALL, *map(code_of, expr.operands))
    if isinstance(expr, ast.Any):
        return (ANY, *map(code_of, expr.operands))
    return (OF, expr.count, *map(code_of, expr.items))


def names(code: Code) -> Iterator[tuple[str, bool]]:
    """Every name's key, left to right, with True where it is compared by level."""
    if isinstance(code, str):
        yield code, False
        return
    stack = [code]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item, False
            continue
        op = item[0]
        if op == CMP:
            yield item[1], True
        elif op == NOT:
            stack.append(item[1])
        else:
            stack.extend(reversed(item[2:] if op == OF else item[1:]))


def references(code: Code) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The keys `code` reads the value of and those it compares by level, in
    order (repeats kept), and whether it is plain: names joined by `and` and
    `or` only (no `not`, comparison or `N of`). Quick for the usual shapes."""
    if isinstance(code, str):
        return (code,), (), True
    op = code[0]
    if op in (ALL, ANY):
        items = code[1:]
        if all(type(item) is str for item in items):
            return items, (), True
    refs: list[str] = []
    compared: list[str] = []
    plain = _collect(code, refs, compared)
    return tuple(refs), tuple(compared), plain


def _collect(code: Code, refs: list[str], compared: list[str]) -> bool:
    if isinstance(code, str):
        refs.append(code)
        return True
    op = code[0]
    if op == CMP:
        compared.append(code[1])
        return False
    plain = op in (ALL, ANY)
    for item in code[2:] if op == OF else code[1:]:
        if isinstance(item, str):
            refs.append(item)
        elif not _collect(item, refs, compared):
            plain = False
    return plain


def depth(code: Code) -> int:
    """How deeply the AST of `code` nests (a reference alone is 1)."""
    best = 1
    stack = [(code, 1)]
    while stack:
        item, level = stack.pop()
        best = max(best, level)
        if isinstance(item, str):
            continue
        op = item[0]
        if op == NOT:
            stack.append((item[1], level + 1))
        elif op != CMP:
            stack.extend((child, level + 1) for child in item[2 if op == OF else 1 :])
    return best
