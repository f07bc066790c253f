"""Encryption at rest: encrypted fields hold sealed text, read back exactly, and shred.

A `SQLStore` with ``encryption=FieldEncryption(...)`` keeps each encrypted field's value
sealed under its record's data key (AES-256-GCM), the provenance raw values and audit
values of those fields too; equality queries use blind indexes; destroying a record's
data key (``shred``) makes its values unreadable. Checked on SQLite (the file's bytes) and
PostgreSQL (every table read as text).
"""

from __future__ import annotations

import datetime as dt
import decimal
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit import Masked, MemoryStore, Money, Record, RecordkitError, SchemaError, StoreError
from recordkit.governance import DataKey, FieldEncryption, KeyProvider, LocalKeyFile
from recordkit.store import Predicate, SQLStore
from tests.store.examples import FULL, LEAD, T0, lead

SEALED = ("name", "email", "phone", "born", "seen_at", "visits", "score", "budget", "opted_in")
"""The lead's encrypted fields: one of every type an encrypted field may have."""

NEEDLES = ("Ada Lovelace", "ada@example.com", "2125550100", "1815-12-10", "12.3400", "1999.99")
"""Plaintext of encrypted values of `FULL`, as a database would spell them."""


@pytest.fixture
def keys(tmp_path: Path) -> LocalKeyFile:
    return LocalKeyFile(tmp_path / "master.key", create=True)


@pytest.fixture
def encryption(keys: LocalKeyFile) -> FieldEncryption:
    return FieldEncryption(keys, fields=SEALED)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """A SQL database and a table prefix of its own for the test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.db'}", "rk_"
    return str(request.getfixturevalue("postgres_url")), f"c{uuid.uuid4().hex[:8]}_"


@pytest.fixture
def store(sql_url: tuple[str, str], encryption: FieldEncryption) -> Iterator[SQLStore]:
    url, prefix = sql_url
    with SQLStore(url, schemas=[LEAD], table_prefix=prefix, encryption=encryption) as s:
        yield s


def raw_cell(store: SQLStore, record_id: str, column: str) -> object:
    table = store.table("lead")
    engine = store.engine
    assert engine is not None
    with engine.connect() as conn:
        return conn.execute(sa.select(table.c[column]).where(table.c.rk_id == record_id)).scalar()


def set_cell(store: SQLStore, record_id: str, column: str, value: object) -> None:
    table = store.table("lead")
    engine = store.engine
    assert engine is not None
    with engine.begin() as conn:
        conn.execute(table.update().where(table.c.rk_id == record_id).values({column: value}))


def found_in_tables(store: SQLStore) -> dict[str, list[str]]:
    """Every recordkit table of a PostgreSQL store, read as text: table → needles found."""
    out: dict[str, list[str]] = {}
    engine = store.engine
    assert engine is not None
    with engine.connect() as conn:
        for name in sorted(store.metadata.tables):
            rows = conn.exec_driver_sql(f'SELECT t::text FROM "{name}" t').scalars().all()
            text = "\n".join(rows)
            hits = [n for n in NEEDLES if n in text]
            if hits:
                out[name] = hits
    return out


def found_in_files(path: Path) -> dict[str, list[str]]:
    """The SQLite file and its -wal, as raw bytes: file → needles found."""
    out: dict[str, list[str]] = {}
    for name in (path.name, f"{path.name}-wal"):
        file = path.parent / name
        if file.exists():
            data = file.read_bytes()
            hits = [n for n in NEEDLES if n.encode() in data]
            if hits:
                out[name] = hits
    return out


# -- round trips -----------------------------------------------------------------------------


def test_every_field_type_round_trips(store: SQLStore) -> None:
    """A value of every type, encrypted, reads back exactly, provenance raw values too."""
    store.put(FULL, expected_version=None)
    got = store.get(FULL.id)
    assert dict(FULL.values) == dict(got.values)
    assert dict(FULL.provenance) == dict(got.provenance)
    assert isinstance(got.values["score"], decimal.Decimal)
    assert "12.3400" == str(got.values["score"])
    assert Money(decimal.Decimal("1999.99"), "EUR") == got.values["budget"]
    assert [FULL] == [r for r in store.get_many([FULL.id]) if r is not None]


def test_columns_hold_sealed_text_and_a_blind_index(store: SQLStore) -> None:
    """The email column holds base64 sealed text, the index column a keyed digest."""
    store.put(FULL, expected_version=None)
    cell = raw_cell(store, FULL.id, "email")
    index = raw_cell(store, FULL.id, "email__bidx")
    assert isinstance(cell, str)
    assert "ada" not in cell
    assert len(cell) > 40
    assert isinstance(index, str)
    assert 32 == len(index)
    assert None is raw_cell(store, FULL.id, "budget__currency")  # sealed with the amount
    assert "Technology" == raw_cell(store, FULL.id, "industry")  # not encrypted


def test_a_record_stored_twice_gets_different_ciphertext(store: SQLStore) -> None:
    """Same value, another record: another data key and nonce, another ciphertext."""
    store.put_many([lead("a", email="ada@example.com"), lead("b", email="ada@example.com")])
    assert raw_cell(store, "a", "email") != raw_cell(store, "b", "email")
    assert raw_cell(store, "a", "email__bidx") == raw_cell(store, "b", "email__bidx")


def test_nulls_and_absent_values_stay_what_they_were(store: SQLStore) -> None:
    record = lead("n", name="Ada", email=None)
    store.put(record, expected_version=None)
    got = store.get("n")
    assert {"name": "Ada", "email": None} == dict(got.values)
    assert None is raw_cell(store, "n", "email__bidx")


# -- no plaintext at rest ----------------------------------------------------------------------


def write_everywhere(store: SQLStore) -> None:
    """FULL through every write path: put, an update, a bulk upsert, store events."""
    store.put(FULL, expected_version=None)
    store.put(FULL.evolve(version=2), expected_version=1)
    later = T0 + dt.timedelta(days=1)
    store.upsert_many(
        [
            lead("bulk-1", at=later, name="Ada Lovelace", email="ada@example.com",
                 born=dt.date(1815, 12, 10), score=decimal.Decimal("12.3400")),
            lead("bulk-2", at=later, phone="+12125550100",
                 budget=Money(decimal.Decimal("1999.99"), "USD")),
        ]
    )  # fmt: skip
    store.upsert_many([lead("bulk-1", at=later + dt.timedelta(hours=1), name="Ada Lovelace")])
    assert 2 == store.count("lead", where={"email": "ada@example.com"})


def test_sqlite_file_holds_no_plaintext_of_encrypted_fields(
    tmp_path: Path, encryption: FieldEncryption
) -> None:
    """A byte scan of the SQLite file and its WAL finds no encrypted field's value."""
    path = tmp_path / "scan.db"
    with SQLStore(f"sqlite:///{path}", schemas=[LEAD], encryption=encryption) as store:
        write_everywhere(store)
        assert 1 <= len(list(store.audit_log().events()))
        assert {} == found_in_files(path)
    assert {} == found_in_files(path)


