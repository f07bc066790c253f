"""
`Record`: an immutable customer record with per-field provenance.

Records convert to and from plain dicts and JSON through a cattrs converter instance, driven
by the schema so dates, decimals and money come back as what they were.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import attrs
import cattrs

from recordkit._errors import SchemaError, ValidationError, shorten
from recordkit._suggest import close_matches
from recordkit.schema._json import JSONObject
from recordkit.schema._record_parts import (
    Provenance,
    Transition,
    _frozen_mapping,
    _history,
    _instant,
    _mapping,
    _maybe_text,
    _name_list,
    _names,
    _text_of,
    _text_value,
    _transitions,
    _utc,
    _version,
)
from recordkit.schema._schema import Schema

__all__ = ["Record", "record_from_dict", "record_to_dict"]


class _UnknownField(SchemaError, KeyError):
    """
    A record read by a name that is no field of its schema.

    A `SchemaError` naming the closest fields, and a `KeyError` as a mapping's missing key is.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""  # not KeyError's quoted repr


@attrs.frozen(repr=False)
class Record:
    """
    An immutable record.

    It holds an id, the schema name, field values, per-field provenance, a version, an
    owner, a lifecycle state, a business stage and the history of lifecycle moves.

    A change makes a new `Record` (`evolve`), so a value you hold never shifts under you.
    Equality compares everything; the hash uses id, schema and version only.

    Reading a field: ``record["email"]`` is its value, ``None`` when the record holds
    none for a field of its schema (``field_names``); a name that is no field of the
    schema raises `SchemaError` (a `KeyError` too) with the closest field names.

    Examples:
        >>> import datetime as dt
        >>> r = Record(id="c1", schema="contact", values={"email": "a@b.co"},
        ...            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ...            field_names=("email", "phone"))
        >>> r["email"], r["phone"], r.version
        ('a@b.co', None, 1)

    Args:
        field_names: the names of the schema's fields, so a field without a value reads
            as ``None``; without them (``()``), only the fields the record holds are
            known. Not part of equality.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``field_names``; reading a field without a value gives ``None``.
    """

    id: str = attrs.field(validator=_text_value)
    schema: str = attrs.field(validator=_text_value)
    values: Mapping[str, Any] = attrs.field(
        converter=_frozen_mapping, validator=_mapping, hash=False
    )
    provenance: Mapping[str, Provenance] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_mapping, hash=False, kw_only=True
    )
    version: int = attrs.field(default=1, kw_only=True, validator=_version)
    owner: str | None = attrs.field(default=None, kw_only=True, hash=False, validator=_maybe_text)
    state: str = attrs.field(default="captured", kw_only=True, hash=False, validator=_text_value)
    stage: str | None = attrs.field(default=None, kw_only=True, hash=False, validator=_maybe_text)
    created_at: dt.datetime = attrs.field(
        converter=_utc, validator=_instant, kw_only=True, hash=False
    )
    updated_at: dt.datetime = attrs.field(kw_only=True, hash=False, validator=_instant)
    history: tuple[Transition, ...] = attrs.field(
        factory=tuple, converter=_history, validator=_transitions, kw_only=True, hash=False
    )
    field_names: tuple[str, ...] = attrs.field(
        default=(), converter=_names, validator=_name_list, kw_only=True, eq=False,
        hash=False, repr=False,
    )  # fmt: skip

    @updated_at.default
    def _updated_default(self) -> dt.datetime:
        return self.created_at

    def __repr__(self) -> str:
        return f"Record({self.schema}:{self.id} v{self.version}, {len(self.present)} values)"

    def __getitem__(self, name: str) -> Any:
        """
        The value of field *name*; ``None`` for a field of the schema without one.

        Raises:
            SchemaError: *name* is no field of the record's schema, with the closest
                names (it is a `KeyError` too); without ``field_names``, *name* is no
                field the record holds a value for.
        """
        try:
            return self.values[name]
        except KeyError:
            if name in self.field_names:
                return None
        except TypeError:
            pass  # an unhashable name is no field either
        if not self.field_names:  # the schema's fields are not known: say only what is
            raise _UnknownField(
                f"the record holds no value for {shorten(name)}",
                source=self.schema,
                suggestions=close_matches(_text_of(name), tuple(self.values)),
            )
        raise _UnknownField(
            f"{shorten(name)} is no field of {self.schema!r}",
            source=self.schema,
            suggestions=close_matches(_text_of(name), self.field_names),
        )

    def get(self, name: str, default: Any = None) -> Any:
        """
        The value of field *name*, or *default* when the record has none.

        Raises:
            ValidationError: *name* is not text.
        """
        if not isinstance(name, str):
            raise ValidationError(f"name must be a field name (text), got {shorten(name)}")
        value = self.values.get(name)
        return default if value is None else value

    @property
    def present(self) -> dict[str, Any]:
        """
        The fields that hold a value.
        """
        return {k: v for k, v in self.values.items() if v is not None}

    def evolve(self, **changes: Any) -> Record:
        """
        Return a copy with *changes* applied (attrs ``evolve``); the version is unchanged.
        """
        return attrs.evolve(self, **changes)

    def to_dict(self, schema: Schema) -> JSONObject:
        """
        Return this record as JSON-safe plain data (see `record_to_dict`).
        """
        return record_to_dict(self, schema)

    def to_json(self, schema: Schema) -> str:
        """
        Return this record as a JSON document.
        """
        return json.dumps(record_to_dict(self, schema), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], schema: Schema) -> Record:
        """
        Build a record from `to_dict` output (see `record_from_dict`).
        """
        return record_from_dict(data, schema)

    @classmethod
    def many(
        cls,
        schema: str,
        rows: Iterable[tuple[str, Mapping[str, object]]],
        *,
        created_at: dt.datetime,
        field_names: Sequence[str] = (),
    ) -> list[Record]:
        """
        New records of one schema, one per ``(id, values)`` of *rows*, all made at *created_at*.

        The same records ``Record(id=..., schema=schema, values=..., created_at=created_at,
        field_names=field_names)`` makes one by one, with what they share checked once: the
        fast way to turn a table into records.

        Examples:
            >>> import datetime as dt
            >>> at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            >>> rows = [("c1", {"email": "a@b.co"}), ("c2", {"email": "c@d.co"})]
            >>> [r["email"] for r in Record.many("contact", rows, created_at=at)]
            ['a@b.co', 'c@d.co']

        Raises:
            ValidationError: *rows* is not a list of ``(id, values)`` pairs, an id is not
                text or values not a mapping (the row named), or a shared argument is bad.

        .. versionadded:: 0.2.0
        """
        shape = cls(id="", schema=schema, values={}, created_at=created_at, field_names=field_names)
        if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
            raise ValidationError(f"rows must be a list of (id, values) pairs, got {shorten(rows)}")
        # each slot set through its descriptor: the class is frozen, and this is its
        # constructor's work without the checks already made on *shape*
        shared = [(getattr(cls, name).__set__, getattr(shape, name)) for name in _MANY_SHARED]
        set_id, set_values = (getattr(cls, name).__set__ for name in ("id", "values"))
        new = object.__new__
        out = []
        for n, row in enumerate(rows):
            if not isinstance(row, tuple) or len(row) != 2:
                raise ValidationError(f"row {n} must be an (id, values) pair, got {shorten(row)}")
            rid, values = row
            if not isinstance(rid, str):
                raise ValidationError(f"row {n}: the id must be text, got {shorten(rid)}")
            if not isinstance(values, Mapping):
                raise ValidationError(f"row {n}: values must be a mapping, got {shorten(values)}")
            record = new(cls)
            for put, value in shared:
                put(record, value)
            set_id(record, rid)
            set_values(record, MappingProxyType(dict(values)))
            out.append(record)
        return out

    @classmethod
    def from_json(cls, text: str | bytes, schema: Schema) -> Record:
        """
        Build a record from `to_json` output.
        """
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"not a JSON record: {exc}"[:300]) from None
        return record_from_dict(data, schema)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_unstructure_hook(dt.datetime, lambda v: v.isoformat())
    conv.register_structure_hook(dt.datetime, lambda v, _: dt.datetime.fromisoformat(v))
    conv.register_unstructure_hook(MappingProxyType, dict)
    return conv


