"""The roadmap to a stage: which capabilities to put in place, in which waves,
for the least total effort; and the leverage of each root cause.

How a plan is found. Facts the assessment leaves unknown are taken as not in
place (the plan lists them as questions to answer first). Each node the target
depends on gets its *routes*: the minimal sets of steps ("put X in place",
"raise X to level N") that would make it hold, built in dependency order:
`and` multiplies routes, `or` and `N of (…)` unite them, a node not yet in
place adds itself to the routes of its requirements. Routes are tried from the
cheapest; each is checked by evaluating the rules with its steps applied, so a
plan is never wrong, only possibly not the cheapest.

Why the search is exact when nothing was cut: every way of reaching the target
contains one of its routes (the routes over-approximate: a term that holds now
counts as holding, and a `not` of something that holds can never be made true
by adding things). So the cheapest route that passes the check, when no cheaper
one failed, costs no more than any other way. When the routes of a node grow
beyond `MAX_ROUTES` only the cheapest are kept (a beam search), and the plan is
marked heuristic, with a lower bound: the steps that every route needs.

The waves then follow from the rules alone: wave 1 holds the steps whose
requirements hold now; wave k+1 those whose requirements hold once waves 1..k
are in place.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from . import ast
from ._exprs import atoms, to_text
from ._transform import name_key
from .assessment import Assessment, Fact, resolve_facts
from .evaluation import Blocker, Evaluation, evaluate
from .model import Capability, Stage

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["Leverage", "Plan", "PlanStep", "Wave", "leverage", "plan"]

#: Routes kept per node; beyond this the search keeps the cheapest (heuristic).
MAX_ROUTES = 128
#: `N of (…)` choices tried exactly; beyond this the cheapest items are taken.
MAX_CHOICES = 2000
#: Routes checked by evaluation before giving up.
MAX_CHECKS = 200
# Pairs formed when multiplying two sets of routes; beyond, both are cut to the cheapest.
_PRODUCT_LIMIT = 2048

# A step of a route: ("in", key, "", 0) puts a capability in place;
# ("level", key, op, n) brings its level to satisfy `op n`; ("end", key, "", 0)
# ends a capability that a `not` excludes.
_Atom = tuple[str, str, str, float]
_Route = frozenset[_Atom]
_EMPTY: _Route = frozenset()
_HOLDS = ("met", "reached")


@attrs.frozen
class PlanStep:
    """One capability to work on: put it in place, raise its level, or both."""

    name: str
    action: str
    effort: float
    put_in_place: bool
    level: float | None = None
    level_before: float | None = None
    unknown: bool = False
    ended: bool = False

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "action": self.action,
            "effort": _num(self.effort),
            "put_in_place": self.put_in_place,
        }
        if self.level is not None:
            out.update(level=_num(self.level), level_before=_num(self.level_before))
        out["assumed_missing"] = self.unknown
        out["end"] = self.ended
        return out


@attrs.frozen
class Wave:
    """Steps that can be taken together; `unlocks` are the stages (and the
    target) that hold once this wave and the ones before are done."""

    number: int
    steps: tuple[PlanStep, ...]
    effort: float
    cumulative: float
    unlocks: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "wave": self.number,
            "steps": [s.to_dict() for s in self.steps],
            "effort": _num(self.effort),
            "cumulative_effort": _num(self.cumulative),
            "unlocks": list(self.unlocks),
        }


@attrs.frozen
class Leverage:
    """A root cause and what it holds up: the blocked stages and capabilities
    it is a root cause of, and those that fixing it alone would unblock."""

    name: str
    effort: float
    stages: tuple[str, ...]
    capabilities: tuple[str, ...]
    unblocks: tuple[str, ...]
    action: str

    @property
    def count(self) -> int:
        return len(self.stages) + len(self.capabilities)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "effort": _num(self.effort),
            "action": self.action,
            "blocked_stages": list(self.stages),
            "blocked_capabilities": list(self.capabilities),
            "unblocks_alone": list(self.unblocks),
        }


@attrs.frozen
class Plan:
    """The roadmap to `target`.

    `method` is "exact" (no other way costs less) or "heuristic" (the cheapest
    found; `lower_bound` is the effort that every way needs). `reachable` is
    False when no way was found by putting things in place; `obstacles` then
    say what stands in the way.
    """

    framework: str | None
    organisation: str | None
    target: str
    target_kind: str
    status: str
    reachable: bool
    waves: tuple[Wave, ...]
    total_effort: float
    method: str
    routes: int
    candidates: int
    lower_bound: float
    questions: tuple[str, ...]
    obstacles: tuple[str, ...]
    leverage: tuple[Leverage, ...]

    @property
    def steps(self) -> tuple[PlanStep, ...]:
        return tuple(s for w in self.waves for s in w.steps)

    @property
    def optimal(self) -> bool:
        return self.method == "exact"

    def to_dict(self) -> dict[str, object]:
        return {
            "framework": self.framework,
            "organisation": self.organisation,
            "target": self.target,
            "target_kind": self.target_kind,
            "status": self.status,
            "reachable": self.reachable,
            "method": self.method,
            "total_effort": _num(self.total_effort),
            "lower_bound": _num(self.lower_bound),
            "routes": self.routes,
            "candidates": self.candidates,
            "waves": [w.to_dict() for w in self.waves],
            "questions": list(self.questions),
            "obstacles": list(self.obstacles),
            "leverage": [entry.to_dict() for entry in self.leverage],
        }


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _word(value: float | None) -> str:
    if value is None or math.isinf(value):
        return "not assessed"
    return str(int(value)) if float(value).is_integer() else str(value)


# Public entry points -----------------------------------------------------------------------------


def _facts(ruleset: RuleSet, facts: Assessment | Mapping[str, object]) -> tuple[dict[str, Fact], str | None]:
    assessment = facts if isinstance(facts, Assessment) else Assessment.from_mapping(facts)
    return resolve_facts(ruleset, assessment), assessment.organisation


def plan(
    ruleset: RuleSet,
    facts: Assessment | Mapping[str, object],
    target: str | None = None,
) -> Plan:
    """The roadmap from an assessment to `target` (a stage or capability; by
    default the next stage not reached). Raises KeyError for an unknown target."""
    resolved, organisation = _facts(ruleset, facts)
    current = evaluate(ruleset, resolved, organisation)
    if target is None:
        upcoming = current.next_stage
        if upcoming is None:
            if not current.stages:
                raise KeyError("these rules declare no stage; name a target")
            upcoming = current.stages[-1]
        target = upcoming.name
    goal = ruleset.node(target)
    return _Planner(ruleset, resolved, current).plan(goal.key)


def leverage(ruleset: RuleSet, facts: Assessment | Mapping[str, object]) -> tuple[Leverage, ...]:
    """Root causes ordered by how many blocked stages and capabilities each holds up."""
    resolved, organisation = _facts(ruleset, facts)
    return _leverage(ruleset, resolved, evaluate(ruleset, resolved, organisation))


# Leverage -------------------------------------------------------------------------------------------


def _flatten(blockers: Iterable[Blocker]) -> Iterable[Blocker]:
    stack = list(blockers)
    while stack:
        blocker = stack.pop()
        stack.extend(b for option in blocker.options for b in option)
        stack.extend(blocker.items)
        yield blocker


def _fixed(
    ruleset: RuleSet, facts: Mapping[str, Fact], key: str, needed: list[float], compared: frozenset[str]
) -> Fact:
    """The fact of capability `key` once it is put in place at the levels `needed`."""
    node = ruleset.model.nodes[key]
    fact = facts[key]
    met_at = node.met_at if isinstance(node, Capability) else 1
    if fact.level is None and not needed and key not in compared:
        return Fact("yes")
    return Fact("yes", max([fact.level or 0.0, met_at, *needed]))


def _compared(ruleset: RuleSet) -> frozenset[str]:
    return frozenset(a.name.key for r in ruleset.requirements for a in atoms(r.expr) if isinstance(a, ast.Compare))


def _leverage(ruleset: RuleSet, facts: Mapping[str, Fact], current: Evaluation) -> tuple[Leverage, ...]:
    open_nodes = [r for r in (*current.stages, *current.capabilities) if r.status in ("blocked", "at-risk")]
    causes: dict[str, tuple[list[str], list[str]]] = {}
    levels: dict[str, list[float]] = {}
    excluded: set[str] = set()
    for result in open_nodes:
        for cause in result.root_causes:
            stages, capabilities = causes.setdefault(cause, ([], []))
            (stages if result.kind == "stage" else capabilities).append(result.name)
        for blocker in _flatten(result.blockers):
            if blocker.kind == "level" and blocker.op in (">=", ">", "=") and blocker.needed is not None:
                bump = math.floor(blocker.needed) + 1 if blocker.op == ">" else blocker.needed
                levels.setdefault(name_key(blocker.name or ""), []).append(bump)
            elif blocker.kind == "excluded":
                excluded.update(name_key(n) for n in blocker.names)
    compared = _compared(ruleset)
    entries = []
    for name, (stages, capabilities) in causes.items():
        node = ruleset.node(name)
        if not isinstance(node, Capability):
            continue
        before = facts[node.key]
        needed = levels.get(node.key, [])
        changed = dict(facts)
        if node.key in excluded:
            # What a `not` excludes is fixed by ending it.
            changed[node.key] = Fact("no", None if before.level is None else 0.0)
            action = f"end {node.name} (a rule excludes it)"
        else:
            changed[node.key] = _fixed(ruleset, facts, node.key, needed, compared)
            if needed and max(needed) > (before.level or 0):
                action = f"raise {node.name} to level {_word(max(needed))} (now {_word(before.level)})"
            else:
                action = f"put {node.name} in place"
        after = _statuses(ruleset, changed)
        # Only a node that has it as a root cause can be unblocked by it.
        held = {*stages, *capabilities}
        unblocks = tuple(
            r.name for r in open_nodes if r.name in held and after[name_key(r.name)] not in ("blocked", "at-risk")
        )
        entries.append(Leverage(node.name, node.effort, tuple(stages), tuple(capabilities), unblocks, action))
    entries.sort(key=lambda e: (-e.count, -len(e.unblocks), e.effort, name_key(e.name), e.name))
    return tuple(entries)


# The search --------------------------------------------------------------------------------------


class _Planner:
    def __init__(self, ruleset: RuleSet, facts: Mapping[str, Fact], current: Evaluation) -> None:
        self.ruleset = ruleset
        self.nodes = ruleset.model.nodes
        self.original = facts
        self.current = current
        self.compared = _compared(ruleset)
        # Unknown facts are taken as not in place: the plan never counts on
        # what the assessment does not confirm. An unknown level stays unknown,
        # so a comparison on it never holds until the plan sets the level.
        self.facts: dict[str, Fact] = {
            key: Fact("no") if fact.state == "unknown" and fact.level is None else fact for key, fact in facts.items()
        }
        # Capabilities assessed by level: a plan raises their level to put them in place.
        self.levelled = (
            self.compared
            | {k for k, f in facts.items() if f.level is not None and f.explicit}
            | {c.key for c in ruleset.capabilities if c.met_at != 1}
        )
        self.base = evaluate(ruleset, self.facts, current.organisation)
        self.routes: dict[str, list[_Route]] = {}
        self.mandatory: dict[str, frozenset[str]] = {}
        self.cut = False
        self.obstacles: dict[str, None] = {}
        self.monotone = self._monotone()
        # Routes are compared many times while they are combined: their sort
        # keys are worked out once.
        self._keys: dict[_Route, tuple[float, int, tuple[_Atom, ...]]] = {}

    # costs ----------------------------------------------------------------------------------
    def cost(self, route: _Route) -> float:
        return self._order(route)[0]

    def _order(self, route: _Route) -> tuple[float, int, tuple[_Atom, ...]]:
        key = self._keys.get(route)
        if key is None:
            effort = sum(self.nodes[k].effort for k in {atom[1] for atom in route})
            key = self._keys[route] = (effort, len(route), tuple(sorted(route)))
        return key

    def _minimal(self, routes: Iterable[_Route]) -> list[_Route]:
        ordered = sorted(set(routes), key=self._order)
        if len(ordered) == 1:
            return ordered
        kept: list[_Route] = []
        for route in ordered:
            size = len(route)
            if not any(len(other) <= size and other <= route for other in kept):
                kept.append(route)
        if len(kept) > MAX_ROUTES:
            kept = kept[:MAX_ROUTES]
            self.cut = True
        return kept

    def _product(self, parts: list[list[_Route]]) -> list[_Route]:
        result: list[_Route] = [_EMPTY]
        for part in sorted(parts, key=len):
            if not part:
                return []
            if part == [_EMPTY]:
                continue
            other = part
            if len(result) * len(other) > _PRODUCT_LIMIT:
                self.cut = True
                keep = math.isqrt(_PRODUCT_LIMIT)
                result, other = result[:keep], other[:keep]
            result = self._minimal(a | b for a in result for b in other)
        return result

    # monotone: adding things can only make it hold more --------------------------------------
    def _monotone(self) -> dict[str, bool]:
        by_subject = self.ruleset.requirements_by_subject
        out: dict[str, bool] = {}
        for key in self.ruleset.order:
            node = self.nodes[key]
            ok = all(self._expr_monotone(r.expr, out) for r in by_subject.get(key, ()))
            if isinstance(node, Stage) and node.after is not None:
                ok = ok and out.get(node.after, False)
            out[key] = ok
        return out

    def _expr_monotone(self, expr: ast.Expr, known: Mapping[str, bool]) -> bool:
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Not):
                return False
            if isinstance(node, ast.Compare):
                if node.op not in (">=", ">"):
                    return False
            elif isinstance(node, ast.Ref):
                if not known.get(node.name.key, False):
                    return False
            else:
                stack.extend(node.operands if isinstance(node, ast.All | ast.Any) else node.items)
        return True

    # routes -------------------------------------------------------------------------------------
    def _relevant(self, goal: str) -> set[str]:
        """The nodes `goal` depends on through references and `after` links."""
        by_subject = self.ruleset.requirements_by_subject
        seen = {goal}
        stack = [goal]
        while stack:
            key = stack.pop()
            node = self.nodes[key]
            found = [a.name.key for r in by_subject.get(key, ()) for a in atoms(r.expr) if isinstance(a, ast.Ref)]
            if isinstance(node, Stage) and node.after is not None:
                found.append(node.after)
            for other in found:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        return seen

    def _node_routes(self, key: str) -> tuple[list[_Route], frozenset[str]]:
        node = self.nodes[key]
        result = self.base.node(node.name)
        if result.holds:
            return [_EMPTY], frozenset()
        parts: list[list[_Route]] = []
        must: set[str] = set()
        for requirement in self.ruleset.requirements_by_subject.get(key, ()):
            if self.base.truth(requirement.expr) == "yes":
                continue
            routes, needed = self._expr(requirement.expr)
            parts.append(routes)
            must |= needed
        if isinstance(node, Stage) and node.after is not None:
            parts.append(self.routes[node.after])
            must |= self.mandatory[node.after]
        if isinstance(node, Capability) and self.facts[key].state != "yes":
            parts.append([frozenset({("in", key, "", 0.0)})])
            must.add(key)
        return self._product(parts), frozenset(must)

    def _expr(self, expr: ast.Expr) -> tuple[list[_Route], frozenset[str]]:
        if self.base.truth(expr) == "yes":
            return [_EMPTY], frozenset()
        if isinstance(expr, ast.Ref):
            return self.routes[expr.name.key], self.mandatory[expr.name.key]
        if isinstance(expr, ast.Compare):
            atom = self._level_atom(expr)
            if atom is None:
                return [], frozenset()
            return [frozenset({atom})], frozenset({expr.name.key})
        if isinstance(expr, ast.Not):
            if not self._expr_monotone(expr.operand, self.monotone):
                return [_EMPTY], frozenset()  # over-approximated; the check decides
            # Putting more in place cannot make a monotone term fail: the only
            # way is to end something it names.
            routes = self._minimal(self._ending(expr.operand))
            if not routes:
                self._obstacle(f"{to_text(expr)}: it does not hold, and ending what it names would not change that")
            return routes, frozenset()
        if isinstance(expr, ast.All):
            results = [self._expr(op) for op in expr.operands]
            return self._product([r for r, _ in results]), frozenset().union(*(m for _, m in results))
        if isinstance(expr, ast.Any):
            results = [self._expr(op) for op in expr.operands]
            must = frozenset.intersection(*(m for _, m in results)) if results else frozenset()
            return self._minimal(r for routes, _ in results for r in routes), must
        return self._at_least(expr)

    def _ending(self, expr: ast.Expr) -> list[_Route]:
        """The minimal sets of capabilities to end so that a holding, monotone
        `expr` no longer holds (a level is never lowered)."""
        if self.base.truth(expr) != "yes":
            return [_EMPTY]
        if isinstance(expr, ast.Ref):
            node = self.nodes[expr.name.key]
            if isinstance(node, Capability):
                return [frozenset({("end", node.key, "", 0.0)})]
            by_subject = self.ruleset.requirements_by_subject.get(node.key, ())
            routes = [r for requirement in by_subject for r in self._ending(requirement.expr)]
            if node.after is not None:
                routes += self._ending(ast.Ref(ast.Name(self.nodes[node.after].name, node.after)))
            return routes
        if isinstance(expr, ast.Compare | ast.Not):
            return []
        if isinstance(expr, ast.All):
            return [r for op in expr.operands for r in self._ending(op)]
        if isinstance(expr, ast.Any):
            return self._product([self._ending(op) for op in expr.operands])
        holding = [item for item in expr.items if self.base.truth(item) == "yes"]
        drop = len(holding) - math.ceil(expr.count) + 1
        routes = []
        for chosen in itertools.combinations(holding, drop):
            routes.extend(self._product([self._ending(item) for item in chosen]))
            if len(routes) > MAX_CHOICES:
                self.cut = True
                break
        return routes

    def _at_least(self, expr: ast.AtLeast) -> tuple[list[_Route], frozenset[str]]:
        holding = sum(1 for item in expr.items if self.base.truth(item) == "yes")
        need = math.ceil(expr.count) - holding
        failing = [self._expr(item) for item in expr.items if self.base.truth(item) != "yes"]
        if need <= 0:
            return [_EMPTY], frozenset()
        if need > len(failing):
            return [], frozenset()
        # A name every choice needs: one that is mandatory in more items than may be left out.
        counts: dict[str, int] = {}
        for _, must in failing:
            for key in must:
                counts[key] = counts.get(key, 0) + 1
        mandatory = frozenset(k for k, n in counts.items() if n >= len(failing) - need + 1)
        if math.comb(len(failing), need) > MAX_CHOICES:
            self.cut = True
            cheapest = sorted(failing, key=lambda r: self.cost(r[0][0]) if r[0] else math.inf)[:need]
            return self._product([r for r, _ in cheapest]), mandatory
        routes: list[_Route] = []
        for chosen in itertools.combinations(failing, need):
            routes.extend(self._product([r for r, _ in chosen]))
        return self._minimal(routes), mandatory

    def _level_atom(self, expr: ast.Compare) -> _Atom | None:
        key = expr.name.key
        level = self.facts[key].level
        name = self.nodes[key].name
        value = float(expr.value)
        if expr.op in (">=", ">"):
            return ("level", key, expr.op, value)
        if level is None:
            # Not assessed: the plan sets the level the rule asks for.
            target = {"<=": value, "<": math.ceil(value) - 1.0, "=": value, "!=": value + 1.0}[expr.op]
            return ("level", key, "=", target)
        if expr.op == "=" and expr.value > level:
            return ("level", key, "=", float(expr.value))
        if expr.op == "!=":
            return ("level", key, ">", float(expr.value))
        self._obstacle(
            f"{name} level {expr.op} {_word(expr.value)}: the level is {_word(level)}, and a plan only raises levels"
        )
        return None

    def _obstacle(self, text: str) -> None:
        self.obstacles.setdefault(text, None)

    # applying a route ------------------------------------------------------------------------------
    def _apply(self, facts: Mapping[str, Fact], atoms_: Iterable[_Atom]) -> dict[str, Fact] | None:
        grouped: dict[str, list[_Atom]] = {}
        for atom in atoms_:
            grouped.setdefault(atom[1], []).append(atom)
        out = dict(facts)
        for key, group in grouped.items():
            fact = self._target_fact(key, group)
            if fact is None:
                return None
            out[key] = fact
        return out

    def _target_fact(self, key: str, group: list[_Atom]) -> Fact | None:
        node = self.nodes[key]
        met_at = node.met_at if isinstance(node, Capability) else 1.0
        fact = self.facts[key]
        add = any(a[0] == "in" for a in group)
        if any(a[0] == "end" for a in group):
            if len(group) > 1:
                return None  # ended and needed at once
            return Fact("no", 0.0 if key in self.levelled else None)
        limits = [(a[2], a[3]) for a in group if a[0] == "level"]
        if key not in self.levelled and not limits:
            return Fact("yes")
        floor = max(fact.level or 0.0, met_at if add else 0.0)
        candidates = {floor}
        for _, value in limits:
            candidates.update({value, math.floor(value) + 1.0})
        for level in sorted(c for c in candidates if c >= floor):
            if all(_holds(op, level, value) for op, value in limits):
                return Fact("yes" if level >= met_at else "no", level)
        return None

    def _step(self, key: str, group: list[_Atom], fact: Fact) -> PlanStep:
        node = self.nodes[key]
        before = self.facts[key]
        now = self.original[key].level
        if group[0][0] == "end":
            action = f"end {node.name}: a rule excludes it, and putting more in place cannot satisfy that"
            return PlanStep(node.name, action, node.effort, False, ended=True)
        add = any(a[0] == "in" for a in group) or (before.state != "yes" and fact.state == "yes")
        original = self.original[key]
        unknown = original.state == "unknown" and original.level is None
        level = fact.level if fact.level is not None and fact.level != before.level else None
        if add and level is not None:
            action = f"put {node.name} in place: raise it to level {_word(level)} (now {_word(now)})"
        elif add:
            action = f"put {node.name} in place"
        else:
            action = f"raise {node.name} to level {_word(level)} (now {_word(now)})"
        return PlanStep(node.name, action, node.effort, add, level, now if level is not None else None, unknown)

    # the plan ------------------------------------------------------------------------------------------
    def plan(self, goal: str) -> Plan:
        node = self.nodes[goal]
        status = self.current.node(node.name).status
        questions = self.current.node(node.name).open_questions
        relevant = self._relevant(goal)
        for key in self.ruleset.order:
            if key in relevant:
                self.routes[key], self.mandatory[key] = self._node_routes(key)
        routes = self.routes[goal]
        lower = sum(self.nodes[k].effort for k in self.mandatory[goal])
        chosen: list[_Atom] | None = None
        failed_cheaper = False
        best_cost = math.inf
        for index, route in enumerate(routes[:MAX_CHECKS]):
            facts = self._apply(self.facts, route)
            if facts is not None and _statuses(self.ruleset, facts)[goal] in _HOLDS:
                chosen, best_cost = sorted(route), self.cost(route)
                failed_cheaper = any(self.cost(r) < best_cost for r in routes[:index])
                break
        exact = not self.cut and not failed_cheaper and chosen is not None
        waves = self._waves(goal, chosen) if chosen is not None else ()
        steps = [s for w in waves for s in w.steps]
        unknown_steps = tuple(s.name for s in steps if s.unknown)
        candidates = len({atom[1] for route in routes for atom in route})
        obstacles = tuple(self.obstacles) if chosen is None else ()
        return Plan(
            self.current.framework,
            self.current.organisation,
            node.name,
            node.kind,
            status,
            chosen is not None,
            waves,
            best_cost if chosen is not None else 0.0,
            "exact" if exact else "heuristic",
            len(routes),
            candidates,
            lower if chosen is not None else 0.0,
            tuple(dict.fromkeys((*questions, *unknown_steps))),
            obstacles,
            _leverage(self.ruleset, self.original, self.current),
        )

    def _waves(self, goal: str, route: list[_Atom]) -> tuple[Wave, ...]:
        grouped: dict[str, list[_Atom]] = {}
        for atom in route:
            grouped.setdefault(atom[1], []).append(atom)
        targets = {key: self._target_fact(key, group) for key, group in grouped.items()}
        waiting = [key for key in self.ruleset.order if key in grouped]
        facts = dict(self.facts)
        state = _statuses(self.ruleset, facts)
        stages = [s.key for s in self.ruleset.stages]
        waves: list[Wave] = []
        cumulative = 0.0
        while waiting:
            ready = [k for k in waiting if grouped[k][0][0] == "end" or self._requirements_hold(state, k)]
            if not ready:
                # Only a level can be raised whatever the requirements say; as a
                # last resort the rest goes together (a `not` undone on the way).
                ready = [k for k in waiting if all(a[0] == "level" for a in grouped[k])] or list(waiting)
            steps = []
            for key in ready:
                fact = targets[key]
                assert fact is not None  # checked when the route was chosen
                steps.append(self._step(key, grouped[key], fact))
                facts[key] = fact
            before = state
            state = _statuses(self.ruleset, facts)
            unlocked = [self.nodes[k].name for k in stages if state[k] in _HOLDS and before[k] not in _HOLDS]
            if self.nodes[goal].kind == "capability" and state[goal] in _HOLDS and before[goal] not in _HOLDS:
                unlocked.append(self.nodes[goal].name)
            effort = sum(s.effort for s in steps)
            cumulative += effort
            steps.sort(key=lambda s: (name_key(s.name), s.name))
            waves.append(Wave(len(waves) + 1, tuple(steps), effort, cumulative, tuple(unlocked)))
            waiting = [k for k in waiting if k not in ready]
        return tuple(waves)

    def _requirements_hold(self, state: _Statuses, key: str) -> bool:
        return state[key] in ("ready", "met")


class _Statuses:
    """Statuses by node key, read from an evaluation only where asked (the
    planner evaluates many variants of one assessment and reads a few nodes)."""

    def __init__(self, ruleset: RuleSet, facts: Mapping[str, Fact]) -> None:
        self.evaluation = evaluate(ruleset, facts)

    def __getitem__(self, key: str) -> str:
        return self.evaluation.node(key).status


def _statuses(ruleset: RuleSet, facts: Mapping[str, Fact]) -> _Statuses:
    return _Statuses(ruleset, facts)


def _holds(op: str, level: float, value: float) -> bool:
    return {
        ">=": level >= value,
        ">": level > value,
        "=": level == value,
        "<=": level <= value,
        "<": level < value,
        "!=": level != value,
    }[op]
