"""`N of (…)` needs a whole N between 1 and the number of items."""

from __future__ import annotations

from .. import ast
from .._exprs import children
from ..errors import Diagnostic
from ._context import Context

__all__ = ["check"]


def check(context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for requirement in context.model.requirements:
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
