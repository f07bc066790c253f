"""Bulk encryption's shortcuts keep its guarantees: fresh nonces, a key per record, bindings."""

from __future__ import annotations

import base64
import datetime as dt
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit import Masked, Record, StoreError
from recordkit.governance import DataKey, FieldEncryption, LocalKeyFile, _crypto
from recordkit.store import SQLStore
from recordkit.store.sql._keyring import Keyring
from recordkit.store.sql._sealed import SEAL_ROWS, Sealer
from recordkit.store.sql._sqlite_batch import page_cache
from tests.store.examples import LEAD, T0, lead


@pytest.fixture
def encryption(tmp_path: Path) -> FieldEncryption:
    return FieldEncryption(LocalKeyFile(tmp_path / "master.key", create=True), fields=["email"])


def test_nonces_are_never_handed_out_twice() -> None:
    """Nonces drawn across several blocks are all distinct."""
    taken = [_crypto._NONCES.take(12) for _ in range(3 * 4096 + 5)]
    assert len(taken) == len(set(taken))
    assert {12} == {len(n) for n in taken}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_reuse_the_parents_nonces() -> None:
    """After a fork, parent and child draw different nonces (the child drops the block)."""
    _crypto._NONCES.take(12)  # a block at hand, with nonces left in it
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        os.write(write, _crypto._NONCES.take(12))
        os._exit(0)
    os.close(write)
    child = os.read(read, 12)
    os.close(read)
    os.waitpid(pid, 0)
    assert 12 == len(child)
    assert child != _crypto._NONCES.take(12)


def test_sealed_values_differ_and_open_after_bulk_sealing(encryption: FieldEncryption) -> None:
    """Keys made in bulk seal without keeping a cipher, and their values still open."""
    keys = encryption.new_keys(3)
    tokens = [k.seal_many([("ada@example.com", f"t/{i}/email")])[0] for i, k in enumerate(keys)]
    assert 3 == len(set(tokens))
    assert all(k._cipher is None for k in keys)  # seal_many made its cipher and let it go
    for i, (key, token) in enumerate(zip(keys, tokens, strict=True)):
        opened = encryption.open_key(key.key_id, key.wrapped)
        assert "ada@example.com" == opened.open(token, f"t/{i}/email")
        assert "ada@example.com" == key.open(token, f"t/{i}/email")
        assert key._secret.hex() not in repr(key)
        assert repr(key._secret) not in repr(key)


def test_a_wrong_unwrapped_key_is_refused(tmp_path: Path, encryption: FieldEncryption) -> None:
    """A provider handing back something else than 32 bytes is refused at once."""
    key = encryption.new_key()

    class Odd(LocalKeyFile):
        def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
            return "x" * 32  # type: ignore[return-value]

    odd = FieldEncryption(Odd(tmp_path / "master.key"), fields=["email"])
    with pytest.raises(StoreError, match="is not 32 bytes"):
        odd.open_key(key.key_id, key.wrapped)


