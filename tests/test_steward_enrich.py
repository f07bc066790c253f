"""Enrichment on the one commit path: captures, batches and updates, never blocked by it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.quality import (
    Derivation,
    EmailEnricher,
    Enricher,
    Enrichment,
    HealthModel,
    PhoneEnricher,
    SubdivisionEnricher,
)

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
LEAD = rk.Schema(
    "lead",
    [
        rk.Field("name", rk.Text(), required=True),
        rk.Field("phone", rk.Phone()),
        rk.Field("email", rk.Email()),
        rk.Field("state", rk.Subdivision(country_field="country")),
        rk.Field("country", rk.Country(), tags={"recommended"}),
        rk.Field("region", rk.Text()),
        rk.Field("timezone", rk.Text(), tags={"recommended"}),
        rk.Field("line_type", rk.Text()),
        rk.Field("company_domain", rk.Text()),
        rk.Field("free_email", rk.Boolean()),
    ],
)
SHIPPED = (
    PhoneEnricher(),
    EmailEnricher(free_domains={"gmail.com"}),
    SubdivisionEnricher(),
)


def build(
    enrichers: Collection[Enricher] | None,
    store: rk.Store | None = None,
    **options: Any,
) -> rk.Steward:
    """A lead steward with a steady clock and counted ids, enriching with *enrichers*."""
    clock = itertools.count()
    ids = itertools.count()
    return rk.Steward(
        LEAD,
        store=store,
        clock=lambda: START + dt.timedelta(seconds=next(clock)),
        ids=lambda: f"l{next(ids)}",
        enrichers=None if enrichers is None else list(enrichers),
        **options,
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[rk.Store]:
    """A memory store or a SQLite file."""
    made: rk.Store = (
        rk.MemoryStore()
        if request.param == "memory"
        else rk.SQLStore(f"sqlite:///{tmp_path / 'e.db'}")
    )
    yield made
    close = getattr(made, "close", None)
    if close is not None:
        close()


def sources(record: rk.Record) -> dict[str, str]:
    """Field → provenance source."""
    return {name: p.source for name, p in record.provenance.items()}


@attrs.define
class Counting:
    """Fills ``region`` with the phone's last digit, counting its calls."""

    calls: list[str] = attrs.Factory(list)
    name: str = "counting"
    version: str = "1"
    reads: tuple[str, ...] = ("phone",)
    fills: tuple[str, ...] = ("region",)
    offline: bool = True

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        phone = str(values["phone"])
        self.calls.append(phone)
        return {"region": f"ends {phone[-1]}"}


@attrs.define
class Raising:
    """Always raises."""

    name: str = "raising"
    version: str = "1"
    reads: tuple[str, ...] = ("phone",)
    fills: tuple[str, ...] = ("line_type",)
    offline: bool = True

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        raise LookupError("carrier table unreadable")


@attrs.define
class NoTimezone:
    """An access policy that allows everything but writing the time zone."""

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
        if "timezone" in fields:
            raise rk.AccessDenied(actor.id, str(action), field="timezone")