_CONVERTER: Final = _make_converter()
_MANY_SHARED: Final = tuple(a.name for a in attrs.fields(Record) if a.name not in ("id", "values"))
"""
What every record `Record.many` makes shares: all but the id and the values.
"""
_SHELL: Final = ("id", "schema", "version", "owner", "state", "stage", "created_at", "updated_at")


def _check_schema(schema: object) -> None:
    if not isinstance(schema, Schema):
        raise SchemaError(f"schema must be a Schema, got {shorten(schema)}")


def record_to_dict(record: Record, schema: Schema) -> JSONObject:
    """
    Return *record* as JSON-safe plain data.

    Dates become ISO text, decimals strings, money ``{"amount", "currency"}``; provenance is
    kept per field.

    Raises:
        ValidationError: *record* is not a `Record`, or holds a value its field cannot.
        SchemaError: *schema* is not a `Schema`, is not the record's, or lacks a field the
            record holds.

    .. versionadded:: 0.1.0
    """
    _check_schema(schema)
    if not isinstance(record, Record):
        raise ValidationError(f"record must be a Record, got {shorten(record)}")
    if record.schema != schema.name:
        raise SchemaError(f"record {record.id!r} is a {record.schema!r}, not a {schema.name!r}")
    out: dict[str, Any] = {k: _CONVERTER.unstructure(getattr(record, k)) for k in _SHELL}
    out["values"] = {
        name: schema.field(name).type.dump(value) for name, value in record.values.items()
    }
    out["provenance"] = {
        name: _CONVERTER.unstructure(p, Provenance) for name, p in record.provenance.items()
    }
    out["history"] = [_CONVERTER.unstructure(t, Transition) for t in record.history]
    return out


