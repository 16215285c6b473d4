"""The rule set compiled to integer-indexed arrays, and the passes over them.

Why a second form beside the model and its networkx graph: evaluation runs once
per assessment (once per organisation in a batch, once per assumed fact in a
what-if), and walking attrs AST nodes and dictionaries keyed by names costs
several times more than the logic itself. The program is built once per rule
set (`RuleSet.compiled`) and holds only integers and tuples:

- nodes are numbered in dependency order, so one forward pass decides them all;
- a node's requirements (and a stage's `after`) are flattened into one
  conjunction and split into plain references, `or` groups of references (the
  common shapes, evaluated with `min`/`max` over the value list) and general
  expressions (nested tuples, opcode first);
- facts are two lists: in place (0 no, 1 unknown, 2 yes; 2 for a stage, so that
  `min` leaves its requirements alone) and assessed level (or None).

A pass yields two lists: `holds` (do the node's requirements hold) and `values`
(met or reached: `min(in place, holds)`). Everything else - statuses, blockers,
root causes, open questions - follows from those two lists and the program, so
it is computed only when asked for and never stored per node during the pass.

Root causes and open questions are shared, not copied. The root causes of a
node are the leaves reached from it through failing terms, found by a walk
with a visited set; a node whose set was materialised before contributes that
set without being walked again, and the stages of an `after` chain continue one
walk instead of starting over. The walks go level by level, so that following
an edge is done by C builtins (`map`, `compress`, set operations) rather than
by a Python statement per edge: on large models they cost less than the pass.
On large random models a node's root-cause list grows with the model (see
benchmarks/README.md), so storing every node's list during the pass would make
evaluation superlinear in time and memory; walking on demand keeps the pass
linear and leaves that cost to whoever prints every list.

Truth values are the integers 0 (no), 1 (unknown) and 2 (yes): Kleene's `and`
is `min`, `or` is `max`, `not` is `2 - x`.
"""

from __future__ import annotations

import bisect
import heapq
import operator
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import chain, compress, islice, repeat
from typing import TYPE_CHECKING, Any, TypeAlias

from ._code import OPS
from ._gc import paused as gc_paused
from ._terms import ALL, ANY, ATLEAST, CMP, NOT, REF, Code, Groups, Refs, children, translate
from ._transform import name_key
from .model import Node, Requirement, Stage

if TYPE_CHECKING:
    from .assessment import Fact
    from .ruleset import RuleSet

__all__ = [
    "CAPABILITY_STATUS",
    "NO",
    "STAGE_STATUS",
    "STATE_WORD",
    "UNKNOWN",
    "YES",
    "Program",
    "Run",
    "fact_arrays",
    "value",
]

NO, UNKNOWN, YES = 0, 1, 2

# A capability's status by in_place * 3 + holds (LANGUAGE.md's table); a stage's by holds.
CAPABILITY_STATUS = (
    "blocked", "unknown", "ready",  # not in place
    "blocked", "unknown", "unknown",  # unknown
    "at-risk", "unknown", "met",  # in place
)  # fmt: skip
STAGE_STATUS = ("blocked", "unknown", "reached")
CAPABILITY_STATUSES = ("met", "at-risk", "ready", "blocked", "unknown")
STAGE_STATUSES = ("reached", "blocked", "unknown")
STATE_WORD = ("no", "unknown", "yes")

# Compiled expressions and their opcodes (REF, CMP, ...) come from `_terms`, which makes them.

# A requirement as `_code` gives it: a name key (str) or nested tuples; read dynamically.
RequirementCode: TypeAlias = Any
Level: TypeAlias = float | None
Step: TypeAlias = tuple[int, Refs, Groups, tuple[Code, ...]]
BatchPass: TypeAlias = Callable[[list[int], Sequence[Level]], tuple[list[int], list[int]]]

_NAME = operator.attrgetter("name")
_KEY = operator.attrgetter("key")
_MET_AT = operator.attrgetter("met_at")
_SUBJECT = operator.attrgetter("subject")
_CODE = operator.attrgetter("code")
_is_zero = operator.not_
_is_one = (1).__eq__


