"""Renderings of compared evaluations: progress over time (`diff`) and the
what-if header that `assess`, `explain` and `plan` print under assumptions."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ._render import Style
from .progress import Change, Progress
from .whatif import WhatIf

__all__ = [
    "progress_json",
    "progress_markdown",
    "progress_text",
    "whatif_lines",
    "whatif_markdown",
]


def _value(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _number(value: float | None) -> str:
    return "–" if value is None else _value(value)


def _change(change: Change, style: Style) -> str:
    arrow = f"{change.before} → {style.status(change.after)}"
    if change.before == change.after:
        arrow = f"still {style.status(change.after)}"
    facts = []
    if change.in_place_before != change.in_place_after:
        facts.append(f"in place {change.in_place_before} → {change.in_place_after}")
    if change.level_before != change.level_after:
        facts.append(f"level {_number(change.level_before)} → {_number(change.level_after)}")
    return arrow + (f" ({'; '.join(facts)})" if facts else "")


def _table(changes: Sequence[Change], style: Style, indent: str = "  ") -> list[str]:
    if not changes:
        return []
    width = max(len(c.name) for c in changes)
    return [f"{indent}{c.name.ljust(width)}  {_change(c, style)}" for c in changes]


# What-if ------------------------------------------------------------------------------------


def whatif_lines(whatif: WhatIf, style: Style | None = None) -> list[str]:
    style = style or Style()
    assumed = ", ".join(f"{name} = {_value(value)}" for name, value in whatif.assumptions)
    out = [style.bold(f"What-if: assuming {assumed}")]
    moved = [c for c in whatif.changes if c.before != c.after]
    if moved:
        out.append("Changed against the assessment as it is:")
        out += _table(moved, style)
    else:
        out.append("No status changes against the assessment as it is.")
    return out


def whatif_markdown(whatif: WhatIf) -> str:
    assumed = ", ".join(f"{name} = {_value(value)}" for name, value in whatif.assumptions)
    out = [f"> **What-if:** assuming {assumed}", ""]
    moved = [c for c in whatif.changes if c.before != c.after]
    if moved:
        out += ["| Changed | Before | After |", "| --- | --- | --- |"]
        out += [f"| {c.name} | {c.before} | **{c.after}** |" for c in moved]
    else:
        out.append("No status changes against the assessment as it is.")
    return "\n".join(out) + "\n\n"


# Progress -------------------------------------------------------------------------------------


def _who(progress: Progress) -> str:
    old, new = progress.old.organisation, progress.new.organisation
    if old and new and old != new:
        return f"{old} → {new}"
    return new or old or ""


def _stage_summary(progress: Progress) -> tuple[str, str]:
    def name(result: object) -> str:
        return getattr(result, "name", None) or "no stage yet"

    def moved(old: object, new: object) -> str:
        return f"{name(new)} (unchanged)" if name(old) == name(new) else f"{name(old)} → {name(new)}"

    return (
        moved(progress.old.highest_reached, progress.new.highest_reached),
        moved(progress.old.next_stage, progress.new.next_stage),
    )


def progress_text(progress: Progress, style: Style | None = None) -> str:
    style = style or Style()
    title = progress.new.framework or "Rule set"
    who = _who(progress)
    out = [style.bold(f"{title} — {who}" if who else title)]
    reached, upcoming = _stage_summary(progress)
    if progress.new.stages:
        out.append(f"Reached: {reached}.  Next: {upcoming}.")
    out.append("")
    if not progress.changes:
        out.append("No changes.")
        return "\n".join(out)
    if progress.stages:
        out.append(style.bold("Stages moved"))
        out += _table(progress.stages, style)
        out.append("")
    if progress.capabilities:
        better = [c for c in progress.capabilities if c.direction == "better"]
        worse = [c for c in progress.capabilities if c.direction == "worse"]
        same = [c for c in progress.capabilities if c.direction == "same"]
        for heading, group in (("Capabilities improved", better), ("Capabilities worse", worse)):
            if group:
                out.append(style.bold(heading))
                out += _table(group, style)
                out.append("")
        if same:
            out.append(style.bold("Facts changed, status kept"))
            out += _table(same, style)
            out.append("")
    out.append(style.bold("Root causes"))
    out.append("  resolved: " + (", ".join(progress.resolved) or "none"))
    out.append("  appeared: " + (", ".join(progress.appeared) or "none"))
    for stage in progress.stage_causes:
        parts = []
        if stage.resolved:
            parts.append("resolved " + ", ".join(stage.resolved))
        if stage.appeared:
            parts.append("appeared " + ", ".join(stage.appeared))
        out.append(f"  {stage.name}: " + "; ".join(parts))
    if progress.answered or progress.new_questions:
        out += ["", style.bold("Open questions")]
        out.append("  no longer open: " + (", ".join(progress.answered) or "none"))
        out.append("  new: " + (", ".join(progress.new_questions) or "none"))
    return "\n".join(out).rstrip("\n")


def progress_json(progress: Progress) -> str:
    return json.dumps(progress.to_dict(), indent=2, ensure_ascii=False)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def progress_markdown(progress: Progress) -> str:
    title = progress.new.framework or "Rule set"
    who = _who(progress)
    out = [f"# Progress: {title}" + (f" — {who}" if who else ""), ""]
    reached, upcoming = _stage_summary(progress)
    if progress.new.stages:
        out += [f"Reached: {reached}. Next: {upcoming}.", ""]
    if progress.changes:
        out += ["| Node | Kind | Before | After | Facts |", "| --- | --- | --- | --- | --- |"]
        for change in progress.changes:
            facts = []
            if change.in_place_before != change.in_place_after:
                facts.append(f"in place {change.in_place_before} → {change.in_place_after}")
            if change.level_before != change.level_after:
                facts.append(f"level {_number(change.level_before)} → {_number(change.level_after)}")
            out.append(
                f"| {_cell(change.name)} | {change.kind} | {change.before} | {change.after} | {'; '.join(facts)} |"
            )
        out.append("")
    else:
        out += ["No changes.", ""]
    out.append("**Root causes resolved:** " + _cell(", ".join(progress.resolved) or "none"))
    out.append("")
    out.append("**Root causes appeared:** " + _cell(", ".join(progress.appeared) or "none"))
    out.append("")
    return "\n".join(out)
