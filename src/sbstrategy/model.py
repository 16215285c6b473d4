"""The rule set's declarations after includes are merged: what checks,
evaluation, the graph and renderers read.

Built once from the AST by `build_model`, which also reports the problems that
only show while merging declarations (conflicting attributes, bad attribute
values, a name that is both a capability and a stage).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from . import ast
from .errors import Diagnostic

__all__ = ["Capability", "Model", "Node", "Requirement", "Stage", "build_model"]


@attrs.frozen
class Capability:
    """Something an organisation has or does."""

    name: str
    key: str
    span: ast.Span = attrs.field(eq=False, repr=False)
    description: str | None = None
    source: str | None = None
    effort: float = 1
    owner: str | None = None
    tags: tuple[str, ...] = ()
    met_at: float = 1
    kind: str = "capability"


@attrs.frozen
class Stage:
    """A level of strategic maturity; `after` is the key of the stage before it."""

    name: str
    key: str
    span: ast.Span = attrs.field(eq=False, repr=False)
    after: str | None = None
    after_span: ast.Span | None = attrs.field(default=None, eq=False, repr=False)
    after_name: str | None = attrs.field(default=None, eq=False, repr=False)
    description: str | None = None
    source: str | None = None
    effort: float = 1
    owner: str | None = None
    tags: tuple[str, ...] = ()
    kind: str = "stage"


Node = Capability | Stage


@attrs.frozen
class Requirement:
    """One `SUBJECT requires EXPR` line (several for one subject all apply)."""

    subject: str
    expr: ast.Expr
    span: ast.Span = attrs.field(eq=False, repr=False)
    subject_name: ast.Name | None = attrs.field(default=None, eq=False, repr=False)
    because: str | None = None
    source: str | None = None


@attrs.frozen
class Model:
    framework: str | None
    framework_source: str | None
    framework_description: str | None
    nodes: dict[str, Node]
    capabilities: tuple[Capability, ...]
    stages: tuple[Stage, ...]
    requirements: tuple[Requirement, ...]
    scenarios: tuple[ast.Scenario, ...]
    files: tuple[str, ...]


# Attribute values ------------------------------------------------------------------

_STRING_KEYS = {"description", "source", "owner", "because"}
_NUMBER_KEYS = {"effort", "met at"}
_ALLOWED = {
    "framework": {"description", "source", "owner", "tags"},
    "capability": {"description", "source", "effort", "owner", "tags", "met at"},
    "stage": {"description", "source", "effort", "owner", "tags"},
    "requires": {"because", "source"},
    "include": set(),
    "scenario": {"description"},
}


def _error(code: str, message: str, span: ast.Span, suggestion: str | None = None) -> Diagnostic:
    return Diagnostic("error", code, message, span, suggestion)


def attribute_values(
    attributes: Iterable[ast.Attribute], where: str, diagnostics: list[Diagnostic]
) -> dict[str, object]:
    """Checked attribute values by key; problems are appended to `diagnostics`."""
    values: dict[str, object] = {}
    for attribute in attributes:
        key = attribute.key
        if key not in _ALLOWED[where]:
            allowed = ", ".join(sorted(_ALLOWED[where])) or "none"
            diagnostics.append(
                _error(
                    "bad-attribute",
                    f"'{key}' is not an attribute of a {where} line",
                    attribute.span,
                    f"attributes allowed here: {allowed}",
                )
            )
            continue
        value = _attribute_value(attribute, diagnostics)
        if value is None:
            continue
        if key in values and values[key] != value:
            diagnostics.append(_error("bad-attribute", f"'{key}' is given twice", attribute.span))
            continue
        values[key] = value
    return values


def _attribute_value(attribute: ast.Attribute, diagnostics: list[Diagnostic]) -> object:
    key, raw = attribute.key, attribute.values
    if key == "tags":
        if all(isinstance(v, str) for v in raw):
            return tuple(raw)
        diagnostics.append(
            _error(
                "bad-attribute",
                "tags are quoted strings",
                attribute.span,
                'write: tags "governance", "people"',
            )
        )
        return None
    if len(raw) != 1:
        diagnostics.append(_error("bad-attribute", f"'{key}' takes one value", attribute.span))
        return None
    value = raw[0]
    if key in _STRING_KEYS:
        if isinstance(value, str):
            return value
        shown = value.text if isinstance(value, ast.Words) else value
        diagnostics.append(
            _error(
                "bad-attribute",
                f"'{key}' takes a quoted string",
                attribute.span,
                f'write: {key} "{shown}"',
            )
        )
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if key == "effort" and value <= 0:
            diagnostics.append(_error("bad-attribute", "effort must be greater than 0", attribute.span))
            return None
        return value
    diagnostics.append(
        _error(
            "bad-attribute",
            f"'{key}' takes a number",
            attribute.span,
            f"write, for example: {key} 2",
        )
    )
    return None


# Building -------------------------------------------------------------------------


@attrs.define
class _Draft:
    kind: str
    name: ast.Name
    values: dict[str, object]
    after: ast.Name | None = None


def _merge(draft: _Draft, values: dict[str, object], span: ast.Span, diagnostics: list[Diagnostic]) -> None:
    for key, value in values.items():
        old = draft.values.get(key)
        if old is None:
            draft.values[key] = value
        elif old != value:
            diagnostics.append(
                Diagnostic(
                    "warning",
                    "conflicting-declaration",
                    f"'{draft.name.text}' is declared again with a different {key}",
                    span,
                    f"the first declaration (line {draft.name.span.line} of {draft.name.span.path}) is kept: {old!r}",
                )
            )


def build_model(statements: Iterable[ast.Statement], files: tuple[str, ...]) -> tuple[Model, list[Diagnostic]]:
    """Merge declarations across files; report declaration-level problems."""
    diagnostics: list[Diagnostic] = []
    drafts: dict[str, _Draft] = {}
    requirements: list[Requirement] = []
    scenarios: list[ast.Scenario] = []
    framework: tuple[str, dict[str, object]] | None = None
    frameworks_per_file: dict[str, ast.FrameworkDecl] = {}

    def declare(kind: str, name: ast.Name, values: dict[str, object], after: ast.Name | None) -> None:
        draft = drafts.get(name.key)
        if draft is None:
            drafts[name.key] = _Draft(kind, name, dict(values), after)
            return
        if draft.kind != kind:
            diagnostics.append(
                _error(
                    "kind-conflict",
                    f"'{name.text}' is declared as a {kind} here and as a {draft.kind} "
                    f"at {draft.name.span.path}:{draft.name.span.line}",
                    name.span,
                    "a name is either a capability or a stage; rename one of them",
                )
            )
            return
        _merge(draft, values, name.span, diagnostics)
        if after is not None:
            if draft.after is None:
                draft.after = after
            elif draft.after.key != after.key:
                diagnostics.append(
                    Diagnostic(
                        "warning",
                        "conflicting-declaration",
                        f"stage '{name.text}' is declared again after a different stage",
                        after.span,
                        f"the first declaration is kept: after {draft.after.text}",
                    )
                )

    for statement in statements:
        if isinstance(statement, ast.CapabilityDecl):
            values = attribute_values(statement.attributes, "capability", diagnostics)
            for name in statement.names:
                declare("capability", name, values, None)
        elif isinstance(statement, ast.StageDecl):
            values = attribute_values(statement.attributes, "stage", diagnostics)
            declare("stage", statement.name, values, statement.after)
        elif isinstance(statement, ast.Rule):
            values = attribute_values(statement.attributes, "requires", diagnostics)
            requirements.append(
                Requirement(
                    statement.subject.key,
                    statement.requirement,
                    statement.span,
                    statement.subject,
                    values.get("because"),  # type: ignore[arg-type]
                    values.get("source"),  # type: ignore[arg-type]
                )
            )
        elif isinstance(statement, ast.FrameworkDecl):
            values = attribute_values(statement.attributes, "framework", diagnostics)
            earlier = frameworks_per_file.get(statement.span.path)
            if earlier is not None:
                diagnostics.append(
                    _error(
                        "duplicate-framework",
                        "a file names its framework at most once",
                        statement.span,
                        f"the framework is already named at line {earlier.span.line}",
                    )
                )
                continue
            frameworks_per_file[statement.span.path] = statement
            if framework is None:
                framework = (statement.title, values)
        elif isinstance(statement, ast.Scenario):
            attribute_values([x for x in statement.lines if isinstance(x, ast.Attribute)], "scenario", diagnostics)
            scenarios.append(statement)
        elif isinstance(statement, ast.Include):
            attribute_values(statement.attributes, "include", diagnostics)

    nodes: dict[str, Node] = {}
    capabilities: list[Capability] = []
    stages: list[Stage] = []
    for key, draft in drafts.items():
        v = draft.values
        if draft.kind == "capability":
            capability = Capability(
                draft.name.text,
                key,
                draft.name.span,
                description=v.get("description"),  # type: ignore[arg-type]
                source=v.get("source"),  # type: ignore[arg-type]
                effort=v.get("effort", 1),  # type: ignore[arg-type]
                owner=v.get("owner"),  # type: ignore[arg-type]
                tags=v.get("tags", ()),  # type: ignore[arg-type]
                met_at=v.get("met at", 1),  # type: ignore[arg-type]
            )
            capabilities.append(capability)
            nodes[key] = capability
        else:
            stage = Stage(
                draft.name.text,
                key,
                draft.name.span,
                after=draft.after.key if draft.after else None,
                after_span=draft.after.span if draft.after else None,
                after_name=draft.after.text if draft.after else None,
                description=v.get("description"),  # type: ignore[arg-type]
                source=v.get("source"),  # type: ignore[arg-type]
                effort=v.get("effort", 1),  # type: ignore[arg-type]
                owner=v.get("owner"),  # type: ignore[arg-type]
                tags=v.get("tags", ()),  # type: ignore[arg-type]
            )
            stages.append(stage)
            nodes[key] = stage

    title, fvalues = framework if framework else (None, {})
    model = Model(
        framework=title,
        framework_source=fvalues.get("source"),  # type: ignore[arg-type]
        framework_description=fvalues.get("description"),  # type: ignore[arg-type]
        nodes=nodes,
        capabilities=tuple(capabilities),
        stages=tuple(stages),
        requirements=tuple(requirements),
        scenarios=tuple(scenarios),
        files=files,
    )
    return model, diagnostics
