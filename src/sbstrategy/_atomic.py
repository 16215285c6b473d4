"""Writing files so that a failure never truncates or corrupts them.

The new content goes to a temporary file in the same folder, is flushed to
disk, and replaces the target with one rename; on any error (a full disk, an
interrupt, a failing write) the temporary file is removed and the target is as
it was.

A new file gets the permissions `open()` would give it (0666 less the umask;
`tempfile.mkstemp` would leave it 0600), an existing one keeps its own. When
the target is a symbolic link, the file it points to is replaced and the link
is kept, as writing through `open()` would do.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TextIO

__all__ = ["open_atomic", "write_atomic"]


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text stream whose content replaces `path` only when the block ends
    without an error (for output written as it is produced)."""
    target = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(target)
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = os.stat(target).st_mode & 0o7777
    temporary, handle = _create_beside(target)
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def write_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    with open_atomic(path, encoding=encoding) as stream:
        stream.write(text)


def _create_beside(target: str) -> tuple[str, int]:
    """A new, empty temporary file in the target's folder, and its descriptor."""
    folder, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{name}.{os.urandom(4).hex()}.sbstrategy.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
