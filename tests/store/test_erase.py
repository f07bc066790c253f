"""Erasure on every backend: a person's records and every copy of them leave the store.

Records, merge lineage, consent, quarantined rows holding her values and the payloads of the
audit events naming her go, in one transaction; the chain still verifies; and nothing of
her is left in the bytes of the SQLite file and its write-ahead log, or in any row of any
recordkit table in PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from recordkit import Record, RecordkitError, StoreError
from recordkit.store import (
    ConsentEntry,
    Erased,
    Lineage,
    QuarantineEntry,
    SQLStore,
    Store,
    Suppression,
    sqlite_engine,
)
from recordkit.store._erasure import ValueFinder
from tests.faults import Faults, committed, restore, rows_diff
from tests.store.examples import LEAD, T0, lead
from tests.store.strategies import lead_records

HER = {"name": "Augusta Ada Byron", "email": "ada.byron@example.org", "phone": "+12125550147"}
"""The person erased: her identity values, as the caller of erase knows them."""

NEEDLES = ("Augusta", "Byron", "ada.byron", "2125550147", "555-0147", "555 0147", "5550147")
"""Every piece of her that was written anywhere, in every spelling it was written in."""

HER_IDS = ["p-1", "p-2", "p-3"]
LATER = T0 + dt.timedelta(days=1)


def consent(record_id: str) -> ConsentEntry:
    return ConsentEntry(
        record_id=record_id, purpose="email_marketing", granted=True, at=T0,
        source="web_form", actor="ana", detail={"wording": "yes, send me news"},
    )  # fmt: skip


def quarantined(entry_id: str, row: dict[str, object]) -> QuarantineEntry:
    return QuarantineEntry(
        id=entry_id, schema="lead", at=T0, source="import.csv", row=row,
        reasons=[("email", "not an email address")], batch="b1",
    )  # fmt: skip


def plain(record: Record) -> dict[str, object]:
    return {k: str(v) for k, v in record.values.items()}


def write_her_and_bob(store: Store) -> None:
    """Her values through put, put_many, upsert_many, put_merge and quarantine; Bob's too."""
    p1 = lead("p-1", name=HER["name"], email=HER["email"], phone=HER["phone"])
    store.put(p1, expected_version=None)
    store.put(p1.evolve(version=2, stage="mql"), expected_version=1)
    p2 = lead("p-2", name="A. A. Byron", email=HER["email"])
    store.put_many([p2, lead("b-1", name="Bob Stone", email="bob@example.com")])
    store.upsert_many([lead("p-3", name="Ada Byron", phone="+1 212 555 0147")])
    store.upsert_many([lead("p-3", at=LATER, name="Augusta A. Byron")])
    store.put_many([lead("b-2", name="Robert Stone")])
    store.put_merge(
        Lineage(
            id="m-her", schema="lead", survivor_id="p-1", merged_ids=("p-2",), at=T0,
            actor="ana", detail={"originals": [plain(p2)]},
        ),
        [(p1.evolve(version=3, stage="mql"), 2), (p2.evolve(version=2, state="merged"), 1)],
    )  # fmt: skip
    store.put_merge(
        Lineage(
            id="m-bob", schema="lead", survivor_id="b-1", merged_ids=("b-2",), at=T0,
            actor="ana", detail={"originals": [{"name": "Robert Stone"}]},
        ),
        [],
    )  # fmt: skip
    store.put_consent(consent("p-1"))
    store.put_consent(consent("b-1"))
    store.put_quarantine(
        [
            quarantined("q-her", {"name": "augusta  ada BYRON", "phone": "(212) 555-0147",
                                  "email": "ada.byron@@example"}),
            quarantined("q-bob", {"name": "Bob Stone", "email": "bob@@example.com"}),
        ]
    )  # fmt: skip


def bobs(store: Store) -> tuple[object, ...]:
    """Everything of Bob's, to show an erase of her leaves it as it was."""
    return (
        store.get_many(["b-1", "b-2"]),
        store.lineage("b-1"),
        store.consents("b-1"),
        [e.id for e in store.quarantined("lead")],
    )


def erase_her(store: Store) -> Erased:
    return store.erase([*HER_IDS, "never-stored"], values=list(HER.values()))


