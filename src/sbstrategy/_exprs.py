"""Small, iterative walks over expressions, shared by checks, graph and tools."""

from __future__ import annotations

from collections.abc import Iterator

from . import ast
from ._names import needs_quotes, quote

__all__ = ["atoms", "children", "depth", "names_in", "to_text"]


def children(expr: ast.Expr) -> tuple[ast.Expr, ...]:
    if isinstance(expr, ast.All | ast.Any):
        return expr.operands
    if isinstance(expr, ast.AtLeast):
        return expr.items
    if isinstance(expr, ast.Not):
        return (expr.operand,)
    return ()


def atoms(expr: ast.Expr) -> Iterator[ast.Ref | ast.Compare]:
    """The references and comparisons in `expr`, left to right."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Ref | ast.Compare):
            yield node
        else:
            stack.extend(reversed(children(node)))


def names_in(expr: ast.Expr) -> Iterator[tuple[ast.Name, bool]]:
    """Every name in `expr`, with True where it is compared by level."""
    for atom in atoms(expr):
        yield atom.name, isinstance(atom, ast.Compare)


def depth(expr: ast.Expr) -> tuple[int, ast.Expr]:
    """The nesting depth of `expr` and its deepest node, without recursion."""
    best, deepest = 1, expr
    stack = [(expr, 1)]
    while stack:
        node, level = stack.pop()
        if level > best:
            best, deepest = level, node
        stack.extend((child, level + 1) for child in children(node))
    return best, deepest


def _name(name: ast.Name) -> str:
    return quote(name.text) if needs_quotes(name.text) else name.text


def _number(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def to_text(expr: ast.Expr, *, inside_items: bool = False) -> str:
    """The canonical source text of an expression (used by messages and `fmt`)."""
    if isinstance(expr, ast.Ref):
        return _name(expr.name)
    if isinstance(expr, ast.Compare):
        return f"{_name(expr.name)} level {expr.op} {_number(expr.value)}"
    if isinstance(expr, ast.Not):
        inner = to_text(expr.operand)
        return (
            f"not {inner}"
            if isinstance(expr.operand, ast.Ref | ast.Compare | ast.Not | ast.AtLeast)
            else f"not ({inner})"
        )
    if isinstance(expr, ast.AtLeast):
        items = ", ".join(to_text(item, inside_items=True) for item in expr.items)
        return f"{_number(expr.count)} of ({items})"
    if isinstance(expr, ast.All):
        parts = [
            f"({to_text(op)})" if isinstance(op, ast.Any) else to_text(op, inside_items=inside_items)
            for op in expr.operands
        ]
        return " and ".join(parts)
    parts = [to_text(op, inside_items=inside_items) for op in expr.operands]
    return " or ".join(parts)
