"""Text, JSON and Markdown renderings of a plan (see planning.py)."""

from __future__ import annotations

import json

from ._render import Style
from .planning import Leverage, Plan, PlanStep

__all__ = ["plan_json", "plan_markdown", "plan_text"]

# Root causes listed in the text report; the JSON and Markdown reports list all.
_SHOWN = 10


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _head(plan: Plan) -> str:
    title = plan.framework or "Rule set"
    return f"{title} — {plan.organisation}" if plan.organisation else title


def _summary(plan: Plan) -> list[str]:
    verb = "reach" if plan.target_kind == "stage" else "meet"
    if plan.reachable and not plan.waves:
        return [f"{plan.target} is already {plan.status}: nothing to do."]
    if not plan.reachable:
        return [f"No plan was found to {verb} {plan.target} (now {plan.status}) by putting capabilities in place."]
    waves = f"{len(plan.waves)} wave{'s' if len(plan.waves) != 1 else ''}"
    out = [f"Plan to {verb} {plan.target} (now {plan.status}): total effort {_n(plan.total_effort)}, in {waves}."]
    routes = f"{plan.routes} route{'s' if plan.routes != 1 else ''}"
    if plan.optimal:
        out.append(
            f"Optimal: no other way costs less (exact search over {routes}, {plan.candidates} candidate capabilities)."
        )
    else:
        gap = plan.total_effort - plan.lower_bound
        out.append(
            f"Heuristic: the cheapest way found ({routes} kept of more); every way needs effort "
            f"{_n(plan.lower_bound)} at least, so this plan costs at most {_n(gap)} more than the best."
        )
    return out


def _step(step: PlanStep) -> str:
    text = f"{step.action} (effort {_n(step.effort)})"
    if step.unknown:
        text += " — not assessed: check first, it may already be in place"
    return text


def _action(step: PlanStep) -> str:
    return step.action + ("; not assessed: check first" if step.unknown else "")


def _leverage_line(entry: Leverage) -> str:
    held = []
    if entry.stages:
        held.append(f"{len(entry.stages)} stage{'s' if len(entry.stages) != 1 else ''}")
    if entry.capabilities:
        held.append(f"{len(entry.capabilities)} capabilit{'ies' if len(entry.capabilities) != 1 else 'y'}")
    line = f"{entry.action} (effort {_n(entry.effort)}): holds up {' and '.join(held)}"
    if entry.unblocks:
        line += "; alone it unblocks " + ", ".join(entry.unblocks)
    return line


def plan_text(plan: Plan, style: Style | None = None) -> str:
    style = style or Style()
    out = [style.bold(_head(plan)), *_summary(plan)]
    for wave in plan.waves:
        when = " — ready now" if wave.number == 1 else ""
        unlocks = f"; unlocks {', '.join(wave.unlocks)}" if wave.unlocks else ""
        out += [
            "",
            style.bold(f"Wave {wave.number}{when}")
            + f" (effort {_n(wave.effort)}, cumulative {_n(wave.cumulative)}{unlocks})",
        ]
        out += [f"  - {_step(step)}" for step in wave.steps]
    if plan.obstacles:
        out += ["", style.bold("In the way")]
        out += [f"  - {text}" for text in plan.obstacles]
    if plan.questions:
        out += ["", "Answer first (the plan takes them as not in place): " + ", ".join(plan.questions)]
    if plan.leverage:
        out += ["", style.bold("Leverage (root causes by how much they hold up)")]
        out += [f"  {i}. {_leverage_line(entry)}" for i, entry in enumerate(plan.leverage[:_SHOWN], 1)]
        if len(plan.leverage) > _SHOWN:
            out.append(f"  … and {len(plan.leverage) - _SHOWN} more (all of them with --format json or markdown)")
    return "\n".join(out)


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2, ensure_ascii=False)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def plan_markdown(plan: Plan) -> str:
    out = [f"# Plan: {plan.target}", "", f"*{_head(plan)}*", ""]
    out += [line + "\n" for line in _summary(plan)]
    if plan.waves:
        out += ["| Wave | Step | Effort | Cumulative | Unlocks |", "| --- | --- | --- | --- | --- |"]
        for wave in plan.waves:
            for index, step in enumerate(wave.steps):
                first = index == 0
                out.append(
                    f"| {wave.number if first else ''} | {_cell(_action(step))} | {_n(step.effort)} | "
                    f"{_n(wave.cumulative) if first else ''} | {_cell(', '.join(wave.unlocks)) if first else ''} |"
                )
        out.append("")
    if plan.obstacles:
        out += ["**In the way:**", ""] + [f"- {_cell(text)}" for text in plan.obstacles] + [""]
    if plan.questions:
        out += ["**Answer first** (taken as not in place): " + _cell(", ".join(plan.questions)), ""]
    if plan.leverage:
        out += ["## Leverage", ""]
        out += [f"{i}. {_cell(_leverage_line(entry))}" for i, entry in enumerate(plan.leverage, 1)]
        out.append("")
    return "\n".join(out)
