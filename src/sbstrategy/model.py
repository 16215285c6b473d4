"""The rule set's declarations after includes are merged: what checks,
evaluation, the graph and renderers read.

Built once by `build_model` from AST statements or from the fast path's
records (`_fastparse.read_compact`), which also reports the problems that only
show while merging declarations (conflicting attributes, bad attribute values,
a name that is both a capability and a stage).

A requirement keeps its expression as a code (`_code`): a large rule set has
hundreds of thousands of references, and building, keeping and caching an AST
node per reference would cost most of the time and memory of loading. The AST
of a requirement (`Requirement.expr`) is read again from the file's text when
someone asks for it, and is then the one the parser gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from . import ast
from ._attrs_repr import fields_repr
from ._code import Code, code_of
from .errors import Diagnostic

if TYPE_CHECKING:
    from ._fastparse import Origin

__all__ = ["Capability", "Model", "Node", "Requirement", "Stage", "build_model"]

# Capabilities, stages and requirements have no slot for weak references: a large model
# has an object per capability and per requirement line, and without the slot each is 16
# bytes smaller in the allocator's size classes (the peak memory of a 100k model went from
# 1.53 to 1.44 kB per capability). Nothing refers to them weakly; they are values.


@attrs.frozen(weakref_slot=False, repr=False)
class Capability:
    """Something an organisation has or does."""

    __repr__ = fields_repr

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


@attrs.frozen(weakref_slot=False, repr=False)
class Stage:
    """A level of strategic maturity; `after` is the key of the stage before it."""

    __repr__ = fields_repr

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


@attrs.frozen(weakref_slot=False, repr=False)
class Requirement:
    """One `SUBJECT requires EXPR` line (several for one subject all apply).

    `code` is the requirement in compact form (see `_code`); `expr` and
    `subject_name` are the AST, built on first use.
    """

    __repr__ = fields_repr

    subject: str
    code: Code
    span: ast.Span = attrs.field(eq=False, repr=False)
    because: str | None = None
    source: str | None = None
    # The rule statement, or the file it is read again from (at the span's line).
    _rule: ast.Rule | Origin | None = attrs.field(default=None, eq=False, repr=False)

    def _statement(self) -> ast.Rule | None:
        rule = self._rule
        if rule is None or isinstance(rule, ast.Rule):
            return rule
        statement = rule.statement(self.span.line - 1)
        assert isinstance(statement, ast.Rule)
        object.__setattr__(self, "_rule", statement)
        return statement

    @property
    def expr(self) -> ast.Expr:
        statement = self._statement()
        if statement is None:
            raise ValueError("this requirement was built without its text")
        return statement.requirement

    @property
    def subject_name(self) -> ast.Name | None:
        statement = self._statement()
        return statement.subject if statement is not None else None


@attrs.frozen(repr=False)
class Model:
    __repr__ = fields_repr

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

# The values of a declaration without attribute lines (never changed).
_NO_VALUES: dict[str, object] = {}

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


# A declared name as the model keeps it: text, key, and where it is written.
_Declared = tuple[str, str, ast.Span]


class _Draft:
    """What the declarations of one name say, merged."""

    __slots__ = ("after", "key", "kind", "span", "text", "values")

    def __init__(
        self, kind: str, text: str, key: str, span: ast.Span, values: dict[str, object], after: _Declared | None
    ) -> None:
        self.kind = kind
        self.text = text
        self.key = key
        self.span = span
        self.values = values
        self.after = after


def _merge(draft: _Draft, values: dict[str, object], span: ast.Span, diagnostics: list[Diagnostic]) -> None:
    for key, value in values.items():
        old = draft.values.get(key)
        if old is None:
            draft.values[key] = value
        elif old != value:
            first = draft.span
            diagnostics.append(
                Diagnostic(
                    "warning",
                    "conflicting-declaration",
                    f"'{draft.text}' is declared again with a different {key}",
                    span,
                    f"the first declaration (line {first.line} of {first.path}) is kept: {old!r}",
                )
            )


def _declared(name: ast.Name | None) -> _Declared | None:
    return None if name is None else (name.text, name.key, name.span)


def build_model(
    statements: Iterable[ast.Statement | tuple[Any, ...]],
    files: tuple[str, ...],
    origins: dict[str, Origin] | None = None,
) -> tuple[Model, list[Diagnostic]]:
    """Merge declarations across files; report declaration-level problems.

    `statements` are AST statements or the fast path's records; `origins`
    holds, by path, the files whose records' rules can be read again.
    """
    from ._fastparse import CAPABILITY, RULE

    diagnostics: list[Diagnostic] = []
    # A capability declared once, without attributes (most of a large file), is made at
    # once; it becomes a draft only if it is declared again (see `declare`).
    drafts: dict[str, _Draft | Capability] = {}
    requirements: list[Requirement] = []
    scenarios: list[ast.Scenario] = []
    framework: tuple[str, dict[str, object]] | None = None
    frameworks_per_file: dict[str, ast.FrameworkDecl] = {}
    origins = origins or {}

    def declare(
        kind: str, text: str, key: str, span: ast.Span, values: dict[str, object], after: _Declared | None
    ) -> None:
        draft = drafts.get(key)
        if draft is None:
            # A declaration without attributes shares the empty dict until it gets one.
            drafts[key] = _Draft(kind, text, key, span, dict(values) if values else _NO_VALUES, after)
            return
        if isinstance(draft, Capability):
            draft = drafts[key] = _Draft("capability", draft.name, key, draft.span, _NO_VALUES, None)
        if draft.kind != kind:
            first = draft.span
            diagnostics.append(
                _error(
                    "kind-conflict",
                    f"'{text}' is declared as a {kind} here and as a {draft.kind} at {first.path}:{first.line}",
                    span,
                    "a name is either a capability or a stage; rename one of them",
                )
            )
            return
        if values:
            if draft.values is _NO_VALUES:
                draft.values = {}
            _merge(draft, values, span, diagnostics)
        if after is not None:
            if draft.after is None:
                draft.after = after
            elif draft.after[1] != after[1]:
                diagnostics.append(
                    Diagnostic(
                        "warning",
                        "conflicting-declaration",
                        f"stage '{text}' is declared again after a different stage",
                        after[2],
                        f"the first declaration is kept: after {draft.after[0]}",
                    )
                )

    add_requirement = requirements.append
    for statement in statements:
        if type(statement) is tuple:
            # A record of the fast path (see _fastparse.CAPABILITY, DECLARE and RULE).
            tag = statement[0]
            if tag == CAPABILITY:
                _, text, key, span = statement
                if key in drafts:
                    declare("capability", text, key, span, _NO_VALUES, None)
                else:  # the first declaration, without attributes (most of a large file)
                    drafts[key] = Capability(text, key, span)
            elif tag == RULE:
                _, _, subject, code, span, attributes = statement
                origin = origins.get(span.path)
                if attributes:
                    values = attribute_values(attributes, "requires", diagnostics)
                    because, source = values.get("because"), values.get("source")
                    add_requirement(Requirement(subject, code, span, because, source, origin))  # type: ignore[arg-type]
                else:
                    add_requirement(Requirement(subject, code, span, None, None, origin))
            else:
                _, kind, names, after, attributes = statement
                values = attribute_values(attributes, kind, diagnostics) if attributes else _NO_VALUES
                for text, key, span in names:
                    declare(kind, text, key, span, values, after)
        elif isinstance(statement, ast.CapabilityDecl):
            values = attribute_values(statement.attributes, "capability", diagnostics)
            for name in statement.names:
                declare("capability", name.text, name.key, name.span, values, None)
        elif isinstance(statement, ast.StageDecl):
            name = statement.name
            values = attribute_values(statement.attributes, "stage", diagnostics)
            declare("stage", name.text, name.key, name.span, values, _declared(statement.after))
        elif isinstance(statement, ast.Rule):
            values = attribute_values(statement.attributes, "requires", diagnostics)
            requirements.append(
                Requirement(
                    statement.subject.key,
                    code_of(statement.requirement),
                    statement.span,
                    values.get("because"),  # type: ignore[arg-type]
                    values.get("source"),  # type: ignore[arg-type]
                    statement,
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
        if isinstance(draft, Capability):
            capabilities.append(draft)
            nodes[key] = draft
            continue
        v = draft.values
        text, span = draft.text, draft.span
        if draft.kind == "capability":
            if v:
                capability = Capability(
                    text,
                    key,
                    span,
                    description=v.get("description"),  # type: ignore[arg-type]
                    source=v.get("source"),  # type: ignore[arg-type]
                    effort=v.get("effort", 1),  # type: ignore[arg-type]
                    owner=v.get("owner"),  # type: ignore[arg-type]
                    tags=v.get("tags", ()),  # type: ignore[arg-type]
                    met_at=v.get("met at", 1),  # type: ignore[arg-type]
                )
            else:
                capability = Capability(text, key, span)
            capabilities.append(capability)
            nodes[key] = capability
        else:
            after = draft.after
            stage = Stage(
                text,
                key,
                span,
                after=after[1] if after else None,
                after_span=after[2] if after else None,
                after_name=after[0] if after else None,
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