EXPECTED = Erased(records=3, lineage=1, consents=1, quarantine=1, audit=6)
"""Her 3 records, 1 merge, 1 consent, 1 quarantined row; 6 events named her (2 puts, a
put_many, 2 upserts, a merge)."""


class Boom(Exception):
    """The caller's next step, failing after the store call succeeded."""


def then_fail(store: Store, step: Callable[[], object]) -> None:
    with store.transaction():
        step()
        raise Boom


class TestErase:
    def test_every_place_is_erased_and_counted(self, store: Store) -> None:
        """Records, lineage, consent, her quarantined row and audit payloads go; Bob stays."""
        write_her_and_bob(store)
        before = bobs(store)
        erased = erase_her(store)
        log = store.audit_log()
        naming_her = [e for e in log.events() if set(HER_IDS) & set(e.record_ids)]
        assert (EXPECTED, [None, None, None], [], [], ["q-bob"]) == (
            erased,
            store.get_many(HER_IDS),
            store.lineage("p-2"),
            store.consents("p-1"),
            [e.id for e in store.quarantined("lead")],
        )
        assert (before[:3], ["q-bob"]) == (bobs(store)[:3], bobs(store)[3])
        assert [True] * 6 == [e.redacted for e in naming_her if e.action != "store.erase"]
        assert [{}] * 6 == [dict(e.changes) for e in naming_her if e.action != "store.erase"]
        assert bool(log.verify())

    def test_the_event_holds_ids_and_counts_only(self, store: Store) -> None:
        """The store's own erase event names the ids and counts, and no value of hers."""
        write_her_and_bob(store)
        erase_her(store)
        event = list(store.audit_log().events(action="store.erase"))
        assert 1 == len(event)
        assert (
            ("store", "lead", (*HER_IDS, "never-stored"), {"erased": EXPECTED.to_dict()}, {})
        ) == (
            event[0].actor,
            event[0].schema,
            event[0].record_ids,
            dict(event[0].detail),
            dict(event[0].changes),
        )
        assert not any(n in repr(event[0]) for n in NEEDLES)

    def test_inside_audited_the_caller_writes_the_event(self, store: Store) -> None:
        """Inside ``audited()`` erase appends nothing: the caller records the erasure."""
        write_her_and_bob(store)
        count = len(list(store.audit_log().events()))
        with store.audited(), store.transaction():
            assert EXPECTED == erase_her(store)
        assert count == len(list(store.audit_log().events()))

    def test_a_rolled_back_erase_leaves_everything(self, store: Store) -> None:
        """An erase in a transaction that fails afterwards leaves every place as it was."""
        write_her_and_bob(store)
        log = store.audit_log()
        before = (
            store.get_many(HER_IDS), store.lineage("p-1"), store.consents("p-1"),
            store.quarantined("lead"), list(log.events()),
        )  # fmt: skip
        erased: list[Erased] = []
        with pytest.raises(Boom):
            then_fail(store, lambda: erased.append(erase_her(store)))
        after = (
            store.get_many(HER_IDS), store.lineage("p-1"), store.consents("p-1"),
            store.quarantined("lead"), list(log.events()),
        )  # fmt: skip
        assert ([EXPECTED], before) == (erased, after)
        assert bool(log.verify())

    def test_unknown_ids_count_nothing(self, store: Store) -> None:
        """Ids that were never stored are not an error: every count is 0."""
        write_her_and_bob(store)
        assert (Erased(), 0) == (store.erase(["nobody", "nobody"]), store.erase([]).total)
        assert [("store.erase", "*")] * 2 == [
            (e.action, e.schema) for e in store.audit_log().events(action="store.erase")
        ]

    def test_values_alone_erase_quarantined_rows(self, store: Store) -> None:
        """A person who never became a record is found in quarantine by value."""
        write_her_and_bob(store)
        assert Erased(quarantine=1) == store.erase([], values=["(212) 555 0147"])
        assert ["q-bob"] == [e.id for e in store.quarantined("lead")]

    def test_erasing_twice_finds_nothing_the_second_time(self, store: Store) -> None:
        """Nothing of hers is left; only the first erase event (it names her ids) is redacted."""
        write_her_and_bob(store)
        erase_her(store)
        assert Erased(audit=1) == erase_her(store)
        first = next(store.audit_log().events(action="store.erase"))
        assert (True, {}) == (first.redacted, dict(first.detail))
        assert bool(store.audit_log().verify())


