"""Text, JSON and Markdown renderings shared by the CLI, the docs and tests."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from .errors import Diagnostic, render_diagnostic
from .evaluation import Blocker, Evaluation, NodeResult

if TYPE_CHECKING:
    from .scenarios import ScenarioResult

__all__ = [
    "Style",
    "blocker_text",
    "diagnostics_json",
    "diagnostics_text",
    "evaluation_json",
    "evaluation_markdown",
    "evaluation_text",
    "json_text",
    "scenario_report",
]


class Style:
    """ANSI colour, or none (the default: colour only on a terminal)."""

    def __init__(self, colour: bool = False) -> None:
        self.colour = colour

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def good(self, text: str) -> str:
        return self._wrap("32", text)

    def bad(self, text: str) -> str:
        return self._wrap("31", text)

    def maybe(self, text: str) -> str:
        return self._wrap("33", text)

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def status(self, status: str) -> str:
        if status in ("met", "reached"):
            return self.good(status)
        if status in ("blocked", "at-risk"):
            return self.bad(status)
        if status == "unknown":
            return self.maybe(status)
        return status


_MARK = {"reached": "✓", "met": "✓", "blocked": "✗", "at-risk": "!", "ready": "○", "unknown": "?"}


# Diagnostics --------------------------------------------------------------------------


def diagnostics_text(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str]) -> str:
    return "\n".join(render_diagnostic(d, sources.get(d.span.path) if d.span else None) for d in diagnostics)


def diagnostics_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False)


# Blockers ---------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    if value is None:
        return "unassessed"
    return str(int(value)) if float(value).is_integer() else str(value)


_MISSING = {
    "ready": "{name} is not in place",
    "blocked": "{name} is blocked",
    "at-risk": "{name} is in place, but its prerequisites are missing",
    "unknown": "{name} is not in place (and its prerequisites are unknown)",
}


def blocker_text(blocker: Blocker) -> str:
    """One line of plain English for a blocker (without its rule position)."""
    kind = blocker.kind
    if kind == "missing":
        if blocker.node_kind == "stage":
            return f"stage {blocker.name} is not reached ({blocker.status})"
        return _MISSING.get(blocker.status or "", "{name} is not met").format(name=blocker.name)
    if kind == "after":
        return f"it comes after stage {blocker.name}, which is not reached ({blocker.status})"
    if kind == "level":
        return f"{blocker.name} level is {_number(blocker.found)}, needs {blocker.op} {_number(blocker.needed)}"
    if kind == "excluded":
        return "excluded while " + ", ".join(blocker.names) + (" holds" if len(blocker.names) == 1 else " hold")
    if kind == "any":
        options = ["; ".join(blocker_text(b) for b in option) for option in blocker.options]
        return "none of the alternatives holds: " + " | ".join(f"({o})" for o in options)
    more = int(blocker.needed or 0) - (blocker.have or 0)
    failing = "; ".join(blocker_text(b) for b in blocker.items)
    return f"needs {_number(blocker.needed)} of its items, has {blocker.have} ({more} more): {failing}"


def _where(blocker: Blocker) -> str:
    return f"{blocker.rule.path}:{blocker.rule.line}" if blocker.rule else ""


# Evaluation ---------------------------------------------------------------------------------


def _causes_with_effort(result: NodeResult, evaluation: Evaluation) -> str:
    parts = []
    for name in result.root_causes:
        node = evaluation.node(name)
        effort = f" (effort {_number(node.effort)})" if node.kind == "capability" else ""
        parts.append(f"{name}{effort}")
    return ", ".join(parts)


def _node_lines(result: NodeResult, evaluation: Evaluation, style: Style, indent: str) -> list[str]:
    lines = []
    for blocker in result.blockers:
        because = f' — because "{blocker.because}"' if blocker.because else ""
        where = _where(blocker)
        lines.append(f"{indent}- {blocker_text(blocker)}{because}" + (style.dim(f"  [{where}]") if where else ""))
    if result.root_causes:
        lines.append(f"{indent}work on first: {style.bold(_causes_with_effort(result, evaluation))}")
    if result.open_questions:
        lines.append(f"{indent}open questions: " + ", ".join(result.open_questions))
    return lines


def _was(name: str, was: Mapping[str, str] | None, style: Style) -> str:
    """What-if: the status before the assumptions, beside a changed status."""
    if not was or name not in was:
        return ""
    return "  " + style.bold(f"(was {was[name]})")


def evaluation_text(evaluation: Evaluation, style: Style | None = None, was: Mapping[str, str] | None = None) -> str:
    """`was` maps a node's name to its status before a what-if's assumptions."""
    style = style or Style()
    title = evaluation.framework or "Rule set"
    head = f"{title} — {evaluation.organisation}" if evaluation.organisation else title
    out = [style.bold(head)]
    if evaluation.stages:
        highest, first = evaluation.highest_reached, evaluation.next_stage
        summary = f"Reached: {highest.name if highest else 'no stage yet'}."
        if first is not None:
            summary += f"  Next: {first.name} ({style.status(first.status)})."
        out += [summary, "", style.bold("Stages")]
        width = max(len(s.name) for s in evaluation.stages)
        for stage in evaluation.stages:
            mark = _MARK.get(stage.status, " ")
            out.append(
                f"  {mark} {stage.name.ljust(width)}  {style.status(stage.status)}{_was(stage.name, was, style)}"
            )
            out += _node_lines(stage, evaluation, style, "      ")
    pending = [c for c in evaluation.capabilities if c.status != "met"]
    met = len(evaluation.capabilities) - len(pending)
    out += ["", style.bold(f"Capabilities ({met} of {len(evaluation.capabilities)} met)")]
    if pending:
        width = max(len(c.name) for c in pending)
        for capability in pending:
            mark = _MARK.get(capability.status, " ")
            out.append(
                f"  {mark} {capability.name.ljust(width)}  {style.status(capability.status)}"
                f"{_was(capability.name, was, style)}"
            )
            if capability.status != "ready":
                out += _node_lines(capability, evaluation, style, "      ")
    return "\n".join(out)


def evaluation_json(evaluation: Evaluation) -> str:
    return json_text(evaluation.to_dict())


def json_text(data: object) -> str:
    """Exactly `json.dumps(data, indent=2, ensure_ascii=False)`, several times faster on big results.

    With `indent`, Python's json module uses its pure-Python encoder. An
    evaluation of a large model is mostly long lists of names (root causes), so
    those are written with one `join` over the C string encoder; everything else
    is written here the way the json module writes it.
    """
    parts: list[str] = []
    _json_parts(data, "\n", parts)
    return "".join(parts)


_ENCODE_STRING = json.encoder.encode_basestring  # the C function where available, as json.dumps uses


_JSON_CONSTANTS = {None: "null", True: "true", False: "false"}


def _json_parts(value: object, newline: str, out: list[str]) -> None:
    # the json module's order of checks: str, None/True/False, int, float, list/tuple, dict
    kind = type(value)
    if kind is str:
        out.append(_ENCODE_STRING(value))  # type: ignore[arg-type]
    elif value is None or kind is bool:
        out.append(_JSON_CONSTANTS[value])  # type: ignore[index]
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        if set(map(type, value)) == {str}:  # type: ignore[call-overload]
            out.append("[" + inner + ("," + inner).join(map(_ENCODE_STRING, value)) + newline + "]")  # type: ignore[call-overload]
            return
        separator = inner
        out.append("[")
        for item in value:  # type: ignore[attr-defined]
            out.append(separator)
            separator = "," + inner
            _json_parts(item, inner, out)
        out.append(newline + "]")
    elif kind is dict and all(type(key) is str for key in value):  # type: ignore[attr-defined]
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = inner
        out.append("{")
        for key, item in value.items():  # type: ignore[attr-defined]
            out.append(separator + _ENCODE_STRING(key) + ": ")
            separator = "," + inner
            _json_parts(item, inner, out)
        out.append(newline + "}")
    else:
        # floats, subclasses, and anything unusual: the json module's own text, its
        # lines moved to this depth
        out.append(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_status(name: str, status: str, was: Mapping[str, str] | None) -> str:
    return f"**{status}** (was {was[name]})" if was and name in was else status


def evaluation_markdown(evaluation: Evaluation, was: Mapping[str, str] | None = None) -> str:
    title = evaluation.framework or "Rule set"
    out = [f"# {title}" + (f" — {evaluation.organisation}" if evaluation.organisation else ""), ""]
    if evaluation.stages:
        out += [
            "| Stage | Status | Blocked by | Work on first | Open questions |",
            "| --- | --- | --- | --- | --- |",
        ]
        for stage in evaluation.stages:
            blockers = "<br>".join(_cell(blocker_text(b)) for b in stage.blockers)
            out.append(
                f"| {_cell(stage.name)} | {_md_status(stage.name, stage.status, was)} | {blockers} | "
                f"{_cell(_causes_with_effort(stage, evaluation))} | {_cell(', '.join(stage.open_questions))} |"
            )
        out.append("")
    out += [
        "| Capability | Status | In place | Work on first | Open questions |",
        "| --- | --- | --- | --- | --- |",
    ]
    for capability in evaluation.capabilities:
        out.append(
            f"| {_cell(capability.name)} | {_md_status(capability.name, capability.status, was)} | "
            f"{capability.in_place} | "
            f"{_cell(', '.join(capability.root_causes))} | {_cell(', '.join(capability.open_questions))} |"
        )
    return "\n".join(out) + "\n"


# Scenarios ------------------------------------------------------------------------------------


def scenario_report(
    path: str, results: Sequence[ScenarioResult], sources: Mapping[str, str], style: Style | None = None
) -> list[str]:
    """Lines for the failures of one file's scenarios (passing ones are summarised)."""
    style = style or Style()
    out: list[str] = []
    for result in results:
        scenario = result.scenario
        if result.passed:
            continue
        out.append(f'{style.bad("FAIL")} {scenario.span.path}:{scenario.span.line}: scenario "{scenario.title}"')
        if result.error is not None:
            out.append("    " + diagnostics_text(result.error.diagnostics, sources).replace("\n", "\n    "))
            continue
        for expectation in result.expectations:
            if expectation.passed:
                continue
            line = expectation.line
            causes = ", ".join(expectation.actual_root_causes) or "none"
            out.append(
                f"  {line.span.path}:{line.span.line}: expect {line.name.text} is {line.status}"
                + (" by " + ", ".join(n.text for n in line.blocked_by) if line.blocked_by else "")
            )
            expected = line.status
            if line.blocked_by:
                expected += " with root causes including " + ", ".join(n.text for n in line.blocked_by)
            out.append(f"    expected: {expected}")
            out.append(f"    actual:   {expectation.actual_status} (root causes: {causes})")
    return out
