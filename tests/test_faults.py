"""A write that fails in the database leaves no trace: at any statement, at COMMIT, disk full.

Each write verb of the facade first runs once on the starting state, only counting the
statements and COMMITs it sends (`tests.faults`). Then, for every statement (evenly sampled
down to ``RECORDKIT_FAULT_POINTS``, always the first and the last), every COMMIT and, on
SQLite, a full disk, a new store is given the same starting state, that point is made to
fail, and `check_fault` holds the verb to its promise:

- it raises `StoreError` with the database's error as ``__cause__`` (``capture_many``: with
  the chunks committed before the failing one as ``partial``, a `BatchResult`);
- the database holds exactly what it held before (read over a connection of its own) and
  the store reports the same records, lineage, quarantine and audit events, whose chain
  still verifies (``capture_many``: plus exactly what ``partial`` reports);
- the duplicate index holds exactly the live stored contacts, with their stored values;
- with the fault gone, the same call on the same store and stewards succeeds.

On SQLite (a file) and on the test run's PostgreSQL server. The starting state is built once
per test through the stewards, then copied row for row into each new store, which new
stewards open (their duplicate index filled from the stored contacts, as an application
does when it starts).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

import recordkit as rk
from recordkit.match import DuplicateCheck, Index, PersistentIndex
from recordkit.rules import RuleSet
from recordkit.store import MemoryStore, SQLStore
from tests.faults import (
    COMMIT,
    DISK_FULL,
    Faults,
    Point,
    Snapshot,
    caused_by,
    chain,
    committed,
    restore,
    rows_diff,
    snapshot,
)
from tests.match.strategies import rules_matcher

POINTS = int(os.environ.get("RECORDKIT_FAULT_POINTS", "5"))
"""Statements tried per verb at most (evenly sampled beyond; 1000 tries them all)."""

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CONTACT = rk.bundled_schema("contact")
DEAL = rk.bundled_schema("deal")
SCHEMAS = ("contact", "deal")
GOVERNANCE = rk.bundled_lifecycle("governance")
BUSINESS = rk.bundled_lifecycle("business")
OPS = rk.Actor("ops", roles={"steward"})
OLD_RULES = RuleSet.for_schema(CONTACT, version=1, fields={"job_title": []})
NEW_RULES = RuleSet.for_schema(
    CONTACT, version=2, fields={"job_title": ["clean_text", {"case": "upper"}]}
)
"""Job titles are kept as written, then cleaned and upper-cased (shorter rows: a new size)."""
LONG = "Flat 1, " + "Long Lane " * 500
"""About 5 KB: a contact row spills onto overflow pages, so writing one needs new pages."""

AUGUSTA = {"first_name": "Augusta", "last_name": "Lovelace", "email": "ada@example.com"}
CHUNK = 2
ROWS = [
    {"first_name": "Mary", "last_name": "Somerville", "street": LONG},
    {"first_name": "Emmy", "last_name": "Noether", "street": LONG},
    {"first_name": "Sofia", "last_name": "Kovalevskaya", "birth_date": "yesterday"},
    {"first_name": "Hypatia", "last_name": "of Alexandria", "street": LONG},
    {"first_name": "Maryam", "last_name": "Mirzakhani", "street": LONG},
    {"first_name": "Katherine", "last_name": "Johnson", "street": LONG},
]
"""A batch of three chunks; row 2 (in the second) is quarantined."""
QUARANTINED = [2]


# -- the starting state -----------------------------------------------------------------------


class Clock:
    """A clock that moves one minute per reading, from reading *start* on."""

    def __init__(self, start: int = 0) -> None:
        self.ticks = itertools.count(start)

    def __call__(self) -> dt.datetime:
        return T0 + dt.timedelta(minutes=next(self.ticks))


@attrs.define
class World:
    """Contacts (with a duplicate index) and deals referring to them, on one SQL store."""

    store: SQLStore
    contacts: rk.Steward
    deals: rk.Steward
    clock: Clock
    made: itertools.count[int]
    ids: dict[str, str]


def open_world(
    store: SQLStore, index: Index, *, clock: int = 0, made: int = 1, ids: dict[str, str]
) -> World:
    """
    Stewards of contacts and deals over *store*; *clock* readings and *made* ids used up.
    """
    ticks, counter = Clock(clock), itertools.count(made)
    deals = rk.Steward(
        DEAL,
        store=store,
        clock=ticks,
        ids=lambda: f"d{next(counter)}",
        lifecycle=GOVERNANCE,
        stages=BUSINESS,
    )
    contacts = rk.Steward(
        CONTACT,
        store=store,
        clock=ticks,
        ids=lambda: f"c{next(counter)}",
        related=[deals],
        rules=OLD_RULES,
        matcher=DuplicateCheck(index),
        lifecycle=GOVERNANCE,
        stages=BUSINESS,
    )
    return World(store, contacts, deals, ticks, counter, ids)


@attrs.frozen
class Start:
    """The starting state: the database's rows, and what its stewards had used up."""

    rows: dict[str, list[tuple[Any, ...]]]
    ids: dict[str, str]
    clock: int
    made: int

    @classmethod
    def build(cls, store: SQLStore) -> Start:
        """
        Build it through the stewards.

        Ada and Grace are active (a sweep makes them stale); Ada King shares Ada's email (a
        flagged duplicate) and has a deal; Alan's two records were merged, which re-pointed
        the deal of the merged one.
        """
        w = open_world(store, Index(rules_matcher(schema="contact")), ids={})
        people = {
            "ada": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
                    "job_title": " chief   analyst"},
            "grace": {"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.mil",
                      "job_title": "rear  admiral "},
            "ada_king": {"first_name": "Ada", "last_name": "King", "email": "ada@example.com"},
            "alan": {"first_name": "Alan", "last_name": "Turing", "email": "alan@bletchley.uk"},
            "alan_t": {"first_name": "A.", "last_name": "Turing", "email": "alan@bletchley.uk"},
        }  # fmt: skip
        for name, values in people.items():
            w.ids[name] = w.contacts.capture({**values, "street": LONG}, source="crm").id
        for name in ("ada", "grace"):
            for to in ("normalized", "validated", "active"):
                w.contacts.advance(w.ids[name], to, actor=OPS)
        for name in ("ada_king", "alan_t"):
            deal = {"name": f"{name} deal", "contact_id": w.ids[name], "amount": "100"}
            w.ids[f"{name}_deal"] = w.deals.capture(deal, source="crm").id
        w.ids["alan_merge"] = w.contacts.merge([w.ids["alan"], w.ids["alan_t"]], actor=OPS).id
        return cls(committed(store), dict(w.ids), next(w.clock.ticks), next(w.made))

    def open(self, store: SQLStore) -> World:
        """
        Give *store* this state, and open stewards on it.
        """
        restore(store, self.rows)
        index = Index(rules_matcher(schema="contact"))
        for batch in store.iterate("contact"):
            for r in batch:
                if r.state not in ("merged", "retired"):
                    index.add(r)
        return open_world(store, index, clock=self.clock, made=self.made, ids=dict(self.ids))


