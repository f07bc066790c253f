"""
`MergePlan`: everything a merge will do, computed before anything is written, as a value.

It holds the records to write, the originals, the per-cell lineage, the references to
re-point and the match explanations, and converts to JSON-safe plain data and back, so a
store can keep it as the merge's lineage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._frames import arrow_table, check_part, pandas_frame, polars_frame, rows_columns
from recordkit._notebook import cell, html_block, html_table
from recordkit.match._check import instances
from recordkit.match._explain import MatchExplanation
from recordkit.match.merge._lineage import CellLineage, Repoint
from recordkit.match.merge._policy import MergePolicy
from recordkit.schema import JSONObject, Record, Schema, record_from_dict, record_to_dict

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]
    import polars
    import pyarrow  # type: ignore[import-untyped]

__all__ = ["MERGED", "UNMERGEABLE_STATES", "MergeError", "MergePlan"]

_PARTS: Final = ("lineage", "records")

MERGED: Final = "merged"
"""
The state of a record merged into another; it stays readable, and `unmerge` revives it.
"""

UNMERGEABLE_STATES: Final = frozenset({MERGED, "retired", "erased"})
"""
Records in these states cannot take part in a merge.
"""


class MergeError(RecordkitError, ValueError):
    """
    A merge or unmerge was refused before anything was written: the request makes no sense.

    Attributes:
        record_ids: the records concerned.
        reason: what is wrong.

    .. versionadded:: 0.1.0
    """

    def __init__(self, reason: str, *, record_ids: Iterable[str] = ()) -> None:
        self.reason = reason
        self.record_ids = tuple(record_ids)
        super().__init__(reason)


def _plain(value: Any, depth: int = 0) -> Any:
    """
    *value* as JSON-like data (mappings, lists, text, numbers), refusing anything else.
    """
    if depth > 50:
        raise MergeError("the explanation is nested too deeply")
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise MergeError(f"an explanation must be plain data, got {type(value).__name__}")


def _explanations(value: object) -> tuple[MatchExplanation | dict[str, Any], ...]:
    """
    Accept the match explanation(s) behind a merge.

    One or a list, each a `MatchExplanation` or plain data.

    Raises:
        MergeError: an item is neither.
    """
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else [value]
    out: list[MatchExplanation | dict[str, Any]] = []
    for item in items:
        if isinstance(item, MatchExplanation):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(_plain(item))
        else:
            raise MergeError(
                "an explanation is a MatchExplanation or a mapping of plain data, "
                f"got {type(item).__name__}"
            )
    return tuple(out)


def _explanation_from_data(data: Any) -> MatchExplanation | dict[str, Any]:
    if isinstance(data, Mapping) and {"left", "right", "terms"} <= set(data):
        try:
            return MatchExplanation.from_dict(data)
        except RecordkitError:
            pass  # plain data that only looks like an explanation stays plain data
    return _plain(data)  # type: ignore[no-any-return]


def _records(value: Iterable[Record]) -> tuple[Record, ...]:
    return instances(value, Record, "records")


def _repoints(value: Iterable[Repoint]) -> tuple[Repoint, ...]:
    return instances(value, Repoint, "repoints")


def _lineage(value: Iterable[CellLineage]) -> tuple[CellLineage, ...]:
    return instances(value, CellLineage, "lineage")


@attrs.frozen(repr=False)
class MergePlan:
    """
    Everything a merge will do, computed before anything is written.

    Preview it (``dry_run=True``), inspect ``lineage`` and ``repoints``, then apply it. It
    also holds what undoing needs: the originals, exactly as they were read.

    Args:
        id: the merge's id.
        schema: the schema of the merged records.
        at: when the merge is made.
        survivor: the merged record to write (the surviving id, one version later).
        tombstones: the merged-away records to write (state ``merged``, one version later,
            values untouched).
        originals: the records as read, surviving record first.
        lineage: one `CellLineage` per field that any record had a value for.
        repoints: references in other records moved to the survivor.
        policy: the policy that decided.
        explanations: the match explanations (scores, term by term) that led to the merge.

    In a notebook it shows the surviving value of each field and where it came from;
    `to_pandas`, `to_polars` and `to_arrow` give the lineage or the records as a table.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Renders in a notebook; converts to tables.
    """

    id: str
    schema: str
    at: dt.datetime
    survivor: Record
    tombstones: tuple[Record, ...] = attrs.field(converter=_records)
    originals: tuple[Record, ...] = attrs.field(converter=_records)
    lineage: tuple[CellLineage, ...] = attrs.field(converter=_lineage)
    repoints: tuple[Repoint, ...] = attrs.field(converter=_repoints, kw_only=True, default=())
    policy: MergePolicy = attrs.field(factory=MergePolicy, kw_only=True)
    explanations: tuple[MatchExplanation | dict[str, Any], ...] = attrs.field(
        default=(), converter=_explanations, kw_only=True
    )

    def __repr__(self) -> str:
        return (
            f"MergePlan({self.id!r}: {list(self.merged_ids)} into {self.survivor_id!r}, "
            f"{len(self.lineage)} fields, {len(self.repoints)} references)"
        )

    def _repr_html_(self) -> str:
        facts = [("survivor", self.survivor_id), ("merged", ", ".join(self.merged_ids)),
                 ("fields", len(self.lineage)), ("references", len(self.repoints))]  # fmt: skip
        rows = ((c.field, c.value, ", ".join(c.record_ids), c.reason, len(c.losers))
                for c in self.lineage)  # fmt: skip
        table = html_table(("field", "surviving value", "from", "why", "other values"), rows,
                           total=len(self.lineage), limit=30)  # fmt: skip
        return html_block(f"Merge plan {cell(self.id, 60)}", facts, table)

    def _table(self, part: object) -> dict[str, list[object]]:
        part = check_part(part, _PARTS)
        if part == "records":
            records = (self.survivor, *self.originals)
            roles: list[object] = ["golden", *("original" for _ in self.originals)]
            names = self.survivor.field_names
            columns = rows_columns(
                [r.values for r in records], {"_id": [r.id for r in records], "_role": roles}
            )
            for name in names:
                columns.setdefault(name, [None] * len(records))
            return columns
        return {
            "field": [c.field for c in self.lineage],
            "value": [c.value for c in self.lineage],
            "record_ids": [", ".join(c.record_ids) for c in self.lineage],
            "source": [c.source for c in self.lineage],
            "strategy": [cell(c.strategy, 200) for c in self.lineage],
            "reason": [c.reason for c in self.lineage],
            "other_values": [len(c.losers) for c in self.lineage],
        }

    def to_pandas(self, *, part: str = "lineage") -> pandas.DataFrame:
        """
        The plan's lineage or its records as a pandas DataFrame.

        Args:
            part: ``lineage`` (one row per field: the surviving ``value``, the
                ``record_ids`` and ``source`` it came from, the ``strategy`` and
                ``reason`` that chose it, how many ``other_values`` lost) or ``records``
                (the golden record, then the originals: ``_id``, ``_role`` (``golden``
                or ``original``), then every field).

        Raises:
            RecordkitError: *part* is neither, or pandas is not installed (the ``pandas``
                extra).

        .. versionadded:: 0.2.0
        """
        return pandas_frame(self._table(part), "MergePlan.to_pandas")

    def to_polars(self, *, part: str = "lineage") -> polars.DataFrame:
        """
        The plan's lineage or its records as a polars DataFrame (see `to_pandas`).

        Raises:
            RecordkitError: *part* is not a part, or polars is not installed (the
                ``polars`` extra).

        .. versionadded:: 0.2.0
        """
        return polars_frame(self._table(part), "MergePlan.to_polars")

    def to_arrow(self, *, part: str = "lineage") -> pyarrow.Table:
        """
        The plan's lineage or its records as an Arrow table (see `to_pandas`).

        Raises:
            RecordkitError: *part* is not a part, or pyarrow is not installed (the
                ``arrow`` extra).

        .. versionadded:: 0.2.0
        """
        return arrow_table(self._table(part), "MergePlan.to_arrow")

    @property
    def survivor_id(self) -> str:
        """
        The id that lives on.
        """
        return self.survivor.id

    @property
    def merged_ids(self) -> tuple[str, ...]:
        """
        The ids merged away into the survivor.
        """
        return tuple(t.id for t in self.tombstones)

    @property
    def record_ids(self) -> tuple[str, ...]:
        """
        Every record id the merge involves, survivor first.
        """
        return (self.survivor_id, *self.merged_ids)

    def cell(self, field: str) -> CellLineage | None:
        """
        The lineage of *field* (``None`` when no record had a value for it).
        """
        for c in self.lineage:
            if c.field == field:
                return c
        return None

    def to_dict(self, schema: Schema) -> JSONObject:
        """
        The plan as JSON-safe plain data (records through `record_to_dict`).
        """
        return {
            "id": self.id,
            "schema": self.schema,
            "at": self.at.isoformat(),
            "survivor": record_to_dict(self.survivor, schema),
            "tombstones": [record_to_dict(r, schema) for r in self.tombstones],
            "originals": [record_to_dict(r, schema) for r in self.originals],
            "lineage": [c.to_dict(schema) for c in self.lineage],
            "repoints": [p.to_dict() for p in self.repoints],
            "policy": self.policy.to_dict(),
            "explanations": [
                e.to_dict() if isinstance(e, MatchExplanation) else e for e in self.explanations
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], schema: Schema) -> MergePlan:
        """
        The inverse of `to_dict` (an explanation comes back as plain data).

        Raises:
            MergeError: *data* is not a stored merge plan of *schema*.
        """
        if not isinstance(schema, Schema):
            raise MergeError(f"schema must be a Schema, got {shorten(schema)}")
        try:
            return cls(
                data["id"],
                data["schema"],
                dt.datetime.fromisoformat(data["at"]),
                record_from_dict(data["survivor"], schema),
                [record_from_dict(r, schema) for r in data["tombstones"]],
                [record_from_dict(r, schema) for r in data["originals"]],
                [CellLineage.from_dict(c, schema) for c in data["lineage"]],
                repoints=[Repoint.from_dict(p) for p in data.get("repoints", ())],
                policy=MergePolicy.from_dict(data.get("policy") or {}),
                explanations=[_explanation_from_data(e) for e in data.get("explanations", ())],
            )
        except RecordkitError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MergeError(f"not a stored {schema.name} merge: {shorten(exc, 200)}") from None
