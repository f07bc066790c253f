"""
Taking records out of persistent duplicate indexes: one index's, or every index's (erasure).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from recordkit.store.sql._tables import IDS_PER_SELECT, FixedTables, id_in

__all__ = ["chunks", "drop_indexed", "drop_rows"]


def chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    """
    *ids* in pieces small enough for one ``IN``.
    """
    for start in range(0, len(ids), IDS_PER_SELECT):
        yield list(ids[start : start + IDS_PER_SELECT])


def drop_rows(conn: sa.Connection, t: FixedTables, name: str | None, ids: Sequence[str]) -> int:
    """
    Delete the rows, keys and matches of *ids* in index *name* (every index: ``None``).
    """
    dialect = conn.dialect.name
    row, key, link = t.match_row, t.match_key, t.match_link
    dropped = 0
    for chunk in chunks(ids):
        stmt = sa.select(row.c.idx, row.c.record_id, row.c.blocks).where(
            id_in(row.c.record_id, chunk, dialect)
        )
        if name is not None:
            stmt = stmt.where(row.c.idx == name)
        found = conn.execute(stmt).all()
        if not found:
            continue
        dropped += len(found)
        gone_keys: list[dict[str, Any]] = []
        for idx, rid, keys in found:
            pairs = _keys_of(keys)
            if pairs is None:  # damaged: find its keys the slow way, so none stays
                conn.execute(key.delete().where(key.c.idx == idx, key.c.record_id == rid))
                continue
            gone_keys += [{"b_idx": idx, "b_rule": r, "b_key": k, "b_id": rid} for r, k in pairs]
        if gone_keys:
            conn.execute(
                key.delete().where(
                    key.c.idx == sa.bindparam("b_idx"),
                    key.c.rule == sa.bindparam("b_rule"),
                    key.c.key == sa.bindparam("b_key"),
                    key.c.record_id == sa.bindparam("b_id"),
                ),
                gone_keys,
            )
        for idx in {f[0] for f in found}:
            mine = [f[1] for f in found if f[0] == idx]
            others = conn.execute(
                sa.select(link.c.b).where(link.c.idx == idx, id_in(link.c.a, mine, dialect))
            ).scalars()
            pairs = [(o, m) for o in set(others) for m in mine]
            for start in range(0, len(pairs), IDS_PER_SELECT // 2):
                conn.execute(
                    link.delete().where(
                        link.c.idx == idx,
                        sa.tuple_(link.c.a, link.c.b).in_(
                            pairs[start : start + IDS_PER_SELECT // 2]
                        ),
                    )
                )
            conn.execute(link.delete().where(link.c.idx == idx, id_in(link.c.a, mine, dialect)))
            conn.execute(
                row.delete().where(row.c.idx == idx, id_in(row.c.record_id, mine, dialect))
            )
    return dropped


def _keys_of(text: Any) -> list[tuple[int, str]] | None:
    try:
        return [(int(rule), str(key)) for rule, key in json.loads(text)]
    except (ValueError, TypeError):
        return None


def drop_indexed(conn: sa.Connection, tables: FixedTables, ids: Sequence[str]) -> int:
    """
    Take the records *ids* out of every persistent duplicate index (erasure); how many rows.
    """
    return drop_rows(conn, tables, None, ids)
