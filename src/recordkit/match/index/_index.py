"""
`Index`: the incremental, point-of-entry side of matching.

It answers "is this new record a duplicate, of which records, how sure, and why" from a
fitted `Matcher`: the new record's blocking keys find candidates through hash maps, the
candidates are compared as small arrays, and every match comes with its explanation.
Added records join clusters; the cluster they touch is re-partitioned with the same guarded
rule the batch run uses, so feeding records one by one ends in the batch run's clusters.
Entity ids stay stable: a record that bridges two clusters makes an explicit, recorded
`ClusterMerge` (see `_entities`, which keeps the matches and the entities).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, shorten
from recordkit.match._cluster import Assignment, ClusterMerge, ClusterSplit
from recordkit.match._data import Prepared
from recordkit.match._dedupe import strong_weight
from recordkit.match._factored import Objects
from recordkit.match._matcher import Matcher
from recordkit.match.index._against import score_against
from recordkit.match.index._batch import BatchLookups, Screened, joined, score_rows, within
from recordkit.match.index._entities import Entities
from recordkit.match.index._lookup import RULE_WEIGHT, Added, Lookup
from recordkit.match.index._prepared import found_matches, id_list, prepare_batch, prepare_one
from recordkit.schema import Record

__all__ = ["Index"]


class _Column:
    """
    A growable numpy column (doubling capacity), for appends in amortised O(1).
    """

    def __init__(self, first: npt.NDArray[Any]) -> None:
        self.data = first
        self.size = len(first)

    def append(self, rows: npt.NDArray[Any]) -> None:
        need = self.size + len(rows)
        if need > len(self.data):
            grown = np.empty(
                (max(need, 2 * len(self.data), 16), *self.data.shape[1:]), self.data.dtype
            )
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = rows
        self.size = need

    def view(self) -> npt.NDArray[Any]:
        return self.data[: self.size]


class Index:
    """
    An incremental index of records for point-of-entry duplicate checks.

    Examples:
        >>> from recordkit.match import (Index, Matcher, WeightedRules, block_on,
        ...                              email_comparison, name_comparison)
        >>> m = Matcher([email_comparison("email"), name_comparison("last_name")],
        ...             [block_on("email")], prepare={"email": "email", "last_name": "name"},
        ...             model=WeightedRules({"email": {"exact": 10}}), threshold=10)
        >>> index = Index(m)
        >>> index.add({"email": "ada@example.com", "last_name": "Lovelace"}, id="c1").entity_id
        'c1'
        >>> index.lookup({"email": "ADA@example.com"}).best.record_id
        'c1'

    Args:
        matcher: a fitted matcher (its model, blocking and threshold are used).
        max_block: a blocking key shared by more records than this is not used for lookups
            (the lookup reports it as skipped), so one common value cannot make a lookup slow.

    Raises:
        RecordkitError: the matcher has no model.

    .. versionadded:: 0.1.0
    """

    def __init__(self, matcher: Matcher, *, max_block: int = 1000) -> None:
        if not isinstance(matcher, Matcher):
            raise RecordkitError(f"an Index needs a Matcher, got {type(matcher).__name__}")
        if matcher.model is None:
            raise RecordkitError("an Index needs a fitted matcher: call matcher.fit(data) first")
        _max_block(max_block)
        self.matcher = matcher
        self.max_block = max_block
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._columns: dict[str, _Column] = {}
        self._features: dict[str, _Column] = {}
        self._keys: dict[str, tuple[str, ...]] = {}
        self._blocks: list[dict[tuple[str, ...], list[int]]] = [{} for _ in matcher.blocking]
        self._entities = Entities(matcher.chain_guard, strong=strong_weight(matcher, matcher.model))
        self._dead: set[int] = set()
        self._writes = 0  # changes made through this object, so a kept look-up knows it is stale
        self._screened: Screened | None = None
        self._view: tuple[int, Prepared] | None = None  # `_whole`, with the writes it saw

    def __len__(self) -> int:
        return len(self._ids) - len(self._dead)

    def __repr__(self) -> str:
        return f"Index({len(self)} records, {len(self._entities)} entities)"

    @property
    def events(self) -> list[ClusterMerge | ClusterSplit]:
        """
        Every merge and split of entities so far, in order (the list itself, not a copy).
        """
        return self._entities.events

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._pos

    def present(self, record_ids: Sequence[str]) -> set[str]:
        """
        Which of *record_ids* are in the index.

        Raises:
            RecordkitError: *record_ids* is not a list of ids.
        """
        return {rid for rid in id_list(record_ids) if rid in self._pos}

    # -- building -------------------------------------------------------------------------

    def _append(self, prepared: Prepared) -> int:
        self._writes += 1
        start = len(self._ids)
        for rid in prepared.ids:
            if rid in self._pos:
                raise RecordkitError(f"record {shorten(rid)} is already in the index")
        for name, col in prepared.columns.items():
            if name in self._columns:
                self._columns[name].append(col)
            else:
                self._columns[name] = _Column(col.copy())
        for key, arr in prepared.features.items():
            if key in self._features:
                self._features[key].append(arr)
            else:
                self._features[key] = _Column(arr.copy())
        self._keys = dict(prepared.keys)
        for offset, rid in enumerate(prepared.ids):
            self._pos[rid] = start + offset
        self._ids.extend(prepared.ids)
        for r, rule in enumerate(self.matcher.blocking):
            parts = [[k.value(v) for v in prepared.columns[k.column].tolist()] for k in rule.keys]
            block = self._blocks[r]
            for offset, parts_of_row in enumerate(zip(*parts, strict=True)):
                if None not in parts_of_row:
                    row_key: tuple[str, ...] = parts_of_row
                    block.setdefault(row_key, []).append(start + offset)
        return start

    @classmethod
    def build(
        cls,
        matcher: Matcher,
        data: object,
        *,
        ids: Sequence[str] | None = None,
        max_block: int = 1000,
        previous: Mapping[str, str] | None = None,
    ) -> Index:
        """
        Build an index from a whole dataset at once (the batch road, then the hash maps).

        Raises:
            BlockingError: a blocking rule explodes on *data*.
        """
        if not isinstance(matcher, Matcher):
            raise RecordkitError(f"an Index needs a Matcher, got {shorten(matcher)}")
        _max_block(max_block)  # before the batch run, not after it
        result = matcher.dedupe(data, ids=ids, previous=previous)
        index = cls(result.matcher, max_block=max_block)
        index._append(result.prepared)
        scored = result.scored
        keep = np.flatnonzero(scored.match)
        entities = index._entities
        for k in keep.tolist():
            w = RULE_WEIGHT if scored.rule[k] == 1 else float(scored.weight[k])
            entities.link(int(scored.left[k]), int(scored.right[k]), w)
        entities.adopt(result.assignment)
        return index

    # -- lookups --------------------------------------------------------------------------

    def _prepare_one(self, record: object, record_id: str | None) -> Prepared:
        return prepare_one(self.matcher, record, record_id)

    def _candidates(self, one: Prepared, row: int = 0) -> tuple[list[int], list[str]]:
        found: dict[int, None] = {}
        skipped: list[str] = []
        for r, rule in enumerate(self.matcher.blocking):
            key = rule.key_of({c: one.columns[c][row] for c in rule.columns})
            if key is None:
                continue
            members = self._blocks[r].get(key)
            if not members:
                continue
            if len(members) > self.max_block:
                skipped.append(rule.name)
                continue
            found.update(dict.fromkeys(members))
        return list(found), skipped

    def _whole(self) -> Prepared:
        """
        The indexed rows as one `Prepared` (views of the columns, made once per change).
        """
        kept = self._view
        if kept is None or kept[0] != self._writes:
            columns = {k: c.view() for k, c in self._columns.items()}
            features = {k: c.view() for k, c in self._features.items()}
            kept = self._view = (self._writes, Prepared(self._ids, columns, features, self._keys))
        return kept[1]

    def lookup(self, record: object, *, record_id: str | None = None) -> Lookup:
        """
        Find the existing records *record* duplicates, best first, each with its explanation.

        *record* is a mapping of field values or a `Record`; it is not added.

        Raises:
            SchemaError: the record is of another schema (or has none of the matched fields).
        """
        one = self._prepare_one(record, record_id)
        return self._lookup(one)[0]

    def _lookup(self, one: Prepared) -> tuple[Lookup, list[tuple[int, float]]]:
        cands, skipped = self._candidates(one)
        if not cands:
            return Lookup((), 0, tuple(skipped)), []
        whole = self._whole()
        scored = score_against(self.matcher, one, whole, cands)
        entity = self._entities.entity
        matches, edges = found_matches(
            self.matcher, one, whole, scored, lambda rid: entity.get(rid, rid)
        )
        return Lookup(tuple(matches), len(cands), tuple(skipped)), edges

    def lookup_many(self, records: Sequence[object]) -> list[Lookup]:
        """
        `lookup` of each of *records* (mappings or `Record` values), scored all at once.

        Each is looked up against the indexed records only (not against the others).

        Raises:
            SchemaError: a record is of another schema.
        """
        return self._lookup_many(prepare_batch(self.matcher, records, ids=False))[0]

    def _lookup_many(self, batch: Prepared) -> BatchLookups:
        cands: list[list[int]] = []
        skipped: list[list[str]] = []
        for i in range(len(batch)):
            found, skip = self._candidates(batch, i)
            cands.append(found)
            skipped.append(skip)
        positions = sorted({p for c in cands for p in c})
        if not positions:
            return [Lookup((), 0, tuple(skip)) for skip in skipped], [[] for _ in cands]
        local = {p: len(batch) + k for k, p in enumerate(positions)}
        rows = np.asarray(positions, dtype=np.int64)
        them = Prepared(
            [self._ids[p] for p in positions],
            {k: self._columns[k].view()[rows] for k in batch.columns},
            {k: self._features[k].view()[rows] for k in batch.features},
            batch.keys,
        )
        entity = self._entities.entity
        return score_rows(
            self.matcher,
            joined(batch, them),
            [[local[p] for p in c] for c in cands],
            skipped,
            lambda rid: entity.get(rid, rid),
        )

    # -- adding ---------------------------------------------------------------------------

    def screen_batch(self, records: Sequence[object]) -> tuple[list[Lookup], list[Lookup]]:
        """
        Look each of *records* up against the index and against the records before it.

        The records must carry ids. The work is kept for `add_many` of the same records
        while the index does not change.

        Raises:
            RecordkitError: a record has no id, or ids repeat.
            SchemaError: a record is of another schema.
        """
        batch = prepare_batch(self.matcher, records, ids=True)
        stored = self._lookup_many(batch)
        near = within(self.matcher, batch)
        self._screened = Screened(tuple(batch.ids), self._writes, batch, stored, near)
        return stored[0], near[0]

    def add_many(self, records: Sequence[object]) -> list[Added]:
        """
        Add many records at once, the entities they touch re-formed once.

        Each is looked up against the index and the records before it, and linked. Each
        `Added` holds the record's entity and its lookup against the indexed records;
        merges and splits are recorded in `events`.

        Raises:
            RecordkitError: a record has no id, or its id is in the index (or twice here).
            SchemaError: a record is of another schema.
        """
        batch = prepare_batch(self.matcher, records, ids=True)
        taken = [rid for rid in batch.ids if rid in self._pos]
        if taken:
            raise RecordkitError(f"record {shorten(taken[0])} is already in the index")
        if not len(batch):
            return []
        memo = self._screened
        if memo is not None and memo.fits(batch.ids, self._writes):
            (lookups, links), (_, near) = memo.stored, memo.near
        else:
            lookups, links = self._lookup_many(batch)
            _, near = within(self.matcher, batch)
        self._screened = None
        self._writes += 1
        start = self._append(batch)
        at = self._pos
        for i in range(len(batch)):
            for rid, w in (*links[i], *near[i]):
                self._entities.link(start + i, at[rid], w)
        self._entities.recluster(self._ids, list(range(start, start + len(batch))), None)
        entity = self._entities.entity
        return [
            Added(rid, entity[rid], lookup) for rid, lookup in zip(batch.ids, lookups, strict=True)
        ]

    def add(self, record: object, *, id: str | None = None) -> Added:
        """
        Add *record*: look it up, link it to its matches and re-cluster what it touches.

        The id is *id*, else the `Record`'s id, else the ``id`` key, else a new one.

        Raises:
            RecordkitError: the id is already in the index.
            SchemaError: the record is of another schema.
        """
        if isinstance(record, Record) and id is None:
            id = record.id
        elif isinstance(record, Mapping) and id is None and "id" in record:
            id = str(record["id"])
        if id is None:
            id = f"new:{len(self._ids)}"
        if not isinstance(id, str):
            raise RecordkitError(f"id must be text or None, got {shorten(id)}")
        if id in self._pos:
            raise RecordkitError(f"record {shorten(id)} is already in the index")
        one = self._prepare_one(record, id)
        lookup, edges = self._lookup(one)
        pos = self._append(one)
        for other, w in edges:
            self._entities.link(pos, other, w)
        merges, splits = self._entities.recluster(self._ids, [pos], lookup)
        return Added(id, self._entities.entity[id], lookup, tuple(merges), tuple(splits))

    def remove(self, record_id: str) -> list[ClusterSplit]:
        """
        Take a record out (merged away, retired, erased, or about to be re-added).

        Its prepared values are blanked (the index keeps no copy of them), its links go
        with it, and what is left of its cluster re-forms by the same guarded rule; the
        entity id stays with the largest remaining part, and any split is recorded.

        Raises:
            RecordkitError: the record is not in the index.
        """
        pos = self._pos.pop(record_id, None) if isinstance(record_id, str) else None
        if pos is None:
            raise RecordkitError(f"record {shorten(record_id)} is not in the index")
        self._writes += 1
        for r, rule in enumerate(self.matcher.blocking):
            parts = [k.value(self._columns[k.column].view()[pos : pos + 1].tolist()[0])
                     for k in rule.keys]  # fmt: skip
            key = tuple(p for p in parts if p is not None)
            if len(key) < len(parts):
                continue
            members = self._blocks[r].get(key)
            if members is not None and pos in members:
                members.remove(pos)
                if not members:
                    del self._blocks[r][key]
        self._entities.unlink(pos)
        self._dead.add(pos)
        for column in self._columns.values():  # keep no copy of a removed record's values
            data = column.data
            data[pos] = None if data.dtype == object else np.zeros(data.shape[1:], data.dtype)
        rest = self._entities.leave(record_id)  # the others keep their entity id to re-form
        if not rest:
            return []
        seeds = [self._pos[rid] for rid in sorted(rest)]
        _, splits = self._entities.recluster(self._ids, seeds, None)
        return splits

    def replace(self, record: object, *, id: str | None = None) -> Added:
        """
        Re-index a changed record: out with its old values, in with its new ones.

        The id is *id*, else the `Record`'s id, else the ``id`` key. The record keeps its
        entity id when it still belongs with the same records.

        Raises:
            RecordkitError: the record is not in the index.
        """
        if id is None and isinstance(record, Record):
            id = record.id
        elif id is None and isinstance(record, Mapping) and "id" in record:
            id = str(record["id"])
        if id is None:
            raise RecordkitError("replace needs the id of an indexed record")
        entity = self.entity_of(id)
        self._prepare_one(record, id)  # refuse a foreign record before taking anything out
        self.remove(id)
        if entity not in self._entities.members:
            # It was alone: it keeps its entity id. Otherwise the others keep it, and the
            # record gets it back only by rejoining them.
            self._entities.entity[id] = entity
        return self.add(record, id=id)

    # -- reading --------------------------------------------------------------------------

    def entity_of(self, record_id: str) -> str:
        """
        The entity id of an indexed record.

        Raises:
            RecordkitError: the record is not in the index.
        """
        return self._entities.entity_of(record_id)

    @property
    def entities(self) -> dict[str, str]:
        """
        Record id → entity id, for every indexed record (a copy).
        """
        return dict(self._entities.entity)

    def clusters(self) -> Assignment:
        """
        The current clusters, with their entity ids.
        """
        return self._entities.clusters()

    def values(self, column: str) -> Objects:
        """
        The prepared values of *column* for every indexed record (in insertion order).
        """
        if not isinstance(column, str) or column not in self._columns:
            raise RecordkitError(f"the index has no column {shorten(column)}")
        return self._columns[column].view()


def _max_block(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RecordkitError(f"max_block must be a positive whole number, got {shorten(value)}")
