"""Results out: batch results, match results, profiles and merge plans as tables."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import pytest

import recordkit as rk
from recordkit import match as rm
from recordkit.match import Matcher
from recordkit.quality import profile
from tests.frames.conftest import ROWS, pa, pd, pl, plain

T0 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


class TestBatchResult:
    def test_quarantine_is_the_rows_as_given_with_their_errors(self, steward: rk.Steward) -> None:
        """The quarantine table holds each held row as given, its number and its errors."""
        result = steward.capture_many(ROWS, source="rows")
        frame = result.to_pandas(part="quarantine")
        assert ["_row", "_errors"] == list(frame.columns[:2])
        assert [2] == frame["_row"].tolist()
        assert "not an address" == frame["email"][0]
        assert "email:" in frame["_errors"][0]

    def test_a_fixed_quarantine_captures_again(self, steward: rk.Steward) -> None:
        """Fixing the cells of the quarantine table and capturing it stores the rows."""
        result = steward.capture_many(ROWS, source="rows")
        fixed = result.to_pandas(part="quarantine").drop(columns=["_row", "_errors"])
        fixed.loc[0, "email"] = "bob@example.com"
        again = steward.capture_many(fixed, source="fixed")
        assert ([], ["bob@example.com"]) == (again.quarantined,
                                             [r["email"] for r in again.records])  # fmt: skip

    def test_issues_of_every_row(self, steward: rk.Steward) -> None:
        """The issues table lists stored rows' warnings and quarantined rows' errors."""
        result = steward.capture_many(ROWS, source="rows")
        frame = result.to_pandas(part="issues")
        assert ["row", "field", "code", "severity", "message", "value", "hint", "rule",
                "quarantined"] == list(frame.columns)  # fmt: skip
        bad = frame[frame["quarantined"]]
        assert [(2, "email", "error")] == list(
            zip(bad["row"], bad["field"], bad["severity"], strict=True)
        )
        assert frame["row"].is_monotonic_increasing

    def test_every_library_holds_the_same_table(self, steward: rk.Steward) -> None:
        """to_pandas, to_polars and to_arrow give the same rows for every part."""
        result = steward.capture_many(ROWS, source="rows")
        for part in ("records", "issues", "quarantine"):
            rows = plain(result.to_pandas(part=part))
            assert rows == result.to_polars(part=part).to_dicts()
            assert rows == result.to_arrow(part=part).to_pylist()

    def test_money_becomes_text_where_a_column_cannot_hold_it(self) -> None:
        """A value polars and Arrow cannot type (Money) is given as its text."""
        schema = rk.Schema("deal", [rk.Field("amount", rk.MoneyType(currency="USD"))])
        result = rk.Steward(schema).capture_many([{"amount": "12.50"}], source="x")
        money = result.records[0]["amount"]
        assert money == result.to_pandas()["amount"][0]
        assert [str(money)] == result.to_polars()["amount"].to_list()
        assert [str(money)] == result.to_arrow().column("amount").to_pylist()

    @pytest.mark.parametrize("part", ["record", "", None, 3, "quarantined"])
    def test_an_unknown_part_is_refused(self, steward: rk.Steward, part: Any) -> None:
        """A part that is not records, issues or quarantine is refused, naming them."""
        result = steward.capture_many(ROWS, source="rows")
        for convert in (result.to_pandas, result.to_polars, result.to_arrow):
            with pytest.raises(rk.RecordkitError, match="records, issues, quarantine"):
                convert(part=part)

    def test_an_empty_result(self, steward: rk.Steward) -> None:
        """A batch of nothing converts to empty tables."""
        result = steward.capture_many([], source="rows")
        assert 0 == len(result.to_pandas())
        assert 0 == result.to_arrow(part="issues").num_rows


class TestBatchOutcome:
    def test_rows_issues_and_quarantine(self, contact: rk.Schema) -> None:
        """The rules' batch outcome gives its passed rows with their numbers, and the rest."""
        outcome = rk.RuleSet.for_schema(contact).run_batch(pd.DataFrame(ROWS))
        rows = outcome.to_pandas()
        assert [0, 1] == rows["_row"].tolist()
        assert ["ada@example.com", "grace@example.com"] == rows["email"].tolist()
        assert [2] == outcome.to_polars(part="quarantine")["_row"].to_list()
        issues = outcome.to_arrow(part="issues").to_pylist()
        assert {"email.invalid"} <= {i["code"] for i in issues}