def test_a_large_batch_gets_a_page_cache_and_gives_it_back(tmp_path: Path) -> None:
    """SQLite's page cache grows for a large batch and is as before afterwards."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        with page_cache(conn, 100_000):
            during = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        after = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        with page_cache(conn, 10):
            small = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    engine.dispose()
    assert (-50_000, before, before) == (during, after, small)


# -- keys made in bulk, values sealed in bulk ------------------------------------------------------


def test_keys_made_in_bulk_are_distinct_and_each_opens_only_its_own_values(
    encryption: FieldEncryption,
) -> None:
    """One draw of randomness for many keys still gives each its own key, wrapped alone."""
    keys = encryption.new_keys(40)
    assert 40 == len({k._secret for k in keys}) == len({k.wrapped for k in keys})
    tokens = [k.seal("ada@example.com", "t/r/email") for k in keys]
    for i, (key, token) in enumerate(zip(keys, tokens, strict=True)):
        unwrapped = encryption.open_key(key.key_id, key.wrapped)
        assert key._secret == unwrapped._secret
        assert "ada@example.com" == unwrapped.open(token, "t/r/email")
        other = keys[(i + 1) % len(keys)]
        with pytest.raises(StoreError, match="does not open"):
            other.open(token, "t/r/email")


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.tuples(
            st.text(st.characters(exclude_categories=["Cs"])),
            st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
        ),
        min_size=1,
        max_size=12,
    ),
    per_key=st.integers(1, 4),
)
def test_a_sealer_seals_what_seal_does_each_value_under_its_own_key(
    values: list[tuple[str, str]], per_key: int
) -> None:
    """Each value opens under its own key and context only; no two share a nonce."""
    keys = _ENCRYPTION.new_keys(len(values))
    owners = [keys[i // per_key] for i in range(len(values))]  # runs of values per key
    seal = _ENCRYPTION.sealer(len(values))
    tokens = [
        seal(key, text.encode(), context.encode())
        for key, (text, context) in zip(owners, values, strict=True)
    ]
    nonces = [base64.b64decode(t)[1:13] for t in tokens]
    assert len(nonces) == len(set(nonces))
    for key, token, (text, context) in zip(owners, tokens, values, strict=True):
        raw = base64.b64decode(token)
        assert (b"\x01", 1 + 12 + len(text.encode()) + 16) == (raw[:1], len(raw))
        assert text == key.open(token, context)
        with pytest.raises(StoreError, match="does not open"):
            key.open(token, context + "x")
        with pytest.raises(StoreError, match="does not open"):
            _ENCRYPTION.new_key().open(token, context)


def test_a_sealer_refuses_what_it_cannot_seal_safely(encryption: FieldEncryption) -> None:
    key = encryption.new_key()
    seal = encryption.sealer(2)
    with pytest.raises(StoreError, match="under a DataKey"):
        seal(b"k" * 32, b"x", b"t/r/email")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="context as bytes"):
        seal(key, b"x", None)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="context as bytes"):
        seal(key, b"x", "t/r/email")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="seals bytes"):
        seal(key, "text", b"t/r/email")  # type: ignore[arg-type]
    seal(key, b"x", b"t/r/email")
    with pytest.raises(StoreError, match="made for 2 values"):
        seal(key, b"y", b"t/r/email")
    for bad in (-1, 1.5, "3", 100_000_001):
        with pytest.raises(StoreError, match="a count from 0"):
            encryption.sealer(bad)  # type: ignore[arg-type]
    shared = encryption.sealer(5)
    failed: list[BaseException] = []

    def elsewhere() -> None:
        try:
            shared(key, b"x", b"t/r/email")
        except StoreError as exc:
            failed.append(exc)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert 1 == len(failed)
    assert "thread that made it" in str(failed[0])
    assert "x" == key.open(shared(key, b"x", b"t/r/email"), "t/r/email")


@settings(max_examples=100, deadline=None)
@given(text=st.text(st.characters(exclude_categories=["Cs"])), context=st.text(max_size=20))
def test_the_encoded_indexer_gives_the_index_of_the_text(text: str, context: str) -> None:
    assert _ENCRYPTION.indexer(context)(text) == _ENCRYPTION.encoded_indexer(context)(text.encode())


def test_the_encoded_indexer_takes_bytes_only(encryption: FieldEncryption) -> None:
    with pytest.raises(StoreError, match="taken of bytes"):
        encryption.encoded_indexer("t\x1femail")("ada@example.com")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="takes a context"):
        encryption.encoded_indexer(b"t")  # type: ignore[arg-type]


def _encryption() -> FieldEncryption:
    path = Path(tempfile.mkdtemp()) / "batch.key"
    return FieldEncryption(LocalKeyFile(path, create=True))


_ENCRYPTION = _encryption()


# -- a bulk upsert over several sealing passes -----------------------------------------------------


@pytest.fixture
def lead_encryption(tmp_path: Path) -> FieldEncryption:
    return FieldEncryption(
        LocalKeyFile(tmp_path / "lead.key", create=True), fields=["email", "born"]
    )


@pytest.fixture
def store(tmp_path: Path, lead_encryption: FieldEncryption) -> Iterator[SQLStore]:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    with SQLStore(url, schemas=[LEAD], encryption=lead_encryption) as s:
        yield s


def _keys_of(store: SQLStore, encryption: FieldEncryption) -> dict[str, DataKey]:
    """Every record's data key, read from rk_keys and unwrapped."""
    table = store.metadata.tables["rk_keys"]
    engine = store.engine
    assert engine is not None
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.record_id, table.c.key_id, table.c.wrapped)).all()
    return {r: encryption.open_key(k, bytes(w)) for r, k, w in rows if w is not None}


def _cell(store: SQLStore, record_id: str, column: str) -> object:
    table = store.table("lead")
    engine = store.engine
    assert engine is not None
    with engine.connect() as conn:
        return conn.execute(sa.select(table.c[column]).where(table.c.rk_id == record_id)).scalar()