class Program:
    """One rule set as arrays; built once per rule set, shared by every evaluation of it."""

    def __init__(self, ruleset: RuleSet) -> None:
        with gc_paused():
            self._build(ruleset)

    # The attributes that make the program, all plain data (tuples, dicts, ints, strings,
    # floats, bytes): what a compiled-model cache keeps beside the rule set.
    _PLAIN = (
        "n",
        "capabilities",
        "stages",
        "is_stage",
        "after",
        "met_at",
        "plan_nodes",
        "plan_refs",
        "plan_groups",
        "plan_rest",
        "capability_by_name",
        "depth",
        "compared_at",
        "stage_lines",
    )
    _PLAIN_FORMAT = 3

    def to_plain(self) -> tuple[object, ...]:
        """The program as plain data, for `from_plain` (a cache stores it to skip compiling).

        With it go every node's name and the stages' fixed fields, so that evaluating
        and summarising a cached rule set needs none of the model's objects."""
        stages = {i: self.static(i) for i in self.stages}
        return (self._PLAIN_FORMAT, tuple(getattr(self, name) for name in self._PLAIN), self.renamed, stages)

    @classmethod
    def from_plain(cls, ruleset: RuleSet, data: tuple[object, ...]) -> Program:
        """The program `to_plain` gave for this same rule set (ValueError if the data is not one)."""
        if len(data) != 4 or data[0] != cls._PLAIN_FORMAT:
            raise ValueError("not a compiled program of this version")
        _, values, renamed, stages = data
        if not (
            isinstance(values, tuple)
            and len(values) == len(cls._PLAIN)
            and isinstance(renamed, dict)
            and isinstance(stages, dict)
        ):
            raise ValueError("not a compiled program of this version")
        program = cls.__new__(cls)
        with gc_paused():
            program.ruleset = ruleset
            program.keys = ruleset.order
            program.index = dict(zip(ruleset.order, range(len(ruleset.order)), strict=True))
            for name, value in zip(cls._PLAIN, values, strict=True):
                setattr(program, name, value)
            if program.n != len(ruleset.order) or (renamed and max(renamed) >= program.n):
                raise ValueError("the compiled program is of another rule set")
            program._init_derived()
            program._renamed = renamed
            statics: list[tuple[str, str, float, str | None, str | None] | None] = [None] * program.n
            for i, static in stages.items():
                statics[i] = static
            program._statics = statics
        return program

    def _build(self, ruleset: RuleSet) -> None:
        # Mostly `map` over attribute getters: this runs once per rule set, on every cold
        # start, and a Python statement per node costs as much as the pass itself.
        self.ruleset = ruleset
        model = ruleset.model
        order = ruleset.order
        n = self.n = len(order)
        self.keys: tuple[str, ...] = order
        # The loader's numbers and translation of the requirements, when its numbering
        # (declaration order) is this order; else both are made here.
        shared = ruleset._take_translation(order)
        index = self.index = shared[0] if shared else dict(zip(order, range(n), strict=True))
        get_index = index.__getitem__
        # In declaration order (shared) the nodes are the model's, in its order, and its
        # capabilities are the nodes that are not stages (the loader's model lists them in that
        # order): no name is looked up (a million lookups in a dictionary too large for the
        # processor's caches took 0.4 s).
        nodes = tuple(model.nodes.values()) if shared else tuple(map(model.nodes.__getitem__, order))
        # compact where the model is large: most nodes are capabilities, most have no `after`
        # and `met at` 1, so those are a byte per node and dictionaries of the exceptions
        self.is_stage: bytes = bytes(map(isinstance, nodes, repeat(Stage)))
        self.capabilities: tuple[int, ...] = (
            tuple(compress(range(n), map(_is_zero, self.is_stage)))
            if shared
            else tuple(map(get_index, map(_KEY, model.capabilities)))
        )
        self.stages: tuple[int, ...] = tuple(compress(range(n), self.is_stage))
        after = [-1] * n
        for stage in model.stages:
            if stage.after is not None:
                after[index[stage.key]] = index[stage.after]
        self.after: dict[int, int] = {i: after[i] for i in self.stages}  # -1: none
        self.met_at: dict[int, float] = {
            i: float(level)
            for i, level in zip(self.capabilities, map(_MET_AT, model.capabilities), strict=True)
            if level != 1
        }

        terms = shared[1] if shared else translate(model.requirements, index)
        subjects, all_refs, all_groups, all_rest = terms.subjects, terms.refs, terms.groups, terms.rest
        # the first rule (its position in the model's requirements) that compares each
        # capability by level, for the level-needed message
        self.compared_at: dict[int, int] = terms.compared_at
        # each stage's requirement lines (position in the model's requirements, and code), for
        # the stages' blockers, which reports show for every stage: the codes let the summary
        # count them without the model's objects (a cached rule set reads those only if asked)
        lines: dict[int, list[tuple[int, RequirementCode]]] = {}
        requirements = model.requirements
        for k in compress(range(len(subjects)), map(self.is_stage.__getitem__, subjects)):
            lines.setdefault(subjects[k], []).append((k, requirements[k].code))
        self.stage_lines: dict[int, tuple[tuple[int, RequirementCode], ...]] = {
            i: tuple(found) for i, found in lines.items()
        }
        # The plan: the nodes that have requirements, in dependency order, with their terms, as
        # four parallel tuples (no tuple per node). A node with several requirement lines (or a
        # stage with an `after`, joined after its requirements) has several entries: they are
        # joined. Requirements mostly come in dependency order already: then they are not
        # sorted (sorting a permutation of a large model's requirements made new numbers for
        # them all at the moment memory use peaks).
        if all(map(operator.le, subjects, islice(subjects, 1, None))):
            ordered: Iterable[int] = range(len(subjects))
        else:
            ordered = sorted(range(len(subjects)), key=subjects.__getitem__)
        stages_after = [i for i in self.stages if after[i] >= 0]  # in index order
        no_groups: Groups = ()
        no_rest: tuple[Code, ...] = ()

        def entries() -> Iterator[Step]:
            pending = iter(stages_after)
            stage = next(pending, n)
            for k in ordered:
                i = subjects[k]
                while stage < i:  # a stage's `after` comes after all its own requirements
                    yield stage, (after[stage],), no_groups, no_rest
                    stage = next(pending, n)
                yield i, all_refs[k], all_groups[k], all_rest[k]
            while stage < n:
                yield stage, (after[stage],), no_groups, no_rest
                stage = next(pending, n)

        nodes_list: list[int] = []
        refs_list: list[Refs] = []
        groups_list: list[Groups] = []
        rest_list_: list[tuple[Code, ...]] = []
        last = -1
        for i, refs, groups, rest in entries():
            if i == last:
                refs_list[-1] += refs
                groups_list[-1] += groups
                rest_list_[-1] += rest
                continue
            last = i
            nodes_list.append(i)
            refs_list.append(refs)
            groups_list.append(groups)
            rest_list_.append(rest)
        self.plan_nodes: tuple[int, ...] = tuple(nodes_list)
        self.plan_refs: tuple[Refs, ...] = tuple(refs_list)
        self.plan_groups: tuple[Groups, ...] = tuple(groups_list)
        # None when no node has a general expression (no `not`, `N of`, comparison)
        self.plan_rest: tuple[tuple[Code, ...], ...] | None = tuple(rest_list_) if any(rest_list_) else None
        # Assessments mostly spell names as declared, and a declared spelling is often its key
        # already: `lookup` tries the key index, then these spellings, and only then name_key.
        self.capability_by_name: dict[str, int] = {
            name: i
            for i, name in zip(self.capabilities, map(_NAME, model.capabilities), strict=True)
            if name != order[i]
        }
        # how many `after` links lead to each stage (for highest_reached / next_stage)
        self.depth: dict[int, int] = {}
        for i in self.stages:
            self.depth[i] = self.depth[after[i]] + 1 if after[i] >= 0 else 0
        self._init_derived()

    def _init_derived(self) -> None:
        """What is worked out from the plan when first needed."""
        self._names: tuple[str, ...] | None = None
        self._capability_keys: tuple[str, ...] | None = None
        # the names that differ from their keys, by index (see `renamed`)
        self._renamed: dict[int, str] | None = None
        self._compared: dict[int, Requirement] | None = None
        # each requirement's node, and each node's first and last requirement line
        self._lines: tuple[list[int], dict[int, int], dict[int, int]] | None = None
        self._refs_of: tuple[tuple[Refs, ...], tuple[Groups, ...], tuple[tuple[Code, ...], ...]] | None = None
        self._templates: dict[str, tuple[list[int], list[Level]]] = {}
        self._statics: list[tuple[str, str, float, str | None, str | None] | None] | None = None
        self._rank: list[int] | None = None
        self._by_rank: list[str] | None = None
        self._dependents: dict[int, list[int]] | None = None
        self._level_dependents: dict[int, list[int]] = {}
        self._batch: BatchPass | None = None

    def plan(self) -> Iterator[Step]:
        """(node, refs, groups, rest) for the nodes that have requirements, in dependency order."""
        return zip(self.plan_nodes, self.plan_refs, self.plan_groups, self._rest(), strict=True)

    def _rest(self) -> Iterable[tuple[Code, ...]]:
        return self.plan_rest if self.plan_rest is not None else repeat((), len(self.plan_nodes))

    def node(self, i: int) -> Node:
        return self.ruleset.model.nodes[self.keys[i]]

    def name(self, i: int) -> str:
        """A node's name as declared."""
        if self._names is not None:
            return self._names[i]
        return self.renamed.get(i) or self.keys[i]

    @property
    def renamed(self) -> dict[int, str]:
        """The nodes whose name as declared is not their key, by index: most names are
        spelt as their keys, and reading the others here touches no node object."""
        if self._renamed is None:
            renamed = {i: name for name, i in self.capability_by_name.items()}
            for i in self.stages:
                name = self.node(i).name
                if name != self.keys[i]:
                    renamed[i] = name
            self._renamed = renamed
        return self._renamed

    @property
    def compared(self) -> dict[int, Requirement]:
        """For each capability compared by level, the first rule that compares it."""
        if self._compared is None:
            requirements = self.ruleset.model.requirements
            self._compared = {j: requirements[k] for j, k in self.compared_at.items()}
        return self._compared

    @property
    def names(self) -> tuple[str, ...]:
        """Every node's name, by index (made when first needed: reports that list many names)."""
        if self._names is None:
            names = list(self.keys)
            for i, name in self.renamed.items():
                names[i] = name
            self._names = tuple(names)
        return self._names

    # derived on demand -------------------------------------------------------------
    def static(self, i: int) -> tuple[str, str, float, str | None, str | None]:
        """What a node's result takes from the rule set: name, kind, effort, description, after."""
        statics = self._statics
        if statics is None:
            statics = self._statics = [None] * self.n
        found = statics[i]
        if found is None:
            node = self.node(i)
            after = self.after.get(i, -1)
            found = statics[i] = (
                node.name,
                node.kind,
                node.effort,
                node.description,
                self.name(after) if after >= 0 else None,
            )
        return found

    def requirements_of(self, i: int) -> tuple[Requirement, ...]:
        """Node `i`'s requirement lines in the order written (for blockers).

        A capability's are found from where its first and last lines are: a node's
        lines mostly follow one another, and any other node's lines between them are
        left out. The two positions are found for every node at once, in C, when
        first asked for: grouping the lines node by node in Python cost more than all
        the blockers of a large model's stages.
        """
        requirements = self.ruleset.model.requirements
        if self.is_stage[i]:
            return tuple(requirements[k] for k, _ in self.stage_lines.get(i, ()))
        if self._lines is None:
            with gc_paused():
                subjects = list(map(self.index.__getitem__, map(_SUBJECT, self.ruleset.model.requirements)))
                count = len(subjects)
                last = dict(zip(subjects, range(count), strict=True))
                first = dict(zip(reversed(subjects), range(count - 1, -1, -1), strict=True))
            self._lines = (subjects, first, last)
        subjects, first, last = self._lines
        start = first.get(i)
        if start is None:
            return ()
        end = last[i] + 1
        if end - start == 1:
            return (requirements[start],)
        return tuple(compress(requirements[start:end], map(i.__eq__, subjects[start:end])))

    def requirement_codes(self, i: int) -> Iterable[RequirementCode]:
        """The codes of node `i`'s requirement lines (a stage's without the model's objects)."""
        if self.is_stage[i]:
            return [code for _, code in self.stage_lines.get(i, ())]
        return map(_CODE, self.requirements_of(i))

    def and_refs(self, i: int) -> Refs | None:
        """Node `i`'s references when its requirements are names joined by `and` only (a
        stage's `after` among them): its plan entry's, if that has no `or` group and no
        general expression; () if it has no entry; None otherwise."""
        # the entry found by bisection (the plan is in node order): `refs_of` would first make
        # tables of every node, a cost the summary, which asks only for its stages, need not pay
        nodes = self.plan_nodes
        p = bisect.bisect_left(nodes, i)
        if p == len(nodes) or nodes[p] != i:
            return ()
        if self.plan_groups[p] or (self.plan_rest is not None and self.plan_rest[p]):
            return None
        return self.plan_refs[p]

    def _terms_by_node(self) -> tuple[tuple[Refs, ...], tuple[Groups, ...], tuple[tuple[Code, ...], ...]]:
        if self._refs_of is None:
            refs_of: list[Refs] = [()] * self.n
            groups_of: list[Groups] = [()] * self.n
            rest_of: list[tuple[Code, ...]] = [()] * self.n
            for i, refs, groups, rest in self.plan():
                refs_of[i], groups_of[i], rest_of[i] = refs, groups, rest
            self._refs_of = (tuple(refs_of), tuple(groups_of), tuple(rest_of))
        return self._refs_of

    @property
    def refs_of(self) -> tuple[Refs, ...]:
        """Each node's plain references (for the walks), by index."""
        return self._terms_by_node()[0]

    @property
    def groups_of(self) -> tuple[Groups, ...]:
        return self._terms_by_node()[1]

    @property
    def rest_of(self) -> tuple[tuple[Code, ...], ...]:
        return self._terms_by_node()[2]

    @property
    def capability_keys(self) -> tuple[str, ...]:
        """Every capability's key, in declaration order (made when first needed)."""
        if self._capability_keys is None:
            self._capability_keys = tuple(map(self.keys.__getitem__, self.capabilities))
        return self._capability_keys

    def template(self, unlisted: str) -> tuple[list[int], list[Level]]:
        """Arrays for an assessment that lists nothing (`unlisted`: unknown or no): the in-place
        list is a fresh copy; the levels list is shared, and copied by whoever writes to it."""
        found = self._templates.get(unlisted)
        if found is None:
            code, level = (NO, 0.0) if unlisted == "no" else (UNKNOWN, None)
            # by `is_stage` (a byte per node), in C: a stage is always YES, with no level
            in_place = list(map((code, YES).__getitem__, self.is_stage))
            levels: list[Level] = list(map((level, None).__getitem__, self.is_stage))
            found = self._templates[unlisted] = (in_place, levels)
        return found[0].copy(), found[1]

    @property
    def dependents(self) -> dict[int, list[int]]:
        """For each node that something reads, the nodes whose requirements read its value
        (for what-if; a node may appear twice, which the walk ignores)."""
        if self._dependents is None:
            with gc_paused():
                out: dict[int, list[int]] = {}
                levels: dict[int, list[int]] = {}
                get = out.get
                for i, refs in zip(self.plan_nodes, self.plan_refs, strict=True):
                    for j in refs:
                        found = get(j)
                        if found is None:
                            out[j] = [i]
                        else:
                            found.append(i)
                for i, groups, rest in zip(self.plan_nodes, self.plan_groups, self._rest(), strict=True):
                    for group in groups:
                        for j in group:
                            out.setdefault(j, []).append(i)
                    stack = list(rest)
                    while stack:
                        code = stack.pop()
                        if code[0] == REF:
                            out.setdefault(code[1], []).append(i)
                        elif code[0] == CMP:
                            levels.setdefault(code[1], []).append(i)
                        else:
                            stack.extend(children(code))
                self._dependents = out
                self._level_dependents = levels
        return self._dependents

    @property
    def level_dependents(self) -> dict[int, list[int]]:
        """For each capability compared by level, the nodes that compare it."""
        _ = self.dependents
        return self._level_dependents

    def sorted_names(self, indices: Collection[int]) -> tuple[str, ...]:
        """Names in LANGUAGE.md's order (keys are unique, so the key alone sorts).

        Many lists (or a long one) are sorted as integers: each node's position in
        name order is worked out once, and comparing integers is several times
        cheaper than comparing the strings.
        """
        if not indices:
            return ()
        if self._by_rank is None and len(indices) < 512:
            return tuple(map(self.name, sorted(indices, key=self.keys.__getitem__)))
        rank, by_rank = self.ranks()
        return tuple(map(by_rank.__getitem__, sorted(map(rank.__getitem__, indices))))

    def ranks(self) -> tuple[list[int], list[str]]:
        """(each node's position in name order, the names in that order)."""
        if self._by_rank is None:
            order = sorted(range(self.n), key=self.keys.__getitem__)
            rank = [0] * self.n
            for position, i in enumerate(order):
                rank[i] = position
            self._rank = rank
            self._by_rank = list(map(self.names.__getitem__, order))
        assert self._rank is not None
        return self._rank, self._by_rank

    def lookup(self, name: str) -> int | None:
        """The index of a node by name in any case or spacing; None if undeclared."""
        i = self.index.get(name)  # a key is its own key (name_key is idempotent)
        if i is None:
            i = self.capability_by_name.get(name)
        return i if i is not None else self.index.get(name_key(name))

    # the pass ------------------------------------------------------------------------
    def run(self, in_place: list[int], levels: Sequence[Level]) -> tuple[list[int], list[int]]:
        """(values, holds) for facts given as arrays."""
        values = in_place.copy()
        holds = [YES] * self.n
        get = values.__getitem__
        for i, refs, groups, rest in self.plan():
            h = min(map(get, refs)) if refs else YES
            if h and groups:
                for group in groups:
                    x = max(map(get, group))
                    if x < h:
                        h = x
                        if not h:
                            break
            if h and rest:
                for code in rest:
                    x = value(code, values, levels)
                    if x < h:
                        h = x
                        if not h:
                            break
            holds[i] = h
            if h < values[i]:  # noqa: PLR1730  (here a call of min costs more than the comparison)
                values[i] = h
        return values, holds

    def batch_pass(self) -> BatchPass:
        """The pass as one generated Python function, for evaluating many assessments.

        Each node's value lives in a local variable, so a node costs a few byte-code
        instructions instead of list indexing and loop overhead: about three times
        faster per row. The generated source holds only indices and opcodes (names
        and numbers from rule files are passed in as constants, never written into
        it), and compiling it costs far more than one pass on a large model, so it
        is only built for batches.
        """
        if self._batch is None:
            self._batch = _generate(self)
        return self._batch


