"""
`PersistentIndex`: the point-of-entry index with its rows in the store.

The same answers as `Index` (lookups with explanations, entities kept stable by the same
guarded re-clustering), but every row — the prepared values, the blocking keys, the matches
and the entity id of each record — lives in the store through the `IndexRows` port. Writes go
into the store's open transaction, so the index commits and rolls back with the records (no
ghost after a rollback), survives a restart, and is shared by every process using the
database. Only the records a lookup or a re-clustering touches are read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit.match._cluster import ClusterMerge, ClusterSplit
from recordkit.match._data import Prepared
from recordkit.match._dedupe import shipped_prior, strong_weight
from recordkit.match._matcher import Matcher
from recordkit.match._model import model_from_dict
from recordkit.match.index._against import score_against
from recordkit.match.index._batch import BatchLookups, Screened, joined, score_rows, within
from recordkit.match.index._entities import recluster_rows
from recordkit.match.index._lookup import Added, Lookup
from recordkit.match.index._prepared import (
    batch_keys,
    found_matches,
    id_list,
    ids_of,
    prepare_batch,
    prepare_one,
    prepared_value,
)
from recordkit.match.index._rebuild import write_rows
from recordkit.match.index._rows import (
    KEY_SEP,
    IndexMismatch,
    IndexRow,
    IndexRows,
    fingerprint_of,
)
from recordkit.schema import Record

__all__ = ["PersistentIndex"]


class PersistentIndex:
    """
    A point-of-entry duplicate index whose rows live in a store.

    Examples:
        >>> from recordkit.match import (Matcher, PersistentIndex, WeightedRules, block_on,
        ...                              email_comparison)
        >>> from recordkit.store import MemoryStore
        >>> m = Matcher([email_comparison("email")], [block_on("email")],
        ...             prepare={"email": "email"},
        ...             model=WeightedRules({"email": {"exact": 10}}), threshold=10)
        >>> index = PersistentIndex(m, MemoryStore().index_rows("contacts"))
        >>> index.add({"email": "ada@example.com"}, id="c1").entity_id
        'c1'
        >>> index.lookup({"email": "ADA@example.com"}).best.record_id
        'c1'

    Args:
        matcher: a fitted matcher (its model, blocking and threshold are used).
        rows: where the rows live (`Store.index_rows`).
        max_block: a blocking key shared by more records than this is not used for lookups
            (the lookup reports it as skipped).

    Raises:
        RecordkitError: the matcher has no model, or *rows* is not an `IndexRows`.
        IndexMismatch: *rows* were built with other matching settings.

    .. versionadded:: 0.2.0
    """

    def __init__(self, matcher: Matcher, rows: IndexRows, *, max_block: int = 1000) -> None:
        if not isinstance(matcher, Matcher):
            raise RecordkitError(f"a PersistentIndex needs a Matcher, got {shorten(matcher)}")
        if matcher.model is None:
            raise RecordkitError("an index needs a fitted matcher: call matcher.fit(data) first")
        if not isinstance(rows, IndexRows):
            raise RecordkitError(
                f"a PersistentIndex keeps its rows in an IndexRows (Store.index_rows), got "
                f"{shorten(rows)}"
            )
        if isinstance(max_block, bool) or not isinstance(max_block, int) or max_block < 1:
            raise RecordkitError(
                f"max_block must be a positive whole number, got {shorten(max_block)}"
            )
        self.matcher = matcher
        self.rows = rows
        self.max_block = max_block
        self.fingerprint = fingerprint_of(matcher)
        self._columns = tuple(matcher.columns)
        self._adopt_kept_model()
        self._writes = 0  # changes made through this object, so a kept look-up knows it is stale
        self._screened: Screened | None = None
        self._check()

    def _adopt_kept_model(self) -> None:
        """
        Score with the model kept with the rows, when given only the shipped priors.

        A rebuild fits a model on the stored records and keeps it with them (as does
        `Steward.learn`): a process opening the index with the default matcher scores with
        that, not with the priors.
        """
        kept = self.rows.model()
        if kept is None or not shipped_prior(self.matcher.model):
            return
        try:
            model = model_from_dict(json.loads(kept))
            self.matcher = attrs.evolve(self.matcher, model=model)
        except (ValueError, TypeError, RecordkitError) as exc:
            raise IndexMismatch(
                f"the duplicate index {self.rows.name!r} keeps a model that does not fit its "
                f"matcher ({shorten(str(exc), 160)}); rebuild it"
            ) from None

    def keep_model(self) -> None:
        """
        Keep the model this index scores with beside its rows (for the next process).

        Raises:
            RecordkitError: the matcher has no model.
        """
        model = self.matcher.fitted()
        self.rows.set_model(json.dumps(model.to_dict(), sort_keys=True))

    def _check(self) -> None:
        stored = self.rows.fingerprint()
        if stored is None:
            self.rows.set_fingerprint(self.fingerprint)
        elif stored != self.fingerprint:
            raise IndexMismatch(
                f"the duplicate index {self.rows.name!r} was built with other matching "
                "settings (prepared columns or blocking rules); rebuild it "
                "(PersistentIndex.rebuild, or Steward.rebuild_index)"
            )

    def __repr__(self) -> str:
        return f"PersistentIndex({self.rows.name!r})"

    def __len__(self) -> int:
        return self.rows.count()

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and bool(self.rows.rows([record_id]))

    def present(self, record_ids: Sequence[str]) -> set[str]:
        """
        Which of *record_ids* are in the index (one read).

        Raises:
            RecordkitError: *record_ids* is not a list of ids.
        """
        return set(self.rows.entity_ids(id_list(record_ids)))

    # -- lookups --------------------------------------------------------------------------

    def keys_of(self, record: object) -> list[tuple[int, str]]:
        """
        The blocking keys of *record* (a mapping or a `Record`), as the index keeps them.

        Raises:
            SchemaError: the record is of another schema.
        """
        return self._keys(prepare_one(self.matcher, record, None))

    def _keys(self, one: Prepared, row: int = 0) -> list[tuple[int, str]]:
        keys: list[tuple[int, str]] = []
        for r, rule in enumerate(self.matcher.blocking):
            key = rule.key_of({c: one.columns[c][row] for c in rule.columns})
            if key is not None:
                keys.append((r, KEY_SEP.join(key)))
        return keys

    def lock(self, record: object) -> None:
        """
        Make writers of records sharing a blocking key with *record* take turns.

        Until the store's transaction ends: so a check and the write it allows are one
        step (two processes capturing the same person end with one record).

        Raises:
            SchemaError: the record is of another schema.
        """
        self.rows.lock(self.keys_of(record))

    def lock_all(self) -> None:
        """
        Make every other writer of this index wait until the store's transaction ends.

        So a batch is checked and written as one step.
        """
        self.rows.lock_all()

    def lookup(self, record: object, *, record_id: str | None = None) -> Lookup:
        """
        Find the indexed records *record* duplicates, best first, each with its explanation.

        Raises:
            SchemaError: the record is of another schema (or has none of the matched fields).
        """
        return self._lookup(prepare_one(self.matcher, record, record_id))[0]

    def _lookup(self, one: Prepared) -> tuple[Lookup, list[tuple[str, float]]]:
        found: dict[str, None] = {}
        skipped: list[str] = []
        own = one.ids[0]
        keys = self._keys(one)
        blocks, stored = self.rows.candidates(keys, self.max_block) if keys else ({}, {})
        for r, key in keys:
            members = blocks.get((r, key))
            if members is None:
                skipped.append(self.matcher.blocking[r].name)
            else:
                found.update(dict.fromkeys(m for m in members if m != own))
        if not found:
            return Lookup((), 0, tuple(skipped)), []
        cands = [rid for rid in found if rid in stored]
        if not cands:
            return Lookup((), 0, tuple(skipped)), []
        rows = [stored[rid] for rid in cands]
        data = {c: [r.values.get(c) for r in rows] for c in self._columns}
        them = Prepared.of_prepared(data, cands, self.matcher.comparisons)
        scored = score_against(self.matcher, one, them, range(len(cands)))
        entity = {rid: stored[rid].entity_id or rid for rid in cands}
        matches, hits = found_matches(self.matcher, one, them, scored, entity.__getitem__)
        edges = [(cands[j], w) for j, w in hits]
        return Lookup(tuple(matches), len(cands), tuple(skipped)), edges

    def lookup_many(self, records: Sequence[object]) -> list[Lookup]:
        """
        `lookup` of each of *records* (mappings or `Record` values), scored all at once.

        Each is looked up against the indexed records only (not against the others): its
        blocking keys are read together, then its candidates' rows.

        Raises:
            SchemaError: a record is of another schema.
        """
        return self._lookup_many(prepare_batch(self.matcher, records, ids=False))[0]

    def _lookup_many(self, batch: Prepared) -> BatchLookups:
        keys = batch.memo["keys"] = batch_keys(self.matcher, batch)
        blocks = self.rows.blocks([k for row in keys for k in row], self.max_block)
        cands: list[list[str]] = []
        skipped: list[list[str]] = []
        for i, row in enumerate(keys):
            own = batch.ids[i]
            found: dict[str, None] = {}
            skip: list[str] = []
            for r, key in row:
                members = blocks.get((r, key))
                if members is None:
                    skip.append(self.matcher.blocking[r].name)
                else:
                    found.update(dict.fromkeys(m for m in members if m != own))
            cands.append(list(found))
            skipped.append(skip)
        stored = self.rows.rows(list(dict.fromkeys(rid for c in cands for rid in c)))
        order = list(stored)
        local = {rid: len(batch) + k for k, rid in enumerate(order)}
        data = {c: [stored[rid].values.get(c) for rid in order] for c in self._columns}
        them = Prepared.of_prepared(data, order, self.matcher.comparisons)
        entity = {rid: row.entity_id or rid for rid, row in stored.items()}
        return score_rows(
            self.matcher,
            joined(batch, them),
            [[local[rid] for rid in c if rid in local] for c in cands],
            skipped,
            entity.__getitem__,
        )

    # -- adding and taking out -------------------------------------------------------------

    def add(self, record: object, *, id: str | None = None) -> Added:
        """
        Add *record*: look it up, keep its row and matches, re-cluster what it touches.

        The id is *id*, else the `Record`'s id, else the ``id`` key.

        Raises:
            RecordkitError: no id, or the id is already in the index.
            SchemaError: the record is of another schema.
        """
        record_id = _id_of(record, id)
        if record_id in self:
            raise RecordkitError(f"record {shorten(record_id)} is already in the index")
        return self._add(record, record_id, None)

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

        Each is looked up against the index and the records before it; its row and matches
        are kept. Each `Added` holds the record's entity and its lookup against the indexed
        records.

        Raises:
            RecordkitError: a record has no id, or its id is in the index (or twice here).
            SchemaError: a record is of another schema.
        """
        memo = self._screened
        if memo is not None and memo.fits(ids_of(records), self._writes):
            batch = memo.batch
            (lookups, links), (_, near) = memo.stored, memo.near
        else:
            batch = prepare_batch(self.matcher, records, ids=True)
            lookups, links = self._lookup_many(batch)
            _, near = within(self.matcher, batch)
        self._screened = None
        if not len(batch):
            return []
        taken = self.rows.entity_ids(batch.ids)
        if taken:
            raise RecordkitError(f"record {shorten(next(iter(taken)))} is already in the index")
        self._writes += 1
        edges = [
            (rid, other, w) for i, rid in enumerate(batch.ids) for other, w in (*links[i], *near[i])
        ]
        linked = {a for a, _, _ in edges} | {b for _, b, _ in edges}
        # a record that matched nothing is an entity of its own, named after itself (unless
        # that name is held already): no re-clustering for it
        alone = [rid for rid in batch.ids if rid not in linked]
        named = self.rows.taken(alone)
        keys = batch.memo.get("keys") or batch_keys(self.matcher, batch)
        columns = {c: batch.columns[c].tolist() for c in self._columns}
        seeds = [rid for rid in batch.ids if rid in linked or rid in named]
        at = {rid: i for i, rid in enumerate(batch.ids)}

        def rows_of(ids: Sequence[str], entity: Mapping[str, str]) -> list[IndexRow]:
            return [
                IndexRow(
                    rid,
                    {c: prepared_value(columns[c][at[rid]]) for c in self._columns},
                    tuple(keys[at[rid]]),
                    entity[rid],
                )
                for rid in ids
            ]

        # every row goes in once its entity is known: a record alone is its own entity, the
        # others' entities are formed from the matches (kept first). Re-forming reads only
        # the records the matches reach, never one alone, so all rows are written at once
        entity = {rid: rid for rid in batch.ids if rid not in linked and rid not in named}
        if edges:
            self.rows.link(edges)
        if seeds:
            # new records: their matches are the edges just kept, both ways (no read)
            known: dict[str, dict[str, float]] = {}
            for a, b, w in edges:
                known.setdefault(a, {})[b] = known.setdefault(b, {})[a] = float(w)
            entity.update(self._recluster(seeds, None, known)[2])
        self.rows.put(rows_of(batch.ids, entity))
        return [
            Added(rid, entity[rid], lookup) for rid, lookup in zip(batch.ids, lookups, strict=True)
        ]

    def _add(self, record: object, record_id: str, entity: str | None) -> Added:
        self._writes += 1
        one = prepare_one(self.matcher, record, record_id)
        lookup, edges = self._lookup(one)
        values = {c: prepared_value(one.columns[c][0]) for c in self._columns}
        self.rows.put([IndexRow(record_id, values, tuple(self._keys(one)), entity)])
        if edges:
            self.rows.link([(record_id, other, w) for other, w in edges])
        merges, _, entity_of = self._recluster([record_id], lookup)
        return Added(record_id, entity_of[record_id], lookup, tuple(merges), ())

    def remove(self, record_id: str) -> list[ClusterSplit]:
        """
        Take a record out (merged away, retired, erased, or about to be re-added).

        Its row, keys and matches go; what is left of its entity re-forms by the guarded
        rule (the entity id stays with the largest part, and any split is returned).

        Raises:
            RecordkitError: the record is not in the index.
        """
        row = self.rows.rows([record_id]).get(record_id) if isinstance(record_id, str) else None
        if row is None:
            raise RecordkitError(f"record {shorten(record_id)} is not in the index")
        self._writes += 1
        entity = row.entity_id
        rest = [] if entity is None else self.rows.members([entity]).get(entity, [])
        self.rows.drop([record_id])
        rest = sorted(r for r in rest if r != record_id)
        if not rest:
            return []
        return self._recluster(rest, None)[1]

    def replace(self, record: object, *, id: str | None = None) -> Added:
        """
        Re-index a changed record: out with its old values, in with its new ones.

        The record keeps its entity id when it still belongs with the same records.

        Raises:
            RecordkitError: the record is not in the index.
        """
        record_id = _id_of(record, id)
        entity = self.entity_of(record_id)
        prepare_one(self.matcher, record, record_id)  # refuse a foreign record first
        was_alone = self.rows.members([entity]).get(entity, []) == [record_id]
        self.remove(record_id)
        return self._add(record, record_id, entity if was_alone else None)

    def _recluster(
        self,
        seeds: Sequence[str],
        lookup: Lookup | None,
        known: Mapping[str, Mapping[str, float]] | None = None,
    ) -> tuple[list[ClusterMerge], list[ClusterSplit], dict[str, str]]:
        """
        Re-form the components *seeds* reach (matches *known*: see `recluster_rows`).
        """
        strong = strong_weight(self.matcher, self.matcher.fitted())
        return recluster_rows(self.rows, self.matcher.chain_guard, strong, seeds, lookup, known)

    # -- reading --------------------------------------------------------------------------

    def entity_of(self, record_id: str) -> str:
        """
        The entity id of an indexed record.

        Raises:
            RecordkitError: the record is not in the index.
        """
        row = self.rows.rows([record_id]).get(record_id) if isinstance(record_id, str) else None
        if row is None:
            raise RecordkitError(f"record {shorten(record_id)} is not in the index")
        return row.entity_id or record_id

    @property
    def entities(self) -> dict[str, str]:
        """
        Record id → entity id, for every indexed record.
        """
        return self.rows.entities()

    # -- building -------------------------------------------------------------------------

    def rebuild(self, data: object, *, ids: Sequence[str] | None = None) -> int:
        """
        Replace every row with *data*'s (the batch road, then one write).

        The entity ids the rows had are kept where the clusters allow.

        Call it inside the store's transaction to make it all or nothing. Returns how
        many records the index holds.

        Raises:
            BlockingError: a blocking rule explodes on *data*.
        """
        self._writes += 1
        previous = self.rows.entities()
        result = self.matcher.dedupe(data, ids=ids, previous=previous)
        self.rows.clear()
        self.rows.set_fingerprint(self.fingerprint)
        if result.matcher.model is not self.matcher.model:  # fitted on the records
            self.matcher = result.matcher
            self.keep_model()
        return write_rows(self.rows, result, self._columns)


def _id_of(record: object, id: str | None) -> str:
    found: Any = id
    if found is None and isinstance(record, Record):
        found = record.id
    elif found is None and isinstance(record, Mapping) and "id" in record:
        found = record["id"]
    if not isinstance(found, str) or not found:
        raise RecordkitError(f"an indexed record needs an id (text), got {shorten(found)}")
    return found
