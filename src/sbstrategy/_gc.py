"""Pausing Python's cyclic garbage collector around bulk building.

Loading a model and compiling or evaluating it allocate hundreds of thousands
of containers and free almost none, and they form no reference cycles. Every
collection those allocations trigger scans the whole growing heap for nothing;
with a model of 100,000 capabilities in memory that made loading and building
reports several times slower.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the previous setting afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