def test_sqlite_file_without_encryption_does_hold_them(tmp_path: Path) -> None:
    """The scan above is able to fail: the same writes in clear are found."""
    path = tmp_path / "clear.db"
    with SQLStore(f"sqlite:///{path}", schemas=[LEAD]) as store:
        store.put(FULL, expected_version=None)
    assert set(NEEDLES) == {n for hits in found_in_files(path).values() for n in hits}


@pytest.mark.postgres
def test_postgres_tables_hold_no_plaintext_of_encrypted_fields(
    postgres_url: str, encryption: FieldEncryption
) -> None:
    prefix = f"s{uuid.uuid4().hex[:8]}_"
    with SQLStore(postgres_url, schemas=[LEAD], table_prefix=prefix, encryption=encryption) as s:
        write_everywhere(s)
        assert {} == found_in_tables(s)
    with SQLStore(postgres_url, schemas=[LEAD], table_prefix=f"p{prefix}") as clear:
        clear.put(FULL, expected_version=None)
        assert found_in_tables(clear)  # the scan finds values in clear


# -- blind-index queries -------------------------------------------------------------------------


def test_exact_queries_on_encrypted_fields_use_the_blind_index(store: SQLStore) -> None:
    store.put_many(
        [
            lead("a", email="ada@example.com", born=dt.date(1815, 12, 10), visits=3,
                 score=decimal.Decimal("12.3400"), budget=Money(decimal.Decimal("5"), "EUR")),
            lead("b", email="bob@example.com", born=dt.date(1990, 1, 1), visits=3,
                 opted_in=True, budget=Money(decimal.Decimal("5"), "USD")),
            lead("c", email=None, visits=4, opted_in=False),
        ]
    )  # fmt: skip

    def ids(where: object) -> list[str]:
        return [r.id for r in store.query("lead", where=where)]  # type: ignore[arg-type]

    assert ["a"] == ids({"email": "ada@example.com"})
    assert ["b"] == ids({"born": "1990-01-01"})  # coerced to the field's type first
    assert ["a", "b"] == ids({"visits": 3})
    assert ["a", "b"] == ids([Predicate.isin("email", ["ada@example.com", "bob@example.com"])])
    assert ["b"] == ids([Predicate.ne("email", "ada@example.com")])
    assert ["c"] == ids([Predicate.missing("email")])
    assert [] == ids({"email": "nobody@example.com"})
    assert ["a"] == ids({"score": decimal.Decimal("12.34")})  # equal numbers, as in SQL
    assert ["a"] == ids({"budget": Money(decimal.Decimal("5.00"), "EUR")})  # currency counts
    assert ["b"] == ids({"opted_in": True})
    assert 1 == store.count("lead", where={"email": "bob@example.com"})


