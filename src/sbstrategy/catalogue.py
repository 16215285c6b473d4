"""The shipped rule library: list it, find a framework by name, load it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ._resources import data_dir

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = ["FrameworkInfo", "find_framework", "frameworks", "load_framework"]


@attrs.frozen
class FrameworkInfo:
    """A shipped framework: its short `name` (the file name without .sbr)."""

    name: str
    title: str | None
    source: str | None
    path: Path
    capabilities: int
    stages: int
    scenarios: int


def _files() -> list[Path]:
    folder = data_dir("rules")
    return sorted(folder.glob("*.sbr")) if folder.is_dir() else []


def find_framework(name: str) -> Path | None:
    """The shipped file for `name`: its exact stem, or the one stem ending in `-name`."""
    files = _files()
    wanted = name.removesuffix(".sbr").casefold()
    exact = [f for f in files if f.stem.casefold() == wanted]
    if exact:
        return exact[0]
    ending = [f for f in files if f.stem.casefold().endswith("-" + wanted)]
    return ending[0] if len(ending) == 1 else None


def load_framework(name: str) -> RuleSet:
    """Load a shipped framework by name, e.g. `load_framework("readiness")`."""
    from . import load

    path = find_framework(name)
    if path is None:
        known = ", ".join(f.stem for f in _files()) or "none"
        raise KeyError(f"no shipped framework called {name!r}; shipped: {known}")
    return load(path)


def frameworks() -> list[FrameworkInfo]:
    """Every shipped framework with its title, source and size."""
    from . import load

    found = []
    for path in _files():
        rules = load(path)
        found.append(
            FrameworkInfo(
                path.stem,
                rules.framework,
                rules.model.framework_source,
                path,
                len(rules.capabilities),
                len(rules.stages),
                len(rules.scenarios),
            )
        )
    return found