def test_a_bulk_upsert_over_several_sealing_passes_seals_each_record_under_its_own_key(
    store: SQLStore, lead_encryption: FieldEncryption
) -> None:
    """Values bound to their record, field and key; shredding one leaves the others."""
    count = 2 * SEAL_ROWS + 5  # three sealing passes, and key rows past several INSERTs
    born = [dt.date(1950 + i % 60, 1 + i % 12, 1 + i % 28) for i in range(count)]
    records = [lead(f"r{i}", email=f"p{i}@example.com", born=born[i]) for i in range(count)]
    assert count == len(store.upsert_many(records).created)
    keys = _keys_of(store, lead_encryption)
    assert count == len(keys) == len({k._secret for k in keys.values()})
    edges = ["r0", f"r{SEAL_ROWS - 1}", f"r{SEAL_ROWS}", f"r{count - 1}"]
    for record_id in edges:
        i = int(record_id[1:])
        assert {"email": f"p{i}@example.com", "born": born[i]} == dict(store.get(record_id).values)
        token = _cell(store, record_id, "email")
        assert isinstance(token, str)
        context = f"rk_lead\x1f{record_id}\x1femail\x1fvalue"
        assert f"p{i}@example.com" == keys[record_id].open(token, context)
        with pytest.raises(StoreError, match="does not open"):  # another record's key
            keys["r1"].open(token, context)
        with pytest.raises(StoreError, match="does not open"):  # moved to another record
            keys[record_id].open(token, "rk_lead\x1fr1\x1femail\x1fvalue")
        with pytest.raises(StoreError, match="does not open"):  # moved to another field
            keys[record_id].open(token, f"rk_lead\x1f{record_id}\x1fborn\x1fvalue")
    (event,) = store.audit_log().events(f"r{SEAL_ROWS}")
    sealed = event.changes[f"r{SEAL_ROWS}"]["email"][1]
    assert sealed == _cell(store, f"r{SEAL_ROWS}", "email")  # the column's sealed text
    assert [f"r{SEAL_ROWS}"] == [
        r.id for r in store.query("lead", where={"email": f"p{SEAL_ROWS}@example.com"})
    ]
    assert 1 == store.shred([f"r{SEAL_ROWS}"])
    assert Masked("email", "shredded", "•••••") == store.get(f"r{SEAL_ROWS}").values["email"]
    for record_id in (f"r{SEAL_ROWS - 1}", f"r{SEAL_ROWS + 1}"):
        assert f"p{record_id[1:]}@example.com" == store.get(record_id).values["email"]


def test_an_update_batch_writing_other_encrypted_fields_per_record_keeps_each_row(
    store: SQLStore,
) -> None:
    """Rows that update different encrypted fields are written each with its own fields."""
    store.upsert_many(
        [lead(r, email=f"{r}@example.com", born=dt.date(1990, 1, 2)) for r in ("a", "b")]
    )
    later = T0 + dt.timedelta(days=1)
    result = store.upsert_many(
        [
            lead("a", at=later, email="a2@example.com"),
            lead("b", at=later, born=dt.date(1991, 3, 4)),
            lead("c", at=later, email="c@example.com"),
        ]
    )
    assert (("c",), ("a", "b")) == (result.created, result.updated)
    assert {"email": "a2@example.com", "born": dt.date(1990, 1, 2)} == dict(store.get("a").values)
    assert {"email": "b@example.com", "born": dt.date(1991, 3, 4)} == dict(store.get("b").values)
    event = list(store.audit_log().events())[-1]
    assert ("a", "b", "c") == event.record_ids
    assert {"email"} == set(event.changes["a"])
    assert {"born"} == set(event.changes["b"])
    assert event.changes["b"]["born"][1] == _cell(store, "b", "born")
    assert "1991-03-04" not in repr(event.changes)
    assert store.audit_log().verify()


def test_a_bad_value_in_a_bulk_upsert_is_named_with_its_record(store: SQLStore) -> None:
    """A value an encrypted field cannot hold names its own record, not the batch's first."""
    records = [lead(f"r{i}", email=f"p{i}@example.com") for i in range(5)]
    records[3] = Record("r3", "lead", {"born": "soon"}, created_at=T0, updated_at=T0)
    with pytest.raises(StoreError, match=r"record 'r3' field 'born': cannot store") as caught:
        store.upsert_many(records)
    assert caught.value.unstorable
    assert [None] * 5 == store.get_many([r.id for r in records])  # nothing was written