def test_other_operators_on_encrypted_fields_are_refused(store: SQLStore) -> None:
    store.put(lead("a", visits=3), expected_version=None)
    with pytest.raises(StoreError, match=r"'visits' is encrypted: only eq.*not 'gt'"):
        store.query("lead", where=[Predicate.gt("visits", 1)])


# -- tampering -------------------------------------------------------------------------------------


def test_a_ciphertext_moved_to_another_record_does_not_open(store: SQLStore) -> None:
    store.put_many([lead("a", email="ada@example.com"), lead("b", email="bob@example.com")])
    set_cell(store, "b", "email", raw_cell(store, "a", "email"))
    with pytest.raises(StoreError, match=r"record 'b' field 'email'.*does not open"):
        store.get("b")
    assert "ada@example.com" == store.get("a").values["email"]


def test_a_ciphertext_moved_to_another_field_does_not_open(store: SQLStore) -> None:
    store.put(lead("a", name="Ada", email="ada@example.com"), expected_version=None)
    set_cell(store, "a", "name", raw_cell(store, "a", "email"))
    with pytest.raises(StoreError, match=r"record 'a' field 'name'.*does not open"):
        store.get("a")


def test_an_altered_ciphertext_does_not_open(store: SQLStore) -> None:
    store.put(lead("a", email="ada@example.com"), expected_version=None)
    cell = raw_cell(store, "a", "email")
    assert isinstance(cell, str)
    flipped = "AAAA" if cell[-6:-2] != "AAAA" else "BBBB"
    set_cell(store, "a", "email", cell[:-6] + flipped + cell[-2:])
    with pytest.raises(StoreError, match="does not open"):
        store.get("a")


def test_a_wrong_master_key_fails_clearly(
    sql_url: tuple[str, str], encryption: FieldEncryption, tmp_path: Path
) -> None:
    url, prefix = sql_url
    with SQLStore(url, schemas=[LEAD], table_prefix=prefix, encryption=encryption) as s:
        s.put(lead("a", email="ada@example.com"), expected_version=None)
    other = FieldEncryption(LocalKeyFile(tmp_path / "other.key", create=True), fields=SEALED)
    with (
        SQLStore(url, schemas=[LEAD], table_prefix=prefix, encryption=other) as s,
        pytest.raises(StoreError, match=r"record 'a' cannot be unwrapped.*wrong key file"),
    ):
        s.get("a")


def test_an_encrypted_database_opened_without_encryption_is_refused(
    sql_url: tuple[str, str], encryption: FieldEncryption
) -> None:
    url, prefix = sql_url
    with SQLStore(url, schemas=[LEAD], table_prefix=prefix, encryption=encryption) as s:
        s.put(lead("a", email="ada@example.com"), expected_version=None)
    with pytest.raises(StoreError, match=r"holds encrypted fields .*keys\); open it with"):
        SQLStore(url, schemas=[LEAD], table_prefix=prefix)


# -- crypto-shredding ------------------------------------------------------------------------------


def test_shredding_makes_the_values_unreadable(store: SQLStore) -> None:
    store.put_many([FULL, lead("b", email="bob@example.com")])
    assert 1 == store.shred([FULL.id])
    got = store.get(FULL.id)
    for name in SEALED:
        assert Masked(name, "shredded", "•••••") == got.values[name], name
    assert "Technology" == got.values["industry"]  # the rest of the record stays
    assert None is got.provenance["email"].raw
    assert "bob@example.com" == store.get("b").values["email"]
    assert [FULL.id] == [r.id for page in store.iterate("lead") for r in page if r.id == FULL.id]
    assert 0 == store.shred([FULL.id, "never-stored"])  # shredded already, or no key


def test_a_shredded_record_cannot_be_written_again(store: SQLStore) -> None:
    store.put(lead("a", email="ada@example.com"), expected_version=None)
    store.shred(["a"])
    with pytest.raises(StoreError, match="was crypto-shredded"):
        store.put(lead("a", version=2, email="new@example.com"), expected_version=1)
    with pytest.raises(StoreError, match="was crypto-shredded"):
        store.upsert_many([lead("a", at=T0 + dt.timedelta(days=1), email="new@example.com")])


