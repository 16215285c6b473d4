"""The syntax tree of a rule file: plain frozen data, no behaviour.

Positions (`Span`) are excluded from equality and hashing, so two files that
say the same thing in a different layout have equal trees; the formatter's
round-trip property relies on that.
"""

from __future__ import annotations

import attrs

from ._attrs_repr import fields_repr

__all__ = [
    "All",
    "Any",
    "AtLeast",
    "Attribute",
    "CapabilityDecl",
    "Compare",
    "Expect",
    "Expr",
    "FrameworkDecl",
    "Given",
    "Include",
    "Name",
    "Not",
    "Ref",
    "Rule",
    "RuleFile",
    "Scenario",
    "ScenarioLine",
    "Span",
    "StageDecl",
    "Statement",
    "Words",
]


@attrs.frozen(repr=False)
class Span:
    """Where a piece of text is: 1-based line and column, end exclusive."""

    __repr__ = fields_repr

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


def _span() -> Span:
    # Optional so that trees can be built by hand (tests, tools); the parser
    # always sets it.
    return attrs.field(default=None, eq=False, repr=False)  # type: ignore[no-any-return]


@attrs.frozen(repr=False)
class Name:
    """A name as written (`text`, white space collapsed) and as compared (`key`)."""

    __repr__ = fields_repr

    text: str
    key: str
    span: Span = _span()
    quoted: bool = attrs.field(default=False, eq=False)


@attrs.frozen(repr=False)
class Words:
    """Unquoted words where an attribute value was expected (always an error)."""

    __repr__ = fields_repr

    text: str


# Expressions -----------------------------------------------------------------


@attrs.frozen(repr=False)
class Ref:
    """`NAME`: the capability is met, or the stage is reached."""

    __repr__ = fields_repr

    name: Name

    @property
    def span(self) -> Span:
        return self.name.span


@attrs.frozen(repr=False)
class Compare:
    """`NAME level OP N`: the assessed level of a capability compared with a number."""

    __repr__ = fields_repr

    name: Name
    op: str
    value: int | float
    span: Span = _span()


@attrs.frozen(repr=False)
class Not:
    __repr__ = fields_repr

    operand: Expr
    span: Span = _span()


@attrs.frozen(repr=False)
class All:
    """`A and B`, `A, B`."""

    __repr__ = fields_repr

    operands: tuple[Expr, ...]
    span: Span = _span()


@attrs.frozen(repr=False)
class Any:
    """`A or B`."""

    __repr__ = fields_repr

    operands: tuple[Expr, ...]
    span: Span = _span()


@attrs.frozen(repr=False)
class AtLeast:
    """`N of (A, B, C)`."""

    __repr__ = fields_repr

    count: int | float
    items: tuple[Expr, ...]
    span: Span = _span()


Expr = Ref | Compare | Not | All | Any | AtLeast


# Statements ------------------------------------------------------------------


@attrs.frozen(repr=False)
class Attribute:
    """An indented attribute line: `description "…"`, `effort 3`, `met at 2`, …"""

    __repr__ = fields_repr

    key: str
    values: tuple[str | int | float | Words, ...]
    span: Span = _span()


@attrs.frozen(repr=False)
class FrameworkDecl:
    __repr__ = fields_repr

    title: str
    attributes: tuple[Attribute, ...]
    span: Span = _span()


@attrs.frozen(repr=False)
class CapabilityDecl:
    __repr__ = fields_repr

    names: tuple[Name, ...]
    attributes: tuple[Attribute, ...]
    span: Span = _span()


@attrs.frozen(repr=False)
class StageDecl:
    __repr__ = fields_repr

    name: Name
    after: Name | None
    attributes: tuple[Attribute, ...]
    span: Span = _span()


@attrs.frozen(repr=False)
class Include:
    __repr__ = fields_repr

    path: str
    attributes: tuple[Attribute, ...]
    span: Span = _span()


@attrs.frozen(repr=False)
class Rule:
    """`SUBJECT requires EXPR`, with its `because` and `source` lines."""

    __repr__ = fields_repr

    subject: Name
    requirement: Expr
    attributes: tuple[Attribute, ...]
    span: Span = _span()


@attrs.frozen(repr=False)
class Given:
    """`given A, B` (state "yes"), `given unknown A` ("unknown"), `given A = 3` ("level")."""

    __repr__ = fields_repr

    names: tuple[Name, ...]
    state: str
    level: int | float | None
    span: Span = _span()
    op: str = attrs.field(default="=", eq=False)


@attrs.frozen(repr=False)
class Expect:
    """`expect A is STATUS` or `expect A is blocked by B, C`."""

    __repr__ = fields_repr

    name: Name
    status: str
    blocked_by: tuple[Name, ...]
    span: Span = _span()
    status_span: Span = _span()


ScenarioLine = Given | Expect | Attribute


@attrs.frozen(repr=False)
class Scenario:
    __repr__ = fields_repr

    title: str
    lines: tuple[ScenarioLine, ...]
    span: Span = _span()


Statement = FrameworkDecl | CapabilityDecl | StageDecl | Include | Rule | Scenario


@attrs.frozen(repr=False)
class RuleFile:
    __repr__ = fields_repr

    path: str
    statements: tuple[Statement, ...]