def value(code: Code, values: Sequence[int], levels: Sequence[Level]) -> int:
    """The truth value of a compiled expression."""
    op = code[0]
    if op == REF:
        return values[code[1]]
    if op == CMP:
        level = levels[code[1]]
        if level is None:
            return UNKNOWN
        return YES if OPS[code[2]](level, code[3]) else NO
    if op == NOT:
        return YES - value(code[1], values, levels)
    if op == ALL:
        result = YES
        for part in code[1]:
            x = value(part, values, levels)
            if x < result:
                result = x
                if not result:
                    break
        return result
    if op == ANY:
        result = NO
        for part in code[1]:
            x = value(part, values, levels)
            if x > result:
                result = x
                if result == YES:
                    break
        return result
    return _atleast(code[1], tuple(value(part, values, levels) for part in code[2]))


def _atleast(need: float, parts: tuple[int, ...]) -> int:
    yes = parts.count(YES)
    if yes >= need:
        return YES
    return NO if yes + parts.count(UNKNOWN) < need else UNKNOWN


# --- code generation for batches ------------------------------------------------------------


def _generate(program: Program) -> BatchPass:
    """The source of the batch pass: straight-line code, one local variable per node.

    `min` and `max` are written out as comparisons (`if x < h: h = x`): a call of a
    builtin costs several times more than the comparison it makes.
    """
    constants: list[object] = []

    def const(item: object) -> str:
        constants.append(item)
        return f"K[{len(constants) - 1}]"

    def expr(code: Code) -> str:
        op = code[0]
        if op == REF:
            return f"v{code[1]}"
        if op == CMP:
            return f"cmp(L[{code[1]}], {const(OPS[code[2]])}, {const(code[3])})"
        if op == NOT:
            return f"(2 - {expr(code[1])})"
        parts = [expr(c) for c in code[-1]]
        if op == ATLEAST:
            return f"atleast({const(code[1])}, ({', '.join(parts)},))"
        return parts[0] if len(parts) == 1 else f"{'mn' if op == ALL else 'mx'}({', '.join(parts)})"

    n = program.n
    lines = ["def run(P, L):"]
    if n:
        lines.append(f"    {', '.join(f'v{i}' for i in range(n))}, = P")
    holds = ["2"] * n
    for i, refs, groups, rest in program.plan():
        h = holds[i] = f"h{i}"
        body: list[str] = []
        started = False
        for j in refs:
            body.append(f"    if v{j} < {h}: {h} = v{j}" if started else f"    {h} = v{j}")
            started = True
        for group in groups:
            body.append(f"    g = v{group[0]}")
            body += [f"    if v{j} > g: g = v{j}" for j in group[1:]]
            body.append(f"    if g < {h}: {h} = g" if started else f"    {h} = g")
            started = True
        for code in rest:
            body.append(f"    x = {expr(code)}")
            body.append(f"    if x < {h}: {h} = x" if started else f"    {h} = x")
            started = True
        lines += body
        lines.append(f"    if {h} < v{i}: v{i} = {h}")
    lines.append(f"    return [{', '.join(f'v{i}' for i in range(n))}], [{', '.join(holds)}]")
    namespace: dict[str, Any] = {"K": tuple(constants), "mn": min, "mx": max, "cmp": _cmp, "atleast": _atleast}
    exec(compile("\n".join(lines), "<sbstrategy batch pass>", "exec"), namespace)  # the source holds indices only
    generated: BatchPass = namespace["run"]
    return generated


