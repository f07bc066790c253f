"""
Integration-safe resolution: which value of a field survives when two sources disagree.

When a bulk upsert meets a stored record, each incoming field is weighed against the stored
one by its provenance: the higher-ranked source wins, and between sources of equal rank the
more recent observation wins (a tie goes to the incoming value). So a nightly import from a
low-ranked system never overwrites what a salesperson typed in, and a late-arriving old
file never overwrites newer data. A stored value nobody observed — a schema default, or a
value an enricher derived — gives way to any observation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from recordkit._errors import StoreError, shorten
from recordkit.quality import DERIVED_PREFIX
from recordkit.schema import Provenance, Record

__all__ = ["DEFAULT_SOURCE", "Resolver", "iso", "observed"]

DEFAULT_SOURCE: Final = "default"
"""The provenance source of a value a schema default filled."""


def observed(source: str) -> bool:
    """
    Whether a value from *source* was observed (not a schema default, not derived).
    """
    return source != DEFAULT_SOURCE and not source.startswith(DERIVED_PREFIX)


Stamp = tuple[str, str, Any]
"""
A field's provenance for comparison: ``(source, observed_at as fixed-width UTC ISO text,
raw value)``.
"""


def iso(at: dt.datetime) -> str:
    """
    *at* as UTC ISO 8601 text with microseconds: fixed width, so text order is time order.
    """
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


class Resolver:
    """
    Decides, field by field, whether incoming values beat stored ones.

    Args:
        precedence: source names, most trusted first; sources not listed rank below all
            listed ones and equal to each other.
    """

    def __init__(self, precedence: Sequence[str] = ()) -> None:
        if isinstance(precedence, str) or not all(isinstance(s, str) for s in precedence):
            raise StoreError(f"precedence is a list of source names, got {shorten(precedence)}")
        n = len(precedence)
        self._rank = {source: n - i for i, source in enumerate(precedence)}
        self._iso: dict[dt.datetime, str] = {}

    def stamp(self, provenance: Provenance) -> Stamp:
        """
        The comparable stamp of one field's provenance.
        """
        return (provenance.source, self._text(provenance.observed_at), provenance.raw)

    def _text(self, at: dt.datetime) -> str:
        text = self._iso.get(at)
        if text is None:
            if len(self._iso) > 4096:
                self._iso.clear()
            text = self._iso[at] = iso(at)
        return text

    def stamps(self, record: Record) -> dict[str, Stamp]:
        """
        Stamps for the fields of *record* that have provenance (the others always lose).
        """
        return {name: self.stamp(p) for name, p in record.provenance.items()}

    def beats(self, source: str, at: str, their_source: str, their_at: str) -> bool | None:
        """
        Whether an observation by *source* at *at* (UTC ISO text) beats a stored one.

        ``None`` when it is the stored observation itself (same source, same time): then
        the raw values decide (`winners`).
        """
        if at == their_at and source == their_source:
            return None
        rank = self._rank
        if rank:
            mine, other = rank.get(source, 0), rank.get(their_source, 0)
            return mine > other or (mine == other and at >= their_at)
        return at >= their_at

    def winners(self, incoming: Record, stored: Mapping[str, Sequence[str]]) -> list[str]:
        """
        The fields of *incoming* whose values beat *stored* (field name → stored stamp).

        A stored stamp is any sequence ``(source, observed_at text, raw)``; a field with no
        stored stamp is always won. An incoming field whose provenance is the stored one
        (same source, time and raw value: the same observation, imported again) is not a
        change, so upserting a batch twice changes nothing the second time.

        Raises:
            StoreError: a stored stamp is not of that shape.
        """
        rank = self._rank
        cache = self._iso
        prov = incoming.provenance
        fallback: str | None = None
        out: list[str] = []
        try:
            for name in incoming.values:
                theirs = stored.get(name)
                if theirs is None or not observed(theirs[0]):
                    out.append(name)
                    continue
                p = prov.get(name)
                if p is None:
                    source = ""
                    at = fallback = fallback or self._text(incoming.updated_at)
                else:
                    source = p.source
                    at = cache.get(p.observed_at) or self._text(p.observed_at)
                    if at == theirs[1] and source == theirs[0] and _same(p.raw, theirs[2]):
                        continue  # the stored observation itself, imported again
                if rank:
                    mine, other = rank.get(source, 0), rank.get(theirs[0], 0)
                    if mine > other or (mine == other and at >= theirs[1]):
                        out.append(name)
                elif at >= theirs[1]:
                    out.append(name)
        except (TypeError, IndexError, KeyError):
            raise StoreError(
                f"record {shorten(incoming.id)}: the stored provenance cannot be read"
            ) from None
        return out

    def split(
        self, current: Record, names: Sequence[str], source: str, seen: dt.datetime
    ) -> tuple[list[str], list[str]]:
        """
        Split *names* into the fields an observation by *source* at *seen* wins, and the rest.

        The rest are the fields *current* keeps; the rule is the one `winners` follows for
        a bulk upsert.
        """
        at = iso(seen)
        won: list[str] = []
        kept: list[str] = []
        for name in names:
            stored = current.provenance.get(name)
            if stored is None or not observed(stored.source):
                won.append(name)
                continue
            beats = self.beats(source, at, *self.stamp(stored)[:2])
            (kept if beats is False else won).append(name)
        return won, kept


def _same(raw: Any, stored: Any) -> bool:
    # Stored raw values went through JSON: compare as JSON keeps them (a non-finite float
    # became its text), and never let True equal 1.
    if isinstance(raw, float) and not math.isfinite(raw):
        raw = str(raw)
    return bool(raw == stored) and type(raw) is type(stored)
