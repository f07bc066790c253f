"""Tampering with a SQL audit trail: every change to a stored row is found and named."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from recordkit import RecordkitError
from recordkit.governance import AuditEvent
from recordkit.store import SQLStore
from tests.governance.test_audit import KEY, write

COLUMNS = [
    "seq", "at", "actor", "action", "schema", "record_ids", "fields", "detail",
    "prev_hash", "hash", "payload", "payload_digest", "redacted",
]  # fmt: skip


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'audit.db'}"


def _raw(engine: sa.Engine, sql: str, **params: object) -> list[tuple[object, ...]]:
    with engine.begin() as conn:
        result = conn.exec_driver_sql(sql, params) if params else conn.exec_driver_sql(sql)
        return [tuple(r) for r in result] if result.returns_rows else []


def _flip(value: object, position: int, replacement: str) -> object:
    if value is None:
        return "{}"
    if isinstance(value, int):
        return value + 1 + position % 7
    text = str(value)
    i = position % len(text)
    new = replacement if replacement != text[i] else chr(ord(replacement) + 1)
    return text[:i] + new + text[i + 1 :]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    row=st.integers(1, 5),
    column=st.sampled_from(COLUMNS),
    position=st.integers(0, 200),
    replacement=st.characters(min_codepoint=32, max_codepoint=126),
)
def test_a_flipped_byte_is_found(
    tmp_path_factory: pytest.TempPathFactory, row: int, column: str, position: int, replacement: str
) -> None:
    """Changing one character (or number) of any column of any stored event fails verify."""
    path = tmp_path_factory.mktemp("flip") / "audit.db"
    with SQLStore(f"sqlite:///{path}") as store:
        log = store.audit_log()
        write(log, 5)
        log.redact(["r2"])
        assert log.verify()
        engine = store.engine
        assert engine is not None
        ((value,),) = _raw(engine, f"SELECT {column} FROM rk_audit WHERE seq = {row}")
        flipped = _flip(value, position, replacement)
        assume(flipped != value)
        try:
            _raw(engine, f"UPDATE rk_audit SET {column} = :v WHERE seq = {row}", v=flipped)
        except sa.exc.IntegrityError:
            assume(False)  # a seq taken by another event: the database refuses it itself
        report = log.verify()
        assert (False, True) == (report.ok, report.first_bad is not None), report
        assert report.first_bad <= row + 1 if report.first_bad else True


@settings(max_examples=20, deadline=None)
@given(gone=st.integers(1, 6), checkpoint=st.booleans())
def test_a_deleted_event_is_found(
    tmp_path_factory: pytest.TempPathFactory, gone: int, checkpoint: bool
) -> None:
    """Deleting any event fails verify, the last ones included (head row or checkpoint)."""
    path = tmp_path_factory.mktemp("delete") / "audit.db"
    with SQLStore(f"sqlite:///{path}") as store:
        log = store.audit_log()
        write(log, 6)
        cp = log.checkpoint(KEY)
        engine = store.engine
        assert engine is not None
        _raw(engine, f"DELETE FROM rk_audit WHERE seq = {gone}")
        if gone == 6 and checkpoint:  # the attacker also moves the head back
            _raw(engine, "UPDATE rk_audit_head SET seq = 5, hash = "
                 "(SELECT hash FROM rk_audit WHERE seq = 5)")  # fmt: skip
        report = log.verify(checkpoint=cp, key=KEY) if checkpoint else log.verify()
        assert (False, gone) == (report.ok, report.first_bad), report


def test_wholesale_deletion_with_head_reset(url: str) -> None:
    """DELETE FROM rk_audit and a reset head pass alone, and fail against a checkpoint."""
    with SQLStore(url) as store:
        log = store.audit_log()
        write(log, 3)
        cp = log.checkpoint(KEY)
        engine = store.engine
        assert engine is not None
        _raw(engine, "DELETE FROM rk_audit")
        _raw(engine, f"UPDATE rk_audit_head SET seq = 0, hash = '{'0' * 64}'")
        assert log.verify()
        report = log.verify(checkpoint=cp, key=KEY)
        assert (False, 1) == (report.ok, report.first_bad)
        assert "missing before the checkpoint" in (report.problem or "")


@settings(max_examples=10, deadline=None)
@given(target=st.integers(1, 5))
def test_rechaining_is_found(tmp_path_factory: pytest.TempPathFactory, target: int) -> None:
    """Rewriting an event and recomputing every hash with the public function fails verify."""
    path = tmp_path_factory.mktemp("rechain") / "audit.db"
    with SQLStore(f"sqlite:///{path}") as store:
        log = store.audit_log()
        write(log, 5)
        cp = log.checkpoint(KEY)
        engine = store.engine
        assert engine is not None
        prev = "0" * 64
        for event in list(log.events()):
            detail = {"forged": True} if event.seq == target else dict(event.detail)
            fresh = AuditEvent(
                event.seq, event.at, event.actor, event.action, event.schema,
                event.record_ids, event.fields, detail, prev, changes=event.changes,
            )  # fmt: skip
            fresh_hash = fresh.content_hash()
            before = {i: {f: b for f, (b, _) in row.items() if b is not None}
                      for i, row in fresh.changes.items()}  # fmt: skip
            after = {i: {f: a for f, (_, a) in row.items()} for i, row in fresh.changes.items()}
            payload = json.dumps(
                {"after": after, "before": {i: r for i, r in before.items() if r},
                 "detail": fresh.detail},
                sort_keys=True,
                separators=(",", ":"),
            )  # the documented payload form, written by hand
            _raw(
                engine,
                "UPDATE rk_audit SET payload = :p, payload_digest = :d, prev_hash = :prev, "
                "hash = :h WHERE seq = :s",
                p=payload, d=fresh.payload_digest, prev=prev, h=fresh_hash, s=event.seq,
            )  # fmt: skip
            prev = fresh_hash
        _raw(engine, "UPDATE rk_audit_head SET hash = :h", h=prev)
        assert log.verify()  # the chain alone cannot tell
        report = log.verify(checkpoint=cp, key=KEY)
        assert (False, 5) == (report.ok, report.first_bad)
        assert "re-chained" in (report.problem or "")


OLD_AUDIT = """
CREATE TABLE rk_audit (
    seq BIGINT NOT NULL PRIMARY KEY, at DATETIME NOT NULL, actor TEXT NOT NULL,
    action VARCHAR(64) NOT NULL, schema VARCHAR(63) NOT NULL, record_ids JSON NOT NULL,
    fields JSON NOT NULL, detail JSON NOT NULL, prev_hash VARCHAR(64) NOT NULL,
    hash VARCHAR(64) NOT NULL)
