"""A steward's persistent duplicate index: restarts, rollbacks, races, rebuilds, erasure."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import recordkit as rk
from recordkit.match import DuplicateCheck, DuplicateError, PersistentIndex
from recordkit.store import SQLStore, Store
from tests.match.strategies import rules_matcher

CONTACT = rk.bundled_schema("contact")
ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
ADA_AGAIN = {"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@example.com"}
ROOT = Path(__file__).resolve().parents[1]
_PREFIXES = itertools.count(1)


def check(**thresholds: float | None) -> DuplicateCheck:
    return DuplicateCheck(rules_matcher(schema="contact"), **thresholds)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Opens the same database again each call (memory: the same store)."""
    made: list[Store] = []
    if request.param == "memory":
        memory = rk.MemoryStore()
        yield lambda: memory
        return
    if request.param == "sqlite":
        url, prefix = f"sqlite:///{tmp_path / 'crm.db'}", "rk_"
    else:
        url, prefix = str(request.getfixturevalue("postgres_url")), f"ix{next(_PREFIXES)}_"

    def again() -> Store:
        store = SQLStore(url, table_prefix=prefix)
        made.append(store)
        return store

    yield again
    for store in made:
        store.close()  # type: ignore[attr-defined]


def _count(store: Store) -> int:
    return store.count("contact")


