"""
Pickling what a worker needs (rule sets, matchers, prepared records), singletons kept.

`recordkit.schema.NOT_GIVEN` is compared by identity (``is NOT_GIVEN``); a plain pickle
makes a copy of it in the worker, which no longer is it. These pickles carry the singleton
by name and give the worker's own back.
"""

from __future__ import annotations

import io
import pickle
from typing import IO, Any

from recordkit.schema import NOT_GIVEN

__all__ = ["dump", "dumps", "load", "loads"]

_SINGLETONS: dict[str, object] = {"NOT_GIVEN": NOT_GIVEN}


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> str | None:
        return "NOT_GIVEN" if obj is NOT_GIVEN else None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> object:
        if isinstance(pid, str) and pid in _SINGLETONS:
            return _SINGLETONS[pid]
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")


def dump(obj: object, file: IO[bytes]) -> None:
    """
    Pickle *obj* into *file*.
    """
    _Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)


def dumps(obj: object) -> bytes:
    """
    *obj* pickled.
    """
    out = io.BytesIO()
    dump(obj, out)
    return out.getvalue()


def load(file: IO[bytes]) -> Any:
    """
    What `dump` wrote into *file* (written by this library, never read from elsewhere).
    """
    return _Unpickler(file).load()


def loads(data: bytes) -> Any:
    """
    What `dumps` made.
    """
    return load(io.BytesIO(data))
