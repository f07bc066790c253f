"""
`MemoryHealth`: the health scores of a `MemoryStore`, under its transactions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from recordkit.quality import HealthScore
from recordkit.schema import Record
from recordkit.store._checks import check_batch, check_ids, check_name
from recordkit.store._health import HealthMethods, Where, check_ranking, check_scores
from recordkit.store._journal import Journal
from recordkit.store._review import Review

__all__ = ["MemoryHealth"]


class MemoryHealth(HealthMethods):
    """
    `Store.put_health` and the reads of scores for `MemoryStore`.
    """

    _health: dict[str, dict[str, HealthScore]]
    _reviews: dict[str, Review]
    _journal: Journal

    def _matching(
        self, schema: str, where: Where, stage: str | None, state: str | None
    ) -> list[Record]:
        raise NotImplementedError  # pragma: no cover - MemoryStore's

    def put_health(self, schema: str, scores: Sequence[HealthScore]) -> None:
        """
        Keep *scores* of records of *schema*, each replacing its record's, all or none.
        """
        checked = check_scores(schema, scores)
        with self._journal.transaction():
            kept = self._health.setdefault(schema, {})
            before = {s.record_id: kept.get(s.record_id) for s in checked}
            kept.update((s.record_id, s) for s in checked)

            def undo() -> None:  # one undo for the batch, not one per score
                for rid, score in before.items():
                    if score is None:
                        kept.pop(rid, None)
                    else:
                        kept[rid] = score

            self._journal.on_undo(undo)

    def health(self, schema: str, record_ids: Sequence[str]) -> dict[str, HealthScore]:
        """
        The scores kept for *record_ids*.
        """
        check_name("schema", schema)
        ids = check_ids(record_ids)
        with self._journal.lock:
            kept = self._health.get(schema, {})
            return {i: kept[i] for i in ids if isinstance(i, str) and i in kept}

    def health_ranked(
        self,
        schema: str,
        *,
        below: int | None = None,
        where: Where = (),
        stage: str | None = None,
        state: str | None = None,
        limit: int | None = 100,
    ) -> list[HealthScore]:
        """
        The scores of the matching records, least healthy first.
        """
        check_name("schema", schema)
        check_ranking(below, limit)
        chosen = {r.id for r in self._matching(schema, where, stage, state)}
        with self._journal.lock:
            found = [
                s
                for rid, s in self._health.get(schema, {}).items()
                if rid in chosen and (below is None or s.score < below)
            ]
        found.sort(key=lambda s: (s.score, s.record_id))
        return found if limit is None else found[:limit]

    def iterate_health(
        self, schema: str, *, batch_size: int = 10_000
    ) -> Iterator[list[HealthScore]]:
        """
        Every score kept for records of *schema*, in batches, by record id.
        """
        check_name("schema", schema)
        check_batch(batch_size)
        with self._journal.lock:
            kept = sorted(self._health.get(schema, {}).items())
        scores = [s for _, s in kept]
        return (scores[i : i + batch_size] for i in range(0, len(scores), batch_size))

    def open_duplicates(self, schema: str, record_ids: Sequence[str]) -> dict[str, int]:
        """
        Record id → how many open review items name it.
        """
        check_name("schema", schema)
        wanted = {i for i in check_ids(record_ids) if isinstance(i, str)}
        out: dict[str, int] = {}
        if not wanted:
            return out
        with self._journal.lock:
            reviews = list(self._reviews.values())
        for r in reviews:
            if r.status != "open" or r.schema != schema:
                continue
            for rid in (r.record_id, r.other_id):
                if rid in wanted:
                    out[rid] = out.get(rid, 0) + 1
        return out

    def _drop_health(self, record_ids: Sequence[str]) -> None:
        """
        Remove the scores of *record_ids* (of any schema), in the open transaction.
        """
        for kept in self._health.values():
            for rid in record_ids:
                if rid in kept:
                    self._journal.remove(kept, rid)
