"""
Merge lineage, consent and quarantine in the fixed history tables.

Plain functions over a connection (so the store decides the transaction they run in), and
`HistoryMethods`, the `Store` methods built on them.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa

from recordkit._errors import NotFound, StoreError, shorten
from recordkit.schema import Record
from recordkit.store._checks import check_list, check_name, check_writes
from recordkit.store._entries import ConsentEntry, Lineage, QuarantineEntry, Write
from recordkit.store.sql._codec import utc
from recordkit.store.sql._tables import FixedTables

__all__ = [
    "HistoryMethods",
    "consents",
    "get_lineage",
    "insert_consent",
    "insert_lineage",
    "insert_quarantine",
    "lineage_for",
    "mark_undone",
    "quarantined",
    "release",
]


def _read(kind: str, key: object, build: Any) -> Any:
    try:
        return build()
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise StoreError(
            f"a stored {kind} ({shorten(key)}) holds data recordkit cannot read: "
            f"{shorten(str(exc), 160)}"
        ) from None


def insert_lineage(conn: sa.Connection, ft: FixedTables, g: Lineage) -> None:
    """
    Store a merge and index its members.
    """
    exists = conn.execute(sa.select(ft.lineage.c.id).where(ft.lineage.c.id == g.id)).first()
    if exists is not None:
        raise StoreError(f"a merge with id {g.id!r} is stored already")
    conn.execute(
        ft.lineage.insert(),
        {
            "id": g.id,
            "schema": g.schema,
            "survivor_id": g.survivor_id,
            "merged_ids": list(g.merged_ids),
            "at": g.at,
            "actor": g.actor,
            "detail": dict(g.detail),
            "undone_at": g.undone_at,
            "undone_by": g.undone_by,
        },
    )
    members = list(dict.fromkeys(g.record_ids))
    conn.execute(
        ft.lineage_member.insert(), [{"lineage_id": g.id, "record_id": m} for m in members]
    )


def _lineage(row: Any) -> Lineage:
    lineage: Lineage = _read(
        "merge lineage",
        row.id,
        lambda: Lineage(
            id=row.id,
            schema=row.schema,
            survivor_id=row.survivor_id,
            merged_ids=tuple(row.merged_ids),
            at=utc(row.at),
            actor=row.actor,
            detail=row.detail,
            undone_at=None if row.undone_at is None else utc(row.undone_at),
            undone_by=row.undone_by,
        ),
    )
    return lineage


def get_lineage(conn: sa.Connection, ft: FixedTables, lineage_id: str) -> Lineage:
    """
    The merge with *lineage_id*; `NotFound` when absent.
    """
    if not isinstance(lineage_id, str):
        raise NotFound(lineage_id)
    row = conn.execute(sa.select(ft.lineage).where(ft.lineage.c.id == lineage_id)).first()
    if row is None:
        raise NotFound(lineage_id)
    return _lineage(row)


def lineage_for(conn: sa.Connection, ft: FixedTables, record_id: str) -> list[Lineage]:
    """
    Every merge *record_id* took part in, oldest first (an index lookup).
    """
    member = ft.lineage_member
    stmt = (
        sa.select(ft.lineage)
        .join(member, member.c.lineage_id == ft.lineage.c.id)
        .where(member.c.record_id == record_id)
        .order_by(ft.lineage.c.at, ft.lineage.c.id)
    )
    return [_lineage(row) for row in conn.execute(stmt)]


def mark_undone(
    conn: sa.Connection, ft: FixedTables, lineage_id: str, at: dt.datetime, actor: str
) -> Lineage:
    """
    Mark a standing merge undone and return it.

    Raises:
        NotFound: no such merge.
        StoreError: it was undone already.
    """
    current = get_lineage(conn, ft, lineage_id)
    if current.undone_at is not None:
        raise StoreError(f"merge {lineage_id!r} was undone already")
    undone = Lineage(
        id=current.id,
        schema=current.schema,
        survivor_id=current.survivor_id,
        merged_ids=current.merged_ids,
        at=current.at,
        actor=current.actor,
        detail=current.detail,
        undone_at=at,
        undone_by=actor,
    )
    result = conn.execute(
        ft.lineage.update()
        .where(ft.lineage.c.id == lineage_id, ft.lineage.c.undone_at.is_(None))
        .values(undone_at=undone.undone_at, undone_by=actor)
    )
    if result.rowcount != 1:
        raise StoreError(f"merge {lineage_id!r} was undone already")
    return undone


def insert_consent(conn: sa.Connection, ft: FixedTables, e: ConsentEntry) -> None:
    """
    Append one consent decision.
    """
    conn.execute(
        ft.consent.insert(),
        {
            "record_id": e.record_id,
            "purpose": e.purpose,
            "granted": e.granted,
            "at": e.at,
            "source": e.source,
            "actor": e.actor,
            "detail": dict(e.detail),
            "channel": e.channel,
            "basis": e.basis,
            "expires_at": e.expires_at,
        },
    )


def consents(conn: sa.Connection, ft: FixedTables, record_id: str) -> list[ConsentEntry]:
    """
    The consent history of *record_id*, oldest first.
    """
    t = ft.consent
    rows = conn.execute(sa.select(t).where(t.c.record_id == record_id).order_by(t.c.seq))
    return [
        _read(
            "consent",
            row.seq,
            lambda row=row: ConsentEntry(
                record_id=row.record_id,
                purpose=row.purpose,
                granted=bool(row.granted),
                at=utc(row.at),
                source=row.source,
                actor=row.actor,
                detail=row.detail,
                channel=row.channel or "any",
                basis=row.basis or "consent",
                expires_at=None if row.expires_at is None else utc(row.expires_at),
            ),
        )
        for row in rows
    ]


def insert_quarantine(
    conn: sa.Connection, ft: FixedTables, entries: Sequence[QuarantineEntry]
) -> None:
    """
    Keep refused rows; raise `StoreError` if an id is taken (the caller rolls back).
    """
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise StoreError("a quarantine entry id appears twice in one call")
    q = ft.quarantine
    taken = conn.execute(sa.select(q.c.id).where(q.c.id.in_(ids))).first() if ids else None
    if taken is not None:
        raise StoreError(f"quarantine entry {taken.id!r} is stored already")
    if entries:
        conn.execute(
            q.insert(),
            [
                {
                    "id": e.id,
                    "schema": e.schema,
                    "batch": e.batch,
                    "idx": e.index,
                    "at": e.at,
                    "source": e.source,
                    "row": dict(e.row),
                    "reasons": [list(r) for r in e.reasons],
                }
                for e in entries
            ],
        )


def quarantined(
    conn: sa.Connection, ft: FixedTables, schema: str, batch: str | None
) -> list[QuarantineEntry]:
    """
    The rows of *schema* still in quarantine, oldest first.
    """
    q = ft.quarantine
    stmt = sa.select(q).where(q.c.schema == schema)
    if batch is not None:
        stmt = stmt.where(q.c.batch == batch)
    stmt = stmt.order_by(q.c.at, q.c.idx, q.c.id)
    return [
        _read(
            "quarantine entry",
            row.id,
            lambda row=row: QuarantineEntry(
                id=row.id,
                schema=row.schema,
                at=utc(row.at),
                source=row.source,
                row=row.row,
                reasons=[tuple(r) for r in row.reasons],
                batch=row.batch,
                index=row.idx,
            ),
        )
        for row in conn.execute(stmt)
    ]


def release(conn: sa.Connection, ft: FixedTables, entry_ids: Sequence[str]) -> int:
    """
    Delete quarantine entries; return how many existed.
    """
    ids = [i for i in entry_ids if isinstance(i, str)]
    if not ids:
        return 0
    return conn.execute(ft.quarantine.delete().where(ft.quarantine.c.id.in_(ids))).rowcount


class HistoryMethods(ABC):
    """
    The `Store` methods for lineage, consent and quarantine, for `SQLStore`.
    """

    fixed: FixedTables

    @abstractmethod
    def _unit(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        One atomic piece of work (see `Database.unit`).
        """

    @abstractmethod
    def _reader(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        A connection to read with (see `Database.reader`).
        """

    @abstractmethod
    def _write(self, conn: sa.Connection, record: Record, expected: int | None) -> None:
        """
        Write one record, checking its version.
        """

    @abstractmethod
    def _before(self, conn: sa.Connection, record_id: str) -> Record | None:
        """
        The stored record *record_id*, read in *conn*'s transaction (``None``: absent).
        """

    @abstractmethod
    def _log(
        self,
        action: str,
        pairs: Iterable[tuple[Record | None, Record | None]],
        *,
        actor: str = "store",
    ) -> None:
        """
        The event of a write made straight on the store.
        """

    # from Store: whether a write appends its own event
    _logs_writes: Callable[[], bool]

    def put_merge(self, lineage: Lineage, writes: Sequence[Write]) -> None:
        """
        Apply *writes* and keep *lineage* in one transaction.
        """
        if not isinstance(lineage, Lineage):
            raise StoreError(f"put_merge takes a Lineage, got {type(lineage).__name__}")
        checked = check_writes(writes)
        with self._unit(f"storing merge {shorten(lineage.id)}") as conn:
            logs = self._logs_writes()
            pairs = []
            for record, expected in checked:
                before = self._before(conn, record.id) if logs and expected else None
                self._write(conn, record, expected)
                pairs.append((before, record))
            insert_lineage(conn, self.fixed, lineage)
            if logs and pairs:
                self._log("store.put_merge", pairs, actor=lineage.actor)

    def put_unmerge(
        self, lineage_id: str, writes: Sequence[Write], *, at: dt.datetime, actor: str
    ) -> Lineage:
        """
        Apply *writes* and mark the merge undone, in one transaction.
        """
        checked = check_writes(writes)
        with self._unit(f"undoing merge {shorten(lineage_id)}") as conn:
            undone = mark_undone(conn, self.fixed, lineage_id, at, actor)
            logs = self._logs_writes()
            pairs = []
            for record, expected in checked:
                before = self._before(conn, record.id) if logs and expected else None
                self._write(conn, record, expected)
                pairs.append((before, record))
            if logs and pairs:
                self._log("store.put_unmerge", pairs, actor=actor)
            return undone

    def get_lineage(self, lineage_id: str) -> Lineage:
        """
        The merge with *lineage_id*; `NotFound` when absent.
        """
        with self._reader("reading merge lineage") as conn:
            return get_lineage(conn, self.fixed, lineage_id)

    def lineage(self, record_id: str) -> list[Lineage]:
        """
        Every merge *record_id* took part in, oldest first.
        """
        with self._reader("reading merge lineage") as conn:
            return lineage_for(conn, self.fixed, record_id)

    def put_consent(self, entry: ConsentEntry) -> None:
        """
        Append a consent decision.
        """
        if not isinstance(entry, ConsentEntry):
            raise StoreError(f"put_consent takes a ConsentEntry, got {type(entry).__name__}")
        with self._unit("storing consent") as conn:
            insert_consent(conn, self.fixed, entry)

    def consents(self, record_id: str) -> list[ConsentEntry]:
        """
        The consent history of *record_id*, oldest first.
        """
        check_name("record_id", record_id)
        with self._reader("reading consent") as conn:
            return consents(conn, self.fixed, record_id)

    def put_quarantine(self, entries: Sequence[QuarantineEntry]) -> None:
        """
        Keep refused rows with their reasons; all or none.
        """
        entries = check_list("entries", entries)  # type: ignore[assignment]
        entries = list(entries)
        for e in entries:
            if not isinstance(e, QuarantineEntry):
                raise StoreError(f"expected QuarantineEntry objects, got {type(e).__name__}")
        with self._unit("quarantining rows") as conn:
            insert_quarantine(conn, self.fixed, entries)

    def quarantined(self, schema: str, *, batch: str | None = None) -> list[QuarantineEntry]:
        """
        The rows of *schema* still in quarantine, oldest first.
        """
        with self._reader("reading quarantine") as conn:
            return quarantined(conn, self.fixed, schema, batch)

    def release_quarantine(self, entry_ids: Sequence[str]) -> int:
        """
        Take entries out of quarantine; returns how many were there.
        """
        entry_ids = check_list("entry_ids", entry_ids)  # type: ignore[assignment]
        with self._unit("releasing quarantine") as conn:
            return release(conn, self.fixed, list(entry_ids))