def test_erasing_deletes_the_data_keys(store: SQLStore) -> None:
    store.put_many([lead("a", email="ada@example.com"), lead("b", email="bob@example.com")])
    store.erase(["a"])
    keys = store.metadata.tables[f"{store.table('lead').name[: -len('lead')]}keys"]
    engine = store.engine
    assert engine is not None
    with engine.connect() as conn:
        assert ["b"] == list(conn.execute(sa.select(keys.c.record_id)).scalars())


def test_a_store_without_encryption_shreds_nothing() -> None:
    memory = MemoryStore(schemas=[LEAD])
    memory.put(lead("a", email="ada@example.com"), expected_version=None)
    assert 0 == memory.shred(["a"])
    with pytest.raises(StoreError, match="list of record ids"):
        memory.shred("a")


# -- bulk ------------------------------------------------------------------------------------------


def test_bulk_upsert_encrypts_creates_and_updates(store: SQLStore) -> None:
    first = [lead(f"r{i}", email=f"p{i}@example.com", visits=i) for i in range(60)]
    assert 60 == len(store.upsert_many(first).created)
    later = T0 + dt.timedelta(days=1)
    second = [lead(f"r{i}", at=later, email=f"q{i}@example.com") for i in range(0, 60, 2)]
    result = store.upsert_many([*second, lead("new", at=later, email="n@example.com")])
    assert (1, 30) == (len(result.created), len(result.updated))
    assert "q4@example.com" == store.get("r4").values["email"]
    assert 4 == store.get("r4").values["visits"]  # the field the update did not carry
    assert "p5@example.com" == store.get("r5").values["email"]
    assert ["r4"] == [r.id for r in store.query("lead", where={"email": "q4@example.com"})]
    events = list(store.audit_log().events())
    assert not any("@example.com" in repr(e.changes) for e in events)
    assert bool(store.audit_log().verify())


def test_bulk_upsert_refuses_a_value_of_the_wrong_type(store: SQLStore) -> None:
    bad = Record("x", "lead", {"visits": "many"}, created_at=T0, updated_at=T0)
    with pytest.raises(StoreError, match=r"record 'x' field 'visits': cannot store") as caught:
        store.upsert_many([bad])
    assert caught.value.unstorable


# -- keys and arguments ----------------------------------------------------------------------------


def test_key_files_are_private_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    with pytest.raises(StoreError, match="pass create=True"):
        LocalKeyFile(path)
    with pytest.raises(StoreError, match=r"name ends in \.key"):
        LocalKeyFile(tmp_path / "master.kye", create=True)
    assert not (tmp_path / "master.kye").exists()
    keys = LocalKeyFile(path, create=True)
    assert 0o600 == path.stat().st_mode & 0o777
    assert keys.key_id == LocalKeyFile(path).key_id
    assert "key" not in repr(keys).split("key_id")[1].lower()
    path.chmod(0o644)
    with pytest.raises(StoreError, match="readable by others"):
        LocalKeyFile(path)
    path.chmod(0o600)
    path.write_text("not a key")
    with pytest.raises(StoreError, match="does not hold a recordkit master key"):
        LocalKeyFile(path)


def test_a_destroyed_master_key_is_gone(tmp_path: Path) -> None:
    keys = LocalKeyFile(tmp_path / "k.key", create=True)
    encryption = FieldEncryption(keys)
    key = encryption.new_key()
    keys.destroy(keys.key_id)
    assert not (tmp_path / "k.key").exists()
    with pytest.raises(StoreError, match="destroyed"):
        encryption.open_key(key.key_id, key.wrapped)


def test_bad_arguments_are_named(keys: LocalKeyFile) -> None:
    with pytest.raises(SchemaError, match="needs a KeyProvider"):
        FieldEncryption("key")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="fields must be a list of names"):
        FieldEncryption(keys, fields=3)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="encryption must be a FieldEncryption"):
        SQLStore("sqlite://", encryption="yes")  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="made by FieldEncryption"):
        DataKey()
    with pytest.raises(TypeError):
        KeyProvider()  # type: ignore[abstract]


def test_fields_are_chosen_by_name_and_by_tag(keys: LocalKeyFile) -> None:
    from recordkit import bundled_schema

    contact = bundled_schema("contact")
    assert ("birth_date",) == FieldEncryption(keys).fields_for(contact)
    assert ("email", "birth_date") == FieldEncryption(keys, fields=["email"]).fields_for(contact)
    assert ("phone",) == FieldEncryption(keys, fields=["phone"], tags=()).fields_for(contact)


