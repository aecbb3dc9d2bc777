"""Pausing the cyclic garbage collector while start-up builds many long-lived objects.

Building the records of 1000 plugins allocates tens of thousands of
containers that all survive; each 700 allocations trigger a collection that
walks them again, and every tenth walks older generations too, the whole
server's heap included (issue 8: ~30% of a rescan of 1000 wheels). Nothing
built there is garbage, so the collector runs once, normally, afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused_gc"]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector inside the block; leave it as it was found afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
