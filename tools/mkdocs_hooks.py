"""MkDocs hooks for the documentation site (configured in mkdocs.yml).

The pages of the analyst commands (docs/commands/*.md) are added to the
navigation as a "Commands" section after the how-to guides, in the order of
COMMAND_ORDER, then alphabetically; each page's title is its first heading.
A new command page needs no edit of mkdocs.yml.

Mermaid diagrams are rendered in the browser by mkdocs-material, which loads
Mermaid from a CDN unless a `mermaid` script is already on the page. A machine
without network access (a sandbox, an offline laptop) can give a local copy:

    SBSTRATEGY_MERMAID_JS=/path/to/mermaid.min.js mkdocs build

The file is copied into the built site and loaded before the diagrams are
drawn. Nothing large is kept in the repository; without the variable the
site uses the CDN as mkdocs-material does by default.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

_TARGET = "assets/javascripts/mermaid.min.js"
COMMAND_ORDER = ("index", "explain", "plan", "diff", "graph", "fmt")
_AFTER_SECTION = "How-to guides"


def command_pages(docs_dir: str | Path) -> list[dict[str, str]]:
    """Nav entries for docs/commands/*.md: [{"title": "commands/x.md"}, ...]."""
    folder = Path(docs_dir) / "commands"
    pages = sorted(folder.glob("*.md")) if folder.is_dir() else []
    rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
    pages.sort(key=lambda p: (rank.get(p.stem, len(rank)), p.stem))
    entries = []
    for page in pages:
        title = next(
            (line[2:].strip() for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("# ")),
            page.stem,
        )
        entries.append({title: f"commands/{page.name}"})
    return entries


def _local_mermaid() -> Path | None:
    value = os.environ.get("SBSTRATEGY_MERMAID_JS")
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        raise FileNotFoundError(f"SBSTRATEGY_MERMAID_JS names no file: {value}")
    return path


def on_config(config: Any) -> Any:
    commands = command_pages(config.docs_dir)
    nav = config.nav
    if commands and nav is not None and not any(isinstance(e, dict) and "Commands" in e for e in nav):
        after = next(
            (i for i, e in enumerate(nav) if isinstance(e, dict) and _AFTER_SECTION in e),
            len(nav) - 1,
        )
        nav.insert(after + 1, {"Commands": commands})
    if _local_mermaid() is not None:
        config.extra_javascript.append(_TARGET)
    return config


def on_post_build(config: Any) -> None:
    source = _local_mermaid()
    if source is not None:
        target = Path(config.site_dir) / _TARGET
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
