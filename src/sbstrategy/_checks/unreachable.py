"""A stage whose requirements contradict each other can never be reached.

Satisfiability is decided by trying every assignment of the atoms of the
node's own requirements (references as free yes/no, levels at the values
around each threshold), for nodes with few atoms. Treating references as free
can only find fewer contradictions, never invent one, so the warning is never
wrong; impossibility found for one node is carried to the nodes that need it.

Most requirements have neither `not` nor comparisons: they are monotone, so
they can be met exactly when they hold with every reference that can be met
taken as met. That one evaluation decides them (the search over assignments
would try it among the others); the search runs only for the rest. It reads
the requirements' codes (`_code`), never their ASTs.
"""

from __future__ import annotations

import itertools

from .._code import ALL, ANY, CMP, NOT, OPS, Code, names
from ..errors import Diagnostic
from ._context import Context

__all__ = ["check"]

# Beyond this many combinations (or references) a node is taken to be satisfiable.
_MAX_COMBINATIONS = 1 << 12
_MAX_ATOMS = 12
# Steps (combinations times the size of the requirements tried) one load may
# spend on the search, about two seconds: 4,096 combinations of a 700 kB
# requirement took over a minute. Past it, nodes are taken to be satisfiable.
_MAX_WORK = 1 << 24


def _holds(code: Code, refs: dict[str, bool], levels: dict[str, float]) -> bool:
    if isinstance(code, str):
        return refs[code]
    op = code[0]
    if op == CMP:
        return OPS[code[2]](levels[code[1]], code[3])
    if op == NOT:
        return not _holds(code[1], refs, levels)
    if op == ALL:
        return all(_holds(x, refs, levels) for x in code[1:])
    if op == ANY:
        return any(_holds(x, refs, levels) for x in code[1:])
    return bool(sum(_holds(x, refs, levels) for x in code[2:]) >= code[1])


def _best(code: Code, never: set[str]) -> bool | None:
    """Whether a monotone code holds when every reference outside `never`
    holds; None if `code` has a `not` or a comparison."""
    if isinstance(code, str):
        return code not in never
    op = code[0]
    if op in (ALL, ANY):
        values = [_best(x, never) for x in code[1:]]
        if None in values:
            return None
        return all(values) if op == ALL else any(values)
    if op in (CMP, NOT):
        return None
    items = [_best(x, never) for x in code[2:]]
    if None in items:
        return None
    return bool(sum(map(bool, items)) >= code[1])


def _satisfiable(codes: list[Code], never: set[str], budget: list[int]) -> bool:
    ref_keys: dict[str, None] = {}  # an ordered set
    thresholds: dict[str, set[float]] = {}
    for code in codes:
        for key, compared in names(code):
            if compared:
                thresholds.setdefault(key, set())
            elif key not in never:
                ref_keys[key] = None
            if len(ref_keys) > _MAX_ATOMS:
                return True
    monotone = [_best(code, never) for code in codes]
    if None not in monotone:
        return all(monotone)
    size = 0
    for code in codes:
        stack = [code]
        while stack:
            item = stack.pop()
            size += 1
            if isinstance(item, str):
                continue
            if item[0] == CMP:
                thresholds[item[1]].add(float(item[3]))
            elif item[0] == NOT:
                stack.append(item[1])
            else:
                stack.extend(item[2 if item[0] not in (ALL, ANY) else 1 :])
    # Candidate levels: each threshold and values just around it.
    candidates = {key: sorted({v for t in values for v in (t - 0.5, t, t + 0.5)}) for key, values in thresholds.items()}
    combinations = 2 ** len(ref_keys)
    for values in candidates.values():
        combinations *= len(values)
        if combinations > _MAX_COMBINATIONS:
            return True
    if combinations > _MAX_COMBINATIONS or combinations * size > budget[0]:
        return True
    budget[0] -= combinations * size
    level_keys = list(candidates)
    for bits in itertools.product((False, True), repeat=len(ref_keys)):
        refs = dict(zip(ref_keys, bits, strict=True))
        refs.update((key, False) for key in never)
        for levels_tuple in itertools.product(*(candidates[k] for k in level_keys)):
            levels = dict(zip(level_keys, levels_tuple, strict=True))
            if all(_holds(code, refs, levels) for code in codes):
                return True
    return False


def _plain(code: Code) -> bool:
    """A name, or an `and` or `or` of names: met when all its references are."""
    return type(code) is str or ((code[0] == ALL or code[0] == ANY) and all(type(x) is str for x in code[1:]))


def check(context: Context) -> list[Diagnostic]:
    model = context.model
    if all(context.plain):
        return []  # only `and` and `or` of names: everything holds when every capability is met
    by_subject: dict[str, list[Code]] = {}
    for requirement in model.requirements:
        by_subject.setdefault(requirement.subject, []).append(requirement.code)
    never: set[str] = set()
    found: list[Diagnostic] = []
    budget = [_MAX_WORK]
    for key in context.order.keys:
        node = model.nodes[key]
        codes = by_subject.get(key)
        after = getattr(node, "after", None)
        if codes is not None and not never and (all(map(_plain, codes)) or all(_best(c, never) for c in codes)):
            codes = None  # satisfiable: all holds when every reference is met
        impossible = (after is not None and after in never) or (
            codes is not None and not _satisfiable(codes, never, budget)
        )
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
