"""
Stamps: a compact summary of a row's provenance, so a bulk upsert need not read all of it.

``rk_stamps`` says which source observed which fields when, as JSON text:
``[[source, observed_at, [field, ...]], ...]``, one group per (source, time) in the order the
provenance lists its fields, times as fixed-width UTC ISO text. That is all resolution needs
unless an incoming observation is the stored one itself (then the raw values decide), so an
upsert that replaces a row reads this instead of decoding the whole ``rk_provenance`` JSON.
The rows of one import share one group and usually one field list, so thousands of rows hold
the same text, and it is parsed once.

The summary is derived from ``rk_provenance`` and always written with it, in the same
statement. Reads check that the two agree, so a row whose provenance was edited by hand is
a `StoreError` rather than a silent mis-resolution. ``NULL`` means "not summarised": rows
written before the column existed (see ``_migrations``), or provenance edited by
hand with the summary cleared; the upsert then reads the provenance itself and writes the
summary back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from recordkit._errors import StoreError, shorten
from recordkit._resolve import iso

__all__ = ["Stamps", "Summaries"]

_CACHED: Final = 4096
"""
Texts (and parsed summaries) kept per codec; a batch needs a handful, so this is plenty.
"""

Group = tuple[str, str]
"""
One observation: ``(source, observed_at as UTC ISO text)``.
"""


@attrs.frozen
class Stamps:
    """
    A parsed ``rk_stamps`` value.

    Attributes:
        groups: each observation and the fields it stamped.
        fields: every stamped field.
        at_of: field → its observation.
    """

    groups: tuple[tuple[str, str, frozenset[str]], ...]
    fields: frozenset[str]
    at_of: Mapping[str, Group] = attrs.field(eq=False, hash=False)


class Summaries:
    """
    Writes and reads ``rk_stamps`` texts, remembering the few distinct ones a batch holds.

    Args:
        table: the table's name, for error messages.
    """

    def __init__(self, table: str) -> None:
        self._table = table
        self._texts: dict[tuple[str, str, tuple[str, ...]], str] = {}
        self._parsed: dict[str, Stamps] = {}

    def single(self, source: str, at: str, names: tuple[str, ...]) -> str:
        """
        The text for fields *names* all observed by *source* at *at*.
        """
        key = (source, at, names)
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) > _CACHED:
                self._texts.clear()
            text = self._texts[key] = _dumps([[source, at, list(names)]])
        return text

    def text(self, provenance: Mapping[str, Sequence[Any]]) -> tuple[str, tuple[Group, ...]]:
        """
        The text summarising provenance JSON data (``{field: [source, at, raw]}``).

        Returns the text and the distinct observations, in order.
        """
        groups: dict[Group, list[str]] = {}
        for name, item in provenance.items():
            groups.setdefault((item[0], item[1]), []).append(name)
        if len(groups) == 1:
            (source, at), names = next(iter(groups.items()))
            return self.single(source, at, tuple(names)), ((source, at),)
        return _dumps([[s, a, names] for (s, a), names in groups.items()]), tuple(groups)

    def parse(self, text: Any, record_id: str) -> Stamps:
        """
        The summary *text* holds.

        Raises:
            StoreError: *text* is not a summary recordkit wrote (naming the record).
        """
        found = self._parsed.get(text) if isinstance(text, str) else None
        if found is None:
            found = self._parse(text, record_id)
            if len(self._parsed) > _CACHED:
                self._parsed.clear()
            self._parsed[text] = found
        return found

    def _parse(self, text: Any, record_id: str) -> Stamps:
        try:
            data = json.loads(text)
            if not isinstance(data, list):
                raise TypeError("not a list")
            groups: list[tuple[str, str, frozenset[str]]] = []
            seen: set[str] = set()
            for source, at, names in data:
                if not isinstance(source, str) or not isinstance(at, str):
                    raise TypeError("source and time must be text")
                if iso(dt.datetime.fromisoformat(at)) != at:
                    raise ValueError(f"time {shorten(at)} is not fixed-width UTC")
                if not isinstance(names, list) or not names:
                    raise TypeError("fields must be a non-empty list")
                fields = frozenset(names)
                if len(fields) != len(names) or fields & seen:
                    raise ValueError("a field is stamped twice")
                if not all(isinstance(n, str) for n in fields):
                    raise TypeError("field names must be text")
                seen |= fields
                groups.append((source, at, fields))
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"table {self._table}: record {shorten(record_id)} column 'rk_stamps' holds "
                f"data recordkit cannot read ({shorten(str(exc), 120)}); set it to NULL and "
                "recordkit rebuilds it from rk_provenance"
            ) from None
        at_of = {name: (s, a) for s, a, names in groups for name in names}
        return Stamps(tuple(groups), frozenset(seen), at_of)

    def check(self, stored: Any, provenance: Mapping[str, Sequence[Any]], record_id: str) -> None:
        """
        Refuse a row whose ``rk_stamps`` (*stored*, unless NULL) disagrees with its provenance.

        *provenance* is the row's provenance JSON data (``{field: [source, at, raw]}``).

        Raises:
            StoreError: *stored* cannot be read, or says another source or time than the
                provenance for some field (provenance edited behind recordkit's back).
        """
        if stored is None:
            return
        known = self.parse(stored, record_id)
        if len(known.groups) == 1:  # one observation: no pair to build per field
            source, at, fields = known.groups[0]
            agree = fields == provenance.keys() and all(
                item[0] == source and item[1] == at for item in provenance.values()
            )
        else:
            at_of = known.at_of
            agree = len(at_of) == len(provenance) and all(
                at_of.get(name) == (item[0], item[1]) for name, item in provenance.items()
            )
        if not agree:
            raise StoreError(
                f"table {self._table}: record {shorten(record_id)} column 'rk_stamps' "
                f"disagrees with rk_provenance (edited behind recordkit's back?); set "
                "rk_stamps to NULL whenever rk_provenance is edited by hand, and recordkit "
                "rebuilds it"
            )


def _dumps(groups: list[list[Any]]) -> str:
    # ASCII only: no NUL or lone surrogate can reach a text column, whatever a source says.
    return json.dumps(groups, separators=(",", ":"))
