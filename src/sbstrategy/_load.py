"""Files and includes -> parse -> limits -> model -> checks -> RuleSet.

Includes are expanded depth-first at the point of the `include` line, each
file read once; the loop is iterative so a chain of a thousand includes needs
no deep recursion. Every problem of every file is collected, then raised once.

Limits are applied before anything walks a statement recursively: a statement
nested deeper than `max_depth` is dropped with one diagnostic right after
parsing. Each include path is resolved at most once per load, and at most
`max_files` paths are tried, so a file of include lines cannot make the
resolver read the same or ever new files over and over.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from . import ast
from ._checks import Context, run_checks
from ._exprs import atoms, depth
from ._fastparse import Origin, read_compact
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


# Strings and comments are skipped; only the parentheses outside them count.
_PARENS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[()]')


def _paren_problem(text: str, path: str, limits: Limits) -> Diagnostic | None:
    """Parentheses nested deeper than `max_depth`, found before parsing.

    Every level of parentheses is at least a level of the expression's
    nesting (or a redundant pair), so such a file breaks the limit whatever it
    says; refusing it here saves parsing a deep file only to drop it.
    """
    if text.count("(") <= limits.max_depth:
        return None
    level = 0
    for match in _PARENS.finditer(text):
        char = match.group()
        if char == "(":
            level += 1
            if level > limits.max_depth:
                start = match.start()
                line = text.count("\n", 0, start) + 1
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                return Diagnostic(
                    "error",
                    "limit",
                    f"parentheses nested more than {limits.max_depth} levels deep (max_depth); "
                    "the file is not read further",
                    ast.Span(path, line, column, line, column + 1),
                    "split the requirement into several capabilities or requires lines",
                )
        elif char == ")":
            level = max(level - 1, 0)
    return None


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


def _drain(items: list[ast.Statement | tuple[Any, ...]]) -> Iterator[ast.Statement | tuple[Any, ...]]:
    """The items in order, each let go of as it is handed over: a large file's
    records are freed while the model is built from them, not after."""
    items.reverse()
    while items:
        yield items.pop()


def load_source(main: SourceText, resolver: Resolver | None, limits: Limits) -> RuleSet:
    sources: dict[str, str] = {main.path: main.text}
    diagnostics: list[Diagnostic] = []
    statements: list[ast.Statement | tuple[Any, ...]] = []
    includes = _Includes(resolver, limits, diagnostics, main)
    files = [main.path]
    origins: dict[str, Origin] = {}

    def parse(source: SourceText) -> Iterator[ast.Statement | tuple[Any, ...]]:
        compact = read_compact(source.text, source.path)
        if compact is not None and compact.longest <= limits.max_name_length and compact.depth <= limits.max_depth:
            # Read the usual way, as records (no AST), and no statement can break a limit
            # (nor can parentheses nest deeper than the expressions do).
            origins[source.path] = Origin(source.text, source.path)
            return iter(compact.records)
        nested = _paren_problem(source.text, source.path, limits)
        if nested is not None:
            diagnostics.append(nested)
            return iter(())
        from ._parser import parse_text  # the Lark path: text the fast path does not read

        parsed, syntax = parse_text(source.text, source.path)
        diagnostics.extend(syntax)
        kept, problems = _limit_problems(parsed, limits)
        diagnostics.extend(problems)
        return iter(kept)

    stack = [(main, parse(main))]
    while stack:
        current, pending = stack[-1]
        for statement in pending:
            statements.append(statement)
            if not isinstance(statement, ast.Include):
                continue
            included = includes.enter(statement, current)
            if included is not None:
                sources[included.path] = included.text
                files.append(included.path)
                stack.append((included, parse(included)))
                break
        else:
            stack.pop()
            includes.leave()

    syntax_failed = any(d.severity == "error" for d in diagnostics)
    model, model_problems = build_model(_drain(statements), tuple(files), origins)
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
    ruleset = RuleSet(model, context.order, tuple(sorted(diagnostics, key=Diagnostic.sort_key)), sources)
    if context.terms is not None:
        ruleset._keep_translation(context.index, context.terms)
    return ruleset


class _Includes:
    """Which files one load has read, is reading, and may still read."""

    def __init__(self, resolver: Resolver | None, limits: Limits, diagnostics: list[Diagnostic], main: SourceText):
        self.resolver = resolver
        self.limits = limits
        self.diagnostics = diagnostics
        self.read = {main.key}
        self.active = [main.key]
        self.total = _size(main.text)
        # Paths already tried, by their normalised form: a second `include` of
        # the same path costs nothing, whatever the first one found.
        self.tried: set[str] = set()
        self.refused = False

    def leave(self) -> None:
        self.active.pop()

    def enter(self, statement: ast.Include, current: SourceText) -> SourceText | None:
        """The included file to read next, or None (already read, or a problem)."""
        if self.resolver is None:
            self._error(
                "include-refused",
                f"include '{statement.path}' is refused: this rule text was loaded without a resolver",
                statement.span,
                "pass resolver=FileResolver(root=...) or MemoryResolver({...}) to allow includes",
            )
            return None
        tried = os.path.normpath(os.path.join(os.path.dirname(current.path), statement.path))
        if tried in self.tried:
            return None
        if len(self.tried) + 1 >= self.limits.max_files:
            if not self.refused:
                self.refused = True
                self._error(
                    "limit",
                    f"more than {self.limits.max_files:,} files included (max_files); "
                    "this and any further includes are not read",
                    statement.span,
                    "raise the limit, or include fewer files",
                )
            return None
        self.tried.add(tried)
        try:
            included = self.resolver.resolve(statement.path, current.path, self.limits)
        except SourceError as problem:
            if problem.code == "file-not-found":
                self._error(
                    "include-not-found",
                    f"included file '{statement.path}' not found",
                    statement.span,
                    problem.suggestion,
                )
            else:
                self.diagnostics.append(_source_diagnostic(problem, statement.span))
            return None
        if included.key in self.active:
            self.diagnostics.append(
                Diagnostic(
                    "warning",
                    "include-loop",
                    f"'{statement.path}' is already being read (an include loop); it is read once",
                    statement.span,
                    "remove the include that leads back",
                )
            )
            return None
        if included.key in self.read:
            return None  # read once: shared files of two frameworks are normal
        self.total += _size(included.text)
        if self.total > self.limits.max_total_bytes:
            self._error(
                "limit",
                f"the files of this rule set are larger than {self.limits.max_total_bytes:,} bytes together "
                f"(max_total_bytes); '{statement.path}' is not read",
                statement.span,
                "raise the limit, or include fewer files",
            )
            self.total -= _size(included.text)
            return None
        self.read.add(included.key)
        self.active.append(included.key)
        return included

    def _error(self, code: str, message: str, span: ast.Span | None, suggestion: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("error", code, message, span, suggestion))


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))
