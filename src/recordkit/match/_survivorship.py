"""
Survivorship: which of several records' values for one field survives a merge.

A strategy is a small frozen callable behind the `SurvivorshipStrategy` protocol, built with
a named constructor on `Survive` (``Survive.most_recent()``,
``Survive.trusted_sources(["crm", "web"])``…). It sees the non-empty values of one field, as
`Candidate` objects in the merge's rank order (the surviving record first), and returns a
`Choice`: the value that survives, the records it came from and why. Ties always go to the
candidate ranked first, so a strategy never depends on the order ids were given in.

Every strategy converts to plain data (``"most_recent"``,
``{"trusted_sources": ["crm", "web"], "then": "longest"}``) and back (see
``_survivorship_data``), so a policy round-trips through YAML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.schema import Field

__all__ = [
    "Candidate",
    "Choice",
    "Survive",
    "SurvivorshipStrategy",
    "is_multi_valued",
]


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

    .. versionadded:: 0.1.0
    """

    record_id: str
    value: Any
    source: str | None
    observed_at: dt.datetime
    rank: int
    completeness: int
    valid: bool = True


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


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

    def to_data(self) -> Any:
        """
        The strategy as plain data (a name, or a one-key mapping with options).
        """


def is_multi_valued(field: Field) -> bool:
    """
    Whether *field* holds several values at once (its type sets ``multi_valued = True``).

    .. versionadded:: 0.1.0
    """
    return getattr(field.type, "multi_valued", False) is True


def _best(
    candidates: Sequence[Candidate], key: Callable[[Candidate], Any]
) -> list[Candidate]:
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