class TestCapture:
    def test_missing_fields_are_derived_and_marked(self, store: rk.Store) -> None:
        """The stored record holds derived values with their derivation, in any store."""
        steward = build(SHIPPED, store)
        r = steward.capture(
            {"name": "Ada", "phone": "+1 212 555 0123", "email": "ada@acme.io"}, source="form"
        )
        stored = steward.get(r.id)
        assert ("US", "America/New_York", "acme.io", False) == (
            stored["country"], stored["timezone"], stored["company_domain"], stored["free_email"]
        )  # fmt: skip
        made = Derivation.of(stored.provenance["timezone"])
        assert made is not None
        assert ("phone", ("phone",)) == (made.enricher, made.reads)
        assert "form" == stored.provenance["phone"].source

    def test_an_observed_value_is_kept(self) -> None:
        """A country given with the record stays, with its own provenance."""
        steward = build(SHIPPED)
        r = steward.capture({"name": "Ada", "phone": "+4930123456", "country": "FR"}, source="f")
        stored = steward.get(r.id)
        assert ("FR", "f") == (stored["country"], stored.provenance["country"].source)
        assert "Europe/Berlin" == stored["timezone"]

    def test_the_audit_event_says_what_was_derived(self) -> None:
        """The create event lists the derived fields, counts them and holds their values."""
        steward = build(SHIPPED)
        r = steward.capture({"name": "Ada", "phone": "+4930123456"}, source="form")
        (event,) = steward.audit_events(r.id)
        derived = event.detail["enrichment"]["derived"]
        assert {"country": 1, "region": 1, "timezone": 1, "line_type": 1} == derived
        assert {"country", "timezone"} <= set(event.fields)
        assert event.changes is not None
        assert [None, "DE"] == event.changes[r.id]["country"]

    def test_the_derived_mark_is_no_source_a_caller_may_give(self) -> None:
        """A source that starts with 'derived:' is refused: only enrichers mark values so."""
        steward = build(SHIPPED)
        with pytest.raises(rk.RecordkitError, match="derived:"):
            steward.capture({"name": "Ada"}, source="derived:phone@1:phone")

    def test_without_enrichers_nothing_is_derived(self) -> None:
        """A steward without enrichers stores what it was given, nothing more."""
        steward = build(None)
        r = steward.capture({"name": "Ada", "phone": "+4930123456"}, source="form")
        assert {"name", "phone"} == set(steward.get(r.id).values)

    def test_health_scores_the_record_as_enriched(self) -> None:
        """The score kept in the capture's transaction counts the derived fields as filled."""
        plain = build(None, health=HealthModel())
        enriched = build(SHIPPED, health=HealthModel())
        row = {"name": "Ada", "phone": "+4930123456"}
        a = plain.health(plain.capture(row, source="form").id)
        b = enriched.health(enriched.capture(row, source="form").id)
        assert a is not None
        assert b is not None
        before, after = a.dimension("completeness").measure, b.dimension("completeness").measure
        assert before is not None
        assert after is not None
        assert before < after


class TestBatch:
    def test_every_stored_row_is_enriched(self, store: rk.Store) -> None:
        """capture_many derives for every row and returns the records as stored."""
        steward = build(SHIPPED, store)
        rows = [
            {"name": "A", "phone": "+4930123456", "email": "a@gmail.com"},
            {"name": "B", "state": "US-CA"},
            {"name": "C", "phone": "+33612345678", "country": "BE"},
        ]
        result = steward.capture_many(rows, source="csv", chunk_size=2)
        assert ["DE", "US", "BE"] == [r["country"] for r in result.records]
        assert [True, None, None] == [r["free_email"] for r in result.records]
        assert result.records == [steward.get(r.id) for r in result.records]

    def test_a_failing_enricher_never_holds_a_row_back(self) -> None:
        """Every row is stored; each gets an enrich.failed warning at its row."""
        steward = build([Raising(), PhoneEnricher(line_type=None)])
        rows = [{"name": n, "phone": "+4930123456"} for n in "ABC"]
        result = steward.capture_many(rows, source="csv")
        assert (3, 0) == (len(result.records), len(result.quarantined))
        assert ["DE"] * 3 == [r["country"] for r in result.records]
        failed = [i for i in result.issues if i.code == "enrich.failed"]
        assert [0, 1, 2] == [i.row for i in failed]
        assert {"raising@1"} == {i.rule for i in failed}
        (event,) = steward.audit_events(action="create")
        assert {"enrich.failed raising@1": 3} == event.detail["enrichment"]["issues"]

    def test_an_enricher_runs_once_per_distinct_value_across_chunks(self) -> None:
        """Ten rows, two phones, five chunks: two calls."""
        counting = Counting()
        steward = build([counting])
        rows = [
            {"name": f"n{i}", "phone": ["+4930123456", "+4930123457"][i % 2]} for i in range(10)
        ]
        result = steward.capture_many(rows, source="csv", chunk_size=2)
        assert 2 == len(counting.calls)
        assert {"ends 6", "ends 7"} == {r["region"] for r in result.records}

    def test_derived_fields_the_actor_may_not_write_are_left_out(self) -> None:
        """The policy refuses the time zone: stored without it, with an enrich.refused issue."""
        steward = build([PhoneEnricher()], access=NoTimezone())
        result = steward.capture_many([{"name": "A", "phone": "+4930123456"}], source="csv")
        (record,) = result.records
        assert (None, None) == (record["timezone"], record["country"])
        assert ["enrich.refused"] == [i.code for i in result.issues]