def _cmp(level: Level, op: Callable[[float, float], bool], number: float) -> int:
    if level is None:
        return UNKNOWN
    return YES if op(level, number) else NO


# --- one evaluation's arrays ---------------------------------------------------------------


def capability_counts(program: Program, in_place: Sequence[int], holds: Sequence[int]) -> dict[str, int]:
    """How many capabilities have each status (all five keys, in a fixed order).

    A status is a function of `3 * in_place + holds`, a number below 9. Read as
    little-endian integers, the two lists give every node's code at once with one
    multiplication and one addition (no digit carries into the next byte), and
    `bytes.count` counts each code; the stages, few, are taken out afterwards.
    """
    n = len(in_place)
    joined = 3 * int.from_bytes(bytes(in_place), "little") + int.from_bytes(bytes(holds), "little")
    codes = joined.to_bytes(n, "little")
    found = [codes.count(code) for code in range(9)]
    for s in program.stages:
        found[3 * in_place[s] + holds[s]] -= 1
    met, at_risk, ready = found[8], found[6], found[2]
    blocked = found[0] + found[3]
    return {
        "met": met,
        "at-risk": at_risk,
        "ready": ready,
        "blocked": blocked,
        "unknown": len(program.capabilities) - met - at_risk - ready - blocked,
    }


