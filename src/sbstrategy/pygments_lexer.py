"""A Pygments lexer for rule files, registered as `sbr` through Pygments'
entry point, so the docs (and any tool using Pygments) highlight `.sbr` code."""

from __future__ import annotations

import re
from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text, Whitespace

__all__ = ["SbrLexer"]


class SbrLexer(RegexLexer):
    """Rule files of sbstrategy (`*.sbr`)."""

    name = "sbstrategy rules"
    aliases: ClassVar[list[str]] = ["sbr", "sbstrategy"]
    filenames: ClassVar[list[str]] = ["*.sbr"]
    mimetypes: ClassVar[list[str]] = ["text/x-sbr"]
    flags = re.MULTILINE

    tokens: ClassVar[dict[str, list[object]]] = {  # type: ignore[misc]
        "root": [
            (r"#.*$", Comment.Single),
            # Before the white-space rule: an attribute keyword counts only at
            # the start of an indented line, so the indentation is matched with it.
            (
                r"(?i)^([ \t]+)"
                r"(description|source|effort|owner|tags|because|met[ \t]+at|given[ \t]+unknown|given|expect)\b",
                bygroups(Whitespace, Keyword),
            ),
            (r"\n", Whitespace),
            (r"[ \t]+", Whitespace),
            (
                r"(?i)^(framework|capability|stage|include|scenario)\b",
                Keyword.Declaration,
            ),
            # The status word of an `expect` line.
            (
                r"(?i)\b(is)([ \t]+)(met|at-risk|ready|blocked|unknown|reached)(?![\w'\-])",
                bygroups(Keyword, Whitespace, Name.Constant),
            ),
            (words(("requires", "and", "or", "not"), prefix=r"(?i)\b", suffix=r"\b"), Operator.Word),
            (words(("after", "of", "level", "is", "by"), prefix=r"(?i)\b", suffix=r"\b"), Keyword),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            (r"\d+(?:\.\d+)?", Number),
            (r">=|<=|!=|=|>|<", Operator),
            (r"[(),]", Punctuation),
            (r"[^\W\d][\w'\-]*", Name),
            (r".", Text),
        ]
    }
