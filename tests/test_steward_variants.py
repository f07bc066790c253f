"""Variant clusters applied to stored data: a dry run, then the same edits, audited, whole."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.quality import QualityError, VariantCluster
from recordkit.store import SQLStore

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
SCHEMA = rk.Schema(
    "lead",
    [
        rk.Field("name", rk.Text()),
        rk.Field("city", rk.Text()),
        rk.Field("email", rk.Email()),
        rk.Field("region", rk.Picklist(values=("New York", "Boston", "Paris"))),
    ],
)
CITIES = ["New York", "new york", "NEW YORK", "New York", "Boston", "boston", "Bostn", None]


@pytest.fixture(params=["memory", "sqlite"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., rk.Steward]]:
    """Stewards of leads on a memory store or a SQLite file, with a ticking clock."""
    stores: list[rk.Store] = []
    clock = itertools.count()

    def build(**options: Any) -> rk.Steward:
        store: rk.Store = (
            rk.MemoryStore()
            if request.param == "memory"
            else SQLStore(f"sqlite:///{tmp_path / f'v{len(stores)}.db'}")
        )
        stores.append(store)
        return rk.Steward(
            SCHEMA, store=store, clock=lambda: START + dt.timedelta(seconds=next(clock)), **options
        )

    yield build
    for s in stores:
        close = getattr(s, "close", None)
        if close is not None:
            close()


def filled(steward: rk.Steward, cities: list[str | None] = CITIES) -> list[rk.Record]:
    """Capture one lead per city, in order."""
    rows = [{"name": f"n{i}", "city": c} for i, c in enumerate(cities)]
    return steward.capture_many(rows, source="fair").records


def values(steward: rk.Steward, field: str = "city") -> dict[str, Any]:
    """Record id → stored value of *field*, for every record."""
    return {r.id: r.values.get(field) for b in steward.store.iterate("lead") for r in b}


def versions(steward: rk.Steward) -> dict[str, int]:
    return {r.id: r.version for b in steward.store.iterate("lead") for r in b}


class TestDryRun:
    def test_a_dry_run_writes_nothing(self, make: Callable[..., rk.Steward]) -> None:
        """The preview lists the edits; records, versions and the audit trail stay as they were."""
        steward = make()
        filled(steward)
        before, events = versions(steward), len(list(steward.audit_events()))
        preview = steward.apply_variants("city", steward.find_variants("city"))
        assert preview.dry_run
        assert {"new york": 1, "NEW YORK": 1, "boston": 1} == preview.counts
        assert before == versions(steward)
        assert events == len(list(steward.audit_events()))

    def test_the_dry_run_is_what_the_run_does(self, make: Callable[..., rk.Steward]) -> None:
        """The real run makes exactly the previewed edits, and the store then holds them."""
        steward = make()
        filled(steward)
        accepted = steward.find_variants("city")
        before = values(steward)
        preview = steward.apply_variants("city", accepted)
        done = steward.apply_variants("city", accepted, dry_run=False)
        assert preview.edits == done.edits
        assert not done.dry_run
        after = values(steward)
        edited = {e.record_id: e for e in done.edits}
        for rid, value in after.items():
            if rid in edited:
                assert (edited[rid].before, edited[rid].after) == (before[rid], value)
            else:
                assert before[rid] == value  # nothing else changed
        assert () == steward.find_variants("city")  # re-clustered: nothing left

    def test_values_in_no_accepted_cluster_stay(self, make: Callable[..., rk.Steward]) -> None:
        """Only accepted variants change: a typo no cluster names, and other clusters, stay."""
        steward = make()
        filled(steward)
        ny = next(c for c in steward.find_variants("city") if c.canonical == "New York")
        steward.apply_variants("city", [ny], dry_run=False)
        stored = sorted(v for v in values(steward).values() if v is not None)
        assert ["Bostn", "Boston", "New York", "New York", "New York", "New York", "boston"] == (
            stored
        )


class TestAudited:
    def test_one_update_event_per_batch_with_before_and_after(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """Each batch commits one update event holding every value before and after."""
        steward = make()
        filled(steward)
        done = steward.apply_variants(
            "city", steward.find_variants("city"), dry_run=False, batch_size=1
        )
        events = [e for e in list(steward.audit_events()) if e.detail.get("variants") == done.rule]
        assert 3 == len(events)  # one record read per batch: one event per changed record
        assert 1 == len({e.detail["run"] for e in events})
        audited = {rid: ch["city"] for e in events for rid, ch in (e.changes or {}).items()}
        assert {e.record_id: [e.before, e.after] for e in done.edits} == audited
        assert all("update" == e.action and ("city",) == tuple(e.fields) for e in events)

    def test_provenance_names_the_rule_and_keeps_the_raw_value(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """A rewritten value's source is the rule; its raw value and observation time stay."""
        steward = make()
        records = {r.id: r for r in filled(steward)}
        done = steward.apply_variants("city", steward.find_variants("city"), dry_run=False)
        for edit in done.edits:
            now = steward.get(edit.record_id)
            was = records[edit.record_id].provenance["city"]
            assert rk.Provenance(done.rule, was.observed_at, edit.before) == now.provenance["city"]
            assert records[edit.record_id].version + 1 == now.version
        assert done.rule.startswith("variants:city#")

    def test_a_refused_update_writes_nothing(self, make: Callable[..., rk.Steward]) -> None:
        """The policy sees each new value; one refusal leaves every batch unwritten."""
        seen: list[Any] = []

        class NoBoston:
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
                if action is rk.Action.UPDATE and after is not None:
                    seen.append(after.values.get("city"))
                    if after.values.get("city") == "Boston":
                        raise rk.AccessDenied(actor.id, "update", field="city")

        counter = itertools.count()
        steward = make(access=NoBoston(), ids=lambda: f"r{next(counter):03d}")
        filled(steward)  # read back in id order: the New York variants come first
        before = values(steward)
        with pytest.raises(rk.AccessDenied):
            steward.apply_variants(
                "city", steward.find_variants("city"), dry_run=False, batch_size=1
            )
        assert "New York" in seen  # earlier batches were checked (and committed inside)
        assert before == values(steward)


