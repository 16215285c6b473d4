"""Checks over a merged model: one module per check, each a pure function
from the model to diagnostics. `run_checks` runs them all and returns every
diagnostic, so one run shows every problem."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import Diagnostic
from . import counts, cycles, names, scenarios, unreachable, unused
from ._context import Context

__all__ = ["CHECKS", "Context", "run_checks"]

CHECKS: tuple[Callable[[Context], list[Diagnostic]], ...] = (
    names.check,
    counts.check,
    cycles.check,
    scenarios.check,
    unused.check,
    unreachable.check,
)


def run_checks(context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for check in CHECKS:
        found.extend(check(context))
    return found