BAD_ERASE = [
    pytest.param({"record_ids": "p-1"}, "record_ids", id="ids-as-text"),
    pytest.param({"record_ids": None}, "record_ids", id="ids-none"),
    pytest.param({"record_ids": {"p-1": 1}}, "record_ids", id="ids-mapping"),
    pytest.param({"record_ids": ["p-1", 7]}, r"record_ids\[1\]", id="id-not-text"),
    pytest.param({"record_ids": [""]}, r"record_ids\[0\]", id="id-blank"),
    pytest.param({"record_ids": ["x" * 256]}, r"record_ids\[0\]", id="id-too-long"),
    pytest.param({"values": "ada@example.org"}, "values", id="values-as-text"),
    pytest.param({"values": 5}, "values", id="values-number"),
    pytest.param({"values": ["ok", b"bytes"]}, r"values\[1\]", id="value-bytes"),
]


class TestBadInput:
    @pytest.mark.parametrize(("arguments", "named"), BAD_ERASE)
    def test_erase_refuses_and_names_the_argument(
        self, store: Store, arguments: dict[str, object], named: str
    ) -> None:
        """Each bad argument is a StoreError naming it, and nothing is erased."""
        write_her_and_bob(store)
        call: dict[str, object] = {"record_ids": ["p-1"], "values": [], **arguments}
        with pytest.raises(StoreError, match=named):
            store.erase(call["record_ids"], values=call["values"])  # type: ignore[arg-type]
        assert "p-1" == store.get("p-1").id

    @pytest.mark.parametrize(
        ("call", "named"),
        [
            pytest.param(lambda s: s.put_suppressions("x"), "entries", id="entries-text"),
            pytest.param(lambda s: s.put_suppressions([1]), r"entries\[0\]", id="entry-int"),
            pytest.param(lambda s: s.suppressions("", "email", []), "schema", id="schema"),
            pytest.param(lambda s: s.suppressions("lead", None, []), "key", id="key"),
            pytest.param(lambda s: s.suppressions("lead", "email", "ab"), "digests", id="text"),
            pytest.param(
                lambda s: s.suppressions("lead", "email", ["zz"]), r"digests\[0\]", id="digest"
            ),
            pytest.param(lambda s: s.suppressed("lead", "email", 5), "digest", id="one-digest"),
        ],
    )
    def test_suppression_calls_refuse_and_name_the_argument(
        self, store: Store, call: object, named: str
    ) -> None:
        with pytest.raises(StoreError, match=named):
            call(store)  # type: ignore[operator]

    @pytest.mark.parametrize(
        ("change", "named"),
        [
            ({"schema": ""}, "schema"),
            ({"key": 3}, "key"),
            ({"digest": "abc"}, "digest"),
            ({"at": dt.datetime(2026, 1, 1)}, "at"),  # naive: no zone
            ({"at": "2026-01-01"}, "at"),
            ({"erasure": None}, "erasure"),
        ],
    )
    def test_a_bad_suppression_is_refused(self, change: dict[str, object], named: str) -> None:
        fields: dict[str, object] = {
            "schema": "lead", "key": "email", "digest": "a" * 64, "at": T0, "erasure": "e-1",
            **change,
        }  # fmt: skip
        with pytest.raises(StoreError, match=f"Suppression.{named}"):
            Suppression(**fields)  # type: ignore[arg-type]

    @pytest.mark.parametrize("count", [-1, True, 1.5, None])
    def test_a_bad_count_is_refused(self, count: object) -> None:
        with pytest.raises(StoreError, match=r"Erased\.audit"):
            Erased(audit=count)  # type: ignore[arg-type]


def digest(n: int) -> str:
    return f"{n:064x}"