class TestTheIndexLivesInTheStore:
    def test_a_duplicate_is_blocked_after_a_restart(self, open_store: Callable[[], Store]) -> None:
        """A new steward on the same database blocks the person the first one stored."""
        first = rk.Steward(CONTACT, store=open_store(), matcher=check(block_at=9))
        kept = first.capture(ADA, source="web")
        second = rk.Steward(CONTACT, store=open_store(), matcher=check(block_at=9))
        with pytest.raises(DuplicateError) as caught:
            second.capture(ADA_AGAIN, source="web")
        assert (kept.id, 1) == (caught.value.verdict.best.record_id, _count(second.store))  # type: ignore[union-attr]

    def test_a_rollback_leaves_no_ghost(self, open_store: Callable[[], Store]) -> None:
        """A capture inside the application's transaction that rolls back blocks nobody."""
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(block_at=9))

        def capture_then_fail() -> None:
            with steward.store.transaction():
                steward.capture(ADA, source="web")
                raise RuntimeError("the application's own write failed")

        with pytest.raises(RuntimeError):
            capture_then_fail()
        again = steward.capture(ADA_AGAIN, source="web")
        assert (1, [again.id]) == (
            _count(steward.store),
            list(steward.store.index_rows("contact").entities()),
        )

    def test_entity_ids_are_stored_with_the_records(self, open_store: Callable[[], Store]) -> None:
        """A flagged duplicate joins the first record's entity, and stays there."""
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(flag_at=9))
        a = steward.capture(ADA, source="web")
        b = steward.capture(ADA_AGAIN, source="crm")
        later = rk.Steward(CONTACT, store=open_store(), matcher=check(flag_at=9))
        assert {a.id: a.id, b.id: a.id} == later.matcher.index.entities  # type: ignore[union-attr]

    def test_records_stored_before_the_index_are_indexed_at_once(
        self, open_store: Callable[[], Store]
    ) -> None:
        """A steward given a check over a store that has records builds the index first."""
        plain = rk.Steward(CONTACT, store=open_store())
        kept = plain.capture(ADA, source="import")
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(block_at=9))
        with pytest.raises(DuplicateError) as caught:
            steward.capture(ADA_AGAIN, source="web")
        assert kept.id == caught.value.verdict.best.record_id  # type: ignore[union-attr]

    def test_other_matching_settings_rebuild_the_index(
        self, open_store: Callable[[], Store]
    ) -> None:
        """An index built with other blocking is rebuilt by the next steward, not misread."""
        rk.Steward(CONTACT, store=open_store(), matcher=check(block_at=9)).capture(
            ADA, source="web"
        )
        settings = rules_matcher(schema="contact").to_dict()
        other = rk.match.Matcher.from_dict({**settings, "blocking": [["last_name"]]})
        steward = rk.Steward(CONTACT, store=open_store(), matcher=DuplicateCheck(other, block_at=9))
        with pytest.raises(DuplicateError):
            steward.capture(ADA_AGAIN, source="web")

    def test_rebuild_index_takes_in_records_written_around_it(
        self, open_store: Callable[[], Store]
    ) -> None:
        """Records a plain steward wrote after the index existed are found once rebuilt."""
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(block_at=9))
        steward.capture({"first_name": "Bo", "last_name": "Day", "email": "bo@x.org"}, source="w")
        kept = rk.Steward(CONTACT, store=open_store()).capture(ADA, source="import")
        assert steward.matcher is not None
        assert not steward.matcher.screen(ADA_AGAIN).lookup.is_duplicate  # not seen yet
        assert 2 == steward.rebuild_index()
        assert kept.id == steward.matcher.screen(ADA_AGAIN).best.record_id  # type: ignore[union-attr]

    def test_erasure_takes_the_person_out_of_the_index(
        self, open_store: Callable[[], Store]
    ) -> None:
        """After erase, the person is in no index row and a new capture is not flagged."""
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(flag_at=9))
        gone = steward.capture(ADA, source="web")
        steward.erase(gone.id, reason="request")
        again = steward.capture(ADA_AGAIN, source="web")
        events = [e.action for e in steward.audit_events(record_id=again.id)]
        assert ("flag_duplicate" not in events, [again.id]) == (
            True,
            list(steward.store.index_rows("contact").entities()),
        )

    def test_an_index_needs_a_store_that_can_keep_it(self, tmp_path: Path) -> None:
        """An encrypting store keeps no clear-text index rows: the steward says so."""
        pytest.importorskip("cryptography")
        from recordkit.governance import FieldEncryption, LocalKeyFile

        keys = LocalKeyFile(tmp_path / "master.key", create=True)
        with (
            SQLStore(
                f"sqlite:///{tmp_path / 'enc.db'}",
                encryption=FieldEncryption(keys, fields=["email"]),
            ) as store,
            pytest.raises(rk.StoreError, match="in clear"),
        ):
            rk.Steward(CONTACT, store=store, matcher=check(block_at=9))

    def test_an_unbound_check_says_how_to_bind_it(self) -> None:
        """A check made from a matcher and used alone says it needs a store."""
        alone = check(block_at=9)
        with pytest.raises(rk.RecordkitError, match="give it to a Steward"):
            alone.screen(ADA)
        bound = alone.bind(rk.MemoryStore().index_rows("contact"))
        assert isinstance(bound.index, PersistentIndex)
        with pytest.raises(rk.RecordkitError, match="already"):
            bound.bind(rk.MemoryStore().index_rows("contact"))


