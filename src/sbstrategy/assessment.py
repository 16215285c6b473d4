"""Assessments: an organisation's facts, from YAML, JSON, TOML or a dict.

Every format's library error stops here and becomes a diagnostic. YAML is
read as plain data only (no object construction, no anchors or aliases, so an
alias bomb is refused at once); JSON with a key given twice is an error rather
than last-one-wins; TOML is read by the standard library.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from ._exprs import atoms
from ._transform import name_key
from .ast import Span
from .errors import Diagnostic, SbStrategyError
from .sources import Limits, SourceError, read_text_file

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["Assessment", "Fact", "load_assessment", "resolve_facts"]

FactValue = str | bool | int | float


@attrs.frozen
class Fact:
    """What is known of one capability: `state` is yes, no or unknown; `level`
    is the assessed number if one was given."""

    state: str
    level: float | None = None
    explicit: bool = True


@attrs.frozen
class Assessment:
    """The facts as written, before they are checked against a rule set."""

    facts: Mapping[str, object]
    organisation: str | None = None
    unlisted: str = "unknown"
    path: str | None = None
    text: str | None = attrs.field(default=None, eq=False, repr=False)

    def position(self, name: str) -> Span | None:
        """Where the fact `name` is written in the file (found only when needed:
        searching for every fact up front would be quadratic)."""
        if self.text is None or self.path is None:
            return None
        return _locate(self.text, self.path, name)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], path: str | None = None) -> Assessment:
        """Either `{"facts": {...}, "organisation": ..., "unlisted": ...}` or a
        plain mapping of capability name to value."""
        if not isinstance(data, Mapping):
            raise _error("an assessment is a mapping of names to values", path)
        if isinstance(data.get("facts"), Mapping):
            unknown_keys = sorted(set(data) - {"facts", "organisation", "unlisted", "description"})
            if unknown_keys:
                raise _error(
                    f"unknown top-level key '{unknown_keys[0]}' in the assessment",
                    path,
                    "the keys are facts, organisation, unlisted and description",
                )
            organisation = data.get("organisation")
            if organisation is not None and not isinstance(organisation, str):
                raise _error("'organisation' is a string", path)
            unlisted = data.get("unlisted", "unknown")
            if unlisted is False:
                unlisted = "no"
            if unlisted not in ("unknown", "no"):
                raise _error(
                    f"'unlisted' is 'unknown' or 'no', not {unlisted!r}",
                    path,
                    "unlisted: unknown (the default) or unlisted: no",
                )
            facts: Mapping[str, object] = data["facts"]  # type: ignore[assignment]
            return cls(dict(facts), organisation, str(unlisted), path)
        if "facts" in data and data["facts"] is not None and not isinstance(data["facts"], str | bool | int | float):
            raise _error("'facts' is a mapping of capability names to values", path)
        return cls(dict(data), None, "unknown", path)

    def with_unlisted(self, unlisted: str) -> Assessment:
        return attrs.evolve(self, unlisted=unlisted)

    def with_facts(self, changes: Mapping[str, object]) -> Assessment:
        """A copy with some facts replaced (by name, any case or spacing)."""
        keys = {name_key(str(k)): k for k in self.facts}
        merged = dict(self.facts)
        for name, value in changes.items():
            merged.pop(keys.get(name_key(name), name), None)
            merged[name] = value
        return attrs.evolve(self, facts=merged)


def _error(message: str, path: str | None, suggestion: str | None = None, span: Span | None = None) -> SbStrategyError:
    if span is None and path is not None:
        span = Span(path, 1, 1, 1, 2)
    return SbStrategyError([Diagnostic("error", "assessment", message, span, suggestion)])


# Reading files ---------------------------------------------------------------------


def load_assessment(path: str | os.PathLike[str], limits: Limits | None = None) -> Assessment:
    """Read an assessment file; the format follows the extension (.yaml/.yml, .json, .toml)."""
    shown = os.fspath(path)
    try:
        source = read_text_file(shown, limits or Limits())
    except SourceError as problem:
        raise SbStrategyError(
            [Diagnostic("error", problem.code, problem.message, problem.span, problem.suggestion)],
            {shown: problem.text} if problem.text else None,
        ) from None
    return parse_assessment(source.text, shown)


def parse_assessment(text: str, path: str, fmt: str | None = None) -> Assessment:
    """Parse assessment text; `fmt` is yaml, json or toml (default: from `path`)."""
    fmt = fmt or _format_of(path)
    try:
        if fmt == "json":
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        elif fmt == "toml":
            data = tomllib.loads(text)
        else:
            data = _yaml(text, path)
    except SbStrategyError as problem:
        raise SbStrategyError(problem.diagnostics, {path: text}) from None
    except json.JSONDecodeError as problem:
        raise _parse_error(f"not valid JSON: {problem.msg}", path, text, problem.lineno, problem.colno) from None
    except _DuplicateKey as problem:
        span = _locate(text, path, problem.key)
        raise SbStrategyError(
            [Diagnostic("error", "assessment", f"'{problem.key}' is given twice", span, "give each name once")],
            {path: text},
        ) from None
    except tomllib.TOMLDecodeError as problem:
        line, column = _toml_position(str(problem))
        raise _parse_error(f"not valid TOML: {problem}", path, text, line, column) from None
    except RecursionError:
        raise _parse_error("nested too deeply", path, text, 1, 1) from None
    if not isinstance(data, Mapping):
        raise SbStrategyError(
            [
                Diagnostic(
                    "error",
                    "assessment",
                    "an assessment is a mapping with a 'facts:' key",
                    Span(path, 1, 1, 1, 2),
                )
            ],
            {path: text},
        )
    try:
        assessment = Assessment.from_mapping(data, path)
    except SbStrategyError as problem:
        raise SbStrategyError(problem.diagnostics, {path: text}) from None
    return attrs.evolve(assessment, text=text)


def _format_of(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".json":
        return "json"
    if ext == ".toml":
        return "toml"
    if ext in (".yaml", ".yml"):
        return "yaml"
    raise SbStrategyError(
        [
            Diagnostic(
                "error",
                "assessment",
                f"{path}: unknown assessment format '{ext or '(none)'}'",
                None,
                "name the file .yaml, .yml, .json or .toml",
            )
        ]
    )


def _parse_error(message: str, path: str, text: str, line: int, column: int) -> SbStrategyError:
    return SbStrategyError(
        [Diagnostic("error", "assessment", message, Span(path, line, column, line, column + 1))],
        {path: text},
    )


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _toml_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


def _locate(text: str, path: str, key: str) -> Span:
    """Where a key is written (first occurrence, quoted or bare); line 1 if unseen."""
    for pattern in (re.escape(json.dumps(key)), r"(?m)^[ \t]*" + re.escape(key) + r"[ \t]*[:=]"):
        match = re.search(pattern, text)
        if match:
            start = match.start() + (len(match.group()) - len(match.group().lstrip()))
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            return Span(path, line, column, line, column + len(key))
    return Span(path, 1, 1, 1, 2)


def _yaml(text: str, path: str) -> object:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _parse_error(f"not valid YAML: {problem.problem or problem}", path, text, line, column) from None
    except yaml.YAMLError as problem:
        raise _parse_error(f"not valid YAML: {problem}", path, text, 1, 1) from None
    if node is None:
        return {}
    return _plain(node, path, yaml)


def _plain(root: object, path: str, yaml: object) -> object:
    """YAML nodes to plain data, iteratively; aliases and duplicate keys refused."""
    import yaml as y

    constructor = y.SafeLoader.__new__(y.SafeLoader)
    y.constructor.SafeConstructor.__init__(constructor)
    seen: set[int] = set()

    def span(node: y.Node) -> Span:
        mark = node.start_mark
        return Span(path, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)

    def scalar(node: y.ScalarNode) -> object:
        try:
            return constructor.construct_object(node)
        except y.YAMLError as problem:
            raise SbStrategyError([Diagnostic("error", "assessment", f"bad value: {problem}", span(node))]) from None

    def enter(node: y.Node) -> None:
        if id(node) in seen:
            raise SbStrategyError(
                [
                    Diagnostic(
                        "error",
                        "assessment",
                        "YAML anchors and aliases are not allowed in an assessment",
                        span(node),
                        "write each value out",
                    )
                ]
            )
        seen.add(id(node))

    result: dict[int, object] = {}
    enter(root)  # type: ignore[arg-type]
    stack: list[tuple[y.Node, bool]] = [(root, False)]  # type: ignore[list-item]
    while stack:
        node, done = stack.pop()
        if isinstance(node, y.ScalarNode):
            result[id(node)] = scalar(node)
            continue
        if not done:
            stack.append((node, True))
            children = [c for pair in node.value for c in pair] if isinstance(node, y.MappingNode) else list(node.value)
            for child in children:
                enter(child)
                stack.append((child, False))
            continue
        if isinstance(node, y.MappingNode):
            mapping: dict[object, object] = {}
            for key_node, value_node in node.value:
                key = result[id(key_node)]
                if not isinstance(key, str | int | float | bool) or key is None:
                    raise SbStrategyError([Diagnostic("error", "assessment", "keys are names", span(key_node))])
                if key in mapping:
                    raise SbStrategyError(
                        [
                            Diagnostic(
                                "error",
                                "assessment",
                                f"'{key}' is given twice",
                                span(key_node),
                                "give each name once",
                            )
                        ]
                    )
                mapping[key] = result[id(value_node)]
            result[id(node)] = mapping
        else:
            result[id(node)] = [result[id(c)] for c in node.value]
    return result[id(root)]


# Checking against a rule set ------------------------------------------------------------


def _value(raw: object) -> Fact | None:
    if isinstance(raw, bool):
        return Fact("yes" if raw else "no")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return None
        return Fact("unknown", float(raw))  # state follows from the level and `met at`
    if isinstance(raw, str):
        word = raw.strip().casefold()
        if word in ("yes", "true", "y"):
            return Fact("yes")
        if word in ("no", "false", "n"):
            return Fact("no")
        if word in ("unknown", "?", ""):
            return Fact("unknown")
        try:
            number = float(word)
        except ValueError:
            return None
        return _value(number)
    if raw is None:
        return Fact("unknown")
    return None


def resolve_facts(ruleset: RuleSet, assessment: Assessment) -> dict[str, Fact]:
    """Facts by capability key, checked against the rules; every problem reported."""
    from ._checks._context import suggest

    nodes = ruleset.model.nodes
    declared = {key: node.name for key, node in nodes.items() if node.kind == "capability"}
    facts: dict[str, Fact] = {}
    problems: list[Diagnostic] = []
    path = assessment.path

    def where(name: str) -> Span | None:
        return assessment.position(name) or (Span(path, 1, 1, 1, 2) if path else None)

    for raw_name, raw in assessment.facts.items():
        name = str(raw_name)
        key = name_key(name)
        node = nodes.get(key)
        if node is None:
            problems.append(
                Diagnostic(
                    "error",
                    "unknown-fact",
                    f"'{name}' is not a capability of these rules",
                    where(name),
                    suggest(key, declared) or "check the spelling against the rule files",
                )
            )
            continue
        if node.kind == "stage":
            problems.append(
                Diagnostic(
                    "error",
                    "unknown-fact",
                    f"'{name}' is a stage; stages follow from the capabilities and are not assessed",
                    where(name),
                )
            )
            continue
        fact = _value(raw)
        if fact is None:
            problems.append(
                Diagnostic(
                    "error",
                    "bad-fact",
                    f"'{name}': {raw!r} is not yes, no, unknown or a number",
                    where(name),
                )
            )
            continue
        if key in facts:
            problems.append(Diagnostic("error", "assessment", f"'{name}' is given twice", where(name)))
            continue
        if fact.level is not None:
            met_at = node.met_at  # type: ignore[union-attr]
            fact = Fact("yes" if fact.level >= met_at else "no", fact.level)
        facts[key] = fact

    default = Fact(assessment.unlisted, 0.0 if assessment.unlisted == "no" else None, explicit=False)
    for key in declared:
        facts.setdefault(key, default)
    problems.extend(_level_problems(ruleset, facts, where, assessment))
    if problems:
        sources = {path: assessment.text} if path and assessment.text is not None else None
        raise SbStrategyError(problems, sources)
    return facts


def _level_problems(
    ruleset: RuleSet, facts: dict[str, Fact], where: object, assessment: Assessment
) -> list[Diagnostic]:
    """A capability compared by level needs a number (or unknown), not yes/no."""
    problems: list[Diagnostic] = []
    reported: set[str] = set()
    for requirement in ruleset.requirements:
        for atom in atoms(requirement.expr):
            key = atom.name.key
            if not hasattr(atom, "op") or key in reported:
                continue
            fact = facts[key]
            if fact.level is None and fact.state != "unknown" and fact.explicit:
                reported.add(key)
                node = ruleset.model.nodes[key]
                problems.append(
                    Diagnostic(
                        "error",
                        "level-needed",
                        f"'{node.name}' is compared by level at {requirement.span.path}:"
                        f"{requirement.span.line}, but the assessment says {fact.state}, which has no level",
                        where(_written_name(assessment, key) or node.name),  # type: ignore[operator]
                        f"give a number, e.g. {node.name}: 2",
                    )
                )
    return problems


def _written_name(assessment: Assessment, key: str) -> str | None:
    for name in assessment.facts:
        if name_key(str(name)) == key:
            return str(name)
    return None
