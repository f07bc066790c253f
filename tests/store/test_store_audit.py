"""Writes made straight on a store leave an audit event with their values (every backend)."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pytest

import recordkit as rk
from recordkit import ConflictError, Store
from recordkit.governance._audit_query import replay
from tests.store.examples import T0, lead
from tests.store.test_history import merge_of


def actions(store: Store) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(e.action, e.actor, e.record_ids) for e in store.audit_log().events()]


class TestStoreWritesAreAudited:
    def test_put_records_before_and_after(self, store: Store) -> None:
        """A put names the fields it changed with their old and new values."""
        store.put(lead("a", name="Ada", visits=1), expected_version=None)
        store.put(lead("a", name="Ada L", visits=1, version=2), expected_version=1)
        first, second = store.audit_log().events("a")
        assert ("store.put", "store", {"a": {"name": [None, "Ada"], "visits": [None, 1]}}) == (
            first.action,
            first.actor,
            dict(first.changes),
        )
        assert ({"a": {"name": ["Ada", "Ada L"]}}, ("name",)) == (
            dict(second.changes),
            second.fields,
        )
        assert store.audit_log().verify()

    def test_every_write_verb_leaves_one_event(self, store: Store) -> None:
        """put_many, upsert_many, delete, put_merge and put_unmerge each append one event."""
        store.put_many([lead("s", name="S"), lead("m1", name="M1"), lead("m2", name="M2")])
        later = T0 + dt.timedelta(days=1)
        store.upsert_many([lead("s", name="S2", at=later), lead("n", name="N")])
        store.put_merge(merge_of(), [(lead("m1", version=2).evolve(state="merged"), 1)])
        store.put_unmerge("g1", [(lead("m1", name="M1", version=3), 2)], at=T0, actor="bo")
        store.delete("n", expected_version=1)
        assert [
            ("store.put_many", "store", ("s", "m1", "m2")),
            ("store.upsert_many", "store", ("s", "n")),
            ("store.put_merge", "ana", ("m1",)),
            ("store.put_unmerge", "bo", ("m1",)),
            ("store.delete", "store", ("n",)),
        ] == actions(store)
        events = list(store.audit_log().events())
        assert ["S2", "N"] == [events[1].changes[i]["name"][1] for i in ("s", "n")]
        assert {"name": ["N", None]} == dict(events[4].changes["n"])
        assert ({}, {"name": "M1"}) == (replay(events, "n"), replay(events, "m1"))
        assert store.audit_log().verify()

    def test_values_are_plain_data(self, store: Store) -> None:
        """Dates, decimals and money reach the event as JSON data."""
        store.put(
            lead("a", born=dt.date(1990, 5, 1), score=decimal.Decimal("1.50")),
            expected_version=None,
        )
        (event,) = store.audit_log().events("a")
        assert {"born": [None, "1990-05-01"], "score": [None, "1.50"]} == dict(event.changes["a"])

    def test_audited_block_leaves_it_to_the_caller(self, store: Store) -> None:
        """Inside store.audited() the store appends nothing; outside it, it does again."""
        with store.audited(), store.transaction():
            store.put(lead("a", name="Ada"), expected_version=None)
            store.upsert_many([lead("b", name="Bo")])
            store.delete("a", expected_version=1)
        assert [] == actions(store)
        store.put(lead("c", name="Cy"), expected_version=None)
        assert [("store.put", "store", ("c",))] == actions(store)

    def test_audited_is_per_store(self, make_store: object) -> None:
        """A block on one store does not silence another."""
        from recordkit import MemoryStore

        other = MemoryStore()
        mine = MemoryStore()
        with other.audited():
            mine.put(lead("a"), expected_version=None)
        assert 1 == len(list(mine.audit_log().events()))

    def test_a_failed_write_leaves_no_event(self, store: Store) -> None:
        """A write refused for a stale version appends nothing."""
        store.put(lead("a"), expected_version=None)
        with pytest.raises(ConflictError):
            store.put(lead("a", version=3), expected_version=2)
        assert 1 == len(list(store.audit_log().events()))


class TestAppendMany:
    @pytest.mark.parametrize("backend", ["memory", "sqlite"])
    def test_many_events_chain_as_one_by_one(self, backend: str, tmp_path: Path) -> None:
        """append_many writes events that verify and read back as appended one by one."""
        from recordkit.governance import AuditEntry

        if backend == "memory":
            log: rk.AuditLog = rk.MemoryAuditLog()
        else:
            from recordkit.store import SQLStore

            log = SQLStore(f"sqlite:///{tmp_path / 'a.db'}").audit_log()
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        log.append(at=at, actor="a", action="create", schema="contact", record_ids=["c0"])
        made = log.append_many(
            [AuditEntry(at, "a", "update", "contact", [f"c{i}"], ["email"],
                        {"n": i}, {f"c{i}": {"email": [None, f"x{i}@y.org"]}})
             for i in range(1, 4)]
        )  # fmt: skip
        read = list(log.events())
        assert ([2, 3, 4], True) == ([e.seq for e in made], bool(log.verify()))
        assert [e.hash for e in made] == [e.hash for e in read[1:]]
        assert {"c2": {"email": [None, "x2@y.org"]}} == read[2].changes
        with pytest.raises(rk.ValidationError):
            log.append_many(["not an entry"])  # type: ignore[list-item]


class TestAuditCompression:
    @pytest.mark.parametrize(
        "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
    )
    def test_large_audit_columns_use_lz4_where_the_server_has_it(
        self, backend: str, make_store: object
    ) -> None:
        """On PostgreSQL a new store's audit payloads are LZ4-compressed; events still verify."""
        import sqlalchemy as sa

        from recordkit.store import SQLStore
        from recordkit.store.sql._migrations import fast_compression

        store = make_store()  # type: ignore[operator]
        assert isinstance(store, SQLStore)
        assert store.engine is not None
        table = store.fixed.audit
        store.upsert_many([lead(f"r{i}", name=f"Ada {i}", visits=i) for i in range(300)])
        with store.engine.connect() as conn:
            if backend == "sqlite":
                assert not fast_compression(conn, table, ("payload",))
                return
            has_lz4 = conn.execute(
                sa.text(
                    "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                    "AND 'lz4' = ANY(enumvals)"
                )
            ).first()
            kept: dict[str, str] = dict(
                conn.execute(
                    sa.text(
                        "SELECT attname, attcompression FROM pg_attribute "
                        "WHERE attrelid = CAST(:t AS regclass) "
                        "AND attname IN ('payload', 'record_ids', 'detail')"
                    ),
                    {"t": table.name},
                ).all()
            )
            used = conn.execute(
                sa.text(
                    f"SELECT pg_column_compression(payload) FROM {table.name} "
                    "ORDER BY seq DESC LIMIT 1"
                )
            ).scalar_one()
        expected = "l" if has_lz4 else ""
        assert {"payload": expected, "record_ids": expected, "detail": ""} == kept
        assert used == ("lz4" if has_lz4 else "pglz")
        assert store.audit_log().verify()
