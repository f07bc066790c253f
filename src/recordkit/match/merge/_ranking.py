"""
Survivorship strategies that take options or compare the values themselves.

Trusted sources (a ranked list), validated-only, most frequent, greatest and least. Each
falls back on another strategy (``then``) where its own rule ties or cannot decide, and
says so in its reason.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.match.merge._survivorship import (
    _MOST_RECENT,
    Candidate,
    Choice,
    SurvivorshipStrategy,
    _best,
)
from recordkit.schema import Field, JSONValue, Money

__all__: list[str] = []


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

    def to_data(self) -> JSONValue:
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

    def to_data(self) -> JSONValue:
        if self.then == _MOST_RECENT:
            return self.name
        return {"validated_only": True, "then": self.then.to_data()}


@attrs.frozen
class _MostFrequent:
    then: SurvivorshipStrategy = attrs.field(default=_MOST_RECENT)
    name: str = attrs.field(default="most_frequent", init=False)

    def __attrs_post_init__(self) -> None:
        _strategy(self.then)

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        groups: list[list[Candidate]] = []
        for c in candidates:
            for g in groups:
                if g[0].value == c.value:
                    g.append(c)
                    break
            else:
                groups.append([c])
        top = max(len(g) for g in groups)
        tied = [g for g in groups if len(g) == top]
        why = f"held by {top} of {len(candidates)} records"
        if len(tied) == 1:
            winners = tied[0]
        else:
            choice = self.then(field, [c for g in tied for c in g])
            winners = next(g for g in tied if g[0].value == choice.value)
            why = f"{why}, as are others; then {choice.reason}"
        return Choice(winners[0].value, tuple(c.record_id for c in winners), why)

    def to_data(self) -> JSONValue:
        if self.then == _MOST_RECENT:
            return self.name
        return {"most_frequent": True, "then": self.then.to_data()}


def _order_key(candidates: Sequence[Candidate]) -> Callable[[Candidate], Any] | None:
    """
    A sort key that orders these values, or ``None`` when they have no common order.
    """
    values = [c.value for c in candidates]
    if all(isinstance(v, Money) for v in values):
        if len({v.currency for v in values}) == 1:
            return lambda c: c.value.amount
        return None
    try:
        sorted(values)
    except (TypeError, ValueError, decimal.InvalidOperation):
        return None
    return lambda c: c.value


@attrs.frozen
class _Extreme:
    largest: bool
    then: SurvivorshipStrategy = attrs.field(default=_MOST_RECENT)

    def __attrs_post_init__(self) -> None:
        _strategy(self.then)

    @property
    def name(self) -> str:
        return "greatest" if self.largest else "least"

    def __call__(self, field: Field, candidates: Sequence[Candidate]) -> Choice:
        key = _order_key(candidates)
        if key is None:
            choice = self.then(field, candidates)
            why = f"values have no common order; then {choice.reason}"
            return attrs.evolve(choice, reason=why)
        pick = max if self.largest else min
        winner = pick(candidates, key=key)  # max/min keep the first (best ranked) of ties
        return Choice(winner.value, (winner.record_id,), f"{self.name} value")

    def to_data(self) -> JSONValue:
        if self.then == _MOST_RECENT:
            return self.name
        return {self.name: True, "then": self.then.to_data()}
