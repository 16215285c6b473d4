"""Writing files so that a failure never truncates or corrupts them.

The new content goes to a temporary file in the same folder, is flushed to
disk, and replaces the target with one rename; on any error the temporary file
is removed and the target is as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = os.stat(target).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=".sbstrategy-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
