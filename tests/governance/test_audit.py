"""The audit trail: events with values, redaction, queries, replay, checkpoints (every store)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordkit import RecordkitError, Store
from recordkit.governance import AuditEvent, AuditLog, MemoryAuditLog
from recordkit.governance._audit_query import replay
from recordkit.governance._audit_verify import Checkpoint, VerifyReport

T0 = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
KEY = b"k" * 32


def write(log: AuditLog, n: int, *, start: int = 0) -> list[AuditEvent]:
    """Append *n* events, each creating record r<i> with values."""
    return [
        log.append(
            at=T0 + dt.timedelta(minutes=i),
            actor=f"user{i % 2}",
            action="create" if i % 3 else "update",
            schema="lead" if i % 2 else "company",
            record_ids=[f"r{i}"],
            fields=["email", "name"],
            detail={"source": "web", "request": f"q{i}"},
            changes={f"r{i}": {"email": [None, f"p{i}@example.com"], "name": [None, f"P {i}"]}},
        )
        for i in range(start, start + n)
    ]


class TestEvents:
    def test_event_carries_its_values_and_digest(self, store: Store) -> None:
        """An appended event comes back with its changes, detail and payload digest."""
        log = store.audit_log()
        (made,) = write(log, 1)
        (read,) = log.events()
        assert (made, {"r0": {"email": [None, "p0@example.com"], "name": [None, "P 0"]}}) == (
            read,
            dict(read.changes),
        )
        assert 64 == len(read.payload_digest or "")

    def test_hash_covers_the_digest_not_the_payload(self) -> None:
        """Two events with the same header and digest hash alike whatever their payload."""
        log = MemoryAuditLog()
        (event,) = write(log, 1)
        bare = attrs.evolve(event, detail={}, changes={}, redacted=True)
        assert (event.hash, None) == (bare.content_hash(), bare.payload_problem())

    def test_changes_are_checked(self, store: Store) -> None:
        """Changes that are not record → field → [before, after] are refused, named."""
        log = store.audit_log()
        bads: list[Any] = [{"r": [1, 2]}, {"r": {"f": [1]}}, {1: {"f": [1, 2]}}, "x"]
        for bad in bads:
            with pytest.raises(RecordkitError, match="changes"):
                log.append(
                    at=T0, actor="a", action="update", schema="s", record_ids=["r"], changes=bad
                )
        assert [] == list(log.events())


class TestRedaction:
    def test_redact_keeps_the_chain(self, store: Store) -> None:
        """Redacted events lose their payload, keep their digest, and the log verifies."""
        log = store.audit_log()
        events = write(log, 4)
        assert 2 == log.redact(["r1", "r3", "nobody"])
        after = list(log.events())
        assert [False, True, False, True] == [e.redacted for e in after]
        assert ({}, {}) == (dict(after[1].detail), dict(after[1].changes))
        assert [e.payload_digest for e in events] == [e.payload_digest for e in after]
        assert VerifyReport(True, 4) == log.verify()
        assert 0 == log.redact(["r1"])  # already redacted

    def test_redact_rolls_back_with_the_transaction(self, store: Store) -> None:
        """A redaction inside a block that fails is undone."""
        log = store.audit_log()
        write(log, 2)
        redacted: list[int] = []

        def fail() -> None:
            with store.transaction():
                redacted.append(log.redact(["r0"]))
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            fail()
        assert [1] == redacted
        assert [False, False] == [e.redacted for e in log.events()]

    def test_redact_checks_its_argument(self, store: Store) -> None:
        """A record id list that is text or holds non-text is refused."""
        log = store.audit_log()
        for bad in ("r1", [1], None, [""]):
            with pytest.raises(RecordkitError, match="record"):
                log.redact(bad)  # type: ignore[arg-type]


class TestQueries:
    def test_filters(self, store: Store) -> None:
        """Each filter selects the events it names, and they combine."""
        log = store.audit_log()
        write(log, 6)

        def seqs(**f: Any) -> list[int]:
            return [e.seq for e in log.events(**f)]

        m = dt.timedelta(minutes=1)
        assert [2] == seqs(record_id="r1")
        assert [1, 3, 5] == seqs(actor="user0")
        assert [1, 4] == seqs(action="update")
        assert [2, 4, 6] == seqs(schema="lead")
        assert [3, 4] == seqs(since=T0 + 2 * m, until=T0 + 4 * m)
        assert [5] == seqs(actor="user0", action="create", since=T0 + 3 * m)

    @pytest.mark.parametrize(
        ("name", "value"),
        [("record_id", 3), ("actor", b"x"), ("action", ""), ("schema", []), ("since", "2026")],
    )
    def test_bad_filter_is_named(self, store: Store, name: str, value: object) -> None:
        """A filter of the wrong type raises a RecordkitError naming it."""
        with pytest.raises(RecordkitError, match=name):
            list(store.audit_log().events(**{name: value}))  # type: ignore[arg-type]


class TestReplay:
    @settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        writes=st.lists(
            st.tuples(
                st.sampled_from(["a", "b", "c"]),
                st.dictionaries(
                    st.sampled_from(["name", "email", "score"]),
                    st.none() | st.integers(-5, 5) | st.text(max_size=5),
                    min_size=1,
                ),
            ),
            max_size=12,
        )
    )
    def test_replay_rebuilds_every_record(self, writes: list[tuple[str, dict[str, Any]]]) -> None:
        """Folding each record's events reproduces its values when every write has changes."""
        log = MemoryAuditLog()
        current: dict[str, dict[str, Any]] = {}
        for record_id, values in writes:
            before = current.get(record_id, {})
            log.append(
                at=T0,
                actor="a",
                action="update" if record_id in current else "create",
                schema="s",
                record_ids=[record_id],
                fields=list(values),
                changes={record_id: {k: [before.get(k), v] for k, v in values.items()}},
            )
            state = {**before, **values}
            current[record_id] = {k: v for k, v in state.items() if v is not None}
        for record_id, values in current.items():
            assert values == replay(log.events(record_id), record_id)

    def test_replay_checks_arguments(self) -> None:
        """Replay refuses a record id that is not text and events that are not events."""
        with pytest.raises(RecordkitError, match="record_id"):
            replay([], 3)  # type: ignore[arg-type]
        with pytest.raises(RecordkitError, match="AuditEvent"):
            replay([1], "r")  # type: ignore[list-item]


