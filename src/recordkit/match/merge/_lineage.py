"""
Merge lineage: where every value in a merged record came from, and what lost.

`CellLineage` is one field of one merge: the surviving value, the records and source it came
from, the strategy and its reason, and every candidate value (winners and losers alike), so a
losing value is never dropped. `Repoint` is one reference in another record (a deal's
``contact_id``) that a merge moved from a merged-away record to the survivor.

All of them convert to plain JSON-safe data and back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from recordkit._errors import ValidationError, shorten
from recordkit.match._check import instances, items, reading, texts
from recordkit.schema import Field, JSONObject, Provenance, Record, Schema

__all__ = ["CellLineage", "CellValue", "Repoint", "provenance_from_data", "provenance_to_data"]


def provenance_to_data(p: Provenance | None) -> dict[str, Any] | None:
    """
    *p* as plain data (``None`` stays ``None``).
    """
    if p is None:
        return None
    return {"source": p.source, "observed_at": p.observed_at.isoformat(), "raw": p.raw}


def provenance_from_data(data: object) -> Provenance | None:
    """
    The inverse of `provenance_to_data`.

    Raises:
        ValidationError: *data* is not a provenance mapping.
    """
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise ValidationError(f"provenance is a mapping, got {shorten(data)}")
    try:
        return Provenance(
            data["source"], dt.datetime.fromisoformat(data["observed_at"]), data.get("raw")
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"bad provenance {shorten(data)}: {shorten(exc)}") from None


@attrs.frozen
class CellValue:
    """
    One record's value for a field, as it was when the records were merged.

    Args:
        record_id: the record that held it.
        value: the typed value.
        provenance: where that record had it from (``None`` when it had no provenance).

    .. versionadded:: 0.1.0
    """

    record_id: str
    value: Any
    provenance: Provenance | None = None

    @property
    def source(self) -> str | None:
        """
        The source the value came from, if known.
        """
        return None if self.provenance is None else self.provenance.source

    def to_dict(self, field: Field) -> JSONObject:
        """
        Plain data, with the value dumped by *field*'s type.
        """
        return {
            "record_id": self.record_id,
            "value": field.type.dump(self.value),
            "provenance": provenance_to_data(self.provenance),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], field: Field) -> CellValue:
        """
        The inverse of `to_dict`.
        """
        with reading("not a stored cell value"):
            return cls(
                data["record_id"],
                field.coerce(field.type.load(data["value"])),
                provenance_from_data(data.get("provenance")),
            )


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return texts(value, "record_ids")


def _cells(value: Any) -> tuple[CellValue, ...]:
    return instances(value, CellValue, "candidates")


@attrs.frozen
class CellLineage:
    """
    The lineage of one field of a merged record.

    Args:
        field: the field name.
        value: the surviving value (``None``: the field was left empty).
        record_ids: the records the surviving value came from.
        strategy: the survivorship strategy that chose it, as plain data.
        reason: why it won, for people.
        candidates: every non-empty value the merged records held for the field, in rank
            order, the winners included.

    .. versionadded:: 0.1.0
    """

    field: str
    value: Any
    record_ids: tuple[str, ...] = attrs.field(converter=_ids)
    strategy: Any
    reason: str
    candidates: tuple[CellValue, ...] = attrs.field(converter=_cells)

    @property
    def source(self) -> str | None:
        """
        The source of the surviving value (its first contributing record's), if known.
        """
        for c in self.candidates:
            if c.record_id in self.record_ids:
                return c.source
        return None

    @property
    def losers(self) -> tuple[CellValue, ...]:
        """
        The candidate values that did not survive (kept here, never dropped).
        """
        return tuple(c for c in self.candidates if not self.kept(c))

    def kept(self, cell: CellValue) -> bool:
        """
        Whether *cell*'s value is in the surviving value.
        """
        if self.value is None:
            return False
        if isinstance(self.value, tuple | frozenset) and not isinstance(
            cell.value, tuple | frozenset
        ):
            return cell.value in self.value
        if isinstance(self.value, tuple | frozenset):
            return all(item in self.value for item in cell.value)
        return bool(cell.value == self.value)

    def to_dict(self, schema: Schema) -> JSONObject:
        """
        Plain data, values dumped by the field's type in *schema*.
        """
        f = schema.field(self.field)
        return {
            "field": self.field,
            "value": f.type.dump(self.value) if self.value is not None else None,
            "record_ids": list(self.record_ids),
            "strategy": self.strategy,
            "reason": self.reason,
            "candidates": [c.to_dict(f) for c in self.candidates],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], schema: Schema) -> CellLineage:
        """
        The inverse of `to_dict`.
        """
        with reading("not a stored cell lineage"):
            f = schema.field(data["field"])
            value = data.get("value")
            return cls(
                f.name,
                None if value is None else f.coerce(f.type.load(value)),
                data["record_ids"],
                _thaw(data.get("strategy")),
                data.get("reason", ""),
                [
                    CellValue.from_dict(c, f)
                    for c in items(data.get("candidates", ()), "candidates")
                ],
            )


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(v) for v in value]
    return value


@attrs.frozen
class Repoint:
    """
    A reference that a merge moved from a merged-away record to the survivor.

    Args:
        schema: the schema of the record holding the reference (``deal``).
        record_id: that record.
        field: the reference field (``contact_id``).
        old: the id it held (a merged-away record).
        new: the id it holds after the merge (the survivor).
        provenance: the field's provenance before the merge, restored on unmerge.
        version: the record's version before the merge.

    .. versionadded:: 0.1.0
    """

    schema: str
    record_id: str
    field: str
    old: str
    new: str
    provenance: Provenance | None
    version: int

    def apply(self, record: Record, *, at: dt.datetime) -> Record:
        """
        *record* with the reference moved to the survivor (one version later).
        """
        return record.evolve(
            values={**record.values, self.field: self.new},
            provenance={**record.provenance, self.field: Provenance("merge", at, self.old)},
            version=record.version + 1,
            updated_at=at,
        )

    def revert(self, record: Record, *, at: dt.datetime) -> Record:
        """
        *record* with the reference and its provenance put back (one version later).
        """
        provenance = dict(record.provenance)
        if self.provenance is None:
            provenance.pop(self.field, None)
        else:
            provenance[self.field] = self.provenance
        return record.evolve(
            values={**record.values, self.field: self.old},
            provenance=provenance,
            version=record.version + 1,
            updated_at=at,
        )

    def to_dict(self) -> JSONObject:
        """
        Plain data.
        """
        return {
            "schema": self.schema,
            "record_id": self.record_id,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "provenance": provenance_to_data(self.provenance),
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Repoint:
        """
        The inverse of `to_dict`.
        """
        with reading("not a stored repoint"):
            return cls(
                data["schema"],
                data["record_id"],
                data["field"],
                data["old"],
                data["new"],
                provenance_from_data(data.get("provenance")),
                int(data["version"]),
            )
