"""One `__repr__` for sbstrategy's attrs classes, read from the fields when called.

attrs compiles a `__repr__` for each class when the class is made: a third of the
cost of making one (about 0.13 ms of 0.37 ms here), and sbstrategy makes some thirty
classes on every start, which a command on a small model feels (the 1k benchmark).
The classes that are made on every start say `repr=False` and take this one, which
writes what attrs' own would.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["fields_repr"]


def fields_repr(self: Any) -> str:
    """`Name(field=value, …)` over the fields shown in reprs, as attrs writes it."""
    cls = type(self)
    shown = ", ".join(
        f"{field.name}={(field.repr if callable(field.repr) else repr)(getattr(self, field.name))}"
        for field in attrs.fields(cls)
        if field.repr
    )
    return f"{cls.__qualname__.rsplit('>.', 1)[-1]}({shown})"