_STARTS: dict[str, Start] = {}


def starting_state(new_store: Callable[[], SQLStore]) -> tuple[Start, World]:
    """
    The starting state (built through the stewards once per backend), in a new store.
    """
    store = new_store()
    start = _STARTS.get(store.dialect)
    if start is None:
        start = _STARTS[store.dialect] = Start.build(new_store())
    return start, start.open(store)


# -- the verbs --------------------------------------------------------------------------------


def capture_merging(w: World) -> rk.Record:
    """A capture the duplicate check merges into Ada straight away."""
    assert w.contacts.matcher is not None
    w.contacts.matcher.merge_at = 9.0
    return w.contacts.capture({**AUGUSTA, "street": LONG}, source="web")


@attrs.frozen
class Verb:
    """A write verb's call on the starting state; *batch*: it reports a partial result."""

    call: Callable[[World], Any]
    batch: bool = False


def row(name: str, call: Callable[[World], Any], *, batch: bool = False) -> Any:
    return pytest.param(Verb(call, batch), id=name)


VERBS = [
    row("capture", lambda w: w.contacts.capture(
        {"first_name": "Mary", "last_name": "Somerville", "street": LONG}, source="web")),
    row("capture-flagged", lambda w: w.contacts.capture(
        {**AUGUSTA, "street": LONG}, source="web")),
    row("capture-merged", capture_merging),
    row("capture_many", lambda w: w.contacts.capture_many(
        ROWS, source="import", chunk_size=CHUNK), batch=True),
    row("update", lambda w: w.contacts.update(
        w.ids["grace"], {"job_title": "rear admiral", "street": f"{LONG}, annex"}, source="crm")),
    row("update-flagged", lambda w: w.contacts.update(
        w.ids["grace"], {"email": "ada@example.com"}, source="crm")),
    row("merge-repointing", lambda w: w.contacts.merge(
        [w.ids["ada"], w.ids["ada_king"]], actor=OPS)),
    row("unmerge-repointing", lambda w: w.contacts.unmerge(w.ids["alan_merge"], actor=OPS)),
    row("advance", lambda w: w.contacts.advance(w.ids["alan"], "normalized", actor=OPS)),
    row("retire", lambda w: w.contacts.retire(w.ids["grace"], actor=OPS, reason="left")),
    row("sweep", lambda w: w.contacts.sweep(T0 + dt.timedelta(days=200), actor=OPS)),
    row("revalidate", lambda w: w.contacts.revalidate(NEW_RULES, apply=True, actor=OPS)),
]  # fmt: skip


