"""Text, JSON and Markdown renderings of an explanation (see explain.py).

The text reads as a derivation, one indented level per step: a node, the
rules it rests on with their position and rationale, the value of every term,
and the nodes behind them, down to the root causes and what to do. Rendering
walks the tree with an explicit stack, like the builder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from ._render import Style, blocker_text
from .explain import Explanation, Reason, Step, Term

__all__ = ["explanation_json", "explanation_markdown", "explanation_text"]

_OUTCOME = {"no": "which fails", "yes": "which holds", "unknown": "which is undecided"}
# Deeper steps are drawn at this depth: a chain of thousands stays readable and linear in size.
_MAX_INDENT = 40
_ROLE = {
    "root-cause": "root cause",
    "open-question": "open question",
    "fact": "fact",
}


def _term(term: Term) -> str:
    if term.status is not None:
        return f"{term.text} = {term.value} ({term.status})"
    if term.level is not None:
        level = int(term.level) if float(term.level).is_integer() else term.level
        return f"{term.text} = {term.value} (level {level})"
    return f"{term.text} = {term.value} (level not assessed)"


def _reason_head(reason: Reason) -> str:
    verb = "comes after" if reason.kind == "after" else "requires"
    return f"it {verb} {reason.expression}, {_OUTCOME[reason.value]}"


def _detail(reason: Reason) -> list[str]:
    """The lines under a reason: rationale, term values, structured failures."""
    lines = []
    if reason.because:
        lines.append(f'because "{reason.because}"')
    lines.append("; ".join(_term(t) for t in reason.terms))
    lines.extend(blocker_text(b) for b in reason.blockers if b.kind in ("any", "at-least", "excluded"))
    return lines


def _step_line(step: Step, style: Style) -> str:
    head = f"{style.bold(step.name)} is {style.status(step.status)}: {step.why}"
    if step.role == "see-above":
        return f"{style.bold(step.name)} is {style.status(step.status)} (explained above)"
    if step.role in _ROLE:
        head += f"  → {_ROLE[step.role]}"
        if step.action:
            head += f": {step.action}"
    return head


def _walk(root: Step) -> Iterator[tuple[int, Step | Reason]]:
    """(depth, item) in reading order: a step, then each reason and what follows it."""
    stack: list[tuple[int, Step | Reason]] = [(0, root)]
    while stack:
        depth, item = stack.pop()
        yield depth, item
        if isinstance(item, Step):
            stack.extend((depth + 1, r) for r in reversed(item.reasons))
        else:
            stack.extend((depth + 1, s) for s in reversed(item.steps))


def _head(explanation: Explanation) -> str:
    title = explanation.framework or "Rule set"
    return f"{title} — {explanation.organisation}" if explanation.organisation else title


def explanation_text(explanation: Explanation, style: Style | None = None) -> str:
    style = style or Style()
    out = [style.bold(_head(explanation)), ""]
    for depth, item in _walk(explanation.subject):
        indent = "  " * min(depth, _MAX_INDENT)
        if isinstance(item, Step):
            out.append(indent + _step_line(item, style))
            continue
        where = style.dim(f"  [{item.path}:{item.line}]")
        out.append(f"{indent}- {_reason_head(item)}{where}")
        out.extend(f"{indent}    {line}" for line in _detail(item))
    out.append("")
    out.extend(_summary(explanation, style))
    return "\n".join(out)


def _summary(explanation: Explanation, style: Style) -> list[str]:
    out = []
    if explanation.root_causes:
        out.append(f"Root causes (as assess reports them): {style.bold(', '.join(explanation.root_causes))}")
    if explanation.open_questions:
        out.append("Open questions: " + ", ".join(explanation.open_questions))
    if explanation.actions:
        out.append("What to do:")
        out.extend(f"  {i}. {action}" for i, action in enumerate(explanation.actions, 1))
    elif explanation.subject.status in ("met", "reached"):
        out.append("Nothing to do: it holds.")
    return out


def explanation_json(explanation: Explanation) -> str:
    # Indentation grows with depth: beyond _MAX_INDENT steps a derivation is
    # written compactly, so a long chain costs linear, not quadratic, space.
    deep = max((d for d, _ in _walk(explanation.subject)), default=0) > _MAX_INDENT
    return _dumps(explanation.to_dict(), indent=0 if deep else 2)


class _Frame:
    """An open JSON object or array: what is left of it, and how deep it is."""

    def __init__(self, items: Iterator[tuple[str | None, object]], depth: int, close: str) -> None:
        self.items, self.depth, self.close, self.first = items, depth, close, True


def _dumps(value: object, indent: int = 2) -> str:
    """`json.dumps(value, indent=indent, ensure_ascii=False)` without recursion
    (compact for indent 0): a long chain nests deeper than the json module goes."""
    out: list[str] = []
    stack: list[_Frame] = []

    def begin(item: object, depth: int) -> None:
        if isinstance(item, dict) and item:
            out.append("{")
            stack.append(_Frame(iter(item.items()), depth + 1, "}"))
        elif isinstance(item, list | tuple) and item:
            out.append("[")
            stack.append(_Frame(((None, x) for x in item), depth + 1, "]"))
        else:
            out.append(json.dumps(item, ensure_ascii=False))

    begin(value, 0)
    while stack:
        frame = stack[-1]
        entry = next(frame.items, None)
        if entry is None:
            stack.pop()
            out.append(("\n" + " " * (indent * (frame.depth - 1)) if indent else "") + frame.close)
            continue
        key, child = entry
        out.append(("" if frame.first else ",") + ("\n" + " " * (indent * frame.depth) if indent else ""))
        frame.first = False
        if key is not None:
            out.append(json.dumps(key, ensure_ascii=False) + (": " if indent else ":"))
        begin(child, frame.depth)
    return "".join(out)


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("<", "&lt;")


def explanation_markdown(explanation: Explanation) -> str:
    out = [f"# Why {_md(explanation.name)} is {explanation.status}", ""]
    if explanation.organisation or explanation.framework:
        out += [f"*{_md(_head(explanation))}*", ""]
    for depth, item in _walk(explanation.subject):
        indent = "  " * min(depth, _MAX_INDENT)
        if isinstance(item, Step):
            line = f"{indent}- **{_md(item.name)}** is {item.status}"
            if item.role == "see-above":
                out.append(line + " (explained above)")
                continue
            line += f": {_md(item.why)}"
            if item.role in _ROLE:
                line += f" — **{_ROLE[item.role]}**" + (f": {_md(item.action)}" if item.action else "")
            out.append(line)
            continue
        out.append(f"{indent}- {_md(_reason_head(item))} (`{item.path}:{item.line}`)")
        out.extend(f"{indent}  - {_md(line)}" for line in _detail(item))
    out.append("")
    if explanation.root_causes:
        out += ["**Root causes:** " + _md(", ".join(explanation.root_causes)), ""]
    if explanation.open_questions:
        out += ["**Open questions:** " + _md(", ".join(explanation.open_questions)), ""]
    if explanation.actions:
        out += ["**What to do:**", ""]
        out += [f"{i}. {_md(action)}" for i, action in enumerate(explanation.actions, 1)]
        out.append("")
    return "\n".join(out)