RACE = """
import sys, time
import recordkit as rk
from recordkit.match import DuplicateCheck, DuplicateError
from recordkit.store import SQLStore
from tests.match.strategies import rules_matcher

url, prefix, start, rounds = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
with SQLStore(url, table_prefix=prefix) as store:
    steward = rk.Steward(
        rk.bundled_schema("contact"), store=store,
        matcher=DuplicateCheck(rules_matcher(schema="contact"), flag_at=None, block_at=9),
    )
    for n in range(rounds):
        while time.time() < start + n * 0.5:
            time.sleep(0.001)
        person = {"first_name": "Ada", "last_name": f"Race{n}", "email": f"ada{n}@example.com"}
        try:
            steward.capture(person, source="web")
            print("stored", flush=True)
        except DuplicateError:
            print("blocked", flush=True)
"""


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_processes_capturing_one_person_store_one_record(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """
    Two processes capture the same new people at the same moments: each person is
    stored once and blocked once, never stored twice.
    """
    if backend == "sqlite":
        url, prefix = f"sqlite:///{tmp_path / 'race.db'}", "rk_"
    else:
        url, prefix = str(request.getfixturevalue("postgres_url")), f"race{next(_PREFIXES)}_"
    with SQLStore(url, table_prefix=prefix) as store:  # tables and index made before the race
        rk.Steward(CONTACT, store=store, matcher=check(block_at=9))
    rounds = 4
    start = time.time() + 4.0
    script = textwrap.dedent(RACE)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", script, url, prefix, str(start), str(rounds)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        outcomes.append(out.split())
    per_round = sorted(tuple(sorted(pair)) for pair in zip(*outcomes, strict=True))
    with SQLStore(url, table_prefix=prefix, schemas=[CONTACT]) as store:
        stored = store.count("contact")
    assert ([("blocked", "stored")] * rounds, rounds) == (per_round, stored)


BATCH = [
    {"first_name": "Bo", "last_name": "Day", "email": "bo@example.org"},
    {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com"},  # stored one
    {"first_name": "Cy", "last_name": "Young", "email": "cy@example.net"},
    {"first_name": "Bo", "last_name": "Day", "email": "BO@example.org"},  # the first row's
]


class TestBatchScreening:
    def test_capture_many_blocks_against_the_store_and_within_the_batch(
        self, open_store: Callable[[], Store]
    ) -> None:
        """
        Rows duplicating a stored record or an earlier row are quarantined with the reason;
        nothing is lost: every row is stored or held.
        """
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(block_at=9))
        ada = steward.capture(ADA, source="web")
        result = steward.capture_many(BATCH, source="import")
        held = {q.index: q.issues[0] for q in result.quarantined}
        assert ([1, 3], 2, 3) == (sorted(held), len(result.records), _count(steward.store))
        assert {"duplicate.blocked"} == {i.code for i in held.values()}
        assert ada.id in held[1].message
        assert result.records[0].id in held[3].message

    def test_capture_many_flags_like_one_capture_at_a_time(
        self, open_store: Callable[[], Store], tmp_path: Path
    ) -> None:
        """A flagging batch stores every row, flags the same pairs and ends with the same
        entities as capturing the rows one by one."""
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(flag_at=9))
        steward.capture(ADA, source="web")
        result = steward.capture_many(BATCH, source="import")
        one = rk.Steward(CONTACT, matcher=check(flag_at=9))
        one.capture(ADA, source="web")
        for row in BATCH:
            one.capture(row, source="import")

        def flags(s: rk.Steward) -> list[tuple[str, str]]:
            return sorted(
                (f["record"], f["other"])
                for e in s.audit_events()
                if e.action == "flag_duplicate"
                for f in e.detail["flags"]
            )

        def events(s: rk.Steward) -> int:
            return sum(e.action == "flag_duplicate" for e in s.audit_events())

        def pairs(s: rk.Steward) -> list[tuple[str, str]]:  # the same pairs, by their emails
            stored = (r for batch in s.store.iterate(CONTACT.name) for r in batch)
            email = {r.id: str(r.values.get("email")).lower() for r in stored}
            return sorted((email[a], email[b]) for a, b in flags(s))

        def groups(s: rk.Steward) -> list[int]:
            assert s.matcher is not None
            return sorted(len(g) for g in _groups(s.matcher.index.entities).values())

        assert (4, 2, [1, 2, 2]) == (len(result.records), len(flags(steward)), groups(steward))
        assert (pairs(one), groups(one)) == (pairs(steward), groups(steward))
        # one event for the batch's chunk, naming every flagged pair; one per capture
        assert (1, 2) == (events(steward), events(one))

    def test_capture_many_merges_into_the_stored_record(
        self, open_store: Callable[[], Store]
    ) -> None:
        """A row the check merges is stored and merged into its match, through merge."""
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(merge_at=9))
        ada = steward.capture(ADA, source="web")
        steward.capture_many(BATCH[1:2], source="import")
        merged = [e for e in steward.audit_events() if e.action == "merge"]
        assert (1, ada.id) == (len(merged), merged[0].record_ids[0])

    def test_a_batch_leaves_the_index_as_captures_would(
        self, open_store: Callable[[], Store]
    ) -> None:
        """After a batch, a later capture of one of its people is blocked."""
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(flag_at=9, block_at=9))
        steward.capture_many(BATCH[:3], source="import")
        with pytest.raises(DuplicateError):
            steward.capture({"first_name": "Cy", "last_name": "Young", "email": "CY@example.net"},
                            source="web")  # fmt: skip