class TestSuppressions:
    def test_round_trip(self, store: Store) -> None:
        """Entries come back by schema, key and digest; others' keys and schemas don't mix."""
        her = Suppression("lead", "email", digest(1).upper(), T0, "erasure-1")
        other = [
            Suppression("lead", "phone", digest(1), T0, "erasure-1"),
            Suppression("company", "email", digest(1), T0, "erasure-1"),
            Suppression("lead", "email", digest(2), LATER, "erasure-2"),
        ]
        assert 4 == store.put_suppressions([her, *other])
        assert ({digest(1): her}, her, None) == (
            store.suppressions("lead", "email", [digest(1), digest(3)]),
            store.suppressed("lead", "email", digest(1).upper()),
            store.suppressed("lead", "email", digest(3)),
        )
        assert (digest(1), T0) == (her.digest, store.suppressions("lead", "email", [digest(1)])[
            digest(1)].at)  # fmt: skip

    def test_the_first_entry_stays(self, store: Store) -> None:
        """Suppressing a person again changes nothing: the first entry is the one kept."""
        first = Suppression("lead", "email", digest(7), T0, "erasure-1")
        again = Suppression("lead", "email", digest(7), LATER, "erasure-2")
        assert (1, 0, 0) == (
            store.put_suppressions([first]),
            store.put_suppressions([again]),
            store.put_suppressions([]),
        )
        assert first == store.suppressed("lead", "email", digest(7))

    def test_many_at_once(self, store: Store) -> None:
        entries = [Suppression("lead", "email", digest(n), T0, "e") for n in range(6000)]
        assert 6000 == store.put_suppressions(entries)
        wanted = [digest(n) for n in range(0, 12000, 2)]
        assert 3000 == len(store.suppressions("lead", "email", wanted))

    def test_rolled_back_with_the_transaction(self, store: Store) -> None:
        entry = Suppression("lead", "email", digest(9), T0, "e")
        with pytest.raises(Boom):
            then_fail(store, lambda: store.put_suppressions([entry]))
        assert None is store.suppressed("lead", "email", digest(9))


# -- the bytes left behind ------------------------------------------------------------------


def sqlite_store(path: Path) -> SQLStore:
    return SQLStore(f"sqlite:///{path}", schemas=[LEAD])


def found_in_files(path: Path) -> dict[str, list[str]]:
    """Each file of the database (main, -wal, -shm) → the needles its raw bytes hold."""
    out: dict[str, list[str]] = {}
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        file = path.parent / name
        if file.exists():
            with open(file, "rb") as handle:
                data = handle.read()
            data = data.lower()
            out[name] = [n for n in NEEDLES if n.lower().encode() in data]
    return out


def wal_size_once_truncated(path: Path, wait: float = 10.0) -> int:
    """The -wal's size once it is empty, or after *wait* seconds (the checkpoint may run in
    a thread of its own when the store is joined to the caller's Connection)."""
    deadline = time.monotonic() + wait
    while os.path.getsize(f"{path}-wal") and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.path.getsize(f"{path}-wal")