class TestMatchResult:
    @pytest.fixture
    def result(self, contact: rk.Schema) -> rm.MatchResult:
        rows = [dict(r, id=f"c{i}") for i, r in enumerate(ROWS + ROWS[:1])]
        return Matcher.for_schema(contact).dedupe(rows)

    def test_clusters_one_row_per_record_in_order(self, result: rm.MatchResult) -> None:
        """The clusters table gives each record, in the data's order, its entity id."""
        frame = result.to_pandas()
        assert ["c0", "c1", "c2", "c3"] == frame["record_id"].tolist()
        assert result.entity_of == dict(zip(frame["record_id"], frame["entity_id"], strict=True))
        assert [2, 1, 1, 2] == frame["cluster_size"].tolist()

    def test_pairs_with_their_weights(self, result: rm.MatchResult) -> None:
        """The pairs table holds every compared pair with its weight and verdict."""
        frame = result.to_polars(part="pairs")
        links = {(a, b) for a, b, _ in result.links()}
        matched = frame.filter(frame["is_match"])
        assert links == set(zip(matched["left_id"], matched["right_id"], strict=True))
        assert all(0 <= p <= 1 for p in frame["match_probability"].to_list())
        assert len(result.scored.left) == result.to_arrow(part="pairs").num_rows

    def test_an_unknown_part_is_refused(self, result: rm.MatchResult) -> None:
        """A part that is not clusters or pairs is refused."""
        with pytest.raises(rk.RecordkitError, match="clusters, pairs"):
            result.to_pandas(part="links")


class TestProfileAndPlan:
    def test_a_profile_is_one_row_per_field(self) -> None:
        """A profile's table has a row per field with its counts and rates."""
        p = profile({"city": ["NY", "New York", None, "NY"], "n": [1, 2, 3, None]})
        frame = p.to_pandas()
        assert ["city", "n"] == frame["field"].tolist()
        assert [0.75, 0.75] == frame["fill_rate"].tolist()
        assert "NY (2)" in frame["top_values"][0]
        assert [1.0, 3.0] == [frame["minimum"][1], frame["maximum"][1]]
        assert plain(frame) == p.to_polars().to_dicts() == p.to_arrow().to_pylist()

    def test_a_merge_plan_as_lineage_and_records(self, contact: rk.Schema) -> None:
        """A merge plan gives a row per field, and the golden record before the originals."""
        a = rk.Record("a", "contact", {"first_name": "Ada", "email": "ada@example.com"},
                      created_at=T0, field_names=contact.field_names)  # fmt: skip
        b = rk.Record("b", "contact", {"first_name": "Ada", "phone": "+12125550100"},
                      created_at=T0, field_names=contact.field_names)  # fmt: skip
        plan = rm.plan_merge(contact, [a, b], merge_id="m1", at=T0)
        lineage = plan.to_pandas()
        assert {"first_name", "email", "phone"} <= set(lineage["field"])
        records = plan.to_polars(part="records")
        assert ["golden", "original", "original"] == records["_role"].to_list()
        golden = records.row(0, named=True)
        assert ("ada@example.com", "+12125550100") == (golden["email"], golden["phone"])
        assert plan.to_arrow().num_rows == len(plan.lineage)


class TestMissingLibraries:
    @pytest.mark.parametrize(
        ("method", "package", "extra"),
        [("to_pandas", "pandas", "pandas"), ("to_polars", "polars", "polars"),
         ("to_arrow", "pyarrow", "arrow")],
    )  # fmt: skip
    def test_the_error_names_the_extra(
        self, steward: rk.Steward, monkeypatch: pytest.MonkeyPatch,
        method: str, package: str, extra: str,
    ) -> None:  # fmt: skip
        """Without the library, converting raises a RecordkitError naming the extra."""
        result = steward.capture_many(ROWS, source="rows")
        monkeypatch.setitem(sys.modules, package, None)  # as if it were not installed
        with pytest.raises(rk.RecordkitError, match=rf"recordkit\[{extra}\]"):
            getattr(result, method)()

    def test_reading_arrow_without_pyarrow(
        self, steward: rk.Steward, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Reading an Arrow table when pyarrow cannot be imported names the arrow extra."""
        table = pa.table({"first_name": ["Ada"]})
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        with pytest.raises(rk.RecordkitError, match=r"recordkit\[arrow\]"):
            steward.capture_many(table, source="x")


def test_polars_frames_need_no_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    """A polars frame is read and written without pandas."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
    outcome = rules.run_batch(pl.DataFrame(ROWS))
    assert 2 == outcome.to_polars().height