def test_a_shredded_record_in_a_batch_is_refused_after_its_values_are_checked(
    store: SQLStore,
) -> None:
    store.upsert_many([lead("a", email="a@example.com"), lead("b", email="b@example.com")])
    store.shred(["a"])
    later = T0 + dt.timedelta(days=1)
    with pytest.raises(StoreError, match="'a' was crypto-shredded"):
        store.upsert_many(
            [
                lead("b", at=later, email="b2@example.com"),
                lead("a", at=later, email="x@example.com"),
            ]
        )
    bad = Record("a", "lead", {"born": "soon"}, created_at=later, updated_at=later)
    with pytest.raises(StoreError, match=r"record 'a' field 'born': cannot store"):
        store.upsert_many([bad])
    assert "b@example.com" == store.get("b").values["email"]


def test_every_record_of_a_batch_over_several_passes_has_its_sealed_text_in_the_audit(
    store: SQLStore,
) -> None:
    """Audit values are taken pass by pass: each is its own record's column, created or not."""
    count = 2 * SEAL_ROWS + 3
    store.upsert_many([lead(f"r{i}", email=f"p{i}@example.com") for i in range(0, count, 2)])
    later = T0 + dt.timedelta(days=1)
    records = []
    for i in range(count):
        if i % 4 == 0:  # stored: a new email
            records.append(lead(f"r{i}", at=later, email=f"u{i}@example.com"))
        elif i % 4 == 2:  # stored: a birth date
            records.append(lead(f"r{i}", at=later, born=dt.date(1990, 1, 1 + i % 28)))
        else:  # new
            born = dt.date(1991, 2, 3)
            records.append(lead(f"r{i}", at=later, email=f"n{i}@example.com", born=born))
    result = store.upsert_many(records)
    assert (count // 2, count - count // 2) == (len(result.created), len(result.updated))
    event = list(store.audit_log().events())[-1]
    assert count == len(event.record_ids)
    for i in range(count):
        changes = event.changes[f"r{i}"]
        fields = {"email"} if i % 4 == 0 else {"born"} if i % 4 == 2 else {"email", "born"}
        assert fields == set(changes)
        for name in fields:
            assert changes[name][1] == _cell(store, f"r{i}", name)
    assert store.audit_log().verify()


def test_key_rows_hold_each_wrapped_key_as_a_blob(
    store: SQLStore, lead_encryption: FieldEncryption
) -> None:
    store.upsert_many([lead(f"r{i}", email=f"p{i}@example.com") for i in range(5)])
    engine = store.engine
    assert engine is not None
    with engine.connect() as conn:
        kinds = conn.exec_driver_sql("SELECT DISTINCT typeof(wrapped) FROM rk_keys").all()
    assert [("blob",)] == kinds
    assert 5 == len(_keys_of(store, lead_encryption))  # each unwraps
    assert "p3@example.com" == store.get("r3").values["email"]


class _Day(dt.date):
    def isoformat(self) -> str:
        return "a day of its own"


@settings(max_examples=200, deadline=None)
@given(days=st.lists(st.dates(), max_size=40))
def test_a_date_fields_text_is_its_iso_text_kept_or_not(days: list[dt.date]) -> None:
    """The texts a date field keeps are the dates' own, also after it forgets them."""
    sealer = _lead_sealer()
    to_text = sealer.texts["born"]
    for day in days + days:  # the second time from what was kept
        assert day.isoformat() == to_text(day)
    assert "a day of its own" == to_text(_Day(2020, 1, 2))  # a subclass is asked each time
    assert "2020-01-02" == to_text(dt.date(2020, 1, 2))
    for bad in (dt.datetime(2020, 1, 2, tzinfo=dt.UTC), "2020-01-02", [2020]):
        with pytest.raises(TypeError, match="expected a date"):
            to_text(bad)


def test_a_date_field_forgets_its_texts_when_it_holds_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from recordkit.store.sql import _sealed

    monkeypatch.setattr(_sealed, "_DAYS_KEPT", 3)
    to_text = _lead_sealer().texts["born"]
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(10)]
    assert [d.isoformat() for d in days * 2] == [to_text(d) for d in days * 2]


def _lead_sealer() -> Sealer:
    keyring = Keyring(_ENCRYPTION, sa.Table("rk_keys", sa.MetaData()))
    return Sealer(keyring, LEAD, "rk_lead", ["email", "born"])
