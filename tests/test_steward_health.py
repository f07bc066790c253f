"""Health scores kept on write: in the record's transaction, ranked, rescored, erased."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import recordkit as rk
from recordkit.governance import RecordPredicate
from recordkit.quality import HealthModel

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
SCHEMA = rk.Schema(
    "person",
    [
        rk.Field("name", rk.Text(), required=True),
        rk.Field("email", rk.Email(), tags={"recommended"}),
        rk.Field("city", rk.Text(), tags={"recommended"}),
        rk.Field("rep", rk.Text()),
    ],
    owner_field="rep",
)


@pytest.fixture(params=["memory", "sqlite"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., rk.Steward]]:
    """Stewards with health scores on a memory store or a SQLite file."""
    stores: list[rk.Store] = []
    clock = itertools.count()

    def build(**options: object) -> rk.Steward:
        store: rk.Store = (
            rk.MemoryStore()
            if request.param == "memory"
            else rk.SQLStore(f"sqlite:///{tmp_path / 'h.db'}")
        )
        stores.append(store)
        options.setdefault("health", HealthModel())
        return rk.Steward(
            SCHEMA,
            store=store,
            clock=lambda: START + dt.timedelta(seconds=next(clock)),
            **options,  # type: ignore[arg-type]
        )

    yield build
    for s in stores:
        close = getattr(s, "close", None)
        if close is not None:
            close()


class TestKeptOnWrite:
    def test_a_capture_stores_its_score(self, make: Callable[..., rk.Steward]) -> None:
        """The captured record has a score whose points add up, its missing fields named."""
        people = make()
        r = people.capture({"name": "Ada", "city": "London"}, source="form")
        score = people.health(r.id)
        assert score.score == sum(score.points)
        assert {"missing_recommended": ["email"]} == score.dimension("completeness").detail

    def test_an_update_changes_the_score_in_its_transaction(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """Filling a missing field raises the score on that write."""
        people = make()
        r = people.capture({"name": "Ada"}, source="form")
        before = people.health(r.id).score
        people.update(r.id, {"email": "ada@example.com", "city": "London"}, source="form")
        assert before < people.health(r.id).score == 100

    def test_a_rolled_back_write_leaves_the_old_score(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """An update inside a transaction that fails: the record and its score stay."""
        people = make()
        r = people.capture({"name": "Ada"}, source="form")
        before = people.health(r.id)

        def fail() -> None:
            with people.store.transaction():
                people.update(r.id, {"email": "ada@example.com"}, source="form")
                assert people.health(r.id).score > before.score  # seen inside
                raise RuntimeError("abort")

        with pytest.raises(RuntimeError):
            fail()
        assert before == people.health(r.id)
        assert None is people.get(r.id)["email"]

    def test_batches_are_scored_with_the_rules_issues(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """Rows kept despite errors (warn) lose validity points, traced to their rule."""
        people = make()
        result = people.capture_many(
            [{"name": "Ada", "email": "not-an-email"}, {"name": "Bob"}],
            source="import",
            mode="warn",
        )
        first = people.health(result.records[0].id).dimension("validity")
        assert first.measure is not None
        assert first.measure < 1
        listed: Any = first.detail["issues"]
        assert all("@" in i["rule"] for i in listed)

    def test_consent_decisions_count_once_purposes_are_declared(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """With a consent purpose, recording a decision raises consent coverage to 1."""
        people = make(consent_for={"mql": "email_marketing"})
        r = people.capture({"name": "Ada"}, source="form")
        assert 0.0 == people.health(r.id).dimension("consent").measure
        people.record_consent(r.id, "email_marketing", granted=False, source="form")
        assert 1.0 == people.health(r.id).dimension("consent").measure

    def test_erase_removes_the_score(self, make: Callable[..., rk.Steward]) -> None:
        """An erased person's score goes with them."""
        people = make()
        r = people.capture({"name": "Ada"}, source="form")
        people.erase(r.id, reason="request")
        assert {} == people.store.health("person", [r.id])

    def test_without_a_model_nothing_is_kept(self, make: Callable[..., rk.Steward]) -> None:
        """health=None: no scores, and asking for one says how to get them."""
        people = make(health=None)
        r = people.capture({"name": "Ada"}, source="form")
        assert {} == people.store.health("person", [r.id])
        with pytest.raises(rk.RecordkitError, match="health=HealthModel"):
            people.health(r.id)


class TestRankingAndRescore:
    def test_lowest_health_below_and_by_owner(self, make: Callable[..., rk.Steward]) -> None:
        """Under a threshold, lowest first; one owner's worst."""
        people = make()
        full = people.capture(
            {"name": "A", "email": "a@x.co", "city": "X", "rep": "kim"}, source="f"
        )
        thin = people.capture({"name": "B", "rep": "kim"}, source="f")
        other = people.capture({"name": "C", "rep": "lee"}, source="f")
        ranked = [s.record_id for s in people.lowest_health(below=100)]
        assert full.id not in ranked
        assert {thin.id, other.id} == set(ranked)
        kims = people.lowest_health(where=RecordPredicate("owner", "eq", "kim"), limit=1)
        assert [thin.id] == [s.record_id for s in kims]

    def test_rescore_applies_new_weights_to_every_score(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """After rescore with other weights, every kept score is the new model's."""
        people = make()
        ids = [people.capture({"name": f"P{i}"}, source="f").id for i in range(5)]
        model = HealthModel(weights={"completeness": 90})
        assert 5 == people.rescore(model, batch_size=2)
        assert model is people.health_model
        for rid in ids:
            score = people.health(rid)
            assert model.fingerprint == score.model
            assert 90.0 == score.dimension("completeness").weight

    def test_full_rescore_scores_records_stored_before_scoring(self, tmp_path: Path) -> None:
        """Records stored without a model get scores from rescore(full=True)."""
        store = rk.MemoryStore()
        plain = rk.Steward(SCHEMA, store=store)
        r = plain.capture({"name": "Ada"}, source="form")
        people = rk.Steward(SCHEMA, store=store, health=HealthModel())
        with pytest.raises(rk.NotFound):
            people.health(r.id)
        assert 1 == people.rescore(full=True)
        assert people.health(r.id).score > 0

    @pytest.mark.parametrize(
        "call",
        [
            pytest.param(lambda p: p.rescore("x"), id="model"),
            pytest.param(lambda p: p.rescore(full=1), id="full"),
            pytest.param(lambda p: p.rescore(batch_size=0), id="batch"),
            pytest.param(lambda p: p.health(3), id="record-id"),
            pytest.param(lambda p: p.lowest_health(below="60"), id="below"),
            pytest.param(lambda p: p.lowest_health(actor="kim"), id="actor"),
        ],
    )
    def test_bad_arguments_are_recordkit_errors(
        self, make: Callable[..., rk.Steward], call: Callable[[rk.Steward], object]
    ) -> None:
        """Each bad argument is a RecordkitError naming it."""
        with pytest.raises(rk.RecordkitError):
            call(make())

    def test_health_is_refused_to_an_actor_who_may_not_read(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """A policy that lets an actor read nothing refuses them the score too."""
        people = make()
        r = people.capture({"name": "Ada"}, source="form")
        people.access = rk.Policy([])
        with pytest.raises(rk.AccessDenied):
            people.health(r.id, actor=rk.Actor("kim", roles={"sales"}))