class TestNothingLeftOnDisk:
    def test_sqlite_file_and_wal_hold_none_of_her(self, tmp_path: Path) -> None:
        """Her values were in the file before; after the erase, no byte of them is left."""
        path = tmp_path / "crm.db"
        with sqlite_store(path) as store:
            write_her_and_bob(store)
            assert any(found_in_files(path).values())  # the scan can see her
            assert EXPECTED == erase_her(store)
            assert {n: [] for n in found_in_files(path)} == found_in_files(path)
            assert bool(store.audit_log().verify())
            assert "Bob Stone" == store.get("b-1")["name"]

    def test_inside_a_callers_transaction_the_log_is_truncated_after_commit(
        self, tmp_path: Path
    ) -> None:
        """The checkpoint waits for the outermost commit; then the WAL is empty."""
        path = tmp_path / "crm.db"
        with sqlite_store(path) as store:
            write_her_and_bob(store)
            with store.transaction():
                erase_her(store)
                store.put(lead("c-1", name="Carol"), expected_version=None)
            assert 0 == os.path.getsize(f"{path}-wal")
            assert {n: [] for n in found_in_files(path)} == found_in_files(path)

    def test_joined_to_a_callers_connection_the_log_is_truncated_when_it_commits(
        self, tmp_path: Path
    ) -> None:
        """Bound to your Connection, the checkpoint runs once you commit (not before)."""
        path = tmp_path / "crm.db"
        with sqlite_store(path) as store:
            write_her_and_bob(store)
            engine = store.engine
            assert engine is not None
            with engine.connect() as conn:
                view = store.using(conn)
                assert EXPECTED == erase_her(view)
                assert 0 < os.path.getsize(f"{path}-wal")  # not committed yet
                conn.commit()
                assert 0 == wal_size_once_truncated(path)
            assert {n: [] for n in found_in_files(path)} == found_in_files(path)

    def test_joined_to_a_callers_session_the_log_is_truncated_after_it_commits(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "crm.db"
        with sqlite_store(path) as store:
            write_her_and_bob(store)
            with Session(store.engine) as session, session.begin():
                assert EXPECTED == erase_her(store.using(session))
            assert 0 == wal_size_once_truncated(path)
            assert {n: [] for n in found_in_files(path)} == found_in_files(path)

    def test_an_engine_recordkit_did_not_make_still_zeroes_what_it_deletes(
        self, tmp_path: Path
    ) -> None:
        """A plain SQLAlchemy engine (no secure_delete of its own): erase turns it on."""
        path = tmp_path / "crm.db"
        sqlite_store(path).close()
        engine = sa.create_engine(f"sqlite:///{path}")
        try:
            store = SQLStore(engine, schemas=[LEAD])
            write_her_and_bob(store)
            assert EXPECTED == erase_her(store)
        finally:
            engine.dispose()
        assert {n: [] for n in found_in_files(path)} == found_in_files(path)

    @pytest.mark.postgres
    def test_postgres_tables_hold_none_of_her(self, postgres_url: str) -> None:
        """Every recordkit table, read as text row by row, holds none of her values."""
        prefix = f"e{uuid.uuid4().hex[:8]}_"
        with SQLStore(postgres_url, schemas=[LEAD], table_prefix=prefix) as store:
            write_her_and_bob(store)
            seen_before = self._found(store)
            assert EXPECTED == erase_her(store)
            assert (True, {}) == (bool(seen_before), self._found(store))
            assert bool(store.audit_log().verify())

    @staticmethod
    def _found(store: SQLStore) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        engine = store.engine
        assert engine is not None
        with engine.connect() as conn:
            for name in sorted(store.metadata.tables):
                rows = conn.exec_driver_sql(f'SELECT t::text FROM "{name}" t').scalars().all()
                text = "\n".join(rows).lower()
                hits = [n for n in NEEDLES if n.lower() in text]
                if hits:
                    out[name] = hits
        return out


class TestSQLiteFiles:
    def test_files_are_readable_by_their_owner_only(self, tmp_path: Path) -> None:
        """The database file and its -wal and -shm are created 0600, whatever the umask."""
        old = os.umask(0o022)
        try:
            path = tmp_path / "crm.db"
            with sqlite_store(path) as store:
                store.put(lead("a", name="Ada"), expected_version=None)
                modes = {
                    name: stat.S_IMODE(os.stat(tmp_path / name).st_mode)
                    for name in ("crm.db", "crm.db-wal", "crm.db-shm")
                }
        finally:
            os.umask(old)
        assert {"crm.db": 0o600, "crm.db-wal": 0o600, "crm.db-shm": 0o600} == modes

    def test_an_existing_file_keeps_its_mode(self, tmp_path: Path) -> None:
        path = tmp_path / "shared.db"
        sqlite_store(path).close()
        os.chmod(path, 0o640)
        sqlite_store(path).close()
        assert 0o640 == stat.S_IMODE(os.stat(path).st_mode)

    def test_connections_delete_securely(self, tmp_path: Path) -> None:
        engine = sqlite_engine(f"sqlite:///{tmp_path / 'x.db'}")
        try:
            with engine.connect() as conn:
                assert 1 == conn.exec_driver_sql("PRAGMA secure_delete").scalar()
        finally:
            engine.dispose()

    def test_a_database_without_the_suppression_table_gains_it_on_open(
        self, tmp_path: Path
    ) -> None:
        """A database from before erasure gets ``rk_suppression`` when it is opened."""
        path = tmp_path / "old.db"
        with sqlite_store(path) as store:
            store.put(lead("a", name="Ada"), expected_version=None)
            engine = store.engine
            assert engine is not None
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE rk_suppression")
        with pytest.raises(RecordkitError, match="rk_suppression"):
            SQLStore(f"sqlite:///{path}", create=False)
        SQLStore(f"sqlite:///{path}", create=False, migrate=True).close()
        with SQLStore(f"sqlite:///{path}", schemas=[LEAD], create=False) as store:
            entry = Suppression("lead", "email", digest(1), T0, "e")
            assert (1, entry, "Ada") == (
                store.put_suppressions([entry]),
                store.suppressed("lead", "email", digest(1)),
                store.get("a")["name"],
            )


# -- survivors are untouched ------------------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records=st.lists(lead_records(), min_size=1, max_size=8, unique_by=lambda r: r.id),
    data=st.data(),
)
def test_survivors_are_untouched(store: Store, records: list[Record], data: st.DataObject) -> None:
    """Erase any subset: the erased are gone, every other record is exactly as it was."""
    prefix = uuid.uuid4().hex[:8]  # the store is shared by the examples
    records = [r.evolve(id=f"{prefix}-{r.id}") for r in records]
    store.put_many(records)
    ids = [r.id for r in records]
    erased = data.draw(st.lists(st.sampled_from(ids), unique=True), label="erased")
    survivors = [i for i in ids if i not in erased]
    before = store.get_many(survivors)
    result = store.erase(erased)
    assert (len(erased), [None] * len(erased)) == (result.records, store.get_many(erased))
    assert before == store.get_many(survivors)
    assert [r for r in records if r.id in survivors] == before
    assert bool(store.audit_log().verify())


