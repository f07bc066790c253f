"""The SQLite verify walk: batches of events checked at once, and event by event, agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from recordkit.governance import AuditLog, VerifyReport
from recordkit.store import SQLStore
from recordkit.store.sql import _audit_chain
from tests.governance.test_audit import KEY, T0, write
from tests.governance.test_audit_sql import COLUMNS, _flip, _raw

EVENTS = 11


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of four events, so a short log spans several."""
    monkeypatch.setattr(_audit_chain, "_BATCH", 4)


@pytest.fixture
def leaps(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """What each batch's bulk check answered (true: the batch passed as a whole)."""
    seen: list[bool] = []
    leap = _audit_chain._leap

    def counted(*args: Any) -> bool:
        seen.append(leap(*args))
        return seen[-1]

    monkeypatch.setattr(_audit_chain, "_leap", counted)
    return seen


def _one_by_one(store: SQLStore, **kwargs: Any) -> VerifyReport:
    """Verify with every batch walked event by event (the bulk check always declining)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_audit_chain, "_leap", lambda *args: False)
        return store.audit_log().verify(**kwargs)


def test_an_intact_log_passes_in_bulk(tmp_path: Path, leaps: list[bool]) -> None:
    """Every batch of a well-formed log passes at once, and every event is counted."""
    with SQLStore(f"sqlite:///{tmp_path / 'a.db'}") as store:
        log = store.audit_log()
        write(log, EVENTS)
        report = log.verify()
        assert (True, EVENTS, [True, True, True]) == (report.ok, report.checked, leaps)
        assert report == _one_by_one(store)


def test_a_checkpoint_inside_a_batch(tmp_path: Path, leaps: list[bool]) -> None:
    """A checkpoint whose event sits inside a batch is compared (that batch one by one)."""
    with SQLStore(f"sqlite:///{tmp_path / 'a.db'}") as store:
        log = store.audit_log()
        write(log, 6)
        cp = log.checkpoint(KEY)
        write(log, EVENTS - 6, start=6)
        report = log.verify(checkpoint=cp, key=KEY)
        assert (True, EVENTS, [True, False, True]) == (report.ok, report.checked, leaps)
        engine = store.engine
        assert engine is not None
        # the checkpointed event's hash replaced (its successor re-linked to it): only the
        # checkpoint can tell, and the bulk check must not wave it through
        forged = "f" * 64
        _raw(engine, "UPDATE rk_audit SET hash = :h WHERE seq = 6", h=forged)
        _raw(engine, "UPDATE rk_audit SET prev_hash = :h WHERE seq = 7", h=forged)
        report = log.verify(checkpoint=cp, key=KEY)
        assert (False, 6) == (report.ok, report.first_bad), report


def test_redacted_and_plain_events_mix(tmp_path: Path, leaps: list[bool]) -> None:
    """A batch holding a redacted event is walked one by one; the others still in bulk."""
    with SQLStore(f"sqlite:///{tmp_path / 'a.db'}") as store:
        log = store.audit_log()
        write(log, EVENTS)
        log.redact(["r5"])  # event 6, in the second batch
        report = log.verify()
        assert (True, EVENTS, [True, False, True]) == (report.ok, report.checked, leaps)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    row=st.integers(1, EVENTS),
    column=st.sampled_from(COLUMNS),
    position=st.integers(0, 200),
    replacement=st.characters(min_codepoint=32, max_codepoint=126),
)
def test_a_flipped_byte_is_named_as_one_by_one(
    tmp_path_factory: pytest.TempPathFactory, row: int, column: str, position: int, replacement: str
) -> None:
    """Any changed character fails verify, with the report the event-by-event walk gives."""
    path = tmp_path_factory.mktemp("flip") / "audit.db"
    with SQLStore(f"sqlite:///{path}") as store:
        log = store.audit_log()
        write(log, EVENTS)
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
        assert report == _one_by_one(store)


def test_times_with_and_without_microseconds(tmp_path: Path, leaps: list[bool]) -> None:
    """Whole seconds and microseconds mixed in a batch hash as isoformat writes them."""
    with SQLStore(f"sqlite:///{tmp_path / 'a.db'}") as store:
        log = store.audit_log()
        for i in range(EVENTS):
            log.append(
                at=T0 + dt.timedelta(seconds=i, microseconds=(0, 1, 500_000, 999_999)[i % 4]),
                actor="ann",
                action="update",
                schema="lead",
                record_ids=[f"r{i}"],
                fields=["email"],
                changes={f"r{i}": {"email": [None, f"p{i}@example.com"]}},
            )
        report = log.verify()
        assert (True, EVENTS, [True, True, True]) == (report.ok, report.checked, leaps)
        assert report == _one_by_one(store)


def test_hashes_cut_at_other_places_are_not_waved_through(
    tmp_path: Path, leaps: list[bool]
) -> None:
    """Hashes whose texts, joined, equal the real ones but are cut elsewhere fail verify."""
    with SQLStore(f"sqlite:///{tmp_path / 'a.db'}") as store:
        log = store.audit_log()
        write(log, EVENTS)
        engine = store.engine
        assert engine is not None
        rows = _raw(
            engine,
            "SELECT seq, at, actor, action, schema, record_ids, fields, payload_digest "
            "FROM rk_audit ORDER BY seq",
        )
        # re-chain with every stored hash moved one character along the joined text (each
        # link still pointing at the stored hash before it): one text, other cuts
        carry, prev = "", "0" * 64
        for seq, at, actor, action, schema, ids, fields, digest in rows:
            when = dt.datetime.fromisoformat(str(at)).replace(tzinfo=dt.UTC).isoformat()
            real = AuditLog._header_hash(
                int(str(seq)), when, str(actor), str(action), str(schema), str(ids),
                str(fields), str(digest), prev,
            )  # fmt: skip
            joined = carry + real
            stored, carry = (joined[:63], joined[63:]) if seq == 1 else (joined, "")
            _raw(
                engine,
                "UPDATE rk_audit SET hash = :h, prev_hash = :p WHERE seq = :s",
                h=stored,
                p=prev,
                s=seq,
            )
            prev = stored
        _raw(engine, "UPDATE rk_audit_head SET hash = :h WHERE id = 1", h=prev)
        report = log.verify()
        assert (False, 1, [False]) == (report.ok, report.first_bad, leaps), report
        assert report == _one_by_one(store)
