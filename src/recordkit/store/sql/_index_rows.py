"""
`SQLIndexRows`: a persistent duplicate index's rows in SQL tables (``rk_match_*``).

Each call runs in the store's open transaction (or one of its own), so the rows commit and
roll back with the records. A lookup is one primary-key range read per blocking key and one
read of the candidates' rows. On PostgreSQL, `lock` takes a transaction-scoped advisory lock
per blocking key (in a fixed order, so two writers never wait for each other in a circle);
SQLite's write transactions (``BEGIN IMMEDIATE``) already take turns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa

from recordkit._errors import StoreError, shorten
from recordkit.match.index import IndexRow, IndexRows
from recordkit.store.sql._bulk import executemany
from recordkit.store.sql._index_drop import chunks, drop_rows
from recordkit.store.sql._inserts import insert_ignore, insert_or_update
from recordkit.store.sql._tables import IDS_PER_SELECT, FixedTables, id_in

__all__ = ["SQLIndexRows"]

_FEW = 32
"""
At most this many keys (a lookup's) are read in one ``UNION ALL`` statement.
"""


_compact = json.JSONEncoder(separators=(",", ":")).encode
"""
JSON text without spaces (one encoder for every row, not one per call).
"""


def _lock_id(name: str, rule: int, key: str) -> int:
    """
    A signed 64-bit number for one blocking key of one index (PostgreSQL advisory locks).
    """
    digest = hashlib.blake2b(f"{name}\x1f{rule}\x1f{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class SQLIndexRows(IndexRows):
    """
    `IndexRows` in a SQL store's ``rk_match_*`` tables.

    Args:
        name: the index's name.
        tables: the store's fixed tables.
        unit: opens the store's unit of work (its current transaction, or a new one).
        reader: a connection to read with (the current transaction's, or a fresh one).
    """

    def __init__(
        self,
        name: str,
        tables: FixedTables,
        unit: Callable[[str], AbstractContextManager[sa.Connection]],
        reader: Callable[[str], AbstractContextManager[sa.Connection]],
    ) -> None:
        self.name = name
        self._t = tables
        self._unit = unit
        self._reader = reader
        self._few: dict[tuple[str, int, bool], sa.TextClause] = {}

    def __repr__(self) -> str:
        return f"SQLIndexRows({self.name!r})"

    def fingerprint(self) -> str | None:
        """
        The fingerprint of the settings the rows were built with (``None``: new).
        """
        t = self._t.match_index
        with self._reader("reading a duplicate index's settings") as conn:
            found = conn.execute(sa.select(t.c.fingerprint).where(t.c.name == self.name))
            value = found.scalar_one_or_none()
        return None if value is None else str(value)

    def set_fingerprint(self, fingerprint: str) -> None:
        """
        Keep *fingerprint*.
        """
        t = self._t.match_index
        with self._unit("keeping a duplicate index's settings") as conn:
            # two processes opening a new index at once: the second one's insert is a no-op
            conn.execute(
                insert_ignore(t, conn.dialect.name), {"name": self.name, "fingerprint": fingerprint}
            )
            conn.execute(t.update().where(t.c.name == self.name).values(fingerprint=fingerprint))

    def model(self) -> str | None:
        """
        The model kept with the index (JSON text), if any.
        """
        t = self._t.match_index
        with self._reader("reading a duplicate index's model") as conn:
            found = conn.execute(sa.select(t.c.model).where(t.c.name == self.name))
            value = found.scalar_one_or_none()
        return None if value is None else str(value)

    def set_model(self, model: str) -> None:
        """
        Keep *model* (JSON text) with the index's settings.
        """
        if not isinstance(model, str):
            raise StoreError(f"an index's model is JSON text, got {shorten(model)}")
        t = self._t.match_index
        with self._unit("keeping a duplicate index's model") as conn:
            conn.execute(t.update().where(t.c.name == self.name).values(model=model))

    def count(self) -> int:
        """
        How many records the index holds.
        """
        t = self._t.match_row
        with self._reader("counting a duplicate index's rows") as conn:
            stmt = sa.select(sa.func.count()).select_from(t).where(t.c.idx == self.name)
            return int(conn.execute(stmt).scalar_one())

    def block(self, rule: int, key: str, limit: int) -> list[str] | None:
        """
        The records with *key* under rule *rule*; ``None`` when more than *limit*.
        """
        t = self._t.match_key
        stmt = (
            sa.select(t.c.record_id)
            .where(t.c.idx == self.name, t.c.rule == rule, t.c.key == key)
            .limit(limit + 1)
        )
        with self._reader("reading a duplicate index's blocking keys") as conn:
            found = [str(r) for r in conn.execute(stmt).scalars()]
        return None if len(found) > limit else found

    def blocks(
        self, keys: Sequence[tuple[int, str]], limit: int
    ) -> dict[tuple[int, str], list[str] | None]:
        """
        The records of each of *keys*; ``None`` for a key with more than *limit*.

        Per rule, two indexed reads per few thousand keys: the sizes, then the members of
        the keys that are small enough.
        """
        t = self._t.match_key
        wanted = list(dict.fromkeys(keys))
        if len(wanted) <= _FEW:
            return self._few_blocks(wanted, limit)
        out: dict[tuple[int, str], list[str] | None] = {k: [] for k in wanted}
        by_rule: dict[int, list[str]] = {}
        for rule, key in wanted:
            by_rule.setdefault(rule, []).append(key)
        with self._reader("reading a duplicate index's blocking keys") as conn:
            dialect = conn.dialect.name
            for rule, texts in by_rule.items():
                texts.sort()  # each part a range of the primary key: fewer pages to read
                for part in chunks(texts):
                    where = (t.c.idx == self.name, t.c.rule == rule, id_in(t.c.key, part, dialect))
                    sizes = conn.execute(
                        sa.select(t.c.key, sa.func.count()).where(*where).group_by(t.c.key)
                    ).all()
                    small = [str(k) for k, n in sizes if n <= limit]
                    for k, n in sizes:
                        if n > limit:
                            out[(rule, str(k))] = None
                    if not small:
                        continue
                    found = conn.execute(
                        sa.select(t.c.key, t.c.record_id).where(
                            t.c.idx == self.name, t.c.rule == rule, id_in(t.c.key, small, dialect)
                        )
                    )
                    for k, rid in found:
                        members = out[(rule, str(k))]
                        assert members is not None
                        members.append(str(rid))
        return out

    def _few_blocks(
        self, wanted: list[tuple[int, str]], limit: int
    ) -> dict[tuple[int, str], list[str] | None]:
        """
        The members of a few keys (one lookup's), in one statement.

        Each key's members are read by its primary-key range, at most *limit* + 1.
        """
        out: dict[tuple[int, str], list[str] | None] = {k: [] for k in wanted}
        if not wanted:
            return out
        with self._reader("reading a duplicate index's blocking keys") as conn:
            stmt = self._few_statement(conn, len(wanted))
            params: dict[str, object] = {"idx": self.name, "lim": limit + 1}
            for n, (rule, key) in enumerate(wanted):
                params[f"r{n}"] = rule
                params[f"k{n}"] = key
            for n, rid in conn.execute(stmt, params):
                members = out[wanted[int(n)]]
                assert members is not None
                members.append(str(rid))
        for wanted_key, members in out.items():
            if members is not None and len(members) > limit:
                out[wanted_key] = None
        return out

    def candidates(
        self, keys: Sequence[tuple[int, str]], limit: int
    ) -> tuple[dict[tuple[int, str], list[str] | None], dict[str, IndexRow]]:
        """
        A lookup's blocks and its candidates' rows, in one statement (few keys).
        """
        wanted = list(dict.fromkeys(keys))
        if not wanted or len(wanted) > _FEW:
            return super().candidates(wanted, limit)
        blocks: dict[tuple[int, str], list[str] | None] = {k: [] for k in wanted}
        stored: dict[str, tuple[Any, Any, Any]] = {}  # as read: decoded once it is wanted
        with self._reader("reading a duplicate index's candidates") as conn:
            stmt = self._few_statement(conn, len(wanted), joined=True)
            params: dict[str, object] = {"idx": self.name, "lim": limit + 1}
            for n, (rule, key) in enumerate(wanted):
                params[f"r{n}"] = rule
                params[f"k{n}"] = key
            for n, rid, vals, keys_text, entity in conn.execute(stmt, params).all():
                members = blocks[wanted[int(n)]]
                assert members is not None
                members.append(str(rid))
                if rid not in stored:
                    stored[rid] = (vals, keys_text, entity)
        for wanted_key, members in blocks.items():
            if members is not None and len(members) > limit:
                blocks[wanted_key] = None
        kept = {rid for found in blocks.values() if found for rid in found}
        # the rows of blocks too large to use are never decoded
        rows = {rid: _row(self.name, rid, *got) for rid, got in stored.items() if rid in kept}
        return blocks, rows

    def _few_statement(self, conn: sa.Connection, n: int, *, joined: bool = False) -> sa.TextClause:
        """
        ``SELECT`` of *n* keys' members as one ``UNION ALL``, made once per dialect and *n*.
        """
        dialect = conn.dialect
        found = self._few.get((dialect.name, n, joined))
        if found is None:
            quote = dialect.identifier_preparer.quote
            table = quote(self._t.match_key.name)
            parts = [
                f"SELECT {i} AS n, s{i}.record_id FROM (SELECT record_id FROM {table} "
                f"WHERE idx = :idx AND rule = :r{i} AND key = :k{i} LIMIT :lim) AS s{i}"
                for i in range(n)
            ]
            text = " UNION ALL ".join(parts)
            if joined:  # each member with its row (a member of several blocks comes again)
                row = quote(self._t.match_row.name)
                text = (
                    f"SELECT b.n, r.record_id, r.vals, r.blocks, r.entity_id FROM ({text}) AS b "
                    f"JOIN {row} AS r ON r.idx = :idx AND r.record_id = b.record_id"
                )
            found = self._few[(dialect.name, n, joined)] = sa.text(text)
        return found

    def taken(self, entity_ids: Sequence[str]) -> set[str]:
        """
        Which of *entity_ids* some record has as its entity id (one read per few thousand).
        """
        t = self._t.match_row
        out: set[str] = set()
        with self._reader("reading a duplicate index's entities") as conn:
            for chunk in chunks(list(dict.fromkeys(entity_ids))):
                stmt = (
                    sa.select(t.c.entity_id)
                    .where(t.c.idx == self.name, id_in(t.c.entity_id, chunk, conn.dialect.name))
                    .distinct()
                )
                out.update(str(e) for e in conn.execute(stmt).scalars())
        return out

    def rows(self, record_ids: Sequence[str]) -> dict[str, IndexRow]:
        """
        The rows of *record_ids* in the index.
        """
        t = self._t.match_row
        out: dict[str, IndexRow] = {}
        with self._reader("reading a duplicate index's rows") as conn:
            for chunk in chunks(list(dict.fromkeys(record_ids))):
                stmt = sa.select(t.c.record_id, t.c.vals, t.c.blocks, t.c.entity_id).where(
                    t.c.idx == self.name, id_in(t.c.record_id, chunk, conn.dialect.name)
                )
                for rid, vals, keys, entity in conn.execute(stmt):
                    out[rid] = _row(self.name, rid, vals, keys, entity)
        return out

    def entity_ids(self, record_ids: Sequence[str]) -> dict[str, str | None]:
        """
        The entity id of each of *record_ids* in the index (that column alone).
        """
        t = self._t.match_row
        out: dict[str, str | None] = {}
        with self._reader("reading a duplicate index's entities") as conn:
            for chunk in chunks(list(dict.fromkeys(record_ids))):
                stmt = sa.select(t.c.record_id, t.c.entity_id).where(
                    t.c.idx == self.name, id_in(t.c.record_id, chunk, conn.dialect.name)
                )
                for rid, entity in conn.execute(stmt):
                    out[str(rid)] = None if entity is None else str(entity)
        return out

    def members(self, entity_ids: Sequence[str]) -> dict[str, list[str]]:
        """
        The records of each entity of *entity_ids*.
        """
        t = self._t.match_row
        out: dict[str, list[str]] = {}
        with self._reader("reading a duplicate index's entities") as conn:
            for chunk in chunks(list(dict.fromkeys(entity_ids))):
                stmt = (
                    sa.select(t.c.entity_id, t.c.record_id)
                    .where(t.c.idx == self.name, id_in(t.c.entity_id, chunk, conn.dialect.name))
                    .order_by(t.c.record_id)
                )
                for entity, rid in conn.execute(stmt):
                    out.setdefault(entity, []).append(rid)
        return out

    def entities(self) -> dict[str, str]:
        """
        Record id → entity id, for every record.
        """
        t = self._t.match_row
        stmt = sa.select(t.c.record_id, t.c.entity_id).where(t.c.idx == self.name)
        with self._reader("reading a duplicate index's entities") as conn:
            return {rid: entity or rid for rid, entity in conn.execute(stmt)}

    def links(self, record_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """
        The matches of each of *record_ids*.
        """
        t = self._t.match_link
        out: dict[str, dict[str, float]] = {}
        with self._reader("reading a duplicate index's matches") as conn:
            for chunk in chunks(list(dict.fromkeys(record_ids))):
                stmt = sa.select(t.c.a, t.c.b, t.c.weight).where(
                    t.c.idx == self.name, id_in(t.c.a, chunk, conn.dialect.name)
                )
                for a, b, weight in conn.execute(stmt):
                    out.setdefault(a, {})[b] = float(weight)
        return out

    def put(self, rows: Sequence[IndexRow]) -> None:
        """
        Add *rows*.

        Raises:
            StoreError: a record is in the index already, or the database failed.
        """
        for row in rows:
            if not isinstance(row, IndexRow):
                raise StoreError(f"index rows are IndexRow values, got {shorten(row)}")
        if not rows:
            return
        # in primary-key order: each insert lands beside the one before it, on pages the
        # cache holds already (in arrival order, a large batch reads and writes pages all
        # over each table again and again)
        records = [
            {
                "idx": self.name,
                "record_id": r.record_id,
                "vals": _compact(r.values),
                "blocks": _compact(r.keys),  # pairs as JSON arrays
                "entity_id": r.entity_id,
            }
            for r in sorted(rows, key=_record_id)
        ]
        keys = [
            {"idx": self.name, "rule": rule, "key": key, "record_id": rid}
            for rule, key, rid in sorted(
                {(rule, key, r.record_id) for r in rows for rule, key in r.keys}
            )
        ]
        with self._unit("writing a duplicate index's rows") as conn:
            executemany(conn, self._t.match_row.insert(), records)
            if keys:
                executemany(conn, self._t.match_key.insert(), keys)

    def link(self, edges: Sequence[tuple[str, str, float]]) -> None:
        """
        Keep the matches *edges*, both ways (a match kept already takes the new weight).
        """
        both: dict[tuple[str, str], float] = {}
        for a, b, weight in edges:
            both[(a, b)] = both[(b, a)] = float(weight)
        if not both:
            return
        t = self._t.match_link
        with self._unit("writing a duplicate index's matches") as conn:
            pairs = sorted(both)  # in primary-key order, as `put`
            rows = [{"idx": self.name, "a": a, "b": b, "weight": both[(a, b)]} for a, b in pairs]
            upsert = insert_or_update(t, conn.dialect.name, ("idx", "a", "b"), ("weight",))
            if upsert is not None:  # one statement per row: new or with the new weight
                executemany(conn, upsert, rows)
                return
            for start in range(0, len(pairs), IDS_PER_SELECT // 2):
                part = pairs[start : start + IDS_PER_SELECT // 2]
                conn.execute(
                    t.delete().where(
                        t.c.idx == self.name,
                        sa.tuple_(t.c.a, t.c.b).in_(part),
                    )
                )
            executemany(conn, t.insert(), rows)

    def set_entities(self, entities: Mapping[str, str]) -> None:
        """
        Set the entity ids of indexed records.
        """
        if not entities:
            return
        t = self._t.match_row
        stmt = (
            t.update()
            .where(t.c.idx == sa.bindparam("b_idx"), t.c.record_id == sa.bindparam("b_id"))
            .values(entity_id=sa.bindparam("b_entity"))
        )
        rows = [{"b_idx": self.name, "b_id": r, "b_entity": entities[r]} for r in sorted(entities)]
        with self._unit("writing a duplicate index's entities") as conn:
            executemany(conn, stmt, rows)

    def drop(self, record_ids: Sequence[str]) -> int:
        """
        Take *record_ids* out: rows, keys and matches. How many were in.
        """
        with self._unit("taking records out of a duplicate index") as conn:
            return drop_rows(conn, self._t, self.name, list(dict.fromkeys(record_ids)))

    def clear(self) -> None:
        """
        Take every record out, and forget the fingerprint.
        """
        t = self._t
        with self._unit("clearing a duplicate index") as conn:
            for table in (t.match_key, t.match_link, t.match_row):
                conn.execute(table.delete().where(table.c.idx == self.name))
            conn.execute(t.match_index.delete().where(t.match_index.c.name == self.name))

    def entity_taken(self, entity_id: str) -> bool:
        """
        Whether a record has *entity_id* as its entity.
        """
        t = self._t.match_row
        stmt = sa.select(t.c.record_id).where(t.c.idx == self.name, t.c.entity_id == entity_id)
        with self._reader("reading a duplicate index's entities") as conn:
            return conn.execute(stmt.limit(1)).first() is not None

    def lock(self, keys: Sequence[tuple[int, str]]) -> None:
        """
        On PostgreSQL, an advisory lock per key until the transaction ends (in order).

        Under a shared lock on the whole index, which a batch takes whole (`lock_all`).
        """
        with self._unit("locking a duplicate index's blocking keys") as conn:
            if conn.dialect.name != "postgresql":
                return
            whole = _lock_id(self.name, -1, "")
            conn.execute(sa.text("SELECT pg_advisory_xact_lock_shared(:n)"), {"n": whole})
            for number in sorted({_lock_id(self.name, rule, key) for rule, key in keys}):
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})

    def lock_all(self) -> None:
        """
        On PostgreSQL, the whole index's advisory lock, until the transaction ends.
        """
        with self._unit("locking a duplicate index") as conn:
            if conn.dialect.name == "postgresql":
                whole = _lock_id(self.name, -1, "")
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:n)"), {"n": whole})


def _record_id(row: IndexRow) -> str:
    return row.record_id


def _row(name: str, record_id: str, vals: Any, keys: Any, entity: Any) -> IndexRow:
    try:
        values = json.loads(vals)
        pairs = tuple((int(rule), str(key)) for rule, key in json.loads(keys))
        return IndexRow(record_id, values, pairs, entity_id=entity)
    except (ValueError, TypeError) as exc:
        raise StoreError(
            f"duplicate index {shorten(name)}: the row of record {shorten(record_id)} is "
            f"damaged ({shorten(str(exc), 120)}); rebuild the index"
        ) from None
