"""How names are spelt: when a name needs quotes, and how to quote it."""

from __future__ import annotations

import re

__all__ = ["RESERVED", "STATEMENT_KEYWORDS", "needs_quotes", "quote", "spell"]

RESERVED = frozenset({"and", "or", "not", "requires"})
STATEMENT_KEYWORDS = frozenset({"framework", "capability", "stage", "include", "scenario"})
_WORD = re.compile(r"(?:[^\W\d]|')[\w'\-]*\Z")
# `after` and `is` are read as keywords after any word of a name (the parser
# shares one state for the words of every name), so a name containing either
# is quoted wherever it stands. The other context keywords only matter where
# they are expected: `level` before a comparison, `unknown` after `given`.
_ANYWHERE = frozenset({"after", "is"})


def needs_quotes(text: str, where: str = "expression") -> bool:
    """Whether `text` must be quoted to read back as one name at `where`:
    "expression", "compare" (before a comparison), "given" (in a given line),
    or any other place a name stands ("declaration", "expect")."""
    words = text.split()
    if not words:
        return True
    lowered = [w.casefold() for w in words]
    if lowered[0] in STATEMENT_KEYWORDS:
        return True
    if any(w in RESERVED or w in _ANYWHERE for w in lowered):
        return True
    if where == "compare" and lowered[-1] == "level":
        return True
    if where == "given" and lowered[0] == "unknown":
        return True
    return not all(_WORD.match(w) for w in words)


def quote(text: str) -> str:
    """`text` as a string literal; a backslash is doubled only where the
    parser would otherwise read it as an escape, so strings keep their spelling."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char == '"':
            out.append('\\"')
        elif char == "\\" and (index + 1 == len(text) or text[index + 1] in '"\\'):
            out.append("\\\\")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def spell(text: str, where: str = "expression") -> str:
    """A name as written in a rule file: quoted only where it must be."""
    return quote(text) if needs_quotes(text, where) else text
