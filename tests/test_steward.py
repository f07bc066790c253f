"""The facade's road: capture, update, get and batch capture, with access and audit seams."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from tests import strategies as rks

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


ADA = {"first_name": "Ada", "last_name": "Byron"}
"""
A contact with its required names: a required field with no value is an error.
"""


def make_steward(**kwargs: Any) -> rk.Steward:
    counter = itertools.count(1)
    return rk.Steward(rk.bundled_schema("contact"), clock=lambda: NOW,
                      ids=lambda: f"c{next(counter)}", **kwargs)


class DenyUpdates:
    """A policy that refuses every update and records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, rk.Action]] = []

    def check(self, actor: rk.Actor, action: rk.Action, schema: rk.Schema,
              record: rk.Record | None, fields: Collection[str], *,
              after: rk.Record | None = None) -> None:
        self.asked.append((actor.id, action))
        if action is rk.Action.UPDATE:
            raise rk.AccessDenied(actor.id, str(action), record_id=record.id if record else None)


class TestCapture:
    def test_keeps_raw_values_in_provenance(self) -> None:
        steward = make_steward()
        r = steward.capture({**ADA, "email_opt_in": " Yes "}, source="web_form")
        assert r.values["email_opt_in"] is True
        assert " Yes " == r.provenance["email_opt_in"].raw
        assert "web_form" == r.provenance["email_opt_in"].source
        assert r == steward.get(r.id)

    def test_applies_defaults_with_their_own_provenance(self) -> None:
        schema = rk.Schema("lead", [rk.Field("name", rk.Text()),
                                    rk.Field("country", rk.Country(), default="FR")])
        r = rk.Steward(schema).capture({"name": "Ada"}, source="form")
        assert "FR" == r["country"]
        assert "default" == r.provenance["country"].source

    def test_a_blank_country_stays_blank(self) -> None:
        """No silent default: the bundled contact schema fills no country in."""
        r = make_steward().capture({**ADA, "country": " "}, source="form")
        assert (None, "form") == (r["country"], r.provenance["country"].source)

    def test_owner_comes_from_the_owner_field(self) -> None:
        r = make_steward().capture({**ADA, "owner": "team-emea"}, source="form")
        assert "team-emea" == r.owner

    def test_refuses_and_stores_nothing(self) -> None:
        steward = make_steward()
        with pytest.raises(rk.ValidationError) as info:
            steward.capture({**ADA, "birth_date": "yesterday", "emial": "x"}, source="form")
        assert 2 == len(info.value.issues)
        assert "did you mean 'email'" in str(info.value)
        assert 0 == steward.store.count("contact")
        assert [] == list(steward.audit.events())

    def test_audits_the_creation(self) -> None:
        steward = make_steward()
        r = steward.capture(ADA, source="form")
        (event,) = steward.audit.events(r.id)
        assert ("create", "system") == (event.action, event.actor)
        assert steward.audit.verify()

    @given(st.dictionaries(st.sampled_from(rk.bundled_schema("contact").field_names),
                           rks.garbage, max_size=4))
    def test_garbage_gives_a_record_or_a_recordkit_error(self, raw: dict[str, Any]) -> None:
        steward = make_steward()
        try:
            r = steward.capture(raw, source="fuzz")
        except rk.RecordkitError:
            assert 0 == steward.store.count("contact")
        else:
            assert set(r.provenance) >= {k for k, v in raw.items() if v is not None}

    @pytest.mark.parametrize("raw", [None, [], "x", 3, {1: "x"}])
    def test_non_mapping_input(self, raw: Any) -> None:
        with pytest.raises(rk.ValidationError):
            make_steward().capture(raw, source="form")

    @pytest.mark.parametrize("source", ["", "  ", None, 3, "x" * 1000])
    def test_bad_source(self, source: Any) -> None:
        with pytest.raises(rk.RecordkitError, match="source"):
            make_steward().capture({"first_name": "Ada"}, source=source)


