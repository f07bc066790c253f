"""
Where a `PersistentIndex` keeps what it knows: the `IndexRows` port, one row per record.

A store implements the port (`Store.index_rows`): the rows live beside the records, are
written in the caller's open transaction, and so commit or roll back with the records they
describe, survive a restart and are shared by every process using the same database.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Final

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit.match._matcher import Matcher

__all__ = ["KEY_SEP", "IndexMismatch", "IndexRow", "IndexRows", "fingerprint_of"]

KEY_SEP: Final = "\x1f"
"""
Joins the parts of a blocking key into the text an `IndexRow` keeps.
"""

Value = str | int | float | bool | None
"""
A prepared comparison value: what a matcher's ``prepare`` step makes of a field.
"""


_PLAIN: Final = frozenset({str, int, float, bool, type(None)})
"""
The exact types of prepared values (subclasses are checked one by one).
"""


def _values(value: Mapping[str, Value]) -> dict[str, Value]:
    if not isinstance(value, Mapping):
        raise RecordkitError(f"an index row's values are a mapping, got {shorten(value)}")
    out: dict[str, Value] = {}
    for name, v in value.items():
        if name.__class__ is str and v.__class__ in _PLAIN:  # the usual case, without calls
            out[name] = v
            continue
        if not isinstance(name, str) or not (v is None or isinstance(v, str | int | float)):
            raise RecordkitError(
                f"an index row's values are text, numbers or None by column name, got "
                f"{shorten(name)}: {shorten(v)}"
            )
        out[name] = v
    return out


def _keys(value: Sequence[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    if not isinstance(value, list | tuple):
        raise RecordkitError(
            f"an index row's keys are a list of (rule number, key text), got {shorten(value)}"
        )
    out: list[tuple[int, str]] = []
    for item in value:
        if (
            not isinstance(item, tuple)
            or len(item) != 2
            or item[0].__class__ is not int
            or not isinstance(item[1], str)
        ):
            raise RecordkitError(
                f"an index row's keys are (rule number, key text) pairs, got {shorten(item)}"
            )
        out.append(item)
    return tuple(out)


@attrs.frozen
class IndexRow:
    """
    What a persistent index keeps of one record: prepared values, blocking keys, entity.

    Args:
        record_id: the record.
        values: its prepared comparison values, by column (text, numbers or None).
        keys: its blocking keys: (rule number in the matcher's blocking, key text with
            the parts joined by `KEY_SEP`).
        entity_id: the entity it belongs to (``None`` until it is clustered).

    .. versionadded:: 0.2.0
    """

    record_id: str
    values: Mapping[str, Value] = attrs.field(converter=_values)
    keys: tuple[tuple[int, str], ...] = attrs.field(converter=_keys)
    entity_id: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.record_id, str) or not self.record_id:
            raise RecordkitError(f"an index row needs a record id, got {shorten(self.record_id)}")
        if self.entity_id is not None and (
            not isinstance(self.entity_id, str) or not self.entity_id
        ):
            raise RecordkitError(
                f"an index row's entity id is text or None, got {shorten(self.entity_id)}"
            )


class IndexRows(ABC):
    """
    The rows of one named persistent index, in a store (`Store.index_rows`).

    Every method works inside the store's open transaction when there is one (writes
    commit or roll back with it), else in a transaction of its own.

    .. versionadded:: 0.2.0
    """

    name: str

    @abstractmethod
    def fingerprint(self) -> str | None:
        """
        The fingerprint of the matching settings the rows were built with (``None``: new).
        """

    @abstractmethod
    def set_fingerprint(self, fingerprint: str) -> None:
        """
        Keep *fingerprint* as the settings the rows are built with.
        """

    @abstractmethod
    def model(self) -> str | None:
        """
        The model the index last scored with, as JSON text (``None``: none kept).
        """

    @abstractmethod
    def set_model(self, model: str) -> None:
        """
        Keep *model* (JSON text) as the one the index scores with.
        """

    @abstractmethod
    def count(self) -> int:
        """
        How many records the index holds.
        """

    @abstractmethod
    def block(self, rule: int, key: str, limit: int) -> list[str] | None:
        """
        The records with blocking key *key* under rule number *rule*.

        ``None`` when there are more than *limit* of them.
        """

    def blocks(
        self, keys: Sequence[tuple[int, str]], limit: int
    ) -> dict[tuple[int, str], list[str] | None]:
        """
        `block` of each of *keys* (rule number, key text): many lookups' keys at once.
        """
        return {key: self.block(key[0], key[1], limit) for key in dict.fromkeys(keys)}

    def candidates(
        self, keys: Sequence[tuple[int, str]], limit: int
    ) -> tuple[dict[tuple[int, str], list[str] | None], dict[str, IndexRow]]:
        """
        A lookup's reads at once: `blocks` of *keys*, and the rows of their members.

        A database store answers in one statement.
        """
        blocks = self.blocks(keys, limit)
        members = [rid for found in blocks.values() if found for rid in found]
        return blocks, self.rows(list(dict.fromkeys(members)))

    @abstractmethod
    def rows(self, record_ids: Sequence[str]) -> dict[str, IndexRow]:
        """
        The rows of *record_ids* that are in the index, by record id.
        """

    def entity_ids(self, record_ids: Sequence[str]) -> dict[str, str | None]:
        """
        The entity id of each of *record_ids* that is in the index (``None``: unclustered).

        Stores override it to read only that column; this default reads whole rows.
        """
        return {rid: row.entity_id for rid, row in self.rows(record_ids).items()}

    @abstractmethod
    def members(self, entity_ids: Sequence[str]) -> dict[str, list[str]]:
        """
        The records of each of *entity_ids* (entities with none are absent).
        """

    @abstractmethod
    def entities(self) -> dict[str, str]:
        """
        Record id → entity id, for every record in the index.
        """

    @abstractmethod
    def links(self, record_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """
        The matches of each of *record_ids*: other record → weight (both ways are kept).
        """

    @abstractmethod
    def put(self, rows: Sequence[IndexRow]) -> None:
        """
        Add *rows* (records not in the index yet).

        Raises:
            StoreError: a record is in the index already, or the database failed.
        """

    @abstractmethod
    def link(self, edges: Sequence[tuple[str, str, float]]) -> None:
        """
        Keep the matches *edges*: (record, other record, weight), both ways.
        """

    @abstractmethod
    def set_entities(self, entities: Mapping[str, str]) -> None:
        """
        Set the entity ids of indexed records.
        """

    @abstractmethod
    def drop(self, record_ids: Sequence[str]) -> int:
        """
        Take *record_ids* out: their rows, blocking keys and matches. How many were in.
        """

    @abstractmethod
    def clear(self) -> None:
        """
        Take every record out, and forget the fingerprint (before a rebuild).
        """

    def taken(self, entity_ids: Sequence[str]) -> set[str]:
        """
        Which of *entity_ids* some indexed record has as its entity id.
        """
        return {e for e in entity_ids if self.entity_taken(e)}

    @abstractmethod
    def entity_taken(self, entity_id: str) -> bool:
        """
        Whether an indexed record has *entity_id* as its entity id.
        """

    def lock_all(self) -> None:  # noqa: B027 - optional
        """
        Make every other writer of this index wait until the transaction ends (a batch).
        """

    def lock(self, keys: Sequence[tuple[int, str]]) -> None:  # noqa: B027 - optional
        """
        Make concurrent writers that share any of *keys* take turns.

        Until the transaction ends; a database whose transactions already serialize
        writers needs nothing.
        """


class IndexMismatch(RecordkitError):
    """
    A persistent index was built with other matching settings than the matcher's.

    Its rows hold values prepared, and keys made, another way: lookups would miss. Rebuild
    it (`PersistentIndex.rebuild`, or `Steward.rebuild_index`).

    .. versionadded:: 0.2.0
    """


def fingerprint_of(matcher: Matcher) -> str:
    """
    What a persistent index's rows depend on, as a SHA-256 (hex).

    That is the prepared columns and the blocking rules: a refitted model or a new
    threshold keeps the same fingerprint.

    .. versionadded:: 0.2.0
    """
    if not isinstance(matcher, Matcher):
        raise RecordkitError(f"fingerprint_of takes a Matcher, got {shorten(matcher)}")
    data = {
        "columns": list(matcher.columns),
        "prepare": {c: p.to_dict() for c, p in sorted(matcher.prepare.items())},
        "blocking": [rule.to_dict() for rule in matcher.blocking],
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
