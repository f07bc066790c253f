"""
Encrypted fields in SQL tables: data keys per record, sealed values, blind indexes.

With ``SQLStore(..., encryption=FieldEncryption(...))`` each encrypted field's column holds
its value as sealed text (AES-256-GCM under the record's data key, base64), whatever the
field's type, and a ``<field>__bidx`` column holds its blind index, so equality queries
still run in the database. The associated data of each sealed value names the table, the
record and the field (and whether it is the value or the provenance's raw value), so a
ciphertext copied to another cell does not open there. Audit events hold an encrypted
field's value as sealed text too (as its column does).

The data keys come from the store's `Keyring` (``rk_keys``). A shredded record's values
read as `Masked` (kind ``shredded``), its raw values as None, and writing it is refused.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from recordkit._errors import StoreError, shorten
from recordkit.governance import DataKey, Masked
from recordkit.schema import (
    Boolean,
    Date,
    DateTime,
    Decimal,
    FieldType,
    Integer,
    Money,
    MoneyType,
    Schema,
)
from recordkit.store._entries import json_safe
from recordkit.store.sql._keyring import Keyring

__all__ = ["SAME", "SEAL_ROWS", "SHREDDED", "Refused", "Sealer", "Unsealed", "index_column"]

SAME: Final = 0
"""
A sealed field's provenance raw value that is the field's own text (kept once, sealed).
"""

SEAL_ROWS: Final = 1024
"""
Rows a bulk write seals together (`Sealer.seal_rows`): enough that a pass's set-up is
spread thin, few enough that the rows waiting for it stay small in memory.
"""
SHREDDED: Final = "shredded"
"""
The `Masked` kind of a value whose data key was destroyed.
"""
_DAYS_KEPT: Final = 8192
"""
Texts of dates a date field keeps (then forgets them all and starts again).
"""
_BULLETS: Final = "•••••"
_SEP: Final = "\x1f"


def index_column(field: str) -> str:
    """
    The name of *field*'s blind-index column.
    """
    return f"{field}__bidx"


# -- typed values as text ------------------------------------------------------------------


def _dec_text(value: decimal.Decimal) -> str:
    if not isinstance(value, decimal.Decimal) or not value.is_finite():
        raise TypeError("expected a finite Decimal")
    return str(value)


def _dec_index(value: decimal.Decimal) -> str:
    text = format(_dec_number(value).normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _dec_number(value: Any) -> decimal.Decimal:
    if not isinstance(value, decimal.Decimal) or not value.is_finite():
        raise TypeError("expected a finite Decimal")
    return value


def _text_codec(
    t: FieldType,
) -> tuple[Callable[[Any], str], Callable[[str], Any], Callable[[Any], str]]:
    """
    For a field type: value → text, text → value, and value → the text its index hashes.
    """
    if isinstance(t, MoneyType):

        def money(v: Any) -> str:
            if not isinstance(v, Money):
                raise TypeError("expected Money")
            return f"{v.currency} {_dec_text(v.amount)}"

        def money_back(s: str) -> Any:
            currency, amount = s.split(" ", 1)
            return Money(decimal.Decimal(amount), currency)

        def money_index(v: Any) -> str:
            if not isinstance(v, Money):
                raise TypeError("expected Money")
            return f"{v.currency} {_dec_index(v.amount)}"

        return money, money_back, money_index
    if isinstance(t, DateTime):

        def instant(v: Any) -> str:
            if not isinstance(v, dt.datetime) or v.tzinfo is None:
                raise TypeError("expected an aware datetime")
            return v.astimezone(dt.UTC).isoformat()

        return instant, dt.datetime.fromisoformat, instant
    if isinstance(t, Date):
        # a date's text, kept: ``isoformat`` formats through printf, and dates repeat
        days: dict[dt.date, str] = {}

        def day(v: Any) -> str:
            text = days.get(v) if v.__class__ is dt.date else None
            if text is None:
                if not isinstance(v, dt.date) or isinstance(v, dt.datetime):
                    raise TypeError("expected a date")
                text = v.isoformat()
                if v.__class__ is dt.date:
                    if len(days) >= _DAYS_KEPT:
                        days.clear()
                    days[v] = text
            return text

        return day, dt.date.fromisoformat, day
    if isinstance(t, Integer):

        def whole(v: Any) -> str:
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError("expected a whole number")
            return str(v)

        return whole, int, whole
    if isinstance(t, Decimal):
        return _dec_text, decimal.Decimal, _dec_index
    if isinstance(t, Boolean):

        def flag(v: Any) -> str:
            if not isinstance(v, bool):
                raise TypeError("expected True or False")
            return "1" if v else "0"

        return flag, lambda s: s == "1", flag

    return _text, str, _text


def _text(v: Any) -> str:
    """
    A text field's value as text: itself (TypeError for anything else).
    """
    if not isinstance(v, str):
        raise TypeError("expected text")
    return v


_Plan = tuple[Callable[[Any], str], Callable[[Any], str] | None, bytes, str, str | None]
_Ready = tuple[
    Callable[[Any], str],
    Callable[[Any], str] | None,
    bytes,
    str,
    str | None,
    Callable[[bytes], str],
    bool,
]


class Refused(TypeError):
    """
    A value an encrypted field cannot hold (not of its type).
    """

    def __init__(self, name: str, value: Any, reason: str, record_id: str = "") -> None:
        super().__init__(reason)
        self.name = name
        self.value = value
        self.record_id = record_id


Unsealed = tuple[str, Sequence[tuple[str, Any]], dict[str, Any], Mapping[str, str] | None]
"""
A row waiting for its encrypted fields (`Sealer.seal_rows`): the record id, its ``(field,
value)`` pairs, the row, and the values known as text already (field → text) or None.
"""


class Sealer:
    """
    Seals and opens the encrypted fields of one schema's table.

    Args:
        keyring: the store's data keys.
        schema: the record type.
        table: its table's name (part of every sealed value's associated data).
        fields: the encrypted fields.
    """

    def __init__(self, keyring: Keyring, schema: Schema, table: str, fields: Sequence[str]) -> None:
        self.keyring = keyring
        self.encryption = keyring.encryption
        self.table = table
        self.fields = frozenset(fields)
        self.index = {name: index_column(name) for name in fields}
        self._codecs = {name: _text_codec(schema.field(name).type) for name in fields}
        self.texts: dict[str, Callable[[Any], str]] = {
            name: to_text for name, (to_text, _, _) in self._codecs.items()
        }
        """
        Field → its value as the text it is sealed as (TypeError for a value not of its type).
        """
        self._index_context = {name: f"{table}{_SEP}{name}" for name in fields}
        self._head = f"{table}{_SEP}".encode()
        self._indexers: dict[str, Callable[[str], str]] = {}
        self._ready: dict[str, _Ready] = {}  # the plans with their indexers
        # field → to text, to the text its index hashes (None: the same), the context's
        # tail after the record id (UTF-8), index column, currency column (money only)
        self._plans: dict[str, _Plan] = {
            name: (
                to_text,
                None if to_index is to_text else to_index,
                f"{_SEP}{name}{_SEP}value".encode(),
                self.index[name],
                f"{name}__currency" if isinstance(schema.field(name).type, MoneyType) else None,
            )
            for name, (to_text, _, to_index) in self._codecs.items()
        }
        self._text_types = frozenset(
            n for n, (to_text, _, _) in self._codecs.items() if to_text is _text
        )

    def _context(self, record_id: str, name: str, part: str) -> str:
        return f"{self.table}{_SEP}{record_id}{_SEP}{name}{_SEP}{part}"

    def _key(self, record_id: str) -> DataKey:
        key = self.keyring.key(record_id)
        if key is None:
            raise StoreError(
                f"record {shorten(record_id)} was crypto-shredded (its data key is destroyed): "
                "it cannot be written again; erase it, or store the person as a new record"
            )
        return key

    def seal_rows(self, rows: Sequence[Unsealed]) -> None:
        """
        Put each ``(field, value)`` of each of *rows* into its row: sealed text, blind index.

        A money field's currency column is left empty (the currency is sealed with the
        amount). A row's known texts (field → what `texts` made of its value) are not made
        again. The rows share one `FieldEncryption.sealer` (one draw of nonces for them
        all, a cipher per record), so a bulk write does not pay a round of calls per
        record; a record's values are checked before its missing or shredded key is told.

        Raises:
            Refused: a value is not of its field's type (naming its record).
            StoreError: a record has no usable data key, or a text is not valid Unicode.
        """
        plans = self._ready or self._prepare()
        held = self.keyring.held()
        seal = self.encryption.sealer(sum(len(pairs) for _, pairs, _, _ in rows))
        for record_id, pairs, row, known in rows:
            # each value's text is encoded once, for its blind index and its seal; the
            # contexts share the table and record part, encoded once per record
            try:
                head = self._head + record_id.encode()
            except UnicodeEncodeError:
                raise StoreError(f"record id {shorten(record_id)} is not valid Unicode") from None
            key = held.get(record_id)
            if key is None:
                self._check(record_id, pairs)  # the values first, as before a key is used
                key = self._key(record_id)  # shredded, or no key at all: raises, saying which
            for name, value in pairs:
                to_text, to_index, tail, index_col, currency_col, index, text_type = plans[name]
                try:
                    if text_type and value.__class__ is str:
                        encoded = value.encode()  # text is its own text: no call
                    else:
                        text = known.get(name) if known else None
                        encoded = (to_text(value) if text is None else text).encode()
                    row[index_col] = index(
                        encoded if to_index is None else to_index(value).encode()
                    )
                except TypeError as exc:
                    raise Refused(name, value, str(exc), record_id) from None
                except UnicodeEncodeError:
                    raise StoreError("a blind index is taken of valid Unicode only") from None
                if currency_col is not None:
                    row[currency_col] = None
                row[name] = seal(key, encoded, head + tail)

    def _check(self, record_id: str, pairs: Sequence[tuple[str, Any]]) -> None:
        """
        Raise `Refused` for the first value of *pairs* not of its field's type.
        """
        for name, value in pairs:
            try:
                self._codecs[name][0](value)
            except TypeError as exc:
                raise Refused(name, value, str(exc), record_id) from None

    def _prepare(self) -> dict[str, _Ready]:
        """
        Each field's plan with its blind-index function (made on first use: the master key).
        """
        encryption = self.encryption
        self._ready = {
            name: (
                *plan,
                encryption.encoded_indexer(self._index_context[name]),
                name in self._text_types,
            )
            for name, plan in self._plans.items()
        }
        return self._ready

    def _indexer(self, name: str) -> Callable[[str], str]:
        index = self._indexers[name] = self.encryption.indexer(self._index_context[name])
        return index

    def blind_index(self, name: str, value: Any) -> str:
        """
        The blind index of *value* in field *name* (of the field's type; else TypeError).
        """
        index = self._indexers.get(name) or self._indexer(name)
        return index(self._codecs[name][2](value))

    def open(self, record_id: str, name: str, token: Any) -> Any:
        """
        The value sealed in *token*; a `Masked` when the record was shredded.

        Raises:
            StoreError: the value does not open (altered, moved, another key), naming the
                record and field.
        """
        key = self.keyring.key(record_id)
        if key is None:
            return Masked(name, SHREDDED, _BULLETS)
        if not isinstance(token, str):
            raise TypeError(f"holds {shorten(token)}, not a sealed value")
        try:
            text = key.open(token, self._context(record_id, name, "value"))
        except StoreError as exc:
            raise StoreError(
                f"table {self.table}: record {shorten(record_id)} field {name!r}: {exc}"
            ) from None
        return self._codecs[name][1](text)

    def seal_raw(self, record_id: str, name: str, raw: Any, value: Any) -> str | int:
        """
        A provenance raw value, sealed (as its JSON text); `SAME` when it is *value*'s text.

        A raw value is usually the text the value was read from, already normalized: then
        it is the value's own text, and the sealed column holds it once.
        """
        if raw.__class__ is str and value is not None:
            if value.__class__ is str and raw == value:
                return SAME  # text: its own text (a value of another type is refused later)
            try:
                if raw == self._codecs[name][0](value):
                    return SAME
            except TypeError:
                pass  # the value is refused when its column is encoded
        text = json.dumps(json_safe(raw, path=name))
        return self._key(record_id).seal(text, self._context(record_id, name, "raw"))

    def open_raw(self, record_id: str, name: str, token: Any, value: Any = None) -> Any:
        """
        A provenance raw value `seal_raw` sealed; ``None`` when the record was shredded.

        *value* is the field's value, read already (for `SAME`).
        """
        key = self.keyring.key(record_id)
        if key is None:
            return None
        if token == SAME and token.__class__ is int:
            return (
                None if value is None or isinstance(value, Masked) else self._codecs[name][0](value)
            )
        if not isinstance(token, str):
            raise TypeError(f"provenance of {name!r} holds {shorten(token)}, not a sealed value")
        try:
            return json.loads(key.open(token, self._context(record_id, name, "raw")))
        except StoreError as exc:
            raise StoreError(
                f"table {self.table}: record {shorten(record_id)} provenance of {name!r}: {exc}"
            ) from None

    def seal_audit(self, record_id: str, name: str, value: Any) -> Any:
        """
        A value an audit event records, sealed; ``None`` stays ``None``.

        A value of the field's type is sealed as its column would hold it; anything else
        (the facade's events hold dates as ISO text) as its JSON text, with the context
        ``audit``.
        """
        if value is None:
            return None
        key = self.keyring.key(record_id)
        if key is None:
            return Masked(name, SHREDDED, _BULLETS).text
        try:
            text = self._codecs[name][0](value)
        except TypeError:
            text = json.dumps(json_safe(value, path=name))
            return key.seal(text, self._context(record_id, name, "audit"))
        return key.seal(text, self._context(record_id, name, "value"))

    def open_provenance(
        self,
        record_id: str,
        provenance: Mapping[str, Any],
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """
        Stored provenance (field → ``[source, at, raw]``) with the raw values opened.

        *values* are the record's values, read already (for `SAME`); without them a
        `SAME` raw value opens as ``None``.
        """
        out = dict(provenance)
        for name in self.fields & out.keys():
            source, at, raw = out[name]
            value = None if values is None else values.get(name)
            out[name] = [source, at, self.open_raw(record_id, name, raw, value)]
        return out
