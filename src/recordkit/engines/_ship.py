"""
Pickling what a worker needs (rule sets, matchers, prepared records), and no more.

Pickles made here are read back only by this library's own workers, never from elsewhere.
They also carry read-only mappings (a record's values, a merge policy's fields), which
`pickle` alone refuses, and they carry the many small values of merge plans (records,
lineage cells) as tuples of their fields, which is quicker both ways than attrs' own
mapping of names. `light` keeps of prepared records only what comparing reads.
"""

from __future__ import annotations

import copyreg
import io
import operator
import pickle
from collections.abc import Callable
from types import MappingProxyType
from typing import IO, Any

import attrs

from recordkit.match import CellLineage, CellValue, MergePlan, Prepared
from recordkit.schema import Record, Transition

__all__ = ["dump", "dump_light", "dumps", "light", "load", "load_light", "loads"]


def _read_only(values: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(values)


def _reduce_read_only(
    proxy: MappingProxyType[Any, Any],
) -> tuple[Callable[[dict[Any, Any]], MappingProxyType[Any, Any]], tuple[dict[Any, Any]]]:
    return _read_only, (dict(proxy),)


# pickle writes its NEWOBJ opcode (``cls.__new__(cls)``) for this function
_NEW: Callable[[type], object] = copyreg.__newobj__  # type: ignore[attr-defined]


def _by_fields(cls: type) -> Callable[[object], tuple[Any, ...]]:
    """
    A reducer pickling an instance of the slotted attrs class *cls* as its fields in order.

    The instance comes back through the class's own ``__setstate__``, which takes the
    fields as a tuple in the order of `attrs.fields` (and resets a cached hash).
    """
    names = [a.name for a in attrs.fields(cls)]
    get = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (_NEW, (cls,), (get(obj),))
    return lambda obj: (_NEW, (cls,), get(obj))


_REDUCERS: dict[type, Any] = {
    **copyreg.dispatch_table,
    MappingProxyType: _reduce_read_only,
    **{cls: _by_fields(cls) for cls in (Record, Transition, MergePlan, CellLineage, CellValue)},
}


def dump(obj: object, file: IO[bytes]) -> None:
    """
    Pickle *obj* into *file*.
    """
    pickler = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS  # this pickler's own table: nothing process-wide
    pickler.dump(obj)


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
    bare, factored = _parts(prepared)
    if factored is not None:
        bare.memo["factored"] = {k: v for k, v in factored.items() if _picklable(v)}
    return bare


def dump_light(prepared: Prepared, extra: object, file: IO[bytes]) -> None:
    """
    Pickle `light` *prepared*, and *extra* with it, into *file* (read by `load_light`).

    Each factored column is pickled once: the pickle that shows it can travel is the
    one written.
    """
    bare, factored = _parts(prepared)
    pickled: dict[str, bytes] = {}
    for key, value in (factored or {}).items():
        try:
            pickled[key] = dumps(value)
        except (pickle.PicklingError, AttributeError, TypeError):
            continue  # made on the fly (a prefix, a blocking key): the worker makes it again
    dump((bare, pickled, extra), file)


def load_light(file: IO[bytes]) -> tuple[Prepared, Any]:
    """
    What `dump_light` wrote into *file*: the prepared records and the extra.
    """
    bare, pickled, extra = load(file)
    if pickled:
        bare.memo["factored"] = {key: loads(data) for key, data in pickled.items()}
    return bare, extra


def _parts(prepared: Prepared) -> tuple[Prepared, dict[str, Any] | None]:
    """
    *prepared* with an empty memo, and its factored columns (a cache) when it has them.
    """
    factored = prepared.memo.get("factored")
    bare = Prepared(prepared.ids, prepared.columns, prepared.features, prepared.keys,
                    prepared.source, {})  # fmt: skip
    return bare, factored if isinstance(factored, dict) else None


def _picklable(value: object) -> bool:
    try:
        dumps(value)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True
