"""`N of (…)` needs a whole N between 1 and the number of items."""

from __future__ import annotations

from .. import ast
from .._code import CMP, NOT, OF, Code
from .._exprs import children
from ..errors import Diagnostic
from ._context import Context

__all__ = ["check"]


def _bad_count(code: Code) -> bool:
    """Whether `code` has an `N of` whose count does not fit (read from the
    code; the AST, with the position, is read only for such a requirement)."""
    if isinstance(code, str):
        return False
    stack = [code]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            continue
        op = item[0]
        if op == OF:
            count, size = item[1], len(item) - 2
            if isinstance(count, float) or not 1 <= count <= size:
                return True
            stack.extend(item[2:])
        elif op == NOT:
            stack.append(item[1])
        elif op != CMP:
            stack.extend(item[1:])
    return False


def check(context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for requirement, plain in zip(context.model.requirements, context.plain, strict=True):
        if plain or not _bad_count(requirement.code):
            continue
        stack: list[ast.Expr] = [requirement.expr]
        while stack:
            expr = stack.pop()
            stack.extend(children(expr))
            if not isinstance(expr, ast.AtLeast):
                continue
            count, size = expr.count, len(expr.items)
            if isinstance(count, float) or not 1 <= count <= size:
                found.append(
                    Diagnostic(
                        "error",
                        "bad-count",
                        f"'{count} of' needs a whole number from 1 to {size}, the number of items listed",
                        expr.span,
                        "inside the parentheses commas separate items; write 'and' for a conjunction",
                    )
                )
    return found