class TestUpdate:
    def test_bumps_version_and_keeps_other_provenance(self) -> None:
        steward = make_steward()
        r = steward.capture({**ADA, "city": "London"}, source="form")
        r2 = steward.update(r.id, {"city": "Paris"}, source="api")
        assert (2, "api", "form") == (r2.version, r2.provenance["city"].source,
                                      r2.provenance["first_name"].source)

    def test_stale_write_conflicts_and_changes_nothing(self) -> None:
        steward = make_steward()
        r = steward.capture(ADA, source="form")
        steward.update(r.id, {"city": "Paris"}, source="api")
        with pytest.raises(rk.ConflictError):
            steward.update(r.id, {"city": "Rome"}, source="api", expected_version=1)
        assert 2 == steward.get(r.id).version

    def test_access_is_checked_before_writing(self) -> None:
        policy = DenyUpdates()
        steward = make_steward(access=policy)
        r = steward.capture(ADA, source="form")
        with pytest.raises(rk.AccessDenied):
            steward.update(r.id, {"city": "Paris"}, source="api")
        assert 1 == steward.get(r.id).version
        # capture returns the record as the actor may read it: a read check follows the write
        assert [("system", rk.Action.CREATE), ("system", rk.Action.READ),
                ("system", rk.Action.UPDATE), ("system", rk.Action.READ)] == policy.asked

    def test_retired_records_take_no_updates(self) -> None:
        steward = make_steward()
        r = steward.capture(ADA, source="form")
        steward.retire(r.id, actor=rk.Actor("ops"), reason="gdpr_request")
        with pytest.raises(rk.TransitionError, match="final state"):
            steward.update(r.id, {"city": "Paris"}, source="api")
        assert "retired" == steward.get(r.id).state

    def test_unknown_id(self) -> None:
        with pytest.raises(rk.NotFound):
            make_steward().update("nope", {"city": "x"}, source="api")

    def test_get_refuses_non_text_ids(self) -> None:
        with pytest.raises(rk.RecordkitError):
            make_steward().get(42)  # type: ignore[arg-type]


class TestCaptureMany:
    def test_quarantines_bad_rows_and_stores_the_rest(self) -> None:
        rows = [{**ADA}, {**ADA, "first_name": "Bob", "birth_date": "soon"},
                {**ADA, "first_name": "Cy", "emial": "c@x.io"}, {**ADA, "first_name": "Di"}]
        steward = make_steward()
        result = steward.capture_many(rows, source="import", chunk_size=3)
        assert (2, 4) == (len(result.records), result.total)
        assert [1, 2] == [q.index for q in result.quarantined]
        assert rows[2] == result.quarantined[1].row
        assert {"birth_date": 1, "emial": 1} == result.errors_by_field()
        assert 2 == steward.store.count("contact")

    def test_quarantined_rows_are_kept_in_the_store(self) -> None:
        rows = [{**ADA}, {**ADA, "first_name": "Bob", "birth_date": "soon"}]
        steward = make_steward()
        steward.capture_many(rows, source="import")
        (entry,) = steward.store.quarantined("contact")
        assert (1, rows[1]) == (entry.index, dict(entry.row))
        assert ["birth_date"] == [field for field, _ in entry.reasons]

    def test_one_audit_event_per_chunk(self) -> None:
        steward = make_steward()
        steward.capture_many(({**ADA, "first_name": f"A{i}"} for i in range(25)), source="import",
                             chunk_size=10)
        assert [10, 10, 5] == [len(e.record_ids) for e in steward.audit.events()]

    def test_matches_single_captures(self) -> None:
        rows = [{**ADA, "email_opt_in": "y", "birth_date": "7 Mar 1985"},
                {"first_name": "Jo", "last_name": "Smith", "country": "usa"}]
        batch = make_steward().capture_many(rows, source="s").records
        single = [make_steward().capture(r, source="s") for r in rows]
        assert [r.values for r in single] == [r.values for r in batch]

    @pytest.mark.parametrize("rows", [{"a": 1}, "rows", None, 5])
    def test_refuses_non_iterables_of_rows(self, rows: Any) -> None:
        with pytest.raises(rk.RecordkitError):
            make_steward().capture_many(rows, source="import")

    @pytest.mark.parametrize("bad", [["x"], None, "text", {1: "a"}, 42])
    def test_quarantines_rows_that_are_not_mappings(self, bad: object) -> None:
        """A row of the wrong shape is quarantined with its reason; its neighbours are stored."""
        steward = make_steward()
        rows: list[Any] = [{**ADA}, bad, {**ADA, "first_name": "Bo"}]
        result = steward.capture_many(rows, source="import")
        held = [q.index for q in result.quarantined]
        assert (3, 2, [1]) == (result.total, len(result.records), held)
        assert "row.shape" == result.quarantined[0].errors[0].code
        kept = steward.store.quarantined("contact")
        assert [1] == [e.index for e in kept]


class TestConstruction:
    @pytest.mark.parametrize(("kwargs", "message"), [
        ({"store": {}}, "store"),
        ({"access": object()}, "access"),
    ])
    def test_bad_parts(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(rk.RecordkitError, match=message):
            rk.Steward(rk.bundled_schema("contact"), **kwargs)

    def test_needs_a_schema(self) -> None:
        with pytest.raises(rk.RecordkitError, match="Schema"):
            rk.Steward("contact")  # type: ignore[arg-type]
