"""
`MergePlan`: everything a merge will do, computed before anything is written, as a value.

It holds the records to write, the originals, the per-cell lineage, the references to
re-point and the match explanations, and converts to JSON-safe plain data and back, so a
store can keep it as the merge's lineage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit.match._check import instances
from recordkit.match._explain import MatchExplanation
from recordkit.match.merge._lineage import CellLineage, Repoint
from recordkit.match.merge._policy import MergePolicy
from recordkit.schema import JSONObject, Record, Schema, record_from_dict, record_to_dict

__all__ = ["MERGED", "UNMERGEABLE_STATES", "MergeError", "MergePlan"]

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

    .. versionadded:: 0.1.0
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
