"""Where rule text comes from: limits, resolvers, and safe file reading.

The library reads a file only through a resolver the caller chose. `loads()`
has none by default, so text from a stranger cannot make a service read its
disk; `load(path)` uses a `FileResolver` restricted to the main file's folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import attrs

from .ast import Span

__all__ = [
    "FileResolver",
    "Limits",
    "MemoryResolver",
    "Resolver",
    "SourceError",
    "SourceText",
    "read_text_file",
]


@attrs.frozen
class Limits:
    """Bounds on what one load may read; each breach is a diagnostic naming it."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_name_length: int = 200
    max_depth: int = 100
    max_files: int = 2000


@attrs.frozen
class SourceText:
    """A file's text; `key` identifies it so that each file is read once."""

    path: str
    text: str
    key: str


class SourceError(Exception):
    """A file could not be given: the message and code become a diagnostic."""

    def __init__(
        self,
        code: str,
        message: str,
        suggestion: str | None = None,
        span: Span | None = None,
        text: str | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.suggestion = suggestion
        self.span = span
        self.text = text


class Resolver(Protocol):
    """Gives the text of an included file, or raises `SourceError`."""

    def resolve(self, target: str, including: str | None, limits: Limits) -> SourceText: ...


def _position(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    return line, column


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of `data` (a BOM is dropped), or a `SourceError` at the bad byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        line, column = _position(data, problem.start)
        raise SourceError(
            "encoding",
            f"{path} is not UTF-8 text: byte 0x{data[problem.start]:02x} at line {line}, column {column}",
            "save the file as UTF-8",
            Span(path, line, column, line, column + 1),
            data.decode("utf-8", "replace"),
        ) from None
    nul = text.find("\0")
    if nul >= 0:
        line, column = _position(data, data.find(b"\0"))
        raise SourceError(
            "encoding",
            f"{path} looks like a binary file (a NUL character at line {line}, column {column})",
            "rule files and assessments are UTF-8 text",
            Span(path, line, column, line, column + 1),
            text.replace("\0", "\ufffd"),
        )
    return text


def read_text_file(path: str | os.PathLike[str], limits: Limits) -> SourceText:
    """Read a UTF-8 text file within the size limit, or raise `SourceError`."""
    shown = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > limits.max_file_bytes:
                raise _too_large(shown, limits)
            data = handle.read(limits.max_file_bytes + 1)
    except SourceError:
        raise
    except FileNotFoundError:
        raise SourceError("file-not-found", f"{shown}: no such file") from None
    except IsADirectoryError:
        raise SourceError(
            "unreadable-file",
            f"{shown} is a directory, not a file",
            "name the .sbr files inside it, e.g. rules/*.sbr",
        ) from None
    except PermissionError:
        raise SourceError("unreadable-file", f"{shown}: permission denied") from None
    except OSError as problem:
        raise SourceError("unreadable-file", f"{shown}: {problem.strerror or problem}") from None
    if len(data) > limits.max_file_bytes:
        raise _too_large(shown, limits)
    key = os.path.realpath(shown)
    return SourceText(shown, decode(data, shown), key)


def _too_large(path: str, limits: Limits) -> SourceError:
    return SourceError(
        "limit",
        f"{path} is larger than the limit of {limits.max_file_bytes:,} bytes (max_file_bytes)",
        "split the rule set into files joined with include, or raise the limit",
    )


@attrs.frozen
class FileResolver:
    """Reads included files relative to the including file.

    With `root`, a path that escapes the root is refused: `..` above it, an
    absolute path, or a symbolic link that points outside.
    """

    root: str | None = None

    def resolve(self, target: str, including: str | None, limits: Limits) -> SourceText:
        base = os.path.dirname(including) if including else ""
        joined = os.path.normpath(os.path.join(base, target))
        if self.root is not None:
            root = Path(self.root).resolve()
            if os.path.isabs(target):
                raise SourceError(
                    "include-refused",
                    f"include of an absolute path '{target}' is refused",
                    f"includes are read relative to the including file, inside {root}",
                )
            real = Path(joined).resolve()
            if real != root and root not in real.parents:
                raise SourceError(
                    "include-refused",
                    f"include '{target}' leads outside the allowed folder {root}",
                    "keep included files inside the rule set's folder",
                )
        return read_text_file(joined, limits)


@attrs.frozen
class MemoryResolver:
    """Includes from a mapping of path to text: no disk access at all."""

    files: dict[str, str]

    def resolve(self, target: str, including: str | None, limits: Limits) -> SourceText:
        base = os.path.dirname(including) if including else ""
        key = os.path.normpath(os.path.join(base, target)).replace(os.sep, "/")
        text = self.files.get(key)
        if text is None:
            text = self.files.get(target)
            key = target
        if text is None:
            raise SourceError("file-not-found", f"{target}: no such file")
        if len(text.encode("utf-8")) > limits.max_file_bytes:
            raise _too_large(key, limits)
        return SourceText(key, text, key)
