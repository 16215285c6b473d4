"""How names are spelt: when a name needs quotes, and how to quote it."""

from __future__ import annotations

import re

__all__ = ["RESERVED", "STATEMENT_KEYWORDS", "needs_quotes", "quote", "spell"]

RESERVED = frozenset({"and", "or", "not", "requires"})
STATEMENT_KEYWORDS = frozenset({"framework", "capability", "stage", "include", "scenario"})
_WORD = re.compile(r"(?:[^\W\d]|')[\w'\-]*\Z")
# Context keywords matter only where the grammar expects them: `after` in the
# name a stage declaration declares, `is` in the name an expect line tests,
# `level` before a comparison, `unknown` first after `given`.
_KEYWORD_AT = {"stage": "after", "expect": "is"}


def needs_quotes(text: str, where: str = "expression") -> bool:
    """Whether `text` must be quoted to read back as one name at `where`:
    "expression", "compare" (before a comparison), "given" (in a given line),
    "stage" (declared by a stage line), "expect" (tested by an expect line),
    or any other place a name stands ("declaration")."""
    words = text.split()
    if not words:
        return True
    lowered = [w.casefold() for w in words]
    if lowered[0] in STATEMENT_KEYWORDS:
        return True
    if any(w in RESERVED for w in lowered) or _KEYWORD_AT.get(where) in lowered:
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