def test_missing_cryptography_names_the_extra(
    keys: LocalKeyFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the package (its import fails), encryption says how to install it."""
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers.aead", None)
    with pytest.raises(RecordkitError, match=r"pip install 'recordkit\[crypto\]'"):
        FieldEncryption(keys)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.characters(exclude_categories=["Cs"])),
    context=st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
)
def test_seal_and_open_round_trip_any_text(text: str, context: str) -> None:
    """Any text comes back from its sealed form, and opens under its own context only."""
    key = _ENCRYPTION.new_key()
    token = key.seal(text, context)
    assert text == key.open(token, context)
    with pytest.raises(StoreError, match="does not open"):
        key.open(token, context + "x")
    with pytest.raises(StoreError, match="does not open"):
        _ENCRYPTION.new_key().open(token, context)


def _encryption() -> FieldEncryption:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "prop.key"
    return FieldEncryption(LocalKeyFile(path, create=True))


_ENCRYPTION = _encryption()


def test_a_steward_over_an_encrypting_store_leaves_no_plaintext_in_its_events(
    tmp_path: Path, keys: LocalKeyFile
) -> None:
    """The facade's own events (capture, update) hold encrypted fields sealed, dates too."""
    from recordkit import Steward, bundled_schema

    path = tmp_path / "steward.db"
    encryption = FieldEncryption(keys, fields=["email", "phone"])
    with SQLStore(f"sqlite:///{path}", encryption=encryption) as store:
        contacts = Steward(bundled_schema("contact"), store=store)
        ada = contacts.capture(
            {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
             "phone": "+1 212 555 0100", "birth_date": "1815-12-10"},
            source="web_form",
        )  # fmt: skip
        contacts.update(ada.id, {"email": "ada@lovelace.org"}, source="crm")
        assert "ada@lovelace.org" == contacts.get(ada.id)["email"]
        assert dt.date(1815, 12, 10) == contacts.get(ada.id)["birth_date"]
        changes = repr([e.changes for e in store.audit_log().events()])
        assert "Lovelace" in changes  # last_name is not encrypted: the events do hold values
        for needle in ("ada@example.com", "lovelace.org", "1815-12-10", "2125550100"):
            assert needle not in changes
    data = b"".join(p.read_bytes() for p in tmp_path.glob("steward.db*"))
    for raw in (b"ada@example.com", b"lovelace.org", b"1815-12-10", b"2125550100"):
        assert raw not in data


def test_a_record_whose_key_row_is_gone_fails_clearly(store: SQLStore) -> None:
    store.put(lead("a", email="ada@example.com"), expected_version=None)
    keys = store.metadata.tables[f"{store.table('lead').name[: -len('lead')]}keys"]
    engine = store.engine
    assert engine is not None
    with engine.begin() as conn:
        conn.execute(keys.delete())
    with pytest.raises(StoreError, match="record 'a' has encrypted values but no data key"):
        store.get("a")


_STORE_NUMBERS = iter(range(10**9))


@settings(max_examples=40, deadline=None)
@given(name=st.text(st.characters(exclude_categories=["Cs"]), min_size=1))
def test_any_text_round_trips_through_an_encrypting_store(name: str) -> None:
    """Any text, NUL and controls included, is stored sealed and read back exactly."""
    record_id = f"t{next(_STORE_NUMBERS)}"
    _TEXT_STORE.put(lead(record_id, name=name), expected_version=None)
    got = _TEXT_STORE.get(record_id)
    assert name == got.values["name"]
    assert name == got.provenance["name"].raw
    if name.strip() == name:  # a query value is coerced like a field value: stripped
        found = [r.id for r in _TEXT_STORE.query("lead", where={"name": name})]
        assert [record_id] == found


_TEXT_STORE = SQLStore("sqlite://", schemas=[LEAD], encryption=_ENCRYPTION)


def test_a_view_joined_to_the_callers_connection_encrypts_in_its_transaction(
    store: SQLStore,
) -> None:
    """Record, data key and event commit with the caller's transaction, or not at all."""
    engine = store.engine
    assert engine is not None
    with engine.connect() as conn:
        store.using(conn).put(lead("a", email="ada@example.com"), expected_version=None)
        conn.rollback()
    assert [None] == store.get_many(["a"])
    with engine.connect() as conn:
        store.using(conn).put(lead("a", email="ada@example.com"), expected_version=None)
        conn.commit()
    assert "ada@example.com" == store.get("a").values["email"]
    assert ["a"] == [r.id for r in store.query("lead", where={"email": "ada@example.com"})]