# -- stores -----------------------------------------------------------------------------------


_PREFIXES = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], SQLStore]]:
    """
    Build fresh, empty stores of the backend under test (closed afterwards).

    SQLite: a new file each. PostgreSQL: new tables (own prefix) in the test run's database.
    A lock left behind by a broken transaction fails the next writer soon (SQLite: 0.5 s,
    PostgreSQL: 1 s) instead of holding it up.
    """
    made: list[SQLStore] = []
    files = itertools.count(1)

    def make() -> SQLStore:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'records{next(files)}.db'}"
            store = SQLStore(url, schemas=[CONTACT, DEAL], timeout=0.5)
        else:
            url = f"{request.getfixturevalue('postgres_url')}?options=-c%20lock_timeout%3D1000"
            store = SQLStore(url, schemas=[CONTACT, DEAL], table_prefix=f"f{next(_PREFIXES)}_")
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


# -- the check --------------------------------------------------------------------------------


def index_disagreement(w: World) -> str:
    """
    How the duplicate index differs from the stored live contacts ("" when it does not).

    It must hold exactly their ids, with their stored values: every live contact, looked up,
    finds the same records with the same weights as in an index built afresh from the store.
    """
    check = w.contacts.matcher
    assert check is not None
    live = [
        r
        for batch in w.store.iterate("contact")
        for r in batch
        if r.state not in ("merged", "retired")
    ]
    held, stored = set(check.index.entities), {r.id for r in live}
    if held != stored:
        return f"index holds {sorted(held - stored)} not stored live, lacks {sorted(stored - held)}"
    fresh = Index(check.index.matcher)
    for r in live:
        fresh.add(r)

    def found(index: Index | PersistentIndex, r: rk.Record) -> list[tuple[str, float]]:
        return sorted((m.record_id, round(m.weight, 6)) for m in index.lookup(r).matches)

    stale = [r.id for r in live if found(check.index, r) != found(fresh, r)]
    return f"index holds other values for {stale}" if stale else ""


