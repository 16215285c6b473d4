"""Small, iterative walks over expressions, shared by checks, graph and tools."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from . import ast
from ._names import spell

__all__ = ["atoms", "children", "depth", "names_in", "number_text", "to_text"]


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


def number_text(value: int | float) -> str:
    """A number as the grammar reads it: never in exponent notation."""
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    if "e" in text or "E" in text:
        from decimal import Decimal

        text = format(Decimal(text), "f")
    return text


def _separator(lines: Sequence[str], left: ast.Span, right: ast.Span) -> str | None:
    """How the source joins two operands of an `and`: ", " or " and " (None if unseen)."""
    if left is None or right is None or left.end_line > right.line:
        return None
    parts = []
    for number in range(left.end_line, right.line + 1):
        if number - 1 >= len(lines):
            return None
        line = lines[number - 1]
        begin = left.end_column - 1 if number == left.end_line else 0
        end = right.column - 1 if number == right.line else len(line)
        parts.append(line[begin:end].split("#", 1)[0])
    between = "".join(parts).replace("(", "").replace(")", "").strip().casefold()
    return {",": ", ", "and": " and "}.get(between)


def to_text(expr: ast.Expr, lines: Sequence[str] | None = None) -> str:
    """The canonical source text of an expression (used by messages, explain and `fmt`).

    Parentheses are written only where the grammar needs them, including around
    an `and` inside an `and` (or an `or` inside an `or`), which the parser would
    otherwise flatten into a different tree. Given the lines of the file the
    expression comes from, each `and` keeps the author's choice of `,` or `and`.
    """
    return _text(expr, lines, inside_items=False)


def _text(expr: ast.Expr, lines: Sequence[str] | None, *, inside_items: bool) -> str:
    if isinstance(expr, ast.Ref):
        return spell(expr.name.text)
    if isinstance(expr, ast.Compare):
        return f"{spell(expr.name.text, 'compare')} level {expr.op} {number_text(expr.value)}"
    if isinstance(expr, ast.Not):
        operand = expr.operand
        if isinstance(operand, ast.All | ast.Any):
            return f"not ({_text(operand, lines, inside_items=False)})"
        return f"not {_text(operand, lines, inside_items=inside_items)}"
    if isinstance(expr, ast.AtLeast):
        items = ", ".join(_text(item, lines, inside_items=True) for item in expr.items)
        return f"{number_text(expr.count)} of ({items})"
    if isinstance(expr, ast.All):
        out = ""
        for index, operand in enumerate(expr.operands):
            if isinstance(operand, ast.All | ast.Any):
                part = f"({_text(operand, lines, inside_items=False)})"
            else:
                part = _text(operand, lines, inside_items=inside_items)
            if index:
                written = _separator(lines, expr.operands[index - 1].span, operand.span) if lines else None
                out += " and " if inside_items or written is None else written
            out += part
        return out
    parts = [
        f"({_text(op, lines, inside_items=False)})"
        if isinstance(op, ast.Any)
        else _text(op, lines, inside_items=inside_items)
        for op in expr.operands
    ]
    return " or ".join(parts)
