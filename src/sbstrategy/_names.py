"""How names are spelt: when a name needs quotes, and how to quote it."""

from __future__ import annotations

import re

__all__ = ["RESERVED", "STATEMENT_KEYWORDS", "needs_quotes", "quote"]

RESERVED = frozenset({"and", "or", "not", "requires"})
STATEMENT_KEYWORDS = frozenset({"framework", "capability", "stage", "include", "scenario"})
_WORD = re.compile(r"(?:[^\W\d]|')[\w'\-]*\Z")
# Words that are keywords somewhere inside a statement: a name containing one
# is quoted so that it reads the same in every position.
_CONTEXT_KEYWORDS = frozenset({"after", "is", "by", "level", "unknown"})


def needs_quotes(text: str) -> bool:
    words = text.split()
    if not words:
        return True
    lowered = [w.casefold() for w in words]
    if lowered[0] in STATEMENT_KEYWORDS:
        return True
    if any(w in RESERVED or w in _CONTEXT_KEYWORDS for w in lowered):
        return True
    return not all(_WORD.match(w) for w in words)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
