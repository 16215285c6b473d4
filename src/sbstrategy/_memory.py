"""Keeping freed memory for reuse while a command reads a very large model.

glibc's malloc gives a block larger than its mmap threshold (32 MiB at most)
back to the operating system as soon as it is freed, and trims free memory off
the top of its heap. Loading a model of a million capabilities makes and drops
several blocks of that size one after another (the reader's table of names, the
model's table of declarations, the assessment's mapping, the text of the file),
and each new one is mapped again and faulted in page by page: about a quarter of
the page faults of such a load (about 100,000 of 400,000) were for memory the
process had already had. A page fault costs more the larger the process
(measured here: 3 to 4 µs a page at 100 MB, 6 to 7 µs at 1 GB), so this was
work that grew faster than the model.

`keep_freed_memory` asks glibc to serve every block from its heap and not to
trim it, so a freed block is reused by the next one. The command line does this
only for rule files of `LARGE_FILE` bytes or more: smaller loads make no block
that large, and loading ctypes costs about 3 ms, which a small command would
feel. A command's process ends with the command, so nothing is kept longer than
it would have lived anyway. With another C library, or without ctypes, it does
nothing.
"""

from __future__ import annotations

import os

__all__ = ["LARGE_FILE", "keep_freed_memory", "keep_freed_memory_for"]

#: Rule files from this size up make tables over glibc's largest mmap threshold.
LARGE_FILE = 32 * 1024 * 1024

# mallopt's parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_NEVER_TRIM = 2**31 - 1  # mallopt takes an int


def keep_freed_memory() -> bool:
    """Ask malloc to keep freed memory for reuse; True if it agreed (glibc)."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (ImportError, OSError, AttributeError):  # no ctypes, or a C library without mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # No block of its own mapping (a large one goes on the heap too), and no trimming.
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, _NEVER_TRIM))


def keep_freed_memory_for(path: str) -> bool:
    """`keep_freed_memory()` when the file at `path` has `LARGE_FILE` bytes or more."""
    try:
        size = os.stat(path).st_size
    except (OSError, ValueError):
        return False  # the loader reports the path
    return size >= LARGE_FILE and keep_freed_memory()
