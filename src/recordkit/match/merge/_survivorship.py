"""
Survivorship: which of several records' values for one field survives a merge.

A strategy is a small frozen callable behind the `SurvivorshipStrategy` protocol, built with
a named constructor on `Survive` (``Survive.most_recent()``,
``Survive.trusted_sources(["crm", "web"])``…; see ``_survive``). It sees the
non-empty values of one field, as `Candidate` objects in the merge's rank order (the
surviving record first), and returns a `Choice`: the value that survives, the records it
came from and why. Ties always go to the candidate ranked first, so a strategy never depends
on the order ids were given in.

This module holds the protocol, the values strategies see and return, and the strategies
that take no options; ``_ranking`` holds those that take options or compare
values. Every strategy converts to plain data (``"most_recent"``,
``{"trusted_sources": ["crm", "web"], "then": "longest"}``) and back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.match._check import texts
from recordkit.schema import Field, JSONValue

__all__ = ["Candidate", "Choice", "SurvivorshipStrategy", "is_multi_valued"]


@attrs.frozen
class Candidate:
    """
    One record's non-empty value for the field being merged, as a strategy sees it.

    Args:
        record_id: the record the value comes from.
        value: the typed value.
        source: the source its provenance names (``None`` when it has none).
        observed_at: when that source saw it (the record's ``updated_at`` without
            provenance).
        rank: the record's place in the merge (0 is the surviving record); ties go to the
            lowest rank.
        completeness: how many fields of the record hold a value.
        valid: whether the value passes the schema's validation.
        health: the record's health score, 0-100 (``None``: not scored).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 *health*.
    """

    record_id: str
    value: Any
    source: str | None
    observed_at: dt.datetime
    rank: int
    completeness: int
    valid: bool = True
    health: int | None = None


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return texts(value, "record_ids")


@attrs.frozen
class Choice:
    """
    What a strategy decided for one field.

    Args:
        value: the surviving value (``None``: the field stays empty; every value is still
            kept in the merge's lineage).
        record_ids: the records the value came from (several for ``keep_all``).
        reason: why, in a few words, for people reading the lineage.

    .. versionadded:: 0.1.0
    """

    value: Any
    record_ids: tuple[str, ...] = attrs.field(converter=_ids)
    reason: str


@runtime_checkable
class SurvivorshipStrategy(Protocol):
    """
    Chooses the surviving value of one field from its candidates.

    *candidates* are never empty and hold only non-empty values, ranked (the surviving record
    first). Implementations are frozen and compare by value; ``to_data`` returns the plain
    data that `strategy_from_data` turns back into an equal strategy.

    .. versionadded:: 0.1.0
    """

    @property
    def name(self) -> str:
        """
        The strategy's name in plain data (``most_recent``).
        """

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        """
        Return the surviving value and where it came from.
        """

    def to_data(self) -> JSONValue:
        """
        The strategy as plain data (a name, or a one-key mapping with options).
        """


def is_multi_valued(field: Field) -> bool:
    """
    Whether *field* holds several values at once (its type sets ``multi_valued = True``).

    .. versionadded:: 0.1.0
    """
    return getattr(field.type, "multi_valued", False) is True


def _best(candidates: Sequence[Candidate], key: Callable[[Candidate], Any]) -> list[Candidate]:
    """
    The candidates with the greatest key, in rank order.
    """
    top = max(key(c) for c in candidates)
    return [c for c in candidates if key(c) == top]


def _pick(winner: Candidate, reason: str) -> Choice:
    return Choice(winner.value, (winner.record_id,), reason)


def _length(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    try:
        return len(str(value))
    except Exception:  # a value whose str() fails has no length to compare
        return 0


class _ByName:
    """
    A strategy without options: its plain data is its name.
    """

    __slots__ = ()
    name: str  # an attrs field of each subclass

    def to_data(self) -> JSONValue:
        """
        The strategy's name.
        """
        return self.name


@attrs.frozen
class _MostRecent(_ByName):
    name: str = attrs.field(default="most_recent", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        winner = _best(candidates, lambda c: c.observed_at)[0]
        return _pick(winner, f"most recent (observed {winner.observed_at.isoformat()})")


@attrs.frozen
class _MostComplete(_ByName):
    name: str = attrs.field(default="most_complete", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        winner = _best(candidates, lambda c: c.completeness)[0]
        return _pick(winner, f"most complete record ({winner.completeness} fields filled)")


@attrs.frozen
class _Longest(_ByName):
    name: str = attrs.field(default="longest", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        winner = _best(candidates, lambda c: _length(c.value))[0]
        return _pick(winner, f"longest ({_length(winner.value)} characters)")


@attrs.frozen
class _SurvivorFirst(_ByName):
    name: str = attrs.field(default="survivor_first", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        winner = candidates[0]
        why = "surviving record's value" if winner.rank == 0 else "first record with a value"
        return _pick(winner, why)


@attrs.frozen
class _KeepAll(_ByName):
    name: str = attrs.field(default="keep_all", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        kept: list[Any] = []
        contributors: list[str] = []
        for c in candidates:
            items = c.value if isinstance(c.value, list | tuple | frozenset | set) else (c.value,)
            added = False
            for item in sorted(items, key=repr) if isinstance(items, set | frozenset) else items:
                if item not in kept:
                    kept.append(item)
                    added = True
            if added:
                contributors.append(c.record_id)
        value: Any = frozenset(kept) if isinstance(candidates[0].value, frozenset) else tuple(kept)
        return Choice(value, tuple(contributors), f"kept all {len(kept)} distinct values")


_MOST_RECENT: Final = _MostRecent()


@attrs.frozen
class _Oldest(_ByName):
    name: str = attrs.field(default="oldest", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        first = min(c.observed_at for c in candidates)
        winner = next(c for c in candidates if c.observed_at == first)
        return _pick(winner, f"observed first ({winner.observed_at.isoformat()})")


@attrs.frozen
class _Healthiest(_ByName):
    name: str = attrs.field(default="healthiest", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        scored = [c for c in candidates if c.health is not None]
        if not scored:
            return _MOST_RECENT(field, candidates)
        winner = _best(scored, lambda c: c.health)[0]
        return _pick(winner, f"healthiest record (health {winner.health}/100)")


@attrs.frozen
class _FromRecord:
    record_id: str = attrs.field()
    name: str = attrs.field(default="from_record", init=False)

    @record_id.validator
    def _check(self, _: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value:
            raise SchemaError(
                f"from_record takes a record id, got {shorten(value)}", path="from_record"
            )

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        for c in candidates:
            if c.record_id == self.record_id:
                return _pick(c, f"picked by hand from record {self.record_id!r}")
        # Picking a record that has no value here is a deliberate choice to leave it empty.
        return Choice(None, (self.record_id,), f"picked by hand: {self.record_id!r} is empty")

    def to_data(self) -> JSONValue:
        return {"from_record": self.record_id}
