"""
Survivorship strategies from plain data: the inverse of each strategy's ``to_data``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Final

from recordkit._errors import SchemaError, shorten
from recordkit.match._survivorship import Survive, SurvivorshipStrategy

__all__ = ["strategy_from_data"]


_SIMPLE: Final[Mapping[str, Callable[[], SurvivorshipStrategy]]] = {
    "most_recent": Survive.most_recent,
    "most_complete": Survive.most_complete,
    "longest": Survive.longest,
    "survivor_first": Survive.survivor_first,
    "keep_all": Survive.keep_all,
    "validated_only": Survive.validated_only,
}
_OPTIONS: Final = ("trusted_sources", "validated_only", "from_record")


def strategy_from_data(data: object, *, path: str = "") -> SurvivorshipStrategy:
    """
    Build a strategy from its plain-data form (the inverse of ``to_data``).

    Accepted forms: a name (``most_recent``, ``most_complete``, ``longest``,
    ``survivor_first``, ``keep_all``, ``validated_only``), or a mapping with one of
    ``trusted_sources: [..]``, ``validated_only: true``, ``from_record: <id>`` and an optional
    ``then: <strategy>``. A strategy object is returned as it is.

    Raises:
        SchemaError: the data names no strategy; says where and suggests close names.

    .. versionadded:: 0.1.0
    """
    if isinstance(data, SurvivorshipStrategy):
        return data
    try:
        if isinstance(data, str):
            if data in _SIMPLE:
                return _SIMPLE[data]()
            raise SchemaError(
                f"unknown survivorship strategy {shorten(data)}",
                suggestions=difflib.get_close_matches(data[:100], [*_SIMPLE, *_OPTIONS], n=3),
            )
        if isinstance(data, Mapping):
            keys = [k for k in data if k in _OPTIONS]
            extra = [k for k in data if k not in (*_OPTIONS, "then")]
            if len(keys) != 1 or extra:
                unknown = extra[0] if extra else ""
                raise SchemaError(
                    "a strategy mapping needs exactly one of "
                    f"{', '.join(_OPTIONS)} (and optionally 'then'), "
                    f"got keys {shorten(list(data))}",
                    suggestions=difflib.get_close_matches(str(unknown)[:100], _OPTIONS, n=3),
                )
            then = Survive.most_recent()
            if "then" in data:
                then = strategy_from_data(data["then"], path="then")
            key = keys[0]
            if key == "trusted_sources":
                return Survive.trusted_sources(data[key], then=then)
            if key == "validated_only":
                if data[key] is not True:
                    raise SchemaError(
                        f"validated_only takes true, got {shorten(data[key])}", path=key
                    )
                return Survive.validated_only(then=then)
            if "then" in data:
                raise SchemaError("from_record takes no 'then'", path="then")
            return Survive.from_record(data[key])
        raise SchemaError(
            "a survivorship strategy is a name or a one-key mapping, "
            f"got {type(data).__name__}"
        )
    except SchemaError as exc:
        if path:
            raise exc.at(path) from None
        raise
