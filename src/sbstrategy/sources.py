"""Where rule text comes from: limits, resolvers, and safe file reading.

The library reads a file only through a resolver the caller chose. `loads()`
has none by default, so text from a stranger cannot make a service read its
disk; `load(path)` uses a `FileResolver` restricted to the main file's folder.

`Limits()` is sized for text from strangers: the parser's cost is linear but
not small (about a second per MiB of ordinary rules, up to ten for the
densest possible input), so the default file size keeps any one load within
seconds. The command line reads its operator's own files and passes larger
limits (see `cli.py`).
"""

from __future__ import annotations

import os
import stat
from typing import Any, Protocol

import attrs

from ._attrs_repr import fields_repr
from .ast import Span

__all__ = [
    "FileResolver",
    "Limits",
    "MemoryResolver",
    "Resolver",
    "SourceError",
    "SourceText",
    "over_size",
    "read_text_file",
]


MiB = 1024 * 1024

# Expressions are walked recursively by evaluation, explanations and the
# formatter, a few Python frames per level; within this depth that always fits
# under the interpreter's default recursion limit, with room for the caller's
# own stack. `Limits` refuses a larger `max_depth` rather than let a deep
# expression end in a RecursionError.
MAX_DEPTH_CEILING = 200


def _positive_int(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Limits.{attribute.name} must be a whole number of at least 1, not {value!r}")


def _depth_ceiling(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if value > MAX_DEPTH_CEILING:
        raise ValueError(f"Limits.max_depth can be at most {MAX_DEPTH_CEILING}, not {value!r}")


@attrs.frozen(repr=False)
class Limits:
    """Bounds on what one load may read; each breach is a diagnostic naming it.

    - `max_file_bytes`: the size of one rule file or assessment (1 MiB);
    - `max_total_bytes`: all files of one load together, the main file and its includes (8 MiB);
    - `max_name_length`: characters in one name, in rules and assessments (200);
    - `max_depth`: nesting of an expression, or of the data in an assessment (100; at most 200);
    - `max_files`: files read by one load, the main file and its includes (2,000).
    """

    __repr__ = fields_repr

    max_file_bytes: int = attrs.field(default=1 * MiB, validator=_positive_int)
    max_name_length: int = attrs.field(default=200, validator=_positive_int)
    max_depth: int = attrs.field(default=100, validator=[_positive_int, _depth_ceiling])
    max_files: int = attrs.field(default=2000, validator=_positive_int)
    max_total_bytes: int = attrs.field(default=8 * MiB, validator=_positive_int)


@attrs.frozen(repr=False)
class SourceText:
    """A file's text; `key` identifies it so that each file is read once."""

    __repr__ = fields_repr

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
        # Not "utf-8-sig": that codec reports a bad byte's place counted after the BOM
        # (the wrong byte, three places on), and is looked up and imported on first use.
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        line, column = _position(data, problem.start)
        raise SourceError(
            "encoding",
            f"{path} is not UTF-8 text: byte 0x{data[problem.start]:02x} at line {line}, column {column}",
            "save the file as UTF-8",
            Span(path, line, column, line, column + 1),
            data.decode("utf-8", "replace"),
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
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


def read_text_file(path: str | os.PathLike[str], limits: Limits, *, regular_only: bool = False) -> SourceText:
    """Read a UTF-8 text file within the size limit, or raise `SourceError`.

    Opening never blocks (a FIFO without a writer reads as empty) and at most
    `max_file_bytes + 1` bytes are read, so `/dev/zero` is refused, not read
    forever. With `regular_only` (used for includes) anything but a regular
    file is refused.
    """
    shown = os.fspath(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SourceError("file-not-found", f"{shown}: no such file") from None
    except IsADirectoryError:
        raise _directory(shown) from None
    except PermissionError:
        raise SourceError("unreadable-file", f"{shown}: permission denied") from None
    except (OSError, ValueError) as problem:  # ValueError: a NUL character in the path
        raise SourceError("unreadable-file", f"{shown!r}: {getattr(problem, 'strerror', None) or problem}") from None
    try:
        with open(descriptor, "rb", closefd=True) as handle:
            info = os.fstat(descriptor)
            if stat.S_ISDIR(info.st_mode):
                raise _directory(shown)
            if not stat.S_ISREG(info.st_mode):
                if regular_only:
                    raise SourceError("unreadable-file", f"{shown} is not a regular file")
                os.set_blocking(descriptor, True)  # a pipe named on the command line is read as it comes
            elif info.st_size > limits.max_file_bytes:
                raise _too_large(shown, limits)
            data = handle.read(limits.max_file_bytes + 1)
    except SourceError:
        raise
    except OSError as problem:
        raise SourceError("unreadable-file", f"{shown}: {problem.strerror or problem}") from None
    if len(data) > limits.max_file_bytes:
        raise _too_large(shown, limits)
    key = os.path.realpath(shown)
    return SourceText(shown, decode(data, shown), key)


def _directory(path: str) -> SourceError:
    return SourceError(
        "unreadable-file",
        f"{path} is a directory, not a file",
        "name a file inside it",
    )


def _too_large(path: str, limits: Limits) -> SourceError:
    return SourceError(
        "limit",
        f"{path} is larger than the limit of {limits.max_file_bytes:,} bytes (max_file_bytes)",
        "split the rule set into files joined with include, or raise the limit",
    )


@attrs.frozen(repr=False)
class FileResolver:
    """Reads included files relative to the including file.

    With `root`, a path that escapes the root is refused: `..` above it, an
    absolute path, or a symbolic link that points outside.
    """

    __repr__ = fields_repr

    root: str | None = None

    def resolve(self, target: str, including: str | None, limits: Limits) -> SourceText:
        if "\0" in target:
            raise SourceError("include-refused", "an include path cannot contain a NUL character")
        base = os.path.dirname(including) if including else ""
        joined = os.path.normpath(os.path.join(base, target))
        if self.root is not None:
            if os.path.isabs(target):
                raise SourceError(
                    "include-refused",
                    f"include of an absolute path '{target}' is refused",
                    f"includes are read relative to the including file, inside {self.root}",
                )
            from pathlib import Path  # only for includes: pathlib is slow to import

            try:
                # resolve() follows every symbolic link, so a link that points
                # outside the root is refused like a `..` that climbs out of it.
                root = Path(self.root).resolve()
                real = Path(joined).resolve()
            except (OSError, RuntimeError) as problem:  # RuntimeError: a symlink loop (Python < 3.13)
                raise SourceError("unreadable-file", f"{target}: {problem}") from None
            if real != root and root not in real.parents:
                raise SourceError(
                    "include-refused",
                    f"include '{target}' leads outside the allowed folder {root}",
                    "keep included files inside the rule set's folder",
                )
        try:
            return read_text_file(joined, limits, regular_only=True)
        except SourceError as problem:
            if problem.code == "file-not-found":
                problem.suggestion = _sibling_hint(joined) or problem.suggestion
            raise


def _sibling_hint(path: str) -> str | None:
    """`did you mean …` among the .sbr files beside a missing one (the folder is
    inside the root: the root check passed for the path)."""
    folder = os.path.dirname(path) or "."
    siblings: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".sbr"):
                    siblings.append(entry.name)
                if len(siblings) >= _MAX_SIBLINGS:
                    break
    except (OSError, ValueError):
        return None
    import difflib  # only for a missing file: importing it costs every load

    close = difflib.get_close_matches(os.path.basename(path), sorted(siblings), n=1)
    return f"did you mean '{close[0]}'?" if close else None


# A folder of more .sbr files than this is not searched for a close name.
_MAX_SIBLINGS = 1000


@attrs.frozen(repr=False)
class MemoryResolver:
    """Includes from a mapping of path to text: no disk access at all."""

    __repr__ = fields_repr

    files: dict[str, str]

    def resolve(self, target: str, including: str | None, limits: Limits) -> SourceText:
        base = os.path.dirname(including) if including else ""
        key = os.path.normpath(os.path.join(base, target)).replace(os.sep, "/")
        text = self.files.get(key)
        if text is None:
            text = self.files.get(target)
            key = target
        if text is None:
            import difflib

            first = [name for name, _ in zip(self.files, range(_MAX_SIBLINGS), strict=False)]
            close = difflib.get_close_matches(key, first, n=1)
            raise SourceError(
                "file-not-found", f"{target}: no such file", f"did you mean '{close[0]}'?" if close else None
            )
        if over_size(text, limits.max_file_bytes):
            raise _too_large(key, limits)
        return SourceText(key, text, key)


def over_size(text: str, limit: int) -> bool:
    """Whether `text` takes more than `limit` bytes in UTF-8 (encoded only when it is close)."""
    if len(text) > limit:
        return True  # every character takes at least one byte
    if len(text) * 4 <= limit:
        return False  # within the limit even if every character took four
    return len(text.encode("utf-8", "surrogatepass")) > limit