def partial_disagreement(error: BaseException, before: Snapshot, after: Snapshot) -> str:
    """
    For ``capture_many``: how ``partial`` and the store disagree ("" when they do not).

    The chunks before the failing one are stored, each with its audit event and its
    quarantined rows; nothing else is, and ``partial`` reports exactly that.
    """
    partial = getattr(error, "partial", None)
    if not isinstance(partial, rk.BatchResult):
        return f"no BatchResult as .partial (got {type(partial).__name__})"
    rows = partial.total
    if rows % CHUNK or rows >= len(ROWS):
        return f"partial reports {rows} rows, not the whole chunks before the failing one"
    quarantined = sorted(q.index for q in partial.quarantined)
    if quarantined != [i for i in QUARANTINED if i < rows]:
        return f"partial quarantines rows {quarantined} of the first {rows}"
    names = [r["first_name"] for r in partial.records]
    if names != [ROWS[i]["first_name"] for i in range(rows) if i not in QUARANTINED]:
        return f"partial stores {names}, not the first {rows} rows' good ones"
    new = {r.id: r for r in partial.records}
    expected = {**before.records, "contact": {**before.records["contact"], **new}}
    if (after.records, after.lineage) != (expected, before.lineage):
        wrong = attrs.evolve(before, records=expected).diff(after)
        return f"the store holds other records than partial reports: {wrong}"
    kept = len(before.quarantine["contact"])
    held = after.quarantine["contact"]
    if (
        held[:kept] != before.quarantine["contact"]
        or sorted(-1 if e.index is None else e.index for e in held[kept:]) != quarantined
    ):
        return f"quarantine holds rows {[e.index for e in held[kept:]]}, partial {quarantined}"
    events = after.audit[len(before.audit) :]
    named = sorted(i for e in events for i in e.record_ids)
    if (
        after.audit[: len(before.audit)] != before.audit
        or named != sorted(new)
        or any(e.action != "create" for e in events)
    ):
        return f"audit events {[(e.action, len(e.record_ids)) for e in events]} != partial's"
    return ""


@attrs.frozen
class Case:
    """One verb on one backend: how to make its starting state, and that state as read."""

    new_store: Callable[[], SQLStore]
    start: Start
    before: Snapshot
    verb: Verb


def check_fault(case: Case, point: Point) -> None:
    """
    Make *point* fail under the verb, on a new store in the starting state; check the verb
    raised `StoreError` from the database's error and left no trace, and that the same
    call then succeeds. Every problem found is reported, not only the first.
    """
    w = case.start.open(case.new_store())
    faults = Faults(w.store)
    error: BaseException | None = None
    with faults.inject(point):
        try:
            case.verb.call(w)
        except Exception as exc:
            error = exc
    assert point == faults.fired, f"the fault did not strike at {point} (raised: {error!r})"
    problems: list[str] = []

    def attempt(what: str, check: Callable[[], str]) -> None:
        try:
            problem = check()
        except Exception as exc:
            problem = f"{what} failed: {type(exc).__name__}: {str(exc)[:160]}"
        if problem:
            problems.append(problem)

    if error is None:
        problems.append("did not raise")
    elif not isinstance(error, rk.StoreError):
        problems.append(f"raised {type(error).__name__} (not StoreError): {str(error)[:160]}")
    elif not caused_by(error, faults.errors):
        problems.append(f"StoreError without the database's error as __cause__ ({error})")

    def state() -> str:
        after = snapshot(w.store, SCHEMAS)
        if case.verb.batch:
            return partial_disagreement(error or Exception(), case.before, after)
        rows = committed(w.store)
        if case.start.rows != rows:
            return f"database changed: {rows_diff(case.start.rows, rows)}"
        return f"store reports changes: {case.before.diff(after)}" if case.before != after else ""

    def verified() -> str:
        return "" if w.contacts.audit.verify() else "the audit chain does not verify"

    def again() -> str:
        case.verb.call(w)
        return ""

    attempt("reading the store", state)
    attempt("verifying the audit chain", verified)
    attempt("checking the index", lambda: index_disagreement(w))
    attempt("the same call without the fault", again)
    attempt("verifying the audit chain after it", verified)
    attempt("checking the index after it", lambda: index_disagreement(w))
    faults.close()
    assert not problems, " | ".join(problems)


# -- the suite --------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", VERBS)
def test_a_failed_write_leaves_no_trace(
    new_store: Callable[[], SQLStore], verb: Verb, subtests: pytest.Subtests
) -> None:
    start, w = starting_state(new_store)
    case = Case(new_store, start, snapshot(w.store, SCHEMAS), verb)
    assert ("", True) == (index_disagreement(w), bool(w.contacts.audit.verify()))
    faults = Faults(w.store)
    with faults.count() as counted:
        verb.call(w)
    (tally,) = counted
    assert tally.commits >= 1, "the verb committed nothing"
    for point in tally.points(limit=POINTS, disk=w.store.dialect == "sqlite"):
        with subtests.test(msg=str(point)):
            check_fault(case, point)


# -- the harness itself, and the store under it -----------------------------------------------