# -- how quarantined rows are found ----------------------------------------------------------


class TestValueFinder:
    @pytest.mark.parametrize(
        "cell",
        [
            "ada.byron@example.org",
            "  ADA.BYRON@EXAMPLE.ORG ",
            "Augusta  Ada\tByron",
            "".join(chr(ord(c) + 0xFEE0) for c in "Augusta") + " Ada Byron",  # full-width letters
            "(212) 555-0147",
            "212.555.0147",
            2125550147,
            {"contact": {"phones": ["x", "+1 212 555 0147"]}},
        ],
    )
    def test_finds_her_values_however_written(self, cell: object) -> None:
        assert ValueFinder(HER.values()).holds({"row": [cell]})

    @pytest.mark.parametrize(
        "cell",
        [
            "Augusta",  # part of her name is not her name
            "ada.byron@example.org.uk",
            "555-0147",  # too few digits to be sure it is her number
            "+1 (800) 212 555 0148",
            "order 2125550147",  # digits inside other text are not a phone number
            True,
            None,
        ],
    )
    def test_leaves_other_cells_alone(self, cell: object) -> None:
        assert not ValueFinder(HER.values()).holds({"row": [cell]})

    def test_digits_of_an_email_are_not_a_phone_number(self) -> None:
        """An erased value with seven digits that is not a phone number matches only itself."""
        finder = ValueFinder(["jo.1234567@example.org"])
        assert (True, False) == (
            finder.holds(["jo.1234567@example.org"]),
            finder.holds(["+1 (800) 123-4567"]),
        )

    def test_values_too_short_to_tell_find_nothing(self) -> None:
        assert (False, False) == (bool(ValueFinder(["M", " "])), ValueFinder(["M"]).holds(["M"]))


# -- a failure anywhere erases nothing ------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """A SQL database and a table prefix of its own for the test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.db'}", "rk_"
    return str(request.getfixturevalue("postgres_url")), f"f{uuid.uuid4().hex[:8]}_"


def test_a_failure_at_any_statement_or_the_commit_erases_nothing(
    sql_url: tuple[str, str], subtests: pytest.Subtests
) -> None:
    """Each statement of an erase, and its COMMIT, fails in turn: every row stays as it was."""
    url, prefix = sql_url
    with SQLStore(url, schemas=[LEAD], table_prefix=prefix) as store:
        write_her_and_bob(store)
        seeded = committed(store)
        faults = Faults(store)
        try:
            with faults.count() as counted:
                assert EXPECTED == erase_her(store)
            (tally,) = counted
            assert tally.commits == 1
            for point in tally.points(limit=len(tally.statements)):
                with subtests.test(msg=str(point)):
                    restore(store, seeded)
                    with faults.inject(point), pytest.raises(StoreError):
                        erase_her(store)
                    assert (point, "") == (faults.fired, rows_diff(seeded, committed(store)))
            restore(store, seeded)
            assert EXPECTED == erase_her(store)  # the store still works
        finally:
            faults.close()
