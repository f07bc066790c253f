"""
The health scores of a `SQLStore`: ``rk_health``, one row per record, ranked by an index.

The score is a column, so "under 60" and "the worst 100 of one owner" are index range
scans joined to the schema's table (whose conditions `where_clause` compiles); the
breakdown by dimension is compact JSON text beside it.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from recordkit._errors import StoreError
from recordkit.quality import HealthScore
from recordkit.store._checks import check_batch, check_ids, check_name
from recordkit.store._health import HealthMethods, Where, check_ranking, check_scores
from recordkit.store.sql._codec import RecordCodec, utc
from recordkit.store.sql._query import where_clause
from recordkit.store.sql._tables import IDS_PER_SELECT, FixedTables, id_in

__all__ = ["SQLHealth", "drop_health"]

_ROWS_PER_STATEMENT = 5_000


def _row(schema: str, s: HealthScore) -> dict[str, Any]:
    breakdown = {
        "n": s.names,
        "v": s.versions,
        "w": s.weights,
        "m": s.measures,
        "p": s.points,
        "d": s.details,
    }
    return {
        "schema": schema,
        "record_id": s.record_id,
        "score": s.score,
        "model": s.model,
        "at": s.at,
        "breakdown": json.dumps(breakdown, separators=(",", ":"), allow_nan=False),
    }


def _score(row: Any) -> HealthScore:
    b: Mapping[str, Any] = json.loads(row.breakdown)
    return HealthScore(
        row.record_id,
        int(row.score),
        row.model,
        utc(row.at),
        tuple(b["n"]),
        tuple(b["v"]),
        tuple(b["w"]),
        tuple(b["m"]),
        tuple(b["p"]),
        tuple(b["d"]),
    )


def _upsert(table: sa.Table, dialect: str) -> Any:
    """
    An INSERT that replaces the row of a record scored before.
    """
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.schema, table.c.record_id],
        set_={c: stmt.excluded[c] for c in ("score", "model", "at", "breakdown")},
    )


def drop_health(conn: sa.Connection, fixed: FixedTables, record_ids: Sequence[str]) -> None:
    """
    Delete the scores of *record_ids*, of any schema.
    """
    h = fixed.health
    for i in range(0, len(record_ids), IDS_PER_SELECT):
        part = list(record_ids[i : i + IDS_PER_SELECT])
        conn.execute(h.delete().where(id_in(h.c.record_id, part, conn.dialect.name)))


class SQLHealth(HealthMethods):
    """
    `Store.put_health` and the reads of scores for `SQLStore`.
    """

    fixed: FixedTables
    dialect: str

    @abstractmethod
    def _unit(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        The store's unit of work (see `Database.unit`).
        """

    @abstractmethod
    def _reader(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        A connection to read with (see `Database.reader`).
        """

    @abstractmethod
    def _codec(self, schema: str) -> RecordCodec:
        """
        The codec of a registered schema.
        """

    def put_health(self, schema: str, scores: Sequence[HealthScore]) -> None:
        """
        Keep *scores* of records of *schema*, each replacing its record's, all or none.
        """
        checked = check_scores(schema, scores)
        if not checked:
            return
        latest = {s.record_id: s for s in checked}
        try:
            rows = [_row(schema, s) for s in latest.values()]
        except (TypeError, ValueError) as exc:
            raise StoreError(f"a health score's detail is not plain JSON data: {exc}") from None
        stmt = _upsert(self.fixed.health, self.dialect)
        with self._unit("keeping health scores") as conn:
            for i in range(0, len(rows), _ROWS_PER_STATEMENT):
                conn.execute(stmt, rows[i : i + _ROWS_PER_STATEMENT])

    def health(self, schema: str, record_ids: Sequence[str]) -> dict[str, HealthScore]:
        """
        The scores kept for *record_ids*.
        """
        check_name("schema", schema)
        ids = [i for i in check_ids(record_ids) if isinstance(i, str)]
        h = self.fixed.health
        out: dict[str, HealthScore] = {}
        with self._reader("reading health scores") as conn:
            for i in range(0, len(ids), IDS_PER_SELECT):
                part = ids[i : i + IDS_PER_SELECT]
                stmt = sa.select(h).where(
                    h.c.schema == schema, id_in(h.c.record_id, part, self.dialect)
                )
                out.update((row.record_id, _score(row)) for row in conn.execute(stmt))
        return out

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
        The scores of the matching records, least healthy first, ranked in the database.
        """
        check_name("schema", schema)
        check_ranking(below, limit)
        codec = self._codec(schema)
        h, t = self.fixed.health, codec.table
        clause = where_clause(codec, where, stage, state, self.dialect)
        stmt = (
            sa.select(h)
            .select_from(h.join(t, t.c.rk_id == h.c.record_id))
            .where(h.c.schema == schema, clause)
            .order_by(h.c.score, h.c.record_id)
        )
        if below is not None:
            stmt = stmt.where(h.c.score < below)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._reader("ranking health scores") as conn:
            return [_score(row) for row in conn.execute(stmt)]

    def iterate_health(
        self, schema: str, *, batch_size: int = 10_000
    ) -> Iterator[list[HealthScore]]:
        """
        Every score kept for records of *schema*, in batches, by record id (keyset pages).
        """
        check_name("schema", schema)
        check_batch(batch_size)
        return self._health_pages(schema, batch_size)

    def _health_pages(self, schema: str, size: int) -> Iterator[list[HealthScore]]:
        h = self.fixed.health
        base = sa.select(h).where(h.c.schema == schema).order_by(h.c.record_id).limit(size)
        last: str | None = None
        while True:
            stmt = base if last is None else base.where(h.c.record_id > last)
            with self._reader("reading health scores") as conn:
                batch = [_score(row) for row in conn.execute(stmt)]
            if batch:
                yield batch
            if len(batch) < size:
                return
            last = batch[-1].record_id

    def open_duplicates(self, schema: str, record_ids: Sequence[str]) -> dict[str, int]:
        """
        Record id → how many open review items name it, counted in the database.
        """
        check_name("schema", schema)
        ids = [i for i in check_ids(record_ids) if isinstance(i, str)]
        r = self.fixed.review
        out: dict[str, int] = {}
        with self._reader("counting open reviews") as conn:
            for i in range(0, len(ids), IDS_PER_SELECT):
                part = ids[i : i + IDS_PER_SELECT]
                for column in (r.c.record_id, r.c.other_id):
                    stmt = (
                        sa.select(column, sa.func.count())
                        .where(
                            r.c.schema == schema,
                            r.c.status == "open",
                            id_in(column, part, self.dialect),
                        )
                        .group_by(column)
                    )
                    for rid, n in conn.execute(stmt):
                        out[rid] = out.get(rid, 0) + int(n)
        return out