def contact(record_id: str, street: str | None = None) -> rk.Record:
    values = {"first_name": "Ada", "last_name": "Lovelace"}
    if street is not None:
        values["street"] = street
    return rk.Record(record_id, "contact", values, created_at=T0, updated_at=T0)


def stored_contacts(store: SQLStore) -> list[str]:
    """The ids of the contacts the database holds (over a connection of its own)."""
    return [row[0] for row in committed(store)["contact"]]


FAILURES = (rk.RecordkitError, sa.exc.SQLAlchemyError)
"""What the store may raise when the harness fails it (the tests above are stricter)."""


def two_puts(store: SQLStore) -> None:
    with store.transaction():
        store.put(contact("c1"), expected_version=None)
        store.put(contact("c2"), expected_version=None)


def test_the_harness_fails_each_point_and_nothing_is_committed(
    new_store: Callable[[], SQLStore], subtests: pytest.Subtests
) -> None:
    """Whatever the store raises, the injected error is in it, and both puts are gone."""
    faults = Faults(new_store())
    with faults.count() as counted:
        two_puts(faults.store)
    (tally,) = counted
    assert (2, 1) == (tally.statements.count("INSERT INTO contact"), tally.commits)
    for point in tally.points(limit=len(tally.statements)):
        with subtests.test(msg=str(point)):
            faults = Faults(new_store())
            with faults.inject(point), pytest.raises(FAILURES) as info:
                two_puts(faults.store)
            assert (point, True) == (
                faults.fired,
                any(e is c for e in faults.errors for c in chain(info.value)),
            )
            assert [] == stored_contacts(faults.store)


def test_the_harness_copies_a_state_and_reads_it_back(new_store: Callable[[], SQLStore]) -> None:
    start = Start.build(new_store())
    one, two = start.open(new_store()), start.open(new_store())
    assert (start.rows, start.rows) == (committed(one.store), committed(two.store))
    assert snapshot(one.store, SCHEMAS) == snapshot(two.store, SCHEMAS)
    one.contacts.retire(one.ids["grace"], actor=OPS)
    assert "contact changed: " + one.ids["grace"] in snapshot(two.store, SCHEMAS).diff(
        snapshot(one.store, SCHEMAS)
    )


@pytest.mark.parametrize("new_store", ["sqlite"], indirect=True)
def test_the_harness_fills_the_disk(new_store: Callable[[], SQLStore]) -> None:
    faults = Faults(new_store())
    faults.store.put(contact("c1", LONG), expected_version=None)
    with faults.inject(DISK_FULL), pytest.raises(rk.StoreError, match="full") as info:
        faults.store.put(contact("c2", LONG), expected_version=None)
    assert (DISK_FULL, True) == (
        faults.fired,
        any(e is c for e in faults.errors for c in chain(info.value)),
    )
    assert ["c1"] == stored_contacts(faults.store)
    faults.store.put(contact("c3", LONG), expected_version=None)  # room again
    assert ["c1", "c3"] == stored_contacts(faults.store)


def test_a_store_writes_again_after_a_failed_commit(new_store: Callable[[], SQLStore]) -> None:
    faults = Faults(new_store())
    store = faults.store
    with faults.inject(Point(COMMIT, 1, 1)), pytest.raises(rk.StoreError), store.transaction():
        store.put(contact("c1"), expected_version=None)
    assert Point(COMMIT, 1, 1) == faults.fired
    with store.transaction():
        store.put(contact("c2"), expected_version=None)
    assert (["c2"], "c2") == (stored_contacts(store), store.get("c2").id)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_related_stewards_must_share_one_store(kind: str, tmp_path: Path) -> None:
    def store(name: str) -> rk.Store:
        if kind == "memory":
            return MemoryStore()
        return SQLStore(f"sqlite:///{tmp_path / name}", schemas=[CONTACT, DEAL])

    contacts, deals = store("contacts.db"), store("deals.db")
    try:
        related = rk.Steward(DEAL, store=deals)
        with pytest.raises(rk.RecordkitError):
            rk.Steward(CONTACT, store=contacts, related=[related])
    finally:
        for s in (contacts, deals):
            if isinstance(s, SQLStore):
                s.close()
