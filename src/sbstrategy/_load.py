"""Files and includes -> parse -> limits -> model -> checks -> RuleSet.

Includes are expanded depth-first at the point of the `include` line, each
file read once; the loop is iterative so a chain of a thousand includes needs
no deep recursion. Every problem of every file is collected, then raised once.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator

from . import ast
from ._checks import Context, run_checks
from ._exprs import atoms, depth
from ._parser import parse_text
from .errors import Diagnostic, SbStrategyError
from .model import build_model
from .ruleset import RuleSet
from .sources import Limits, Resolver, SourceError, SourceText

__all__ = ["load_source"]

_COMPLETENESS = frozenset({"unused-capability", "unreachable-stage"})
_CONSEQUENCES = _COMPLETENESS | {"undeclared-name"}


def _source_diagnostic(problem: SourceError, span: ast.Span | None, code: str | None = None) -> Diagnostic:
    return Diagnostic("error", code or problem.code, problem.message, problem.span or span, problem.suggestion)


def _limit_problems(
    statements: tuple[ast.Statement, ...], limits: Limits
) -> tuple[list[ast.Statement], list[Diagnostic]]:
    """Drop statements that break a limit, before anything walks them deeply."""
    kept: list[ast.Statement] = []
    found: list[Diagnostic] = []
    for statement in statements:
        problem = _statement_problem(statement, limits)
        if problem is None:
            kept.append(statement)
        else:
            found.append(problem)
    return kept, found


def _names_of(statement: ast.Statement) -> Iterator[ast.Name]:
    if isinstance(statement, ast.CapabilityDecl):
        yield from statement.names
    elif isinstance(statement, ast.StageDecl):
        yield statement.name
        if statement.after is not None:
            yield statement.after
    elif isinstance(statement, ast.Rule):
        yield statement.subject
    elif isinstance(statement, ast.Scenario):
        for line in statement.lines:
            if isinstance(line, ast.Given):
                yield from line.names
            elif isinstance(line, ast.Expect):
                yield line.name
                yield from line.blocked_by


def _statement_problem(statement: ast.Statement, limits: Limits) -> Diagnostic | None:
    if isinstance(statement, ast.Rule):
        level, deepest = depth(statement.requirement)
        if level > limits.max_depth:
            return Diagnostic(
                "error",
                "limit",
                f"expression nested {level} levels deep; the limit is {limits.max_depth} (max_depth)",
                deepest.span,
                "split the requirement into several capabilities or requires lines",
            )
        names: Iterator[ast.Name] = _chain(_names_of(statement), (a.name for a in atoms(statement.requirement)))
    else:
        names = _names_of(statement)
    for name in names:
        if len(name.text) > limits.max_name_length:
            return Diagnostic(
                "error",
                "limit",
                f"name of {len(name.text):,} characters; the limit is {limits.max_name_length} (max_name_length)",
                name.span,
                "use a short name and put the details in a description",
            )
    return None


def _chain(*iterables: Iterator[ast.Name]) -> Iterator[ast.Name]:
    for iterable in iterables:
        yield from iterable


def _missing_include_hint(problem: SourceError, target: str, including: str) -> str | None:
    folder = os.path.dirname(os.path.join(os.path.dirname(including), target)) or "."
    try:
        siblings = [n for n in os.listdir(folder) if n.endswith(".sbr")]
    except OSError:
        return problem.suggestion
    close = difflib.get_close_matches(os.path.basename(target), siblings, n=1)
    return f"did you mean '{close[0]}'?" if close else problem.suggestion


def load_source(main: SourceText, resolver: Resolver | None, limits: Limits) -> RuleSet:
    sources: dict[str, str] = {main.path: main.text}
    diagnostics: list[Diagnostic] = []
    statements: list[ast.Statement] = []
    read = {main.key}
    files = [main.path]

    def parse(source: SourceText) -> Iterator[ast.Statement]:
        parsed, syntax = parse_text(source.text, source.path)
        diagnostics.extend(syntax)
        kept, problems = _limit_problems(parsed, limits)
        diagnostics.extend(problems)
        return iter(kept)

    active = [main.key]
    stack = [(main, parse(main))]
    while stack:
        current, pending = stack[-1]
        for statement in pending:
            statements.append(statement)
            if not isinstance(statement, ast.Include):
                continue
            included = _include(statement, current, resolver, limits, read, active, diagnostics)
            if included is not None:
                sources[included.path] = included.text
                read.add(included.key)
                files.append(included.path)
                active.append(included.key)
                stack.append((included, parse(included)))
                break
        else:
            stack.pop()
            active.pop()

    syntax_failed = any(d.severity == "error" for d in diagnostics)
    model, model_problems = build_model(statements, tuple(files))
    diagnostics.extend(model_problems)
    context = Context(model)
    found = run_checks(context)
    if any(d.severity == "error" for d in found):
        # Completeness warnings are consequences of the errors (a misspelt use
        # leaves its capability unused): they would only hide the cause.
        found = [d for d in found if d.code not in _COMPLETENESS]
    if syntax_failed:
        # Statements with syntax errors are missing from the model: names they
        # declared or used would be reported again as consequences.
        found = [d for d in found if d.code not in _CONSEQUENCES]
    diagnostics.extend(found)
    if any(d.severity == "error" for d in diagnostics):
        raise SbStrategyError(diagnostics, sources)
    return RuleSet(model, context.order, tuple(sorted(diagnostics, key=Diagnostic.sort_key)), sources)


def _include(
    statement: ast.Include,
    current: SourceText,
    resolver: Resolver | None,
    limits: Limits,
    read: set[str],
    active: list[str],
    diagnostics: list[Diagnostic],
) -> SourceText | None:
    if resolver is None:
        diagnostics.append(
            Diagnostic(
                "error",
                "include-refused",
                f"include '{statement.path}' is refused: this rule text was loaded without a resolver",
                statement.span,
                "pass resolver=FileResolver(root=...) or MemoryResolver({...}) to allow includes",
            )
        )
        return None
    try:
        included = resolver.resolve(statement.path, current.path, limits)
    except SourceError as problem:
        if problem.code == "file-not-found":
            diagnostics.append(
                Diagnostic(
                    "error",
                    "include-not-found",
                    f"included file '{statement.path}' not found",
                    statement.span,
                    _missing_include_hint(problem, statement.path, current.path),
                )
            )
        else:
            diagnostics.append(_source_diagnostic(problem, statement.span))
        return None
    if included.key in active:
        diagnostics.append(
            Diagnostic(
                "warning",
                "include-loop",
                f"'{statement.path}' is already being read (an include loop); it is read once",
                statement.span,
                "remove the include that leads back",
            )
        )
        return None
    if included.key in read:
        return None  # read once: shared files of two frameworks are normal
    if len(read) >= limits.max_files:
        diagnostics.append(
            Diagnostic(
                "error",
                "limit",
                f"more than {limits.max_files} files included (max_files)",
                statement.span,
            )
        )
        return None
    return included
