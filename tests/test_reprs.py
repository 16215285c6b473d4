"""The classes made on every start share one `__repr__` (`_attrs_repr`): it must write
exactly what attrs' own would, for every field shown."""

from __future__ import annotations

import attrs
import pytest

from sbstrategy import assessment, ast, errors, evaluation, model, sources
from sbstrategy._attrs_repr import fields_repr

SHARED = sorted(
    {
        value
        for module in (ast, model, sources, errors, evaluation, assessment)
        for value in vars(module).values()
        if isinstance(value, type) and attrs.has(value) and value.__repr__ is fields_repr
    },
    key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
)


def test_every_class_made_at_start_up_shares_the_repr() -> None:
    assert len(SHARED) == 31
    assert ast.Span in SHARED and evaluation.Blocker in SHARED and model.Capability in SHARED


@pytest.mark.parametrize("cls", SHARED, ids=lambda cls: cls.__qualname__)
def test_the_shared_repr_is_attrs_own(cls: type) -> None:
    fields = attrs.fields(cls)
    # the same fields on a class whose repr attrs compiles
    twin = attrs.make_class(cls.__name__, {f.name: attrs.field(repr=f.repr) for f in fields})
    values = [ast.Span("a.sbr", 1, 2, 1, 5), "text", 3, None, ("x", 1.5), {"k": "v"}]
    ours, theirs = object.__new__(cls), object.__new__(twin)
    for n, field in enumerate(fields):
        object.__setattr__(ours, field.name, values[n % len(values)])
        object.__setattr__(theirs, field.name, values[n % len(values)])
    assert repr(ours) == repr(theirs)