def _groups(entities: dict[str, str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rid, entity in entities.items():
        out.setdefault(entity, set()).add(rid)
    return out


class TestReviewQueue:
    def _flagged(self, open_store: Callable[[], Store]) -> tuple[rk.Steward, rk.Record, rk.Record]:
        steward = rk.Steward(CONTACT, store=open_store(), matcher=check(flag_at=9))
        first = steward.capture(ADA, source="web")
        second = steward.capture(ADA_AGAIN, source="crm")
        return steward, first, second

    def test_a_flag_waits_in_the_queue_with_its_reasons(
        self, open_store: Callable[[], Store]
    ) -> None:
        """A flagged capture leaves one open review: which records, how sure, and why."""
        steward, first, second = self._flagged(open_store)
        [review] = steward.reviews()
        assert (second.id, first.id, "open") == (review.record_id, review.other_id, review.status)
        assert "email" in {t["comparison"] for t in review.explanation["terms"]}
        p = review.probability
        assert ([review], [], []) == (
            steward.reviews(min_probability=p, max_probability=p),
            steward.reviews(max_probability=p / 2),
            steward.reviews(since=review.at + dt.timedelta(seconds=1)),
        )
        assert [review] == steward.reviews(record_id=first.id)

    def test_accepting_merges_and_keeps_the_decision(self, open_store: Callable[[], Store]) -> None:
        """Accept merges the pair through merge, and the review is closed with it."""
        steward, first, second = self._flagged(open_store)
        [review] = steward.reviews()
        merge = steward.accept(review.id, actor=rk.Actor("rev", roles={"steward"}), note="same")
        [closed] = steward.reviews(status="accepted")
        assert (first.id, "merged", "rev", "same") == (
            merge.plan.survivor.id,
            steward.get(second.id).state,
            closed.decided_by,
            closed.note,
        )
        assert [] == steward.reviews()
        assert "review" in [e.action for e in steward.audit_events(record_id=first.id)]
        with pytest.raises(rk.RecordkitError, match="accepted already"):
            steward.reject(review.id)

    def test_rejecting_keeps_the_pair_apart_for_good(self, open_store: Callable[[], Store]) -> None:
        """A rejected pair is never linked by find_duplicates, nor flagged again on edit."""
        steward, first, second = self._flagged(open_store)
        [review] = steward.reviews()
        before = steward.find_duplicates()
        assert before.entity_of[first.id] == before.entity_of[second.id]
        steward.reject(review.id, note="twins")
        after = steward.find_duplicates()
        assert after.entity_of[first.id] != after.entity_of[second.id]
        steward.update(second.id, {"first_name": "Ada"}, source="crm")
        steward.update(second.id, {"last_name": "Lovelace "}, source="crm")
        assert [] == steward.reviews()
        assert 1 == len(steward.reviews(status="rejected"))

    def test_erasure_takes_the_reviews_with_it(self, open_store: Callable[[], Store]) -> None:
        """Erasing a flagged record leaves no review naming it."""
        steward, _, second = self._flagged(open_store)
        steward.erase(second.id, reason="request")
        assert [] == steward.reviews(status=None)

    def test_bad_review_calls_are_named(self, open_store: Callable[[], Store]) -> None:
        """Unknown reviews, wrong filters and wrong ids raise recordkit errors."""
        steward, _, _ = self._flagged(open_store)
        with pytest.raises(rk.NotFound):
            steward.accept("rv-nope")
        with pytest.raises(rk.RecordkitError, match="review ids"):
            steward.reject(3)  # type: ignore[arg-type]
        with pytest.raises(rk.StoreError, match="status"):
            steward.reviews(status="pending")
        with pytest.raises(rk.StoreError, match="min_probability"):
            steward.reviews(min_probability=2)
        with pytest.raises(rk.StoreError, match="since"):
            steward.reviews(since=dt.datetime(2026, 1, 1))


def test_decisions_teach_the_check() -> None:
    """
    Colleagues sharing a switchboard number are flagged as one person; once reviewers
    reject those pairs and the steward learns, the next colleague is not flagged.
    """
    steward = rk.Steward(
        CONTACT, matcher=DuplicateCheck(rk.match.Matcher.for_schema(CONTACT), flag_at=0.3)
    )
    board = "+1 212 555 0100"

    def colleague(first: str) -> dict[str, str]:
        return {"first_name": first, "last_name": "Lee", "phone": board,
                "email": f"{first.lower()}@corp.com", "company": "Corp"}  # fmt: skip

    for first in ("Ann", "Bob", "Cy", "Di"):
        steward.capture(colleague(first), source="web")
    assert steward.matcher is not None
    assert steward.matcher.screen(colleague("Ed")).action == "flag"
    for review in steward.reviews():
        steward.reject(review.id)
    learned = steward.learn()
    assert learned.model is not None
    assert not learned.model.version.startswith("prior-")
    assert steward.matcher.screen(colleague("Ed")).action == "none"
    later = rk.Steward(
        CONTACT,
        store=steward.store,
        matcher=DuplicateCheck(rk.match.Matcher.for_schema(CONTACT), flag_at=0.3),
    )  # opened with the priors: scores with the model kept with the index
    assert later.matcher is not None
    assert later.matcher.matcher.model == learned.model
    assert later.matcher.screen(colleague("Ed")).action == "none"
    with pytest.raises(rk.RecordkitError, match="persistent"):
        rk.Steward(CONTACT).learn()


def test_a_damaged_index_row_is_named_and_rebuilt(tmp_path: Path) -> None:
    """A row whose stored values were damaged is reported with the way out; a rebuild mends it."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    with SQLStore(url) as store:
        steward = rk.Steward(CONTACT, store=store, matcher=check(block_at=9))
        kept = steward.capture(ADA, source="web")
    raw = sqlite3.connect(tmp_path / "crm.db")
    raw.execute("UPDATE rk_match_row SET vals = '{not json' WHERE record_id = ?", (kept.id,))
    raw.commit()
    raw.close()
    with SQLStore(url) as store:
        steward = rk.Steward(CONTACT, store=store, matcher=check(block_at=9))
        with pytest.raises(rk.StoreError, match="rebuild the index"):
            steward.capture(ADA_AGAIN, source="web")
        assert 1 == steward.rebuild_index()
        with pytest.raises(DuplicateError):
            steward.capture(ADA_AGAIN, source="web")


def test_entity_ids_survive_a_new_model(open_store: Callable[[], Store]) -> None:
    """A steward opened with a refitted model keeps the stored entity ids."""
    steward = rk.Steward(CONTACT, store=open_store(), matcher=check(flag_at=9))
    a = steward.capture(ADA, source="web")
    b = steward.capture(ADA_AGAIN, source="crm")
    refit = rules_matcher(schema="contact")
    weights = refit.to_dict()
    weights["threshold"] = 8  # another model: the prepared values and keys are the same
    later = rk.Steward(
        CONTACT,
        store=open_store(),
        matcher=DuplicateCheck(rk.match.Matcher.from_dict(weights), flag_at=8),
    )
    assert later.matcher is not None
    assert {a.id: a.id, b.id: a.id} == later.matcher.index.entities