def record_from_dict(data: Mapping[str, object], schema: Schema) -> Record:
    """
    Build a record from `record_to_dict` output, checking every part.

    Raises:
        ValidationError: the data is not a record of *schema*; says which part is wrong.

    .. versionadded:: 0.1.0
    """
    _check_schema(schema)
    if not isinstance(data, Mapping):
        raise ValidationError(f"a record is a mapping, got {type(data).__name__}")
    try:
        values_in = data.get("values", {})
        if not isinstance(values_in, Mapping):
            raise ValidationError("'values' must be a mapping")
        values = {}
        for name, dumped in values_in.items():
            if name not in schema:
                raise ValidationError(f"unknown field {shorten(name)} for schema {schema.name!r}")
            values[name] = schema.field(name).coerce(schema.field(name).type.load(dumped))
        shell: dict[str, Any] = {k: data[k] for k in _SHELL if k in data}
        for k in ("created_at", "updated_at"):
            if k in shell:
                shell[k] = _CONVERTER.structure(shell[k], dt.datetime)
        provenance_in: Any = data.get("provenance", {})
        provenance = {
            name: _CONVERTER.structure(p, Provenance) for name, p in dict(provenance_in).items()
        }
        history_in = data.get("history", ())
        if not isinstance(history_in, list | tuple):
            raise ValidationError("'history' must be a list of transitions")
        history = tuple(_CONVERTER.structure(t, Transition) for t in history_in)
        return Record(
            values=values,
            provenance=provenance,
            history=history,
            field_names=schema.field_names,
            **shell,
        )
    except ValidationError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, cattrs.BaseValidationError) as exc:
        raise ValidationError(f"not a {schema.name} record: {shorten(exc, 200)}") from None