class TestUpdate:
    def test_a_new_phone_re_derives_its_values(self, store: rk.Store) -> None:
        """The values derived from the old phone follow the new one; stale ones go."""
        steward = build(SHIPPED, store)
        r = steward.capture({"name": "Ada", "phone": "+12125550123"}, source="form")
        steward.update(r.id, {"phone": "+33612345678"}, source="crm")
        stored = steward.get(r.id)
        assert ("FR", "Europe/Paris", "mobile", None) == (
            stored["country"], stored["timezone"], stored["line_type"], stored["region"]
        )  # fmt: skip
        (event,) = steward.audit_events(r.id, action="update")
        assert {"region": 1} == event.detail["enrichment"]["cleared"]

    def test_an_observed_value_is_never_re_derived(self) -> None:
        """A country observed after the derivation stays when the phone changes again."""
        steward = build(SHIPPED)
        r = steward.capture({"name": "Ada", "phone": "+12125550123"}, source="form")
        steward.update(r.id, {"country": "CA"}, source="crm")
        steward.update(r.id, {"phone": "+4930123456"}, source="crm")
        stored = steward.get(r.id)
        assert ("CA", "crm") == (stored["country"], stored.provenance["country"].source)
        assert "Europe/Berlin" == stored["timezone"]

    def test_an_unrelated_update_keeps_derived_values(self) -> None:
        """Changing the name leaves values derived from the phone as they were."""
        steward = build(SHIPPED)
        r = steward.capture({"name": "Ada", "phone": "+4930123456"}, source="form")
        before = steward.get(r.id)
        steward.update(r.id, {"name": "Ada L."}, source="crm")
        after = steward.get(r.id)
        assert before.provenance["country"] == after.provenance["country"]
        (event,) = steward.audit_events(r.id, action="update")
        assert "enrichment" not in event.detail


class TestObservedValuesAreKept:
    @settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        rows=st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["Ada", "Bo"])},
                optional={
                    "phone": st.sampled_from(["+12125550123", "+4930123456", "12", ""]),
                    "email": st.sampled_from(["a@gmail.com", "b@acme.io", "nope"]),
                    "state": st.sampled_from(["US-NY", "NY", "Bavaria"]),
                    "country": st.sampled_from(["US", "FR", ""]),
                    "timezone": st.sampled_from(["Europe/Paris", ""]),
                    "free_email": st.sampled_from([True, False]),
                },
            ),
            min_size=1,
            max_size=8,
        )
    )
    def test_stored_observed_values_are_those_without_enrichment(
        self, rows: list[dict[str, Any]]
    ) -> None:
        """For any rows, every observed value is stored as it is without enrichment; the
        values added are derived, and they fill fields stored empty."""
        plain = build(None).capture_many(rows, source="csv", mode="warn").records
        enriched = build(SHIPPED).capture_many(rows, source="csv", mode="warn").records
        assert len(plain) == len(enriched)
        for a, b in zip(plain, enriched, strict=True):
            for name, value in a.values.items():
                if value is not None:
                    assert value == b.values[name]
                    assert a.provenance[name] == b.provenance[name]
            for name, value in b.values.items():
                if value is not None and a.values.get(name) is None:
                    assert Derivation.of(b.provenance[name]) is not None


def test_build_helper_matches_the_steward_attribute() -> None:
    """Stewards start without enrichment; the helper's enrichment is the one applied."""
    assert None is getattr(rk.Steward(LEAD), "enrichment", None)
    made: Callable[..., rk.Steward] = build
    assert isinstance(made(SHIPPED).enrichment, Enrichment)


class TestConstructor:
    @pytest.mark.parametrize(
        "enrichers",
        ["phone", [object()], [EmailEnricher(free_domains=())]],
        ids=["a-string", "not-an-enricher", "fills-no-field"],
    )
    def test_bad_enrichers_are_refused(self, enrichers: Any) -> None:
        """Enrichers that are no list, no enrichers, or fit no field: QualityError."""
        with pytest.raises(rk.RecordkitError):
            rk.Steward(rk.bundled_schema("contact"), enrichers=enrichers)

    def test_capture_returns_the_enriched_record(self) -> None:
        """The record capture returns is the one stored, derived values included."""
        steward = rk.Steward(LEAD, enrichers=["phone"])
        r = steward.capture({"name": "Ada", "phone": "+4930123456"}, source="form")
        assert ("DE", r) == (r["country"], steward.get(r.id))

    def test_an_observation_replaces_a_derived_value(self) -> None:
        """Any observed value beats a derived one, whatever the source's rank."""
        steward = rk.Steward(LEAD, enrichers=["phone"], precedence=["crm"])
        r = steward.capture({"name": "Ada", "phone": "+4930123456"}, source="crm")
        updated = steward.update(r.id, {"country": "AT"}, source="web")
        assert ("AT", "web") == (updated["country"], updated.provenance["country"].source)
