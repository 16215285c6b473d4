"""A stage whose requirements contradict each other can never be reached.

Satisfiability is decided by trying every assignment of the atoms of the
node's own requirements (references as free yes/no, levels at the values
around each threshold), for nodes with few atoms. Treating references as free
can only find fewer contradictions, never invent one, so the warning is never
wrong; impossibility found for one node is carried to the nodes that need it.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable

from .. import ast
from .._exprs import atoms
from ..errors import Diagnostic
from ._context import Context

__all__ = ["check"]

# Beyond this many combinations (or references) a node is taken to be satisfiable.
_MAX_COMBINATIONS = 1 << 12
_MAX_ATOMS = 12

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}


def _holds(expr: ast.Expr, refs: dict[str, bool], levels: dict[str, float]) -> bool:
    if isinstance(expr, ast.Ref):
        return refs[expr.name.key]
    if isinstance(expr, ast.Compare):
        return OPS[expr.op](levels[expr.name.key], expr.value)
    if isinstance(expr, ast.Not):
        return not _holds(expr.operand, refs, levels)
    if isinstance(expr, ast.All):
        return all(_holds(x, refs, levels) for x in expr.operands)
    if isinstance(expr, ast.Any):
        return any(_holds(x, refs, levels) for x in expr.operands)
    return sum(_holds(x, refs, levels) for x in expr.items) >= expr.count


def _satisfiable(exprs: list[ast.Expr], never: set[str]) -> bool:
    ref_keys: dict[str, None] = {}  # an ordered set
    thresholds: dict[str, set[float]] = {}
    for expr in exprs:
        for atom in atoms(expr):
            key = atom.name.key
            if isinstance(atom, ast.Compare):
                thresholds.setdefault(key, set()).add(float(atom.value))
            elif key not in never:
                ref_keys[key] = None
            if len(ref_keys) > _MAX_ATOMS:
                return True
    # Candidate levels: each threshold and values just around it.
    candidates = {key: sorted({v for t in values for v in (t - 0.5, t, t + 0.5)}) for key, values in thresholds.items()}
    combinations = 2 ** len(ref_keys)
    for values in candidates.values():
        combinations *= len(values)
        if combinations > _MAX_COMBINATIONS:
            return True
    if combinations > _MAX_COMBINATIONS:
        return True
    level_keys = list(candidates)
    for bits in itertools.product((False, True), repeat=len(ref_keys)):
        refs = dict(zip(ref_keys, bits, strict=True))
        refs.update((key, False) for key in never)
        for levels_tuple in itertools.product(*(candidates[k] for k in level_keys)):
            levels = dict(zip(level_keys, levels_tuple, strict=True))
            if all(_holds(expr, refs, levels) for expr in exprs):
                return True
    return False


def check(context: Context) -> list[Diagnostic]:
    model = context.model
    by_subject: dict[str, list[ast.Expr]] = {}
    for requirement in model.requirements:
        by_subject.setdefault(requirement.subject, []).append(requirement.expr)
    never: set[str] = set()
    found: list[Diagnostic] = []
    for key in context.order.keys:
        node = model.nodes[key]
        exprs = by_subject.get(key, [])
        after = getattr(node, "after", None)
        impossible = (after is not None and after in never) or (bool(exprs) and not _satisfiable(exprs, never))
        if not impossible:
            continue
        never.add(key)
        if node.kind == "stage":
            why = (
                f"the stage before it, '{model.nodes[after].name}', can never be reached"
                if after is not None and after in never
                else "its requirements contradict each other"
            )
            found.append(
                Diagnostic(
                    "warning",
                    "unreachable-stage",
                    f"stage '{node.name}' can never be reached: {why}",
                    node.span,
                )
            )
    return found