"""


def test_an_old_layout_is_refused_then_migrated(url: str) -> None:
    """A 0.1 audit table is drift until migrated; its old events still verify after."""
    with SQLStore(url) as store:
        engine = store.engine
        assert engine is not None
    _raw(engine, "DROP TABLE rk_audit")
    _raw(engine, OLD_AUDIT)
    _raw(engine, "ALTER TABLE rk_audit_head DROP COLUMN log_id")
    _raw(engine, "UPDATE rk_audit_head SET seq = 0, hash = :h", h="0" * 64)
    old = AuditEvent(
        1, dt.datetime(2025, 1, 1, tzinfo=dt.UTC), "a", "create", "lead", ("r1",), ("x",),
        {"source": "web"}, payload_digest=None,
    )  # fmt: skip
    old = AuditEvent(
        1, old.at, "a", "create", "lead", ("r1",), ("x",), {"source": "web"},
        old.prev_hash, old.content_hash(), payload_digest=None,
    )  # fmt: skip
    _raw(
        engine,
        "INSERT INTO rk_audit VALUES (1, '2025-01-01 00:00:00.000000', 'a', 'create', 'lead', "
        "'[\"r1\"]', '[\"x\"]', '{\"source\": \"web\"}', :prev, :h)",
        prev=old.prev_hash, h=old.hash,
    )  # fmt: skip
    _raw(engine, "UPDATE rk_audit_head SET seq = 1, hash = :h", h=old.hash)
    with pytest.raises(RecordkitError, match="migrate=True"):
        SQLStore(url)
    with SQLStore(url, migrate=True) as store:
        log = store.audit_log()
        assert 32 == len(log.log_id)
        write(log, 2, start=5)
        assert (True, 3) == (bool(log.verify()), log.verify().checked)
        first = next(log.events("r1"))
        assert (None, {"source": "web"}) == (first.payload_digest, dict(first.detail))
        assert 0 == log.redact(["r1"])  # an old event holds no values: left as it was