class TestCheckpoints:
    def test_checkpoint_verifies(self, store: Store) -> None:
        """A fresh checkpoint verifies; more events after it still verify."""
        log = store.audit_log()
        write(log, 3)
        cp = log.checkpoint(KEY)
        assert (log.log_id, 3) == (cp.log_id, cp.seq)
        write(log, 2, start=3)
        assert VerifyReport(True, 5) == log.verify(checkpoint=cp, key=KEY)

    def test_wrong_key_and_foreign_log(self, make_store: Any) -> None:
        """A wrong key and a checkpoint of another log both fail, saying which."""
        log = make_store().audit_log()
        write(log, 1)
        cp = log.checkpoint(KEY)
        wrong = log.verify(checkpoint=cp, key=b"x" * 16)
        assert (False, True) == (wrong.ok, "signature" in (wrong.problem or ""))
        other = MemoryAuditLog()
        foreign = other.verify(checkpoint=cp, key=KEY)
        assert (False, True) == (foreign.ok, "another log" in (foreign.problem or ""))
        forged = attrs.evolve(cp, seq=0)
        assert "signature" in (log.verify(checkpoint=forged, key=KEY).problem or "")

    @pytest.mark.parametrize("key", [b"short", "k" * 32, None])
    def test_key_is_checked(self, store: Store, key: object) -> None:
        """A key that is not bytes of at least 16 is refused."""
        with pytest.raises(RecordkitError, match="key"):
            store.audit_log().checkpoint(key)  # type: ignore[arg-type]

    def test_checkpoint_fields_are_checked(self) -> None:
        """A Checkpoint built by hand with bad parts is refused."""
        for bad in (("", 1, "0" * 64, "0" * 64), ("a", -1, "0" * 64, "0" * 64), ("a", 1, "x", "")):
            with pytest.raises(RecordkitError):
                Checkpoint(*bad)

    def test_memory_rechained_log_fails_against_checkpoint(self) -> None:
        """A memory log whose events were rewritten and re-hashed fails at the checkpoint."""
        log = MemoryAuditLog()
        write(log, 4)
        cp = log.checkpoint(KEY)
        events = log._events
        prev = events[0].prev_hash
        for i, event in enumerate(events):
            changed = attrs.evolve(
                event, detail={"forged": True} if i == 1 else event.detail, prev_hash=prev
            )
            fresh = AuditEvent(
                changed.seq,
                changed.at,
                changed.actor,
                changed.action,
                changed.schema,
                changed.record_ids,
                changed.fields,
                changed.detail,
                prev,
                changes=changed.changes,
            )
            events[i] = attrs.evolve(fresh, hash=fresh.content_hash())
            prev = events[i].hash
        assert log.verify()  # the chain alone cannot tell
        report = log.verify(checkpoint=cp, key=KEY)
        assert (False, 4) == (report.ok, report.first_bad)
        assert "re-chained" in (report.problem or "")
