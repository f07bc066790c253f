"""The one commit path: every write verb reaches the store, audit and index only through it.

A recording store, policy and index watch each verb: every store write and audit event
happens inside `Steward._commit`'s transaction, after the policy saw the values being
written; the duplicate index changes only after the COMMIT.
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import pytest

import recordkit as rk
from recordkit.governance import Retention
from recordkit.match import DuplicateCheck, Index
from recordkit.store import Review
from tests.match.strategies import rules_matcher

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

# The public verbs that only read: every other public method of Steward writes.
READS = {
    "audit_events", "became", "consent", "export_subject", "find_duplicates", "get", "get_merge",
    "find_variants", "health", "history", "lowest_health", "merges", "profile", "profiles",
    "quarantined", "query", "resolve", "retention", "reviews",
}
MAINTENANCE = {"learn", "rebuild_index", "rescore"}
"""
Verbs that change no record, event or consent: they rewrite data derived from the records
(the persistent duplicate index, the check's model), checked as a read of every record.
"""


@attrs.define
class Journal:
    """What happened, in order, across the store, the policy and the index."""

    entries: list[tuple[str, Any, int, int]] = attrs.field(factory=list)
    committing: int = 0
    open: int = 0

    def note(self, kind: str, detail: Any = None) -> None:
        self.entries.append((kind, detail, self.committing, self.open))

    def kinds(self) -> list[str]:
        return [e[0] for e in self.entries]


class RecordingStore(rk.MemoryStore):
    """A memory store that notes every write and whether a transaction is open."""

    WRITES = ("put", "put_many", "put_merge", "put_unmerge", "put_quarantine", "delete", "erase",
              "put_suppressions", "put_consent", "put_reviews")

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal
        for name in self.WRITES:
            setattr(self, name, self._recorded(name, getattr(self, name)))
        log = self.audit_log()
        append = log.append

        def audit(**kwargs: Any) -> rk.AuditEvent:
            journal.note("audit", kwargs["action"])
            return append(**kwargs)

        log.append = audit  # type: ignore[method-assign]
        append_many = log.append_many

        def audit_many(entries: Sequence[rk.AuditEntry]) -> list[rk.AuditEvent]:
            for entry in entries:
                journal.note("audit", entry.action)
            return append_many(entries)

        log.append_many = audit_many  # type: ignore[method-assign]

    def _recorded(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.journal.note(f"store.{name}")
            return method(*args, **kwargs)

        return call

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.journal.open += 1
        try:
            with super().transaction():
                yield
        finally:
            self.journal.open -= 1
        if self.journal.open == 0:
            self.journal.note("commit")


@attrs.define
class RecordingPolicy:
    """Allows everything and notes what it was asked, with the values being written."""

    journal: Journal

    def check(
        self,
        actor: rk.Actor,
        action: rk.Action,
        schema: rk.Schema,
        record: rk.Record | None,
        fields: Collection[str],
        *,
        after: rk.Record | None = None,
    ) -> None:
        self.journal.note("check", (str(action), schema.name, record, after, tuple(fields)))


def world(*, merge_at: float | None = None) -> tuple[Journal, rk.Steward, rk.Steward]:
    """Contacts with a duplicate index and deals that refer to them, on one recording store."""
    journal = Journal()
    store = RecordingStore(journal)
    policy = RecordingPolicy(journal)
    counter = itertools.count()
    clock = itertools.count()

    def now() -> dt.datetime:
        return START + dt.timedelta(seconds=next(clock))

    def ids() -> str:
        return f"id{next(counter)}"

    deals = rk.Steward(rk.bundled_schema("deal"), store=store, access=policy, clock=now, ids=ids)
    index = Index(rules_matcher(schema="contact"))
    for name in ("add", "replace", "remove"):
        method = getattr(index, name)

        def indexed(*args: Any, _m: Callable[..., Any] = method, _n: str = name, **kw: Any) -> Any:
            # committed: the memory store's transaction journal is closed
            journal.note(f"index.{_n}", getattr(store._local, "journal", None) is None)
            return _m(*args, **kw)

        setattr(index, name, indexed)
    contacts = rk.Steward(
        rk.bundled_schema("contact"),
        store=store,
        access=policy,
        clock=now,
        ids=ids,
        related=[deals],
        matcher=DuplicateCheck(index, flag_at=None, merge_at=merge_at),
    )
    return journal, contacts, deals


ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}


def _merge_pair(contacts: rk.Steward, deals: rk.Steward) -> dict[str, Any]:
    a = contacts.capture(ADA, source="crm")
    b = contacts.capture({**GRACE, "email": "grace@example.org"}, source="crm")
    deals.capture({"name": "Deal", "contact_id": b.id}, source="crm")
    return {"ids": [a.id, b.id]}


def _merged(contacts: rk.Steward, deals: rk.Steward) -> dict[str, Any]:
    ids = _merge_pair(contacts, deals)["ids"]
    return {"merge": contacts.merge(ids).id}


def _captured(contacts: rk.Steward, deals: rk.Steward) -> dict[str, Any]:
    return {"id": contacts.capture(ADA, source="crm").id}


def _stale(contacts: rk.Steward, deals: rk.Steward) -> dict[str, Any]:
    r = contacts.capture(ADA, source="crm")
    for to in ("normalized", "validated", "active"):
        contacts.advance(r.id, to, actor=rk.Actor("steward"))
    return {"id": r.id}


def _nothing(contacts: rk.Steward, deals: rk.Steward) -> dict[str, Any]:
    return {}


def _capture_merging(contacts: rk.Steward, deals: rk.Steward) -> dict[str, Any]:
    contacts.capture(ADA, source="crm")
    return {}


def _flagged(contacts: rk.Steward, deals: rk.Steward) -> dict[str, Any]:
    a = contacts.capture(ADA, source="crm")
    b = contacts.capture({**GRACE, "email": "grace@example.org"}, source="crm")
    review = Review("rv-1", "contact", b.id, a.id, 0.9, 5.0, {"terms": []}, START)
    contacts.store.put_reviews([review])
    return {"review": review.id}


def _variants(contacts: rk.Steward, deals: rk.Steward) -> dict[str, Any]:
    for i, city in enumerate(("London", "london", "LONDON")):
        row = {"first_name": f"Ann{i}", "last_name": f"Lee{i}", "email": f"a{i}@example.com"}
        contacts.capture({**row, "city": city}, source="crm")
    return {}


TITLES = rk.RuleSet.for_schema(
    rk.bundled_schema("contact"),
    version=2,
    extend={
        "last_name": [rk.normalizer(lambda v: v.upper() if isinstance(v, str) else v, id="up")]
    },
)

# verb name, set-up, the call, the actions the policy must see with values written.
VERBS: list[Any] = [
    pytest.param(
        "capture", _nothing, lambda c, d, k: c.capture(ADA, source="crm"), {"create"}, id="capture"
    ),
    pytest.param(
        "capture",
        _capture_merging,
        lambda c, d, k: c.capture({**ADA, "first_name": "Ada"}, source="web"),
        {"create", "merge"},
        id="capture-merging",
    ),
    pytest.param(
        "capture_many",
        _nothing,
        lambda c, d, k: c.capture_many([ADA, GRACE, {"email_opt_in": "perhaps"}], source="crm"),
        {"create"},
        id="capture_many",
    ),
    pytest.param(
        "update",
        _captured,
        lambda c, d, k: c.update(k["id"], {"city": "London"}, source="crm"),
        {"update"},
        id="update",
    ),
    pytest.param(
        "merge",
        _merge_pair,
        lambda c, d, k: c.merge(k["ids"]),
        {"merge", "update"},
        id="merge",
    ),
    pytest.param(
        "unmerge",
        _merged,
        lambda c, d, k: c.unmerge(k["merge"]),
        {"unmerge", "update"},
        id="unmerge",
    ),
    pytest.param(
        "advance",
        _captured,
        lambda c, d, k: c.advance(k["id"], "normalized", actor=rk.Actor("steward")),
        {"transition"},
        id="advance",
    ),
    pytest.param(
        "retire",
        _captured,
        lambda c, d, k: c.retire(k["id"], actor=rk.Actor("steward")),
        {"transition"},
        id="retire",
    ),
    pytest.param(
        "sweep",
        _stale,
        lambda c, d, k: c.sweep(START + dt.timedelta(days=400)),
        {"transition"},
        id="sweep",
    ),
    pytest.param(
        "erase",
        _captured,
        lambda c, d, k: c.erase(k["id"], reason="request 1"),
        {"erase"},
        id="erase",
    ),
    pytest.param(
        "record_consent",
        _captured,
        lambda c, d, k: c.record_consent(
            k["id"], "email_marketing", granted=True, source="web", actor=rk.Actor("steward")
        ),
        {"update"},
        id="record_consent",
    ),
    pytest.param(
        "apply_retention",
        _captured,
        lambda c, d, k: c.apply_retention(
            START + dt.timedelta(days=800),
            dry_run=False,
            rules=[Retention("old", erase_after="730d")],
        ),
        {"erase"},
        id="apply_retention",
    ),
    pytest.param(
        "set_access",
        _nothing,
        lambda c, d, k: c.set_access(c.access, actor=rk.Actor("admin")),
        {"policy"},
        id="set_access",
    ),
    pytest.param(
        "accept", _flagged, lambda c, d, k: c.accept(k["review"]), {"merge"}, id="accept"
    ),
    pytest.param(
        "reject", _flagged, lambda c, d, k: c.reject(k["review"]), {"merge"}, id="reject"
    ),
    pytest.param(
        "apply_variants",
        _variants,
        lambda c, d, k: c.apply_variants("city", c.find_variants("city"), dry_run=False),
        {"update"},
        id="apply_variants",
    ),
    pytest.param(
        "revalidate",
        _captured,
        lambda c, d, k: c.revalidate(TITLES, apply=True),
        {"update"},
        id="revalidate",
    ),
]


def test_every_write_verb_is_covered() -> None:
    """The table below names every public verb of Steward that is not a read."""
    public = {n for n, _ in inspect.getmembers(rk.Steward) if not n.startswith("_")}
    assert public - READS - MAINTENANCE == {p.values[0] for p in VERBS}


@pytest.mark.parametrize(("verb", "setup", "call", "actions"), VERBS)
def test_verb_goes_through_the_one_commit_path(
    verb: str,
    setup: Callable[..., dict[str, Any]],
    call: Callable[..., Any],
    actions: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Checks first (with the values), then writes and audit in one transaction, then index."""
    journal, contacts, deals = world(merge_at=0.5 if verb == "capture" else None)
    keys = setup(contacts, deals)
    real = rk.Steward._commit

    def commit(self: rk.Steward, change: Any) -> Any:
        journal.committing += 1
        journal.note("commit-path")
        try:
            return real(self, change)
        finally:
            journal.committing -= 1

    monkeypatch.setattr(rk.Steward, "_commit", commit)
    mark = len(journal.entries)
    call(contacts, deals, keys)
    entries = journal.entries[mark:]
    kinds = [e[0] for e in entries]
    assert "commit-path" in kinds
    writes = [e for e in entries if e[0].startswith("store.") or e[0] == "audit"]
    assert writes, "the verb wrote nothing"
    # every store write and audit event: inside the commit path, inside a transaction
    assert all(e[2] > 0 and e[3] > 0 for e in writes), writes
    # the policy saw every kind of write, each with the record as it will be (an erased
    # record has none: it is seen as it is)
    checks = [e[1] for e in entries if e[0] == "check" and e[2] > 0]
    assert actions <= {c[0] for c in checks}
    # (a policy change concerns no record)
    assert all(
        c[3] is not None if c[0] not in ("erase", "policy") else c[0] == "policy" or c[2]
        for c in checks
    )
    # the index changed only after the commit, once the transaction was closed
    index_ops = [i for i, e in enumerate(entries) if e[0].startswith("index.")]
    assert all(entries[i][1] for i in index_ops)
    last_write = max(i for i, e in enumerate(entries) if e in writes)
    assert all(i > last_write for i in index_ops)


class TestPolicySeesValues:
    def test_owner_reassignment_is_judged_on_the_new_owner(self) -> None:
        """A policy can refuse an update by the owner it would set: nothing is written."""

        class OwnOnly:
            def check(
                self,
                actor: rk.Actor,
                action: rk.Action,
                schema: rk.Schema,
                record: rk.Record | None,
                fields: Collection[str],
                *,
                after: rk.Record | None = None,
            ) -> None:
                if after is not None and action is rk.Action.UPDATE and after.owner != "alice":
                    raise rk.AccessDenied(actor.id, "update", record_id=after.id, field="owner")

        steward = rk.Steward(rk.bundled_schema("contact"), access=OwnOnly())
        r = steward.capture({**ADA, "owner": "alice"}, source="crm")
        with pytest.raises(rk.AccessDenied):
            steward.update(r.id, {"owner": "intern"}, source="crm", actor=rk.Actor("intern"))
        assert "alice" == steward.get(r.id)["owner"]
        assert 1 == steward.get(r.id).version

    def test_refused_auto_merge_stores_nothing(self) -> None:
        """A capture whose merge the policy refuses leaves neither record nor event behind."""

        class NoMerges(RecordingPolicy):
            def check(self, actor: rk.Actor, action: rk.Action, *args: Any, **kw: Any) -> None:
                if action is rk.Action.MERGE:
                    raise rk.AccessDenied(actor.id, "merge")

        journal, contacts, _ = world(merge_at=0.5)
        contacts.access = NoMerges(journal)
        contacts.capture(ADA, source="crm")
        before = (contacts.store.count("contact"), len(list(contacts.audit.events())))
        with pytest.raises(rk.AccessDenied):
            contacts.capture(ADA, source="web")
        assert before == (contacts.store.count("contact"), len(list(contacts.audit.events())))
        assert 1 == len(contacts.matcher.index) if contacts.matcher else False

    def test_batch_rows_the_policy_refuses_are_quarantined(self) -> None:
        """In a batch, a row the policy refuses is quarantined; its neighbours are stored."""

        class NoGmail:
            def check(
                self,
                actor: rk.Actor,
                action: rk.Action,
                schema: rk.Schema,
                record: rk.Record | None,
                fields: Collection[str],
                *,
                after: rk.Record | None = None,
            ) -> None:
                if after is not None and str(after.values.get("email", "")).endswith("gmail.com"):
                    raise rk.AccessDenied(actor.id, "create", record_id=after.id)

        steward = rk.Steward(rk.bundled_schema("contact"), access=NoGmail())
        rows = [ADA, {**GRACE, "email": "grace@gmail.com"}, GRACE]
        result = steward.capture_many(rows, source="crm")
        assert (3, [1]) == (result.total, [q.index for q in result.quarantined])
        assert "access.denied" == result.quarantined[0].errors[0].code
        assert 2 == steward.store.count("contact")
        assert [1] == [e.index for e in steward.store.quarantined("contact")]


class TestIndexFollowsTheCommit:
    @pytest.mark.parametrize("backend", ["memory", "sqlite"])
    def test_a_rolled_back_outer_transaction_leaves_no_ghost(self, backend: str) -> None:
        """Captures inside the caller's transaction reach the index only if it commits."""
        from recordkit.store import SQLStore

        store = rk.MemoryStore() if backend == "memory" else SQLStore("sqlite://")
        index = Index(rules_matcher(schema="contact"))
        steward = rk.Steward(
            rk.bundled_schema("contact"),
            store=store,
            matcher=DuplicateCheck(index, flag_at=None, block_at=0.5),
        )

        def fails_after_capturing() -> None:
            with store.transaction():
                steward.capture(ADA, source="crm")
                assert 0 == len(index)
                raise ZeroDivisionError  # the caller's block fails after the capture

        with pytest.raises(ZeroDivisionError):
            fails_after_capturing()
        assert (0, 0) == (store.count("contact"), len(index))
        stored = steward.capture(ADA, source="crm")  # not blocked by a ghost
        assert [stored.id] == [r.id for b in store.iterate("contact") for r in b]
        assert 1 == len(index)
        with pytest.raises(rk.DuplicateError):
            steward.capture(ADA, source="crm")
