"""
The one place recordkit touches process-wide state: pausing the cyclic garbage collector.

Batch steps (a rule chunk, a matching run, a bulk upsert) build many small objects and no
reference cycles; CPython's cyclic collector would rescan the whole batch again and again
while it grows. `collector_paused` switches the collector off for the length of such a step
and back on afterwards, if it was on.

The pause is shared by every thread: a process-wide count of the blocks running decides,
under a lock, when the collector goes off (the first block) and comes back (the last one),
so threads and nested blocks never turn it on under one another. Reference counting still
frees everything a batch drops; only the search for cycles waits.

A caller who wants the collector left alone says so for a block of their own code with
`collector_pause`::

    with recordkit.collector_pause(False):
        steward.capture_many(rows, source="crm")
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from contextvars import ContextVar

from recordkit._errors import RecordkitError, shorten

__all__ = ["collector_pause", "collector_paused"]

_allowed: ContextVar[bool] = ContextVar("recordkit_collector_pause", default=True)
_lock = threading.Lock()
_depth = 0
_resume = False


@contextlib.contextmanager
def collector_pause(enabled: bool) -> Iterator[None]:
    """
    Allow (``True``, the default) or forbid (``False``) recordkit's collector pause in a block.

    The setting belongs to the calling thread's context (a `contextvars.ContextVar`), so
    it covers the calls made inside the block and nothing else; blocks nest.

    Examples:
        >>> import gc, recordkit as rk
        >>> with rk.collector_pause(False):
        ...     with rk._gc.collector_paused():
        ...         gc.isenabled()
        True

    Args:
        enabled: whether batch steps may pause the cyclic garbage collector.

    Raises:
        RecordkitError: *enabled* is not a bool.

    .. versionadded:: 0.2.0
    """
    if not isinstance(enabled, bool):
        raise RecordkitError(f"collector_pause takes True or False, got {shorten(enabled)}")
    token = _allowed.set(enabled)
    try:
        yield
    finally:
        _allowed.reset(token)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """
    Pause the cyclic garbage collector while the block runs (unless the caller forbade it).

    Thread- and reentrancy-safe: the collector goes off when the first paused block starts,
    anywhere in the process, and comes back when the last one ends, if it was on before.
    """
    global _depth, _resume
    if not _allowed.get():
        yield
        return
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            if _resume:
                gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                _resume = False
                gc.enable()
