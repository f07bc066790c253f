"""Bulk encryption's shortcuts keep its guarantees: fresh nonces, lazily made ciphers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from recordkit import StoreError
from recordkit.governance import FieldEncryption, LocalKeyFile, _crypto
from recordkit.store.sql._upsert import _page_cache


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
        with _page_cache(conn, 100_000):
            during = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        after = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        with _page_cache(conn, 10):
            small = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    engine.dispose()
    assert (-50_000, before, before) == (during, after, small)
