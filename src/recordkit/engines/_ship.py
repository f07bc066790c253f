"""
Pickling what a worker needs (rule sets, matchers, prepared records), and no more.

Pickles made here are read back only by this library's own workers, never from elsewhere.
`light` keeps of prepared records only what comparing reads.
"""

from __future__ import annotations

import pickle
from typing import IO, Any

from recordkit.match import Prepared

__all__ = ["dump", "dumps", "light", "load", "loads"]


def dump(obj: object, file: IO[bytes]) -> None:
    """
    Pickle *obj* into *file*.
    """
    pickle.dump(obj, file, protocol=pickle.HIGHEST_PROTOCOL)


def dumps(obj: object) -> bytes:
    """
    *obj* pickled.
    """
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def load(file: IO[bytes]) -> Any:
    """
    What `dump` wrote into *file* (written by this library, never read from elsewhere).
    """
    return pickle.load(file)


def loads(data: bytes) -> Any:
    """
    What `dumps` made.
    """
    return pickle.loads(data)


def light(prepared: Prepared) -> Prepared:
    """
    *prepared* with only what comparing reads (the features, the factored columns).
    """
    memo: dict[str, Any] = {}
    factored = prepared.memo.get("factored")
    if isinstance(factored, dict):
        # a factored column is a cache: one holding a function made on the fly (a
        # prefix, a blocking key) stays behind and the worker makes it again
        memo["factored"] = {k: v for k, v in factored.items() if _picklable(v)}
    return Prepared(prepared.ids, prepared.columns, prepared.features, prepared.keys,
                    prepared.source, memo)  # fmt: skip


def _picklable(value: object) -> bool:
    try:
        dumps(value)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True