class TestPicklist:
    def test_clusters_become_a_versioned_synonym_rule(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """A picklist's clusters make a new schema version; revalidate agrees on the edits."""
        steward = make()
        for region in ("NY", "N.Y.", "New York", "Paris"):
            steward.capture({"name": "x", "region": region}, source="fair", mode="warn")
        cluster = VariantCluster("ny", [("New York", 2), ("NY", 1), ("N.Y.", 1)])
        preview = steward.apply_variants("region", [cluster])
        assert preview.schema is not None
        assert SCHEMA.version + 1 == preview.schema.version
        report = steward.revalidate(rk.RuleSet.for_schema(preview.schema))
        by_revalidate = {
            (d.record_id, c.before, c.after)
            for d in report.changed
            for c in d.changes
            if c.field == "region"
        }
        assert by_revalidate == {(e.record_id, e.before, e.after) for e in preview.edits}
        assert 2 == len(preview.edits)
        old_rules = steward.rules.version
        done = steward.apply_variants("region", [cluster], dry_run=False)
        assert done.rule == f"variants:region@{done.rules_version}"
        assert done.rules_version is not None
        assert old_rules < done.rules_version
        assert steward.rules.version == done.rules_version
        # new captures normalize the same way; the rules now see nothing to change
        assert "New York" == steward.capture({"region": "N.Y."}, source="web")["region"]
        assert [] == steward.revalidate(steward.rules).changed

    def test_a_canonical_value_outside_the_picklist_is_refused(
        self, make: Callable[..., rk.Steward]
    ) -> None:
        """A picklist's canonical value must be one of its values: nothing is written."""
        steward = make()
        cluster = VariantCluster("ny", [("NYC", 2), ("NY", 1)])
        with pytest.raises(QualityError):
            steward.apply_variants("region", [cluster], dry_run=False)
        assert 1 == steward.rules.version


class TestLeftAlone:
    def test_final_records_keep_their_values(self, make: Callable[..., rk.Steward]) -> None:
        """Retired records are history: the run reads past them."""
        steward = make()
        records = filled(steward)
        lower = next(r for r in records if r.values.get("city") == "new york")
        steward.retire(lower.id, actor=rk.Actor("steward"))
        done = steward.apply_variants("city", steward.find_variants("city"), dry_run=False)
        assert lower.id not in done.record_ids
        assert "new york" == steward.get(lower.id)["city"]


class TestArguments:
    @pytest.mark.parametrize(
        ("field", "clusters", "options"),
        [
            pytest.param("town", [], {}, id="unknown-field"),
            pytest.param(3, [], {}, id="field-not-text"),
            pytest.param("city", "New York", {}, id="clusters-text"),
            pytest.param("city", [("New York", "NY")], {}, id="clusters-not-clusters"),
            pytest.param("city", [], {"dry_run": "no"}, id="dry-run-text"),
            pytest.param("city", [], {"batch_size": 0}, id="batch-size-0"),
            pytest.param("city", [], {"batch_size": True}, id="batch-size-bool"),
            pytest.param("city", [], {"actor": "kim"}, id="actor-text"),
        ],
    )
    def test_bad_arguments_are_recordkit_errors(
        self, field: Any, clusters: Any, options: dict[str, Any]
    ) -> None:
        """Every wrong argument raises a RecordkitError naming it."""
        steward = rk.Steward(SCHEMA)
        with pytest.raises(rk.RecordkitError):
            steward.apply_variants(field, clusters, **options)

    def test_conflicting_clusters_are_refused(self) -> None:
        """A value cannot be a variant of two canonical values."""
        a = VariantCluster("a", [("Paris", 2), ("PRS", 1)])
        b = VariantCluster("b", [("Prs", 2), ("PRS", 1)])
        with pytest.raises(QualityError, match="variant of both"):
            rk.Steward(SCHEMA).apply_variants("city", [a, b])

    def test_an_invalid_canonical_value_is_refused(self) -> None:
        """The canonical value goes through the field's rules: an invalid one is refused."""
        cluster = VariantCluster("x", [("not an address", 2), ("ada@example.com", 1)])
        with pytest.raises(rk.ValidationError):
            rk.Steward(SCHEMA).apply_variants("email", [cluster])

    def test_only_the_fields_own_rules_judge_the_canonical_value(self) -> None:
        """Other fields' required checks do not refuse a canonical value (contacts)."""
        contacts = rk.Steward(rk.bundled_schema("contact"))
        for i, city in enumerate(("London", "london", "London")):
            contacts.capture({"first_name": f"A{i}", "last_name": "Lee", "city": city}, source="x")
        done = contacts.apply_variants("city", contacts.find_variants("city"), dry_run=False)
        assert {"london": 1} == done.counts

    def test_find_variants_checks_its_field(self) -> None:
        """find_variants names an unknown field."""
        with pytest.raises(rk.RecordkitError, match="town"):
            rk.Steward(SCHEMA).find_variants("town")

    def test_a_generator_of_clusters_is_read_once(self) -> None:
        """Clusters given as a generator are all applied."""
        steward = rk.Steward(SCHEMA)
        filled(steward)
        found = steward.find_variants("city")
        done = steward.apply_variants("city", (c for c in found))
        assert 3 == len(done.edits)

    def test_the_result_has_a_short_repr_and_plain_data(self) -> None:
        """repr names the field and counts; to_dict is the edits as JSON data."""
        steward = rk.Steward(SCHEMA)
        filled(steward)
        done = steward.apply_variants("city", steward.find_variants("city"))
        assert repr(done).startswith("VariantEdits('city' would change 3 of 8 records")
        data = done.to_dict()
        assert 3 == data["changed"]
        assert 3 == len(done.to_dict()["edits"])  # type: ignore[arg-type]
        assert "Variant edits" in done._repr_html_()


WORDS = st.sampled_from(["New York", "Boston", "Paris", "Lyon"])
SPELLINGS = st.sampled_from([str.lower, str.upper, str.title, lambda s: s, lambda s: f" {s}"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cities=st.lists(st.tuples(WORDS, SPELLINGS).map(lambda p: p[1](p[0])), max_size=30),
    keep=st.sets(st.integers(0, 3)),
    batch=st.integers(1, 7),
)
def test_applying_accepted_clusters_rewrites_exactly_their_variants(
    cities: list[str], keep: set[int], batch: int
) -> None:
    """For any data and any accepted subset: preview == run, and only variants change."""
    steward = rk.Steward(SCHEMA)
    filled(steward, list(cities))
    found = steward.find_variants("city")
    accepted = [c for i, c in enumerate(found) if i in keep]
    replaced = {v: c.canonical for c in accepted for v in c.variants}
    before = values(steward)
    preview = steward.apply_variants("city", accepted, batch_size=batch)
    done = steward.apply_variants("city", accepted, dry_run=False, batch_size=batch)
    assert preview.edits == done.edits
    after = values(steward)
    assert {rid: replaced.get(v, v) for rid, v in before.items()} == after
    # a second pass finds nothing more to do for the same clusters
    assert () == steward.apply_variants("city", accepted).edits
    # the clusters not accepted are still there, as they were ("merge and re-cluster")
    assert set(found) - set(accepted) == set(steward.find_variants("city"))
