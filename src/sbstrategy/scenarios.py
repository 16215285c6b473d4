"""Running a rule set's scenarios: closed-world facts, expectations checked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from . import ast
from ._transform import name_key
from .assessment import Fact
from .errors import SbStrategyError
from .evaluation import evaluate

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["ExpectationResult", "ScenarioResult", "run_scenarios"]


@attrs.frozen
class ExpectationResult:
    """One `expect` line: what was expected, what was found."""

    line: ast.Expect
    passed: bool
    actual_status: str
    actual_root_causes: tuple[str, ...]
    missing_root_causes: tuple[str, ...] = ()


@attrs.frozen
class ScenarioResult:
    scenario: ast.Scenario
    expectations: tuple[ExpectationResult, ...]
    error: SbStrategyError | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(e.passed for e in self.expectations)

    @property
    def title(self) -> str:
        return self.scenario.title


def scenario_facts(ruleset: RuleSet, scenario: ast.Scenario) -> dict[str, Fact]:
    """Closed world: a capability not named in `given` is not in place (level 0)."""
    nodes = ruleset.model.nodes
    facts = {c.key: Fact("no", 0.0, explicit=False) for c in ruleset.capabilities}
    for line in scenario.lines:
        if not isinstance(line, ast.Given):
            continue
        for name in line.names:
            node = nodes[name.key]
            if line.state == "level" and line.level is not None:
                met_at = getattr(node, "met_at", 1)
                facts[name.key] = Fact("yes" if line.level >= met_at else "no", float(line.level))
            else:
                facts[name.key] = Fact(line.state)
    return facts


def run_scenario(ruleset: RuleSet, scenario: ast.Scenario) -> ScenarioResult:
    from .assessment import Assessment, _level_problems

    facts = scenario_facts(ruleset, scenario)
    problems = _level_problems(ruleset, facts, lambda _name: scenario.span, Assessment({}))
    if problems:
        return ScenarioResult(scenario, (), SbStrategyError(problems, ruleset.sources))
    evaluation = evaluate(ruleset, facts)
    results: list[ExpectationResult] = []
    for line in scenario.lines:
        if not isinstance(line, ast.Expect):
            continue
        actual = evaluation.node(line.name.key)
        actual_keys = {name_key(c) for c in actual.root_causes}
        missing = tuple(n.text for n in line.blocked_by if n.key not in actual_keys)
        passed = actual.status == line.status and not missing
        results.append(ExpectationResult(line, passed, actual.status, actual.root_causes, missing))
    return ScenarioResult(scenario, tuple(results))


def run_scenarios(ruleset: RuleSet, *, included: bool = False) -> tuple[ScenarioResult, ...]:
    """Run the main file's scenarios (with `included`, every file's).

    A scenario tests the file it is written in: an including file may add
    requirements to an included stage, which would change what the included
    file's closed-world scenarios expect. Each file's own scenarios are run
    when that file is tested.
    """
    return tuple(
        run_scenario(ruleset, s) for s in ruleset.scenarios if included or s.span is None or s.span.path == ruleset.path
    )
