"""
`Record`: an immutable customer record with per-field provenance.

Records convert to and from plain dicts and JSON through a cattrs converter instance, driven
by the schema so dates, decimals and money come back as what they were.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs
import cattrs

from recordkit._errors import SchemaError, ValidationError, shorten
from recordkit._time import with_utc
from recordkit.schema._schema import Schema

__all__ = ["Provenance", "Record", "Transition", "record_from_dict", "record_to_dict"]


def _utc(value: dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    return with_utc(value)


def _json_scalar(value: object) -> object:
    """
    Raw values are kept as received when JSON can hold them, else as their text.
    """
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@attrs.frozen
class Provenance:
    """
    Where one field's current value came from.

    Args:
        source: the system or channel (``web_form``, ``crm_import``, ``api:billing``).
        observed_at: when that source saw the value (UTC).
        raw: the value exactly as the source gave it, before coercion and normalization.

    .. versionadded:: 0.1.0
    """

    source: str = attrs.field(validator=attrs.validators.instance_of(str))
    observed_at: dt.datetime = attrs.field(converter=_utc)
    raw: Any = attrs.field(default=None, converter=_json_scalar)


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(value, MappingProxyType):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping, got {type(value).__name__}")
    return MappingProxyType(dict(value))


_TEXT = attrs.validators.instance_of(str)
_MAYBE_TEXT = attrs.validators.optional(_TEXT)


@attrs.frozen
class Transition:
    """
    One lifecycle move of a record, kept in `Record.history` (see `recordkit.lifecycle`).

    Args:
        attribute: the record attribute that moved: ``state`` or ``stage``.
        source: where it was (``None`` when a stage is set for the first time).
        target: where it went.
        at: when (UTC).
        actor: who moved it.
        lifecycle: the name of the lifecycle that allowed the move.
        event: the declared event taken (``activate``), ``timer:<days>d`` for a sweep,
            ``skip`` for a forward jump or ``override`` for a regression.
        reason: why (required for overrides).
        override: the move went backwards in a forward-only lifecycle.
        rules: the guards checked, name → version.

    .. versionadded:: 0.1.0
    """

    attribute: str = attrs.field(validator=_TEXT)
    source: str | None = attrs.field(validator=_MAYBE_TEXT)
    target: str = attrs.field(validator=_TEXT)
    at: dt.datetime = attrs.field(converter=_utc)
    actor: str = attrs.field(validator=_TEXT)
    lifecycle: str = attrs.field(default="", kw_only=True, validator=_TEXT)
    event: str = attrs.field(default="", kw_only=True, validator=_TEXT)
    reason: str | None = attrs.field(default=None, kw_only=True, validator=_MAYBE_TEXT)
    override: bool = attrs.field(
        default=False, kw_only=True, validator=attrs.validators.instance_of(bool)
    )
    rules: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_mapping, kw_only=True, hash=False
    )


def _history(value: Any) -> tuple[Transition, ...]:
    items = tuple(value)
    for item in items:
        if not isinstance(item, Transition):
            raise TypeError(f"history holds Transition values, got {type(item).__name__}")
    return items


@attrs.frozen(repr=False)
class Record:
    """
    An immutable record.

    It holds an id, the schema name, field values, per-field provenance, a version, an
    owner, a lifecycle state, a business stage and the history of lifecycle moves.

    A change makes a new `Record` (`evolve`), so a value you hold never shifts under you.
    Equality compares everything; the hash uses id, schema and version only.

    Example:
        >>> import datetime as dt
        >>> r = Record(id="c1", schema="contact", values={"email": "a@b.co"},
        ...            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        >>> r["email"], r.version
        ('a@b.co', 1)

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(validator=attrs.validators.instance_of(str))
    schema: str = attrs.field(validator=attrs.validators.instance_of(str))
    values: Mapping[str, Any] = attrs.field(converter=_frozen_mapping, hash=False)
    provenance: Mapping[str, Provenance] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False, kw_only=True
    )
    version: int = attrs.field(default=1, kw_only=True)
    owner: str | None = attrs.field(default=None, kw_only=True, hash=False)
    state: str = attrs.field(default="captured", kw_only=True, hash=False)
    stage: str | None = attrs.field(default=None, kw_only=True, hash=False)
    created_at: dt.datetime = attrs.field(converter=_utc, kw_only=True, hash=False)
    updated_at: dt.datetime = attrs.field(kw_only=True, hash=False)
    history: tuple[Transition, ...] = attrs.field(
        factory=tuple, converter=_history, kw_only=True, hash=False
    )

    @updated_at.default
    def _updated_default(self) -> dt.datetime:
        return self.created_at

    def __repr__(self) -> str:
        return f"Record({self.schema}:{self.id} v{self.version}, {len(self.present)} values)"

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str, default: Any = None) -> Any:
        """
        The value of field *name*, or *default* when the record has none.
        """
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

    def to_dict(self, schema: Schema) -> dict[str, Any]:
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
_SHELL: Final = ("id", "schema", "version", "owner", "state", "stage", "created_at", "updated_at")


def record_to_dict(record: Record, schema: Schema) -> dict[str, Any]:
    """
    Return *record* as JSON-safe plain data.

    Dates become ISO text, decimals strings, money ``{"amount", "currency"}``; provenance is
    kept per field.

    .. versionadded:: 0.1.0
    """
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


def record_from_dict(data: Mapping[str, Any], schema: Schema) -> Record:
    """
    Build a record from `record_to_dict` output, checking every part.

    Raises:
        ValidationError: the data is not a record of *schema*; says which part is wrong.

    .. versionadded:: 0.1.0
    """
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
        shell = {k: data[k] for k in _SHELL if k in data}
        for k in ("created_at", "updated_at"):
            if k in shell:
                shell[k] = _CONVERTER.structure(shell[k], dt.datetime)
        provenance = {
            name: _CONVERTER.structure(p, Provenance)
            for name, p in dict(data.get("provenance", {})).items()
        }
        history_in = data.get("history", ())
        if not isinstance(history_in, list | tuple):
            raise ValidationError("'history' must be a list of transitions")
        history = tuple(_CONVERTER.structure(t, Transition) for t in history_in)
        return Record(values=values, provenance=provenance, history=history, **shell)
    except ValidationError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, cattrs.BaseValidationError) as exc:
        raise ValidationError(f"not a {schema.name} record: {shorten(exc, 200)}") from None
