"""Requirements as node numbers: the one translation the checks and the compiler share.

Why one translation: a large rule set has hundreds of thousands of references,
and looking each name up costs more than anything done with it afterwards.
The loader translates every requirement once, numbering nodes in declaration
order; the checks read the numbers (is every name declared, does every
requirement name only nodes declared before its subject, is every capability
used), and when the evaluation order is the declaration order - the order
most files are written in - the compiler takes the same tuples as they are.

A requirement becomes the terms of a conjunction (Kleene `and` is
associative): plain references, `or` groups of references (the common shapes,
evaluated with `min`/`max` over a value list) and general expressions, nested
tuples with an opcode first:

    (REF, j)  (CMP, j, op, number)  (NOT, e)  (ALL, (e, ...))  (ANY, (e, ...))  (ATLEAST, n, (e, ...))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, TypeAlias

from . import _code

if TYPE_CHECKING:
    from .model import Requirement

__all__ = [
    "ALL",
    "ANY",
    "ATLEAST",
    "CMP",
    "NOT",
    "REF",
    "Code",
    "Groups",
    "Refs",
    "Terms",
    "children",
    "indices",
    "translate",
]

REF, CMP, NOT, ALL, ANY, ATLEAST = range(6)
Code: TypeAlias = tuple[Any, ...]
Refs: TypeAlias = tuple[int, ...]
Groups: TypeAlias = tuple[tuple[int, ...], ...]
# A requirement as `_code` gives it: a name key (str) or nested tuples; read dynamically.
_RequirementCode: TypeAlias = Any


class Terms:
    """Every requirement's terms, in the model's order of requirements (parallel lists)."""

    __slots__ = ("compared_at", "forward", "groups", "refs", "rest", "subjects")

    def __init__(self) -> None:
        self.subjects: list[int] = []
        self.refs: list[Refs] = []
        self.groups: list[Groups] = []
        self.rest: list[tuple[Code, ...]] = []
        # the first requirement (its position) that compares each capability by level
        self.compared_at: dict[int, int] = {}
        # whether every requirement reads only nodes numbered before its subject
        # (comparisons read a fact, not a node's value: they do not count)
        self.forward = True

    def used(self) -> set[int]:
        """Every node some requirement reads or compares."""
        found = set(chain.from_iterable(self.refs))
        found.update(chain.from_iterable(chain.from_iterable(self.groups)))
        for rest in filter(None, self.rest):
            for code in rest:
                found.update(indices(code, compared=True))
        return found


def translate(requirements: Sequence[Requirement], index: Mapping[str, int]) -> Terms:
    """The terms of every requirement, names numbered by `index` (KeyError: a name it lacks)."""
    terms = Terms()
    get_index = index.__getitem__
    subjects, all_refs, all_groups, all_rest = terms.subjects, terms.refs, terms.groups, terms.rest
    str_, tuple_, ALL_, ANY_ = str, tuple, _code.ALL, _code.ANY
    no_groups: Groups = ()
    no_rest: tuple[Code, ...] = ()
    forward = True
    for position, requirement in enumerate(requirements):
        i = get_index(requirement.subject)
        code: _RequirementCode = requirement.code
        groups, rest = no_groups, no_rest
        # The common shapes (`a`, `a, b, c`, `a, b or c`) inline; a Python statement per
        # reference would cost as much as evaluating the model.
        if code.__class__ is str_:
            refs: Refs = (get_index(code),)
            top = refs[0]
        elif code[0] != ALL_:
            ref_list: list[int] = []
            group_list: list[tuple[int, ...]] = []
            rest_list: list[Code] = []
            top = _add_terms(code, position, get_index, terms.compared_at, ref_list, group_list, rest_list)
            refs, groups, rest = tuple(ref_list), tuple(group_list), tuple(rest_list)
        elif tuple_ not in set(map(type, code)):
            refs = tuple(map(get_index, code[1:]))
            top = max(refs)
        else:  # names and `or` groups of names, mostly
            parts = code[1:]
            refs = tuple(map(get_index, [part for part in parts if part.__class__ is str_]))
            top = max(refs, default=-1)
            group_list = []
            rest_list = []
            for part in parts:
                if part.__class__ is str_:
                    continue
                if part[0] == ANY_ and tuple_ not in set(map(type, part)):
                    group_list.append(group := tuple(map(get_index, part[1:])))
                    top = max(top, *group)
                else:
                    more: list[int] = []
                    inner = _add_terms(part, position, get_index, terms.compared_at, more, group_list, rest_list)
                    top = max(top, inner)
                    refs += tuple(more)
            groups, rest = tuple(group_list), tuple(rest_list)
        if top >= i:
            forward = False
        subjects.append(i)
        all_refs.append(refs)
        all_groups.append(groups)
        all_rest.append(rest)
    terms.forward = forward
    return terms


def _add_terms(
    code: _RequirementCode,
    position: int,
    get_index: Any,
    compared_at: dict[int, int],
    refs: list[int],
    groups: list[tuple[int, ...]],
    rest: list[Code],
) -> int:
    """Add a requirement's terms to a conjunction; return the highest node it reads (-1: none)."""
    top = -1
    j: int
    if code.__class__ is str:
        refs.append(j := get_index(code))
        return j
    op = code[0]
    if op == _code.ALL:
        part: _RequirementCode
        for part in code[1:]:
            if part.__class__ is str:
                refs.append(j := get_index(part))
                top = max(top, j)
            elif part[0] == _code.ANY and all(map(isinstance, part[1:], repeat(str))):
                groups.append(group := tuple(map(get_index, part[1:])))
                top = max(top, *group)
            else:
                top = max(top, _add_terms(part, position, get_index, compared_at, refs, groups, rest))
    elif op == _code.ANY and all(map(isinstance, code[1:], repeat(str))):
        groups.append(group := tuple(map(get_index, code[1:])))
        top = max(group)
    else:
        rest.append(compiled := _compile(code, position, get_index, compared_at))
        top = max(indices(compiled, compared=False), default=-1)
    return top


def _compile(code: _RequirementCode, position: int, get_index: Any, compared_at: dict[int, int]) -> Code:
    """A requirement's code (by name key) as opcodes over node numbers (depth bounded by Limits)."""
    if code.__class__ is str:
        return (REF, get_index(code))
    op = code[0]
    if op == _code.CMP:
        j = get_index(code[1])
        compared_at.setdefault(j, position)
        return (CMP, j, code[2], float(code[3]))
    if op == _code.NOT:
        return (NOT, _compile(code[1], position, get_index, compared_at))
    if op == _code.OF:
        return (ATLEAST, float(code[1]), tuple(_compile(c, position, get_index, compared_at) for c in code[2:]))
    parts = tuple(_compile(c, position, get_index, compared_at) for c in code[1:])
    return (ALL if op == _code.ALL else ANY, parts)


def children(code: Code) -> tuple[Code, ...]:
    """The operands of a compiled expression (none for a reference or comparison)."""
    op = code[0]
    if op == NOT:
        return (code[1],)
    if op in (ALL, ANY):
        return code[1]  # type: ignore[no-any-return]
    if op == ATLEAST:
        return code[2]  # type: ignore[no-any-return]
    return ()


def indices(code: Code, *, compared: bool) -> list[int]:
    """The nodes a compiled expression reads (with `compared`, also those it compares by level)."""
    found: list[int] = []
    todo = [code]
    while todo:
        c = todo.pop()
        if c[0] == REF or (compared and c[0] == CMP):
            found.append(c[1])
        else:
            todo.extend(children(c))
    return found
