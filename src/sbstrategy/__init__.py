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

import os

from ._version import __version__
from .assessment import Assessment, Fact, load_assessment, parse_assessment
from .errors import Diagnostic, SbStrategyError, render_diagnostic
from .evaluation import Blocker, Evaluation, NodeResult
from .model import Capability, Requirement, Stage
from .ruleset import RuleSet
from .scenarios import ExpectationResult, ScenarioResult
from .sources import FileResolver, Limits, MemoryResolver, Resolver, SourceError, SourceText, read_text_file

__all__ = [
    "Assessment",
    "Blocker",
    "Capability",
    "Diagnostic",
    "Evaluation",
    "ExpectationResult",
    "Fact",
    "FileResolver",
    "Limits",
    "MemoryResolver",
    "NodeResult",
    "Requirement",
    "Resolver",
    "RuleSet",
    "SbStrategyError",
    "ScenarioResult",
    "Stage",
    "__version__",
    "load",
    "load_assessment",
    "loads",
    "parse_assessment",
    "render_diagnostic",
]


def load(
    path: str | os.PathLike[str],
    *,
    resolver: Resolver | None = None,
    limits: Limits | None = None,
) -> RuleSet:
    """Load a rule file and the files it includes.

    Includes are read by `resolver`; the default reads files relative to the
    including file and refuses any path outside the main file's folder.
    Raises `SbStrategyError` holding every problem found.
    """
    from ._load import load_source

    limits = limits or Limits()
    try:
        main = read_text_file(path, limits)
    except SourceError as problem:
        raise SbStrategyError(
            [Diagnostic("error", problem.code, problem.message, problem.span, problem.suggestion)],
            {os.fspath(path): problem.text} if problem.text else None,
        ) from None
    if resolver is None:
        resolver = FileResolver(root=os.path.dirname(os.path.abspath(path)))
    return load_source(main, resolver, limits)


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
    from ._load import load_source

    if not isinstance(text, str):
        raise TypeError(f"loads() takes a str, not {type(text).__name__}")
    limits = limits or Limits()
    if len(text) > limits.max_file_bytes:
        raise SbStrategyError(
            [
                Diagnostic(
                    "error",
                    "limit",
                    f"{path} is larger than the limit of {limits.max_file_bytes:,} bytes (max_file_bytes)",
                )
            ]
        )
    return load_source(SourceText(path, text, path), resolver, limits)
