"""
`Journal`: the memory store's transactions, an undo log per thread under one lock.

Every change made inside a block records how to undo itself; when the block raises, its
undos run newest first and the callbacks waiting for its commit are dropped. Blocks nest:
an inner block that raises undoes only its own changes. One re-entrant lock is held for a
whole block, so writers (and whole transactions) take turns and the store can be shared
between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from recordkit.store._base import run_all

__all__ = ["Journal"]

_ABSENT: Final = object()


class Journal:
    """
    Undo entries and after-commit callbacks for each thread's current transaction.

    Attributes:
        lock: held for a whole transaction; readers take it for a consistent snapshot.
        local: the thread's open transaction: ``local.journal`` is its list of undos
            (``None`` outside one) and ``local.after`` its after-commit callbacks.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """
        A block whose changes are all undone when it raises; blocks nest.

        The callbacks given to `on_commit` run once the outermost block has finished.
        """
        with self.lock:
            undos: list[Callable[[], object]] | None = getattr(self.local, "journal", None)
            top = undos is None
            if undos is None:
                undos = self.local.journal = []
                self.local.after = []
            after: list[Callable[[], object]] = self.local.after
            mark, waiting = len(undos), len(after)
            try:
                yield
            except BaseException:
                for undo in reversed(undos[mark:]):
                    undo()
                del undos[mark:]
                del after[waiting:]
                raise
            finally:
                if top:
                    self.local.journal = None
                    self.local.after = None
        if top:
            run_all(after)

    def on_commit(self, callback: Callable[[], object]) -> None:
        """
        Run *callback* after the current transaction commits (at once outside one).
        """
        after: list[Callable[[], object]] | None = getattr(self.local, "after", None)
        if after is None:
            callback()
        else:
            after.append(callback)

    def on_undo(self, undo: Callable[[], object]) -> None:
        """
        Run *undo* if the current transaction rolls back (outside one, nothing to undo).
        """
        undos: list[Callable[[], object]] | None = getattr(self.local, "journal", None)
        if undos is not None:
            undos.append(undo)

    def assign(self, table: dict[str, Any], key: str, value: Any) -> None:
        """
        ``table[key] = value``, undone with the transaction.
        """
        self._set(table, key, value)

    def remove(self, table: dict[str, Any], key: str) -> None:
        """
        Take *key* out of *table* (if there), undone with the transaction.
        """
        self._set(table, key, _ABSENT)

    def append(self, table: dict[str, list[Any]], key: str, value: Any) -> None:
        """
        Append *value* to the list at ``table[key]``, undone with the transaction.
        """
        table.setdefault(key, []).append(value)
        self.on_undo(lambda: table[key].pop())

    def _set(self, table: dict[str, Any], key: str, value: Any) -> None:
        old = table.get(key, _ABSENT)
        if value is _ABSENT:
            table.pop(key, None)
        else:
            table[key] = value
        self.on_undo(lambda: table.pop(key, None) if old is _ABSENT else table.update({key: old}))
