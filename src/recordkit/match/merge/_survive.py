"""
Building survivorship strategies: the `Survive` named constructors, and the plain-data form.

`strategy_from_data` is the inverse of each strategy's ``to_data``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.match.merge._ranking import (
    _Extreme,
    _MostFrequent,
    _TrustedSources,
    _ValidatedOnly,
)
from recordkit.match.merge._survivorship import (
    _MOST_RECENT,
    SurvivorshipStrategy,
    _FromRecord,
    _Healthiest,
    _KeepAll,
    _Longest,
    _MostComplete,
    _Oldest,
    _SurvivorFirst,
)

__all__ = ["Survive", "strategy_from_data"]


class Survive:
    """
    Named constructors for the built-in survivorship strategies.

    Examples:
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
    def healthiest() -> SurvivorshipStrategy:
        """
        The value from the healthiest record (highest health score; ties: rank order).

        The most recent value when no record of the merge is scored.

        A steward that keeps health scores (``Steward(health=...)``) hands them to the
        merge; `plan_merge` takes them as ``health=``.

        .. versionadded:: 0.2.0
        """
        return _Healthiest()

    @staticmethod
    def oldest() -> SurvivorshipStrategy:
        """
        The value its source observed first (a first-touch lead source, say).
        """
        return _Oldest()

    @staticmethod
    def most_frequent(*, then: SurvivorshipStrategy = _MOST_RECENT) -> SurvivorshipStrategy:
        """
        The value most records hold; *then* chooses between equally frequent values.
        """
        return _MostFrequent(then)

    @staticmethod
    def greatest(*, then: SurvivorshipStrategy = _MOST_RECENT) -> SurvivorshipStrategy:
        """
        The greatest value (the latest date, the largest amount).

        Values with no common order (amounts in different currencies) fall back on *then*.
        """
        return _Extreme(True, then)

    @staticmethod
    def least(*, then: SurvivorshipStrategy = _MOST_RECENT) -> SurvivorshipStrategy:
        """
        The least value (the earliest date, the smallest amount); see `greatest`.
        """
        return _Extreme(False, then)

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


_SIMPLE: Final[Mapping[str, Callable[[], SurvivorshipStrategy]]] = {
    "most_recent": Survive.most_recent,
    "most_complete": Survive.most_complete,
    "longest": Survive.longest,
    "survivor_first": Survive.survivor_first,
    "keep_all": Survive.keep_all,
    "validated_only": Survive.validated_only,
    "oldest": Survive.oldest,
    "healthiest": Survive.healthiest,
    "most_frequent": Survive.most_frequent,
    "greatest": Survive.greatest,
    "least": Survive.least,
}
_FLAGS: Final[Mapping[str, Callable[..., SurvivorshipStrategy]]] = {
    "validated_only": Survive.validated_only,
    "most_frequent": Survive.most_frequent,
    "greatest": Survive.greatest,
    "least": Survive.least,
}
_OPTIONS: Final = ("trusted_sources", "from_record", *_FLAGS)


def strategy_from_data(data: object, *, path: str = "") -> SurvivorshipStrategy:
    """
    Build a strategy from its plain-data form (the inverse of ``to_data``).

    Accepted forms: a name (``most_recent``, ``most_complete``, ``longest``,
    ``survivor_first``, ``keep_all``, ``validated_only``, ``healthiest`` …), or a mapping with
    one of ``trusted_sources: [..]``, ``validated_only: true``, ``from_record: <id>`` and an
    optional ``then: <strategy>``. A strategy object is returned as it is.

    Raises:
        SchemaError: the data names no strategy; says where and suggests close names.

    .. versionadded:: 0.1.0
    """
    if not isinstance(path, str):
        raise SchemaError(f"path is text (where the strategy sits), got {shorten(path)}")
    if isinstance(data, SurvivorshipStrategy):
        return data
    try:
        if isinstance(data, str):
            if data in _SIMPLE:
                return _SIMPLE[data]()
            raise SchemaError(
                f"unknown survivorship strategy {shorten(data)}",
                suggestions=close_matches(data, [*_SIMPLE, *_OPTIONS]),
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
                    suggestions=close_matches(unknown, _OPTIONS),
                )
            then = Survive.most_recent()
            if "then" in data:
                then = strategy_from_data(data["then"], path="then")
            key = keys[0]
            if key == "trusted_sources":
                return Survive.trusted_sources(data[key], then=then)
            if key in _FLAGS:
                if data[key] is not True:
                    raise SchemaError(f"{key} takes true, got {shorten(data[key])}", path=key)
                return _FLAGS[key](then=then)
            if "then" in data:
                raise SchemaError("from_record takes no 'then'", path="then")
            return Survive.from_record(data[key])
        raise SchemaError(
            f"a survivorship strategy is a name or a one-key mapping, got {type(data).__name__}"
        )
    except SchemaError as exc:
        if path:
            raise exc.at(path) from None
        raise