@attrs.frozen
class _MostRecent:
    name: str = attrs.field(default="most_recent", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        winner = _best(candidates, lambda c: c.observed_at)[0]
        return _pick(winner, f"most recent (observed {winner.observed_at.isoformat()})")

    def to_data(self) -> Any:
        return self.name


@attrs.frozen
class _MostComplete:
    name: str = attrs.field(default="most_complete", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        winner = _best(candidates, lambda c: c.completeness)[0]
        return _pick(winner, f"most complete record ({winner.completeness} fields filled)")

    def to_data(self) -> Any:
        return self.name


@attrs.frozen
class _Longest:
    name: str = attrs.field(default="longest", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        winner = _best(candidates, lambda c: _length(c.value))[0]
        return _pick(winner, f"longest ({_length(winner.value)} characters)")

    def to_data(self) -> Any:
        return self.name


@attrs.frozen
class _SurvivorFirst:
    name: str = attrs.field(default="survivor_first", init=False)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        winner = candidates[0]
        why = "surviving record's value" if winner.rank == 0 else "first record with a value"
        return _pick(winner, why)

    def to_data(self) -> Any:
        return self.name


@attrs.frozen
class _KeepAll:
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

    def to_data(self) -> Any:
        return self.name


def _sources(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise SchemaError(
            f"trusted_sources takes a list of source names, got {shorten(value)}",
            path="trusted_sources",
        )
    names = tuple(value)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise SchemaError(
                f"a source name must be non-blank text, got {shorten(name)}",
                path="trusted_sources",
            )
    if len(set(names)) != len(names):
        raise SchemaError(f"a source is listed twice in {shorten(names)}", path="trusted_sources")
    if not names:
        raise SchemaError("trusted_sources needs at least one source", path="trusted_sources")
    return names


def _strategy(value: object) -> SurvivorshipStrategy:
    if not isinstance(value, SurvivorshipStrategy):
        raise SchemaError(
            f"expected a survivorship strategy (Survive.most_recent()…), got {shorten(value)}",
            path="then",
        )
    return value


_MOST_RECENT: Final = _MostRecent()


@attrs.frozen
class _TrustedSources:
    sources: tuple[str, ...] = attrs.field(converter=_sources)
    then: SurvivorshipStrategy = attrs.field(default=_MOST_RECENT)
    name: str = attrs.field(default="trusted_sources", init=False)

    def __attrs_post_init__(self) -> None:
        _strategy(self.then)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        def trust(c: Candidate) -> int:
            if c.source in self.sources:
                return -self.sources.index(c.source)
            return -len(self.sources)

        top = _best(candidates, trust)
        choice = self.then(field, top)
        source = top[0].source
        if source in self.sources:
            why = f"most trusted source {source!r}"
        else:
            why = "no trusted source had a value"
        return attrs.evolve(choice, reason=f"{why}; then {choice.reason}")

    def to_data(self) -> Any:
        data: dict[str, Any] = {"trusted_sources": list(self.sources)}
        if self.then != _MOST_RECENT:
            data["then"] = self.then.to_data()
        return data


@attrs.frozen
class _ValidatedOnly:
    then: SurvivorshipStrategy = attrs.field(default=_MOST_RECENT)
    name: str = attrs.field(default="validated_only", init=False)

    def __attrs_post_init__(self) -> None:
        _strategy(self.then)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        valid = [c for c in candidates if c.valid]
        if not valid:
            return Choice(None, (), f"none of {len(candidates)} values passed validation")
        choice = self.then(field, valid)
        return attrs.evolve(choice, reason=f"validated; then {choice.reason}")

    def to_data(self) -> Any:
        if self.then == _MOST_RECENT:
            return self.name
        return {"validated_only": True, "then": self.then.to_data()}


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

    def to_data(self) -> Any:
        return {"from_record": self.record_id}


class Survive:
    """
    Named constructors for the built-in survivorship strategies.

    Example:
        >>> from recordkit import MergePolicy, Survive
        >>> policy = MergePolicy(
        ...     default=Survive.most_recent(),
        ...     fields={"phone": Survive.trusted_sources(["crm", "web"])},
        ... )
        >>> policy.strategy_for("phone").to_data()
        {'trusted_sources': ['crm', 'web']}

    .. versionadded:: 0.1.0
    """

    @staticmethod
    def most_recent() -> SurvivorshipStrategy:
        """
        The value its source observed last (provenance ``observed_at``).
        """
        return _MOST_RECENT

    @staticmethod
    def most_complete() -> SurvivorshipStrategy:
        """
        The value from the record with the most fields filled.
        """
        return _MostComplete()

    @staticmethod
    def longest() -> SurvivorshipStrategy:
        """
        The longest value as text (a full name over an initial, a full street address).
        """
        return _Longest()

    @staticmethod
    def survivor_first() -> SurvivorshipStrategy:
        """
        The surviving record's value, else the next record's in rank order (Salesforce's rule).
        """
        return _SurvivorFirst()

    @staticmethod
    def keep_all() -> SurvivorshipStrategy:
        """
        Every distinct value, for multi-valued fields (types with ``multi_valued = True``).
        """
        return _KeepAll()

    @staticmethod
    def trusted_sources(
        sources: Sequence[str], *, then: SurvivorshipStrategy = _MOST_RECENT
    ) -> SurvivorshipStrategy:
        """
        The value from the most trusted source; *sources* lists them, most trusted first.

        Values from unlisted sources rank below every listed one; *then* breaks ties between
        values from equally trusted sources.

        Raises:
            SchemaError: *sources* is empty, not a list of names, or repeats a name.
        """
        return _TrustedSources(sources, then)

    @staticmethod
    def validated_only(*, then: SurvivorshipStrategy = _MOST_RECENT) -> SurvivorshipStrategy:
        """
        Only values that pass validation may survive; *then* chooses among them.

        When none passes, the field is left empty (the values stay in the lineage).
        """
        return _ValidatedOnly(then)

    @staticmethod
    def from_record(record_id: str) -> SurvivorshipStrategy:
        """
        A manual pick: the value of record *record_id* (empty if that record has none).

        Raises:
            SchemaError: *record_id* is not a non-empty string.
        """
        return _FromRecord(record_id)
