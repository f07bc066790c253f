"""
Records to table rows and back, exactly.

Field values go to typed columns and come back as the same Python values (dates, decimals,
money, booleans); provenance goes to JSON as ``{field: [source, observed_at, raw]}``, and its
summary to ``rk_stamps`` (see ``_stamps``). The JSON ``rk_extras`` column keeps
what typed columns cannot: fields present with no value (``nulls``) and values of fields the
schema no longer declares (``unknown``), so nothing is lost. A row that was edited behind
recordkit's back (wrong types, broken JSON, a summary that disagrees with the provenance)
comes back as a `StoreError` naming the record and the column, never as a half-built record.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from recordkit._errors import StoreError, shorten
from recordkit._resolve import iso
from recordkit.schema import (
    Boolean,
    Date,
    DateTime,
    Decimal,
    Integer,
    Money,
    MoneyType,
    Provenance,
    Record,
    Transition,
)
from recordkit.store._entries import json_safe
from recordkit.store.sql._sealed import SAME, Refused, Sealer, Unsealed
from recordkit.store.sql._stamps import Group, Summaries
from recordkit.store.sql._tables import SHELL, SchemaTable

__all__ = ["RecordCodec", "history_json", "utc"]

_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**63 - 1


def utc(value: Any) -> dt.datetime:
    """
    A datetime read from a database, as aware UTC (SQLite gives naive UTC back).
    """
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a timestamp, got {shorten(value)}")
    if value.tzinfo is dt.UTC:
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _enc_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _enc_text_pg(value: Any) -> Any:
    if not isinstance(value, str):
        raise TypeError("expected text")
    if "\x00" in value:
        raise TypeError("PostgreSQL text cannot hold NUL characters")
    return value


def _enc_int(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected a whole number")
    if not _INT_MIN <= value <= _INT_MAX:
        raise TypeError("outside the 64-bit range a database column holds")
    return value


def _enc_decimal(value: Any) -> Any:
    if not isinstance(value, decimal.Decimal) or not value.is_finite():
        raise TypeError("expected a finite Decimal")
    return value


def _enc_bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise TypeError("expected True or False")
    return value


def _enc_date(value: Any) -> Any:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError("expected a date")
    return value


def _enc_datetime(value: Any) -> Any:
    if not isinstance(value, dt.datetime):
        raise TypeError("expected a datetime")
    return utc(value)


def _sealed(value: Any) -> Any:
    """
    Stands for the converter of an encrypted field: the `Sealer` converts it.
    """
    return value


def _dec_type(expected: type | tuple[type, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, expected) or isinstance(value, bool) is not (expected is bool):
            raise TypeError(f"holds {shorten(value)}, not a {getattr(expected, '__name__', '')}")
        return value

    return check


def _dec_date(value: Any) -> Any:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"holds {shorten(value)}, not a date")
    return value


class RecordCodec:
    """
    Converts the records of one schema to rows of its table and back.

    Args:
        st: the schema's table.
        dialect: the database dialect name (``sqlite``, ``postgresql``).
    """

    def __init__(self, st: SchemaTable, *, dialect: str, sealer: Sealer | None = None) -> None:
        self.st = st
        self.sealer = sealer
        self._sealed = frozenset() if sealer is None else sealer.fields
        self.schema = st.schema
        self.table = st.table
        self.select_columns = list(self.table.c)
        self._position = {c: i for i, c in enumerate(self.table.c.keys())}
        self._pg = dialect == "postgresql"
        text = _enc_text_pg if self._pg else _enc_text
        self._enc: dict[str, tuple[str, Callable[[Any], Any]]] = {}
        self._money: dict[str, str] = {}
        self._dec: list[tuple[str, int, Callable[[Any], Any]]] = []
        for f in self.schema.fields:
            col = st.columns[f.name][0]
            t = f.type
            enc: Callable[[Any], Any]
            dec: Callable[[Any], Any]
            if f.name in self._sealed:
                if isinstance(t, MoneyType):
                    self._money[f.name] = st.columns[f.name][1]
                enc, dec = _sealed, _sealed
            elif isinstance(t, MoneyType):
                self._money[f.name] = st.columns[f.name][1]
                enc, dec = _enc_decimal, _dec_type(decimal.Decimal)
            elif isinstance(t, DateTime):
                enc, dec = _enc_datetime, utc
            elif isinstance(t, Date):
                enc, dec = _enc_date, _dec_date
            elif isinstance(t, Integer):
                enc, dec = _enc_int, _dec_type(int)
            elif isinstance(t, Decimal):
                enc, dec = _enc_decimal, _dec_type(decimal.Decimal)
            elif isinstance(t, Boolean):
                enc, dec = _enc_bool, _dec_type(bool)
            else:
                enc, dec = text, _dec_type(str)
            self._enc[f.name] = (col, enc)
            self._dec.append((f.name, self._position[col], dec))
        self._index: dict[str, str] = {} if sealer is None else sealer.index
        self._empty: dict[str, Any] = {c.name: None for c in self.table.c if c.name not in SHELL}
        self._iso: dict[dt.datetime, str] = {}
        self.summaries = Summaries(self.table.name)

    # -- writing --------------------------------------------------------------------------

    def encode(self, record: Record, unsealed: list[Unsealed] | None = None) -> dict[str, Any]:
        """
        The full row for *record*.

        With *unsealed*, the encrypted fields are left to `seal` (the row is added to it):
        a bulk write seals its rows together.

        Raises:
            StoreError: a value is not of its field's type (or too large for its column).
        """
        row = dict(self._empty)
        row["rk_id"] = record.id
        row["rk_version"] = record.version
        row["rk_owner"] = record.owner
        row["rk_state"] = record.state
        row["rk_stage"] = record.stage
        row["rk_created_at"] = utc(record.created_at)
        row["rk_updated_at"] = utc(record.updated_at)
        # the text of an encrypted value its provenance is compared with, made once for both
        known: dict[str, str] | None = None if self.sealer is None else {}
        row["rk_provenance"], row["rk_stamps"], _ = self.provenance(
            record.provenance, record.id, record.values, known
        )
        row["rk_extras"] = self.fields(record, record.values, row, known, unsealed)
        row["rk_history"] = history_json(record.history) if record.history else None
        return row

    def fields(
        self,
        record: Record,
        values: Mapping[str, Any],
        row: dict[str, Any],
        known: Mapping[str, str] | None = None,
        unsealed: list[Unsealed] | None = None,
    ) -> Any:
        """
        Put the columns of *values* (some or all of *record*'s) into *row*; return extras.

        *known*: encrypted fields' values as text already, from `provenance`. With
        *unsealed*, the encrypted fields are left to `seal` (the row is added to it).

        Raises:
            StoreError: a value is not of its field's type (or too large for its column).
        """
        nulls: list[str] | None = None
        unknown: dict[str, Any] | None = None
        sealed: list[tuple[str, Any]] | None = None
        enc = self._enc
        text = _enc_text_pg if self._pg else _enc_text
        pg = self._pg
        for name, value in values.items():
            plan = enc.get(name)
            if plan is None:
                unknown = unknown or {}
                unknown[name] = json_safe(value, path=name)
                continue
            col, convert = plan
            if value is None:
                nulls = nulls or []
                nulls.append(name)
                row[col] = None
                if name in self._money:
                    row[self._money[name]] = None
                if convert is _sealed:
                    row[self._index[name]] = None
                continue
            if convert is _sealed:
                sealed = sealed or []
                sealed.append((name, value))
                continue
            if convert is text and value.__class__ is str and not (pg and "\x00" in value):
                row[col] = value  # the common case, without a call
                continue
            try:
                if name in self._money:
                    if not isinstance(value, Money):
                        raise TypeError("expected Money")
                    row[self._money[name]] = value.currency
                    value = value.amount
                row[col] = convert(value)
            except TypeError as exc:
                error = StoreError(
                    f"record {shorten(record.id)} field {name!r}: cannot store "
                    f"{shorten(value)}: {exc}"
                )
                error.unstorable = True  # the value's fault: a batch quarantines its row
                raise error from exc
        if sealed is not None:
            if unsealed is None:
                self.seal([(record.id, sealed, row, known)])
            else:
                unsealed.append((record.id, sealed, row, known))
        if nulls is None and unknown is None:
            return None
        extras: dict[str, Any] = {}
        if nulls:
            extras["nulls"] = nulls
        if unknown:
            extras["unknown"] = unknown
        return extras

    def seal(self, unsealed: Sequence[Unsealed]) -> None:
        """
        Put the sealed text and blind index of each encrypted field of *unsealed* into its row.

        Raises:
            StoreError: a value is not of its field's type, or a record has no usable data
                key.
        """
        if not unsealed:
            return
        assert self.sealer is not None
        try:
            self.sealer.seal_rows(unsealed)
        except Refused as exc:
            error = StoreError(
                f"record {shorten(exc.record_id)} field {exc.name!r}: cannot store "
                f"{shorten(exc.value)}: {exc}"
            )
            error.unstorable = True  # the value's fault: a batch quarantines its row
            raise error from None

    def provenance(
        self,
        provenance: Mapping[str, Provenance],
        record_id: str = "",
        values: Mapping[str, Any] | None = None,
        known: dict[str, str] | None = None,
    ) -> tuple[dict[str, Any], str, tuple[Group, ...]]:
        """
        *provenance* as JSON data (``{field: [source, observed_at, raw]}``) and its stamps.

        The raw values of encrypted fields are sealed under *record_id*'s data key (or
        kept once with the value, when they are its text: *values* are the record's).
        *known*, when given, gets the text made of each encrypted value to tell that (field
        → text), for `fields` to seal without making it again.

        Returns the data, its ``rk_stamps`` text and the distinct observations (source,
        time as text) in it. Tuples rather than lists: they hold only text and numbers, so
        the garbage collector stops tracking them, which keeps large batches cheap.
        """
        cache = self._iso
        sealed = self._sealed
        sealer = self.sealer
        out: dict[str, Any] = {}
        source0: str | None = None
        at0 = ""
        single = True
        for name, p in provenance.items():
            at = p.observed_at
            text = cache.get(at)
            if text is None:
                if len(cache) > 4096:
                    cache.clear()
                text = cache[at] = iso(at)
            raw = p.raw
            if raw.__class__ is float and not math.isfinite(raw):
                raw = str(raw)
            if sealer is not None and name in sealed:
                value = None if values is None else values.get(name)
                same = False
                if raw.__class__ is str and value is not None:
                    # the value's own text is kept once (sealed in its column): the usual
                    # case, told here without a call (as `Sealer.seal_raw` tells it)
                    if value.__class__ is str:
                        same = raw == value
                    else:
                        try:
                            made = sealer.texts[name](value)
                        except TypeError:
                            pass  # the value is refused when its column is encoded
                        else:
                            same = raw == made
                            if known is not None:
                                known[name] = made
                raw = SAME if same else sealer.seal_raw(record_id, name, raw, value)
            source = p.source
            out[name] = (source, text, raw)
            if text is not at0 or source is not source0:  # usually the very same objects
                if source0 is None:
                    source0, at0 = source, text
                elif text != at0 or source != source0:
                    single = False
        if single and source0 is not None:
            return out, self.summaries.single(source0, at0, tuple(out)), ((source0, at0),)
        stamps, groups = self.summaries.text(out)
        return out, stamps, groups

    # -- reading --------------------------------------------------------------------------

    def decode(self, row: Sequence[Any]) -> Record:
        """
        The record a row holds.

        Raises:
            StoreError: the row holds data recordkit did not write (wrong types, bad JSON).
        """
        record_id = row[0]
        column = "rk_provenance"
        try:
            values: dict[str, Any] = {}
            for name, pos, dec in self._dec:
                raw = row[pos]
                if raw is not None:
                    column = name
                    if dec is _sealed:
                        assert self.sealer is not None
                        values[name] = self.sealer.open(record_id, name, raw)
                    elif name in self._money:
                        currency = row[self._position[self._money[name]]]
                        values[name] = Money(dec(raw), currency)
                    else:
                        values[name] = dec(raw)
            column = "rk_extras"
            extras = row[8]
            if extras is not None:
                for name in extras.get("nulls", ()):
                    values[str(name)] = None
                for name, value in dict(extras.get("unknown", {})).items():
                    values[str(name)] = value
            column = "rk_history"
            history = () if row[9] is None else tuple(_transition(t) for t in row[9])
            column = "rk_provenance"
            stored = row[7]
            if self.sealer is not None:
                stored = self.sealer.open_provenance(record_id, stored, values)
            provenance = {
                str(name): Provenance(source, dt.datetime.fromisoformat(at), raw)
                for name, (source, at, raw) in stored.items()
            }
            self.summaries.check(row[10], row[7], record_id)
            column = "rk_*"
            return Record(
                record_id,
                self.schema.name,
                values,
                provenance=provenance,
                history=history,
                version=_int(row[1]),
                owner=row[2],
                state=row[3],
                stage=row[4],
                created_at=utc(row[5]),
                updated_at=utc(row[6]),
                field_names=self.schema.field_names,
            )
        except (TypeError, ValueError, AttributeError, KeyError, ArithmeticError) as exc:
            raise StoreError(
                f"table {self.table.name}: record {shorten(record_id)} column {column!r} "
                f"holds data recordkit cannot read: {shorten(str(exc), 160)}"
            ) from None

    def stored_provenance(self, text: Any, record_id: str) -> dict[str, Any]:
        """
        A row's provenance JSON read as text, decoded (field → ``[source, at, raw]``).

        The lists are used as they are; `Resolver.winners` reads their items.

        Raises:
            StoreError: it is not provenance recordkit wrote.
        """
        try:
            provenance = json.loads(text)
            if not isinstance(provenance, dict):
                raise TypeError("not an object")
            for item in provenance.values():
                if not isinstance(item, list) or len(item) != 3:
                    raise TypeError("not [source, observed_at, raw]")
                if not isinstance(item[0], str) or not isinstance(item[1], str):
                    raise TypeError("source and time must be text")
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"table {self.table.name}: record {shorten(record_id)} column 'rk_provenance' "
                f"holds data recordkit cannot read ({shorten(str(exc), 120)})"
            ) from None
        return provenance


def history_json(history: Sequence[Transition]) -> list[dict[str, Any]]:
    """
    A record's lifecycle moves as JSON data (every attribute, ``at`` as ISO text).
    """
    out: list[dict[str, Any]] = []
    for t in history:
        item = {a.name: getattr(t, a.name) for a in attrs.fields(Transition)}
        item["at"] = iso(t.at)
        item["rules"] = dict(t.rules)
        out.append(item)
    return out


def _transition(data: Any) -> Transition:
    item = dict(data)
    item["at"] = dt.datetime.fromisoformat(item["at"])
    return Transition(**item)


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"version {shorten(value)} is not a whole number")
    return value
