"""sbstrategy: published advice on social business strategy as rules a program can check.

>>> import sbstrategy
>>> rules = sbstrategy.loads('''
... capability roadmap
... capability executive sponsorship
... stage planned
... planned requires roadmap and executive sponsorship
... ''')
>>> result = rules.evaluate({"roadmap": "yes", "executive sponsorship": "no"})
>>> result.stage("planned").status
'blocked'
>>> result.stage("planned").root_causes
('executive sponsorship',)
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from typing import TYPE_CHECKING

from ._version import __version__
from .errors import Diagnostic, SbStrategyError, render_diagnostic
from .sources import (
    FileResolver,
    Limits,
    MemoryResolver,
    Resolver,
    SourceError,
    SourceText,
    over_size,
    read_text_file,
)

if TYPE_CHECKING:
    from .assessment import Assessment, Fact, load_assessment, parse_assessment
    from .evaluation import Blocker, Evaluation, NodeResult
    from .explain import Explanation, explain
    from .export import export_graph
    from .model import Capability, Requirement, Stage
    from .planning import Leverage, Plan, PlanStep, Wave, leverage, plan
    from .progress import Change, Progress, diff
    from .ruleset import RuleSet
    from .scenarios import ExpectationResult, ScenarioResult
    from .whatif import WhatIf, what_if

# Everything else is imported when first used: a command imports only what it
# needs (`sbstrategy assess` never imports the planning, export or explain
# code, nor YAML, TOML, Lark or networkx unless the input needs them).
_LAZY = {
    **dict.fromkeys(("Assessment", "Fact", "load_assessment", "parse_assessment"), "assessment"),
    **dict.fromkeys(("Blocker", "Evaluation", "NodeResult"), "evaluation"),
    **dict.fromkeys(("Explanation", "explain"), "explain"),
    **dict.fromkeys(("export_graph",), "export"),
    **dict.fromkeys(("Capability", "Requirement", "Stage"), "model"),
    **dict.fromkeys(("Leverage", "Plan", "PlanStep", "Wave", "leverage", "plan"), "planning"),
    **dict.fromkeys(("Change", "Progress", "diff"), "progress"),
    **dict.fromkeys(("RuleSet",), "ruleset"),
    **dict.fromkeys(("ExpectationResult", "ScenarioResult"), "scenarios"),
    **dict.fromkeys(("WhatIf", "what_if"), "whatif"),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    if name != "explain":
        globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """`sbstrategy.explain` is the function, not the module of that name: the
    import system sets a package's attribute when it imports a submodule, which
    would replace the function once the (lazily imported) module is loaded."""

    @property
    def explain(self) -> object:
        return __getattr__("explain")

    @explain.setter
    def explain(self, module: object) -> None:
        pass  # the submodule stays reachable as sys.modules["sbstrategy.explain"]


sys.modules[__name__].__class__ = _Package

__all__ = [
    "Assessment",
    "Blocker",
    "Capability",
    "Change",
    "Diagnostic",
    "Evaluation",
    "ExpectationResult",
    "Explanation",
    "Fact",
    "FileResolver",
    "Leverage",
    "Limits",
    "MemoryResolver",
    "NodeResult",
    "Plan",
    "PlanStep",
    "Progress",
    "Requirement",
    "Resolver",
    "RuleSet",
    "SbStrategyError",
    "ScenarioResult",
    "Stage",
    "Wave",
    "WhatIf",
    "__version__",
    "diff",
    "explain",
    "export_graph",
    "format_text",
    "leverage",
    "load",
    "load_assessment",
    "loads",
    "parse_assessment",
    "plan",
    "render_diagnostic",
    "what_if",
]


def format_text(text: str, path: str = "<string>", limits: Limits | None = None) -> str:
    """`text` (a rule file) in the canonical layout, every comment kept.

    Idempotent, and the result parses to the same statements. Raises
    `SbStrategyError` with every syntax error when `text` does not parse.
    """
    # The formatter needs the full parser (Lark); importing it here keeps
    # `import sbstrategy` light for everything else.
    from .fmt import format_text as _format_text

    return _format_text(text, path, limits)


def load(
    path: str | os.PathLike[str],
    *,
    resolver: Resolver | None = None,
    limits: Limits | None = None,
    cache: bool = True,
) -> RuleSet:
    """Load a rule file and the files it includes.

    Includes are read by `resolver`; the default reads files relative to the
    including file and refuses any path outside the main file's folder.
    Raises `SbStrategyError` holding every problem found.

    With `cache` (the default) a rule set loaded without errors by the default
    resolver is kept in the user's cache folder, and loading the same unchanged
    files again reads it from there (see `_cache`: `$SBSTRATEGY_CACHE_DIR`, else
    `$XDG_CACHE_HOME/sbstrategy`, else `~/.cache/sbstrategy`; the environment
    variable `SBSTRATEGY_NO_CACHE=1` turns it off everywhere). `loads` never caches.
    """
    from ._gc import paused as paused_gc

    with paused_gc():
        return _load_file(path, resolver, limits or Limits(), cache)


def _load_file(path: str | os.PathLike[str], resolver: Resolver | None, limits: Limits, cache: bool) -> RuleSet:
    try:
        main = read_text_file(path, limits)
    except SourceError as problem:
        raise SbStrategyError(
            [Diagnostic("error", problem.code, problem.message, problem.span, problem.suggestion)],
            {os.fspath(path): problem.text} if problem.text else None,
        ) from None
    from . import _cache

    cached = resolver is None and cache and _cache.enabled()
    if cached:

        def read(included: str) -> str:
            return read_text_file(included, limits, regular_only=True).text

        ruleset = _cache.fetch(main, limits, read)
        if ruleset is not None:
            return ruleset
    # Imported only now: a cache hit needs neither the reader nor the checks (start-up).
    from ._load import load_source

    ruleset = load_source(main, resolver or FileResolver(root=os.path.dirname(os.path.abspath(path))), limits)
    if cached:
        _cache.store(main, limits, ruleset)
    return ruleset


def loads(
    text: str,
    *,
    path: str = "<string>",
    resolver: Resolver | None = None,
    limits: Limits | None = None,
) -> RuleSet:
    """Load rule text. No file is read unless `resolver` is given (for `include`).

    `path` names the text in diagnostics. Raises `SbStrategyError`.
    """
    from ._gc import paused as paused_gc
    from ._load import load_source

    if not isinstance(text, str):
        raise TypeError(f"loads() takes a str, not {type(text).__name__}")
    limits = limits or Limits()
    if over_size(text, limits.max_file_bytes):
        raise SbStrategyError(
            [
                Diagnostic(
                    "error",
                    "limit",
                    f"{path} is larger than the limit of {limits.max_file_bytes:,} bytes (max_file_bytes)",
                )
            ]
        )
    with paused_gc():
        return load_source(SourceText(path, text, path), resolver, limits)
