"""Every name used must be declared, and be the right kind for its place.

An undeclared name is an error, never a new always-missing capability: typos
must not pass silently.
"""

from __future__ import annotations

from .. import ast
from .._exprs import names_in
from ..errors import Diagnostic
from ._context import Context

__all__ = ["check"]


def check(context: Context) -> list[Diagnostic]:
    model = context.model
    nodes = model.nodes
    found: list[Diagnostic] = []

    def undeclared(name: ast.Name, what: str = "name") -> None:
        found.append(
            Diagnostic(
                "error",
                "undeclared-name",
                f"undeclared {what} '{name.text}'",
                name.span,
                context.suggest(name.key) or f"declare it: capability {name.text}",
            )
        )

    pairs = () if context.all_declared else zip(model.requirements, context.references, strict=True)
    for requirement, (refs, compared_keys, _) in pairs:
        if requirement.subject not in nodes and requirement.subject_name is not None:
            undeclared(requirement.subject_name, "subject")
        # Codes hold keys only: the AST, with each name's position, is read for a problem.
        if (
            all(map(nodes.__contains__, refs))
            and all(map(nodes.__contains__, compared_keys))
            and all(nodes[key].kind != "stage" for key in compared_keys)
        ):
            continue
        for name, compared in names_in(requirement.expr):
            node = nodes.get(name.key)
            if node is None:
                undeclared(name)
            elif compared and node.kind == "stage":
                found.append(
                    Diagnostic(
                        "error",
                        "wrong-kind",
                        f"'{node.name}' is a stage; only a capability has an assessed level",
                        name.span,
                    )
                )
    for stage in model.stages:
        if stage.after is None or stage.after_span is None:
            continue
        after = nodes.get(stage.after)
        if after is None:
            shown = stage.after_name or stage.after
            undeclared(ast.Name(shown, stage.after, stage.after_span), "stage")
        elif after.kind != "stage":
            found.append(
                Diagnostic(
                    "error",
                    "wrong-kind",
                    f"'{after.name}' is a capability; a stage comes after another stage",
                    stage.after_span,
                    f"write the capability as a requirement: {stage.name} requires {after.name}",
                )
            )
    for scenario in model.scenarios:
        for line in scenario.lines:
            if isinstance(line, ast.Given):
                for name in line.names:
                    node = nodes.get(name.key)
                    if node is None:
                        undeclared(name)
                    elif node.kind == "stage":
                        found.append(
                            Diagnostic(
                                "error",
                                "wrong-kind",
                                f"'{node.name}' is a stage; a scenario gives capabilities, and stages follow from them",
                                name.span,
                            )
                        )
            elif isinstance(line, ast.Expect):
                for name in (line.name, *line.blocked_by):
                    if name.key not in nodes:
                        undeclared(name)
    return found
