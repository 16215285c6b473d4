"""Where packaged data lives: inside the wheel, or in the source tree.

The grammar and the shipped rules exist once, at the top of the repository;
the wheel carries them as `sbstrategy/grammars` and `sbstrategy/rules`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The packaged folder `name` (`grammars`, `rules`), wheel or source tree."""
    packaged = _PACKAGE / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent.parent / name