def highest_reached(program: Program, holds: Sequence[int]) -> int:
    """The reached stage furthest along an `after` chain (first in dependency order); -1 if none."""
    best, depth = -1, -1
    for i, d in program.depth.items():
        if holds[i] == YES and d > depth:
            best, depth = i, d
    return best


def next_stage(program: Program, holds: Sequence[int]) -> int:
    """The stage to work towards: not reached, the one before it reached (or none); -1 if none."""
    best, depth = -1, -1
    after = program.after
    for i, d in program.depth.items():
        a = after[i]
        if holds[i] != YES and (a < 0 or holds[a] == YES) and d > depth:
            best, depth = i, d
    return best


# After this many single queries for root causes (or open questions), materialise
# them all bottom-up: a caller that reads every node's list (JSON, text) then pays
# the union sizes once instead of one walk per node.
_BULK_AFTER = 64


class Run:
    """The arrays of one evaluation, and what follows from them on demand."""

    __slots__ = ("_memo", "_queries", "holds", "in_place", "levels", "program", "values")

    def __init__(
        self, program: Program, in_place: list[int], levels: list[Level], values: list[int], holds: list[int]
    ) -> None:
        self.program = program
        self.in_place = in_place
        self.levels = levels
        self.values = values
        self.holds = holds
        # materialised sets, per kind ("causes", "questions"), by node; made when first asked for
        self._memo: dict[str, dict[int, frozenset[int]]] | None = None
        self._queries: dict[str, int] = {}

    def memo(self, kind: str) -> dict[int, frozenset[int]]:
        """The materialised root-cause ("causes") or open-question ("questions") sets, by node."""
        if self._memo is None:
            self._memo = {"causes": {}, "questions": {}}
            self._queries = {"causes": 0, "questions": 0}
        return self._memo[kind]

    @classmethod
    def evaluate(cls, program: Program, in_place: list[int], levels: list[Level]) -> Run:
        values, holds = program.run(in_place, levels)
        return cls(program, in_place, levels, values, holds)

    def status(self, i: int) -> str:
        if self.program.is_stage[i]:
            return STAGE_STATUS[self.holds[i]]
        return CAPABILITY_STATUS[self.in_place[i] * 3 + self.holds[i]]

    def capability_counts(self) -> dict[str, int]:
        """How many capabilities have each status (all five keys, in a fixed order)."""
        return capability_counts(self.program, self.in_place, self.holds)

    def value_of(self, code: Code) -> int:
        return value(code, self.values, self.levels)

    # stages -----------------------------------------------------------------------------
    def highest_reached(self) -> int:
        """The reached stage furthest along an `after` chain (first in dependency order); -1 if none."""
        return highest_reached(self.program, self.holds)

    def next_stage(self) -> int:
        """The stage to work towards: not reached, the one before it reached (or none); -1 if none."""
        return next_stage(self.program, self.holds)

    # root causes and open questions ----------------------------------------------------------
    def causes(self, start: int) -> frozenset[int]:
        """The root causes of node `start` (indices; empty unless its requirements fail)."""
        if self.holds[start] != NO:
            return frozenset()
        return self._query("causes", start)

    def questions(self, start: int) -> frozenset[int]:
        """The open questions of node `start` (indices; empty unless its status is unknown)."""
        if self.status(start) != "unknown":
            return frozenset()
        return self._query("questions", start)

    def _query(self, kind: str, start: int) -> frozenset[int]:
        memo = self.memo(kind)
        found = memo.get(start)
        if found is not None:
            return found
        self._queries[kind] += 1
        if self._queries[kind] > _BULK_AFTER:
            self.materialise(kind)
            return memo[start]
        result: set[int] = set()
        self._walk(kind, start, result, set())
        found = memo[start] = frozenset(result)
        return found

    def _walk(self, kind: str, start: int, result: set[int], visited: set[int]) -> None:
        """Add the root causes ("causes") or open questions ("questions") of `start` to
        `result`; nodes in `visited` are in it already.

        Level by level: the references of a whole frontier that can be followed (failing
        ones for root causes, undecided ones for open questions) are found with
        `map`/`compress`. Root causes split them into leaves (`holds` not 0: ready, or
        not in place with undecided prerequisites) and nodes to expand (`holds` 0:
        blocked, at-risk, or a blocked stage), as LANGUAGE.md's "Meaning" says; open
        questions expand them all and collect the capabilities whose fact is unknown.
        """
        causes = kind == "causes"
        want, wanted = (NO, _is_zero) if causes else (UNKNOWN, _is_one)
        follow = self._failing if causes else self._undecided
        program, values, holds, in_place, memo = self.program, self.values, self.holds, self.in_place, self.memo(kind)
        refs_of, groups_of, rest_of = program.refs_of, program.groups_of, program.rest_of
        get_value, get_holds = values.__getitem__, holds.__getitem__
        visited.add(start)
        frontier = [start]
        first = True
        while frontier:
            if memo and not first:
                keep = []
                for x in frontier:
                    known = memo.get(x)
                    if known is None:
                        keep.append(x)
                    else:
                        result |= known
                frontier = keep
            first = False
            if not causes:
                # a capability whose own fact is unknown (a stage's "in place" is always 2)
                result.update(compress(frontier, map(_is_one, map(in_place.__getitem__, frontier))))
            refs = list(chain.from_iterable(map(refs_of.__getitem__, frontier)))
            groups = list(chain.from_iterable(map(groups_of.__getitem__, frontier)))
            if groups:
                # an `or` group is followed when its value is the one looked for
                refs.extend(
                    chain.from_iterable(compress(groups, map(wanted, map(max, map(map, repeat(get_value), groups)))))
                )
            reached = list(compress(refs, map(wanted, map(get_value, refs))))
            if causes:
                result.update(compress(reached, map(get_holds, reached)))
                expand = set(compress(reached, map(_is_zero, map(get_holds, reached))))
            else:
                expand = set(reached)
            expand -= visited
            visited |= expand
            more: list[int] = []
            for x in frontier:
                for code in rest_of[x]:
                    if self.value_of(code) == want:
                        follow(code, result, visited, more)
            frontier = [*expand, *more]

    def _failing(self, code: Code, result: set[int], visited: set[int], expand: list[int]) -> None:
        """The root causes of a failing general expression: leaves into `result`, nodes to expand into `expand`."""
        todo = [code]
        while todo:
            c = todo.pop()
            op = c[0]
            if op == REF:
                j: int = c[1]
                if self.holds[j]:
                    result.add(j)
                elif j not in visited:
                    visited.add(j)
                    expand.append(j)
            elif op == CMP:
                result.add(c[1])
            elif op == NOT:
                # a failing `not A` contributes every name inside A whose term holds
                inner = [c[1]]
                while inner:
                    a: Code = inner.pop()
                    if a[0] in (REF, CMP):
                        if self.value_of(a) == YES:
                            result.add(a[1])
                    else:
                        inner.extend(children(a))
            elif op == ANY:
                todo.extend(c[1])
            else:  # ALL, ATLEAST: the failing parts
                todo.extend(p for p in c[-1] if self.value_of(p) == NO)

    def _undecided(self, code: Code, result: set[int], visited: set[int], expand: list[int]) -> None:
        todo = [code]
        while todo:
            c = todo.pop()
            if c[0] == REF:
                j: int = c[1]
                if j not in visited:
                    visited.add(j)
                    expand.append(j)
            elif c[0] == CMP:
                result.add(c[1])
            else:
                todo.extend(p for p in children(c) if self.value_of(p) == UNKNOWN)

    def materialise(self, kind: str) -> None:
        """Every node's root causes (or open questions), bottom-up in one pass, for printing them all.

        A node's set is the union of its leaves and the sets of the nodes it expands
        into; a node with a single such part and no leaf of its own shares that
        part's set, so a chain of stages each blocked only by the one before holds
        one set, not a copy per stage.
        """
        with gc_paused():
            self._materialise(kind)
            self.program.ranks()

    def _materialise(self, kind: str) -> None:
        memo = self.memo(kind)
        self._queries[kind] = _BULK_AFTER + 1  # from now on every query is a lookup
        program, values, holds, in_place = self.program, self.values, self.holds, self.in_place
        get_value, get_holds = values.__getitem__, holds.__getitem__
        causes = kind == "causes"
        empty: frozenset[int] = frozenset()
        if not causes:
            # a capability without requirements whose fact is unknown: its own question
            terms = program.refs_of, program.groups_of, program.rest_of
            for i in program.capabilities:
                if in_place[i] == UNKNOWN and not any(t[i] for t in terms):
                    memo[i] = frozenset((i,))
        for i, refs, groups, rest in program.plan():
            if i in memo:
                continue
            h = holds[i]
            if causes:
                if h != NO:
                    continue
                failing = list(compress(refs, map(_is_zero, map(get_value, refs))))
                for group in groups:
                    if max(map(get_value, group)) == NO:
                        failing.extend(group)
                leaves = set(compress(failing, map(get_holds, failing)))
                expand = list(dict.fromkeys(compress(failing, map(_is_zero, map(get_holds, failing)))))
                if rest:
                    seen = set(expand)
                    for code in rest:
                        if self.value_of(code) == NO:
                            self._failing(code, leaves, seen, expand)
            else:
                if self.status(i) != "unknown":
                    continue
                leaves = {i} if in_place[i] == UNKNOWN else set()
                undecided = list(compress(refs, map(_is_one, map(get_value, refs))))
                for group in groups:
                    if max(map(get_value, group)) == UNKNOWN:
                        undecided.extend(compress(group, map(_is_one, map(get_value, group))))
                expand = list(dict.fromkeys(undecided))
                if rest:
                    seen = set(expand)
                    for code in rest:
                        if self.value_of(code) == UNKNOWN:
                            self._undecided(code, leaves, seen, expand)
            parts = [memo.get(j, empty) for j in expand]
            if not leaves and len(parts) == 1:
                memo[i] = parts[0]
                continue
            for part in parts:
                leaves |= part
            memo[i] = frozenset(leaves)

    def stage_counts(self, kind: str) -> dict[int, int]:
        """How many root causes (or open questions) each stage has, without listing them.

        The stage after a blocked stage inherits all of its root causes, so the
        blocked stages form chains (segments) whose lists only grow along the
        chain; printing each in full is what makes a large report superlinear.
        Counting needs one sweep per segment instead: every node reached from the
        segment is labelled with the earliest stage of the segment that reaches
        it, in one backward pass over the nodes (dependency order reversed, so a
        node's label is final before it passes it on), and a stage's count is the
        number of leaves labelled at or before it. The first stage of each segment
        gets its set memoised on the way (the summary prints the next stage's list).
        Open questions go the same way through unknown stages.
        """
        want = NO if kind == "causes" else UNKNOWN
        program, holds = self.program, self.holds
        memo = self.memo(kind)
        wanted = [s for s in program.stages if holds[s] == want]
        followers: dict[int, int] = {}
        for s in wanted:
            followers[program.after[s]] = followers.get(program.after[s], 0) + 1
        segments: list[list[int]] = []
        segment_of: dict[int, list[int]] = {}
        for s in wanted:
            a = program.after[s]
            segment = segment_of.get(a) if a >= 0 and followers[a] == 1 else None
            if segment is None:
                segment = []
                segments.append(segment)
            segment.append(s)
            segment_of[s] = segment
        counts = dict.fromkeys(program.stages, 0)
        for segment in segments:
            if len(segment) == 1 and segment[0] in memo:
                counts[segment[0]] = len(memo[segment[0]])
                continue
            per_label, head = self._sweep(kind, segment)
            total = 0
            for s, found in zip(segment, per_label, strict=True):
                total += found
                counts[s] = total
            memo.setdefault(segment[0], head)
        return counts

    def _sweep(self, kind: str, segment: list[int]) -> tuple[list[int], frozenset[int]]:
        """(new leaves per stage of the segment, the first stage's leaves): see `stage_counts`."""
        causes = kind == "causes"
        program, values, holds, in_place = self.program, self.values, self.holds, self.in_place
        get_value = values.__getitem__
        n = program.n
        never = len(segment)
        want = NO if causes else UNKNOWN
        # Labels start at `never`. For root causes every node's does: a reference to a node
        # that holds is followed too (one comparison, whatever the node), but such a node is
        # neither expanded (its `holds` is not 0) nor counted (leaves are failing: value 0).
        # For open questions only undecided nodes can be reached: the others start at -1,
        # which no label is below.
        label = [never] * n if causes else list(map((-1, never, -1).__getitem__, values))
        for position, s in enumerate(segment):
            label[s] = position
        direct: dict[int, int] = {}  # leaves named by a comparison or a `not` (any node)
        # The steps up to the segment's last stage, last first. Root causes expand only failing
        # nodes (holds 0): they are chosen in C, by `holds`, as the steps are read (at 1M about
        # a tenth less time than a test of `holds` in the loop; no difference at 100k).
        end = bisect.bisect_right(program.plan_nodes, max(segment))
        backwards = slice(end - 1, None, -1) if end else slice(0, 0)
        nodes = program.plan_nodes[backwards]
        steps: Iterable[tuple[int, Refs, Groups]] = zip(
            nodes, program.plan_refs[backwards], program.plan_groups[backwards], strict=True
        )
        # Open questions expand only undecided nodes (value 1: the others keep the label -1),
        # chosen in C the same way.
        steps = compress(
            steps, map(_is_zero, map(holds.__getitem__, nodes)) if causes else map(_is_one, map(get_value, nodes))
        )
        # the general expressions of the few nodes that have them (looked up only if any; a
        # rule set without any, the common case, builds nothing)
        plan_rest = program.plan_rest
        rest_at = {i: rest for i, rest in zip(program.plan_nodes, plan_rest, strict=True) if rest} if plan_rest else {}
        for i, refs, groups in steps:
            lab = label[i]
            if lab == never:  # not reached from the segment
                continue
            for j in refs:
                if label[j] > lab:  # noqa: PLR1730  (as in Program.run)
                    label[j] = lab
            for group in groups:
                # an `or` group fails when no alternative has a value, and is undecided when
                # the best has value 1 (a loop with `break` costs less here than a call of `max`)
                for j in group:
                    if values[j] > want:
                        break
                else:
                    for j in group:
                        if label[j] > lab:  # noqa: PLR1730
                            label[j] = lab
            if not rest_at or i not in rest_at:
                continue
            for code in rest_at[i]:
                if self.value_of(code) != want:
                    continue
                leaves: set[int] = set()
                expand: list[int] = []
                (self._failing if causes else self._undecided)(code, leaves, set(), expand)
                for j in expand:
                    if label[j] > lab:  # noqa: PLR1730
                        label[j] = lab
                for j in leaves:
                    if direct.get(j, never) > lab:
                        direct[j] = lab
        # A reached node is a leaf when it is not expanded further: for root causes a failing
        # node whose own requirements do not fail (holds not 0: reached nodes all fail); for
        # open questions a capability whose fact is unknown. Leaves are few: the candidates are
        # found first, and then their labels looked at.
        if causes:
            # failing with requirements that do not fail: not in place (a value is the lower of
            # `in_place` and `holds`); in place below `holds` is that, or unknown and holding
            below = list(compress(range(n), map(operator.lt, in_place, holds)))
            candidates = list(compress(below, map(_is_zero, map(in_place.__getitem__, below))))
        else:
            candidates = list(compress(range(n), map(_is_one, in_place)))
        labels = list(map(label.__getitem__, candidates))
        best = {j: lab for j, lab in zip(candidates, labels, strict=True) if 0 <= lab < never}
        for j, lab in direct.items():
            if lab < best.get(j, never):
                best[j] = lab
        found = Counter(best.values())
        per_label = [found.get(position, 0) for position in range(len(segment))]
        return per_label, frozenset(j for j, lab in best.items() if lab == 0)

    # what-if ------------------------------------------------------------------------------
    def with_facts(self, changes: Mapping[int, tuple[int, Level]]) -> Run:
        """A new run with some capabilities' facts replaced, re-deciding only what depends on them.

        Nodes are numbered in dependency order, so a heap of indices visits the
        affected nodes in an order where everything a node reads is final; a node
        whose value does not change stops the walk there.
        """
        program = self.program
        in_place, levels = self.in_place.copy(), self.levels.copy()
        values, holds = self.values.copy(), self.holds.copy()
        dependents, level_dependents = program.dependents, program.level_dependents
        todo: list[int] = []
        queued: set[int] = set()

        def push(items: Iterable[int]) -> None:
            for d in items:
                if d not in queued:
                    queued.add(d)
                    heapq.heappush(todo, d)

        for j, (state, level) in changes.items():
            in_place[j], levels[j] = state, level
            if level != self.levels[j]:
                push(level_dependents.get(j, ()))
            new = min(state, holds[j])
            if new != values[j]:
                values[j] = new
                push(dependents.get(j, ()))
        refs_of, groups_of, rest_of = program.refs_of, program.groups_of, program.rest_of
        get = values.__getitem__
        while todo:
            i = heapq.heappop(todo)
            refs, groups, rest = refs_of[i], groups_of[i], rest_of[i]
            h = min(map(get, refs)) if refs else YES
            if h and groups:
                h = min(h, *map(max, map(map, repeat(get), groups)))
            if h and rest:
                h = min(h, *(value(code, values, levels) for code in rest))
            holds[i] = h
            new = min(in_place[i], h)
            if new != values[i]:
                values[i] = new
                push(dependents.get(i, ()))
        return Run(program, in_place, levels, values, holds)


def fact_arrays(program: Program, facts: Mapping[str, Fact]) -> tuple[list[int], list[Level]]:
    """In-place and level arrays from checked facts (`assessment.Fact` by key); a
    capability missing from `facts` is unknown."""
    in_place, shared = program.template("unknown")
    levels = shared.copy()
    words = {"no": NO, "unknown": UNKNOWN, "yes": YES}
    index = program.index
    for key, fact in facts.items():
        i = index[key]
        in_place[i] = words[fact.state]
        levels[i] = fact.level
    return in_place, levels
