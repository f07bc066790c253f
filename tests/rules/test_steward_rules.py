"""The facade's road through the rules: capture, update and batch capture normalize and
validate, keep raw values in provenance, and enforce per channel."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

import recordkit as rk
from recordkit.rules import RuleSet, Validators

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def named(first: str, **values: Any) -> dict[str, Any]:
    """A contact's values with both required names (a missing one is an error)."""
    return {"first_name": first, "last_name": "Byron", **values}


def make_steward(**kwargs: Any) -> rk.Steward:
    counter = itertools.count(1)
    return rk.Steward(rk.bundled_schema("contact"), clock=lambda: NOW,
                      ids=lambda: f"c{next(counter)}", **kwargs)


class TestCapture:
    def test_normalizes_and_keeps_the_raw_value(self) -> None:
        r = make_steward().capture(
            named("Ada", phone="(212) 555-0123", state="N.Y.", country="US"), source="form"
        )
        assert ("+12125550123", "US-NY") == (r["phone"], r["state"])
        assert ("(212) 555-0123", "N.Y.") == (
            r.provenance["phone"].raw, r.provenance["state"].raw
        )

    def test_blocks_on_errors_with_issues(self) -> None:
        steward = make_steward()
        with pytest.raises(rk.ValidationError) as info:
            steward.capture(named("Ada", email="ada(at)example"), source="form")
        (issue,) = info.value.issues
        assert isinstance(issue, rk.Issue)
        assert ("email", "email.invalid") == (issue.field, issue.code)
        assert 0 == steward.store.count("contact")

    def test_coercion_failures_are_issues(self) -> None:
        with pytest.raises(rk.ValidationError) as info:
            make_steward().capture(named("Ada", birth_date="someday"), source="form")
        assert ["coerce.date"] == [i.code for i in info.value.issues]

    def test_warn_mode_stores_and_audits_the_count(self) -> None:
        steward = make_steward()
        r = steward.capture(named("Ada", email="nope"), source="form", mode="warn")
        assert "nope" == r["email"]
        (event,) = steward.audit.events(r.id)
        assert 1 == event.detail["errors"]

    def test_enforcement_per_channel(self) -> None:
        steward = make_steward(enforcement=rk.Enforcement(capture="warn"))
        assert "nope" == steward.capture({"email": "nope"}, source="form")["email"]

    def test_custom_rules(self) -> None:
        schema = rk.bundled_schema("contact")
        rules = RuleSet.for_schema(schema, record=[{"require_any": ["phone", "email"]}])
        steward = make_steward(rules=rules)
        with pytest.raises(rk.ValidationError, match="phone or email"):
            steward.capture(named("Ada"), source="form")

    def test_refuses_rules_of_another_schema(self) -> None:
        with pytest.raises(rk.RecordkitError):
            make_steward(rules=RuleSet.for_schema(rk.bundled_schema("deal")))


class TestUpdate:
    def test_normalizes_changes_and_keeps_raw(self) -> None:
        steward = make_steward()
        r = steward.capture(named("Ada"), source="form")
        r2 = steward.update(r.id, {"email": " ADA@Example.COM "}, source="crm")
        assert "ada@example.com" == r2["email"]
        assert " ADA@Example.COM " == r2.provenance["email"].raw

    def test_blocks_bad_changes(self) -> None:
        steward = make_steward()
        r = steward.capture(named("Ada"), source="form")
        with pytest.raises(rk.ValidationError) as info:
            steward.update(r.id, {"country": "Narnia"}, source="crm")
        assert ["country.unknown"] == [i.code for i in info.value.issues]
        assert 1 == steward.get(r.id).version

    def test_record_rules_see_the_whole_record(self) -> None:
        schema = rk.bundled_schema("contact")
        rules = RuleSet.for_schema(schema, record=[{"require_any": ["phone", "email"]}])
        steward = make_steward(rules=rules)
        r = steward.capture(named("Ada", email="a@b.io"), source="form")
        with pytest.raises(rk.ValidationError):
            steward.update(r.id, {"email": None}, source="crm")
        assert "a@b.io" == steward.update(r.id, {"city": "Oslo"}, source="crm")["email"]


IMPORT = (
    named("Ada", email="ADA@EXAMPLE.COM"),
    named("Bob", email="bob(at)example"),
    named("Cy", country="Deutschland", phone="030 1234567"),
)


class TestCaptureMany:
    ROWS = IMPORT

    def test_quarantines_rows_with_errors_and_normalizes_the_rest(self) -> None:
        result = make_steward().capture_many(self.ROWS, source="import", chunk_size=2)
        assert ["ada@example.com", None] == [r.get("email") for r in result.records]
        assert "+49301234567" == result.records[1]["phone"]
        (q,) = result.quarantined
        assert (1, self.ROWS[1]) == (q.index, q.row)
        assert ["email.invalid"] == [e.code for e in q.errors]
        assert {"email": 1} == result.errors_by_field()

    def test_stored_rows_report_their_warnings(self) -> None:
        rules = RuleSet.for_schema(
            rk.bundled_schema("contact"),
            extend={"job_title": [Validators.required(severity="warning")]},
        )
        result = make_steward(rules=rules).capture_many(self.ROWS, source="import")
        assert {"job_title"} == {i.field for i in result.issues}

    def test_warn_stores_everything(self) -> None:
        result = make_steward().capture_many(self.ROWS, source="import", mode="warn")
        assert (3, 0) == (len(result.records), len(result.quarantined))

    def test_block_raises(self) -> None:
        with pytest.raises(rk.ValidationError):
            make_steward().capture_many(self.ROWS, source="import", mode="block")

    def test_unique_within_the_import(self) -> None:
        schema = rk.bundled_schema("contact")
        rules = RuleSet.for_schema(schema, extend={"email": [Validators.unique()]})
        rows = [named("A", email="a@b.io"), named("B", email="A@B.IO"), named("C", email="c@b.io")]
        result = make_steward(rules=rules).capture_many(rows, source="import", chunk_size=1)
        assert [1] == [q.index for q in result.quarantined]

    def test_matches_single_captures(self) -> None:
        rows = [self.ROWS[0], self.ROWS[2],
                named("Di", state="Calif.", country="US", website="Acme.com")]  # fmt: skip
        batch = make_steward().capture_many(rows, source="s").records
        single = [make_steward().capture(r, source="s") for r in rows]
        assert [r.values for r in single] == [r.values for r in batch]
        assert [r.provenance for r in single] == [r.provenance for r in batch]
