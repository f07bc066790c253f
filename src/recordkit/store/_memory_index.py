"""
`MemoryIndexRows`: a persistent index's rows in a `MemoryStore`, under its transactions.

Every change records its undo in the store's journal, so the rows roll back with the
records they describe; the journal's lock makes writers take turns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from recordkit._errors import StoreError, shorten
from recordkit.match.index import IndexRow, IndexRows
from recordkit.store._journal import Journal

__all__ = ["MemoryIndexData", "MemoryIndexRows"]

_SEP: Final = "\x1e"


class MemoryIndexData:
    """
    The rows of one named index in a memory store (plain dicts, changed through the journal).
    """

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.rows: dict[str, IndexRow] = {}
        self.blocks: dict[str, tuple[str, ...]] = {}
        self.links: dict[str, Mapping[str, float]] = {}
        self.members: dict[str, tuple[str, ...]] = {}


def _block(rule: int, key: str) -> str:
    return f"{rule}{_SEP}{key}"


class MemoryIndexRows(IndexRows):
    """
    `IndexRows` over a `MemoryIndexData`, journaled by the store's `Journal`.

    Args:
        name: the index's name.
        data: its rows.
        journal: the store's transactions.
    """

    def __init__(self, name: str, data: MemoryIndexData, journal: Journal) -> None:
        self.name = name
        self._data = data
        self._journal = journal

    def __repr__(self) -> str:
        return f"MemoryIndexRows({self.name!r})"

    def fingerprint(self) -> str | None:
        """
        The fingerprint of the settings the rows were built with (``None``: new).
        """
        with self._journal.lock:
            return self._data.meta.get("fingerprint")

    def set_fingerprint(self, fingerprint: str) -> None:
        """
        Keep *fingerprint*.
        """
        with self._journal.transaction():
            self._journal.assign(self._data.meta, "fingerprint", fingerprint)

    def model(self) -> str | None:
        """
        The model kept with the index (JSON text), if any.
        """
        with self._journal.lock:
            return self._data.meta.get("model")

    def set_model(self, model: str) -> None:
        """
        Keep *model* (JSON text).
        """
        if not isinstance(model, str):
            raise StoreError(f"an index's model is JSON text, got {shorten(model)}")
        with self._journal.transaction():
            self._journal.assign(self._data.meta, "model", model)

    def count(self) -> int:
        """
        How many records the index holds.
        """
        with self._journal.lock:
            return len(self._data.rows)

    def block(self, rule: int, key: str, limit: int) -> list[str] | None:
        """
        The records with *key* under rule *rule*; ``None`` when more than *limit*.
        """
        with self._journal.lock:
            members = self._data.blocks.get(_block(rule, key), ())
        return None if len(members) > limit else list(members)

    def rows(self, record_ids: Sequence[str]) -> dict[str, IndexRow]:
        """
        The rows of *record_ids* in the index.
        """
        with self._journal.lock:
            rows = self._data.rows
            return {rid: rows[rid] for rid in record_ids if rid in rows}

    def members(self, entity_ids: Sequence[str]) -> dict[str, list[str]]:
        """
        The records of each entity of *entity_ids*.
        """
        with self._journal.lock:
            members = self._data.members
            return {e: list(members[e]) for e in entity_ids if members.get(e)}

    def entities(self) -> dict[str, str]:
        """
        Record id → entity id, for every record.
        """
        with self._journal.lock:
            return {rid: row.entity_id or rid for rid, row in self._data.rows.items()}

    def links(self, record_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """
        The matches of each of *record_ids*.
        """
        with self._journal.lock:
            links = self._data.links
            return {rid: dict(links[rid]) for rid in record_ids if rid in links}

    def put(self, rows: Sequence[IndexRow]) -> None:
        """
        Add *rows*.

        Raises:
            StoreError: a record is in the index already.
        """
        data, journal = self._data, self._journal
        with journal.transaction():
            for row in rows:
                if not isinstance(row, IndexRow):
                    raise StoreError(f"index rows are IndexRow values, got {shorten(row)}")
                if row.record_id in data.rows:
                    raise StoreError(f"record {shorten(row.record_id)} is in the index already")
                journal.assign(data.rows, row.record_id, row)
                for rule, key in row.keys:
                    name = _block(rule, key)
                    journal.assign(data.blocks, name, (*data.blocks.get(name, ()), row.record_id))
                if row.entity_id is not None:
                    self._join(row.record_id, row.entity_id)

    def _join(self, record_id: str, entity_id: str) -> None:
        members = self._data.members
        self._journal.assign(members, entity_id, (*members.get(entity_id, ()), record_id))

    def _leave(self, record_id: str, entity_id: str) -> None:
        members = self._data.members
        rest = tuple(r for r in members.get(entity_id, ()) if r != record_id)
        if rest:
            self._journal.assign(members, entity_id, rest)
        else:
            self._journal.remove(members, entity_id)

    def link(self, edges: Sequence[tuple[str, str, float]]) -> None:
        """
        Keep the matches *edges*, both ways.
        """
        links, journal = self._data.links, self._journal
        with journal.transaction():
            for a, b, weight in edges:
                journal.assign(links, a, {**links.get(a, {}), b: float(weight)})
                journal.assign(links, b, {**links.get(b, {}), a: float(weight)})

    def set_entities(self, entities: Mapping[str, str]) -> None:
        """
        Set the entity ids of indexed records.
        """
        data, journal = self._data, self._journal
        with journal.transaction():
            for rid, entity in entities.items():
                row = data.rows.get(rid)
                if row is None:
                    continue
                if row.entity_id is not None:
                    self._leave(rid, row.entity_id)
                journal.assign(
                    data.rows, rid, IndexRow(rid, row.values, row.keys, entity_id=entity)
                )
                self._join(rid, entity)

    def drop(self, record_ids: Sequence[str]) -> int:
        """
        Take *record_ids* out: rows, keys and matches. How many were in.
        """
        data, journal = self._data, self._journal
        dropped = 0
        with journal.transaction():
            for rid in dict.fromkeys(record_ids):
                row = data.rows.get(rid)
                if row is None:
                    continue
                dropped += 1
                journal.remove(data.rows, rid)
                for rule, key in row.keys:
                    name = _block(rule, key)
                    rest = tuple(r for r in data.blocks.get(name, ()) if r != rid)
                    if rest:
                        journal.assign(data.blocks, name, rest)
                    else:
                        journal.remove(data.blocks, name)
                if row.entity_id is not None:
                    self._leave(rid, row.entity_id)
                for other in data.links.get(rid, {}):
                    theirs = {k: w for k, w in data.links.get(other, {}).items() if k != rid}
                    if theirs:
                        journal.assign(data.links, other, theirs)
                    else:
                        journal.remove(data.links, other)
                journal.remove(data.links, rid)
        return dropped

    def clear(self) -> None:
        """
        Take every record out, and forget the fingerprint.
        """
        with self._journal.transaction():
            self.drop(list(self._data.rows))
            self._journal.remove(self._data.meta, "fingerprint")
            self._journal.remove(self._data.meta, "model")

    def entity_taken(self, entity_id: str) -> bool:
        """
        Whether a record has *entity_id* as its entity.
        """
        with self._journal.lock:
            return bool(self._data.members.get(entity_id))
