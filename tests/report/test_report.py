"""Reports: their figures equal the inputs, read back from JSON, stay small and escape."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import Matcher
from recordkit.quality import profile, variant_clusters
from recordkit.report import MAX_HISTORY, Report, ReportError, build_report
from recordkit.rules import RuleSet

FIVE_MB = 5 * 1024 * 1024
DAY = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
SCHEMA = rk.bundled_schema("contact")


def _data(report: Report) -> Any:
    """The report's plain data, read as JSON (so tests index it freely)."""
    return json.loads(report.to_json())


def _embedded(html: str, element: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


class TestFigures:
    def test_profile_figures_are_the_profiles(self) -> None:
        """Fill rate, distinct, invalid and top values per field are the profile's own."""
        rows = [{"email": "ada@example.com", "city": "NY"}, {"email": "nope", "city": "NY"}, {}]
        p = profile(rows, schema=SCHEMA)
        section = _data(build_report(profile=p))["profile"]
        by_name = {f["name"]: f for f in section["fields"]}
        for f in p.fields:
            shown = by_name[f.name]
            assert (f.fill_rate, f.filled, f.distinct, f.invalid) == (
                shown["fill_rate"],
                shown["filled"],
                shown["distinct"],
                shown["invalid"],
            )
            assert [list(v) for v in f.top_values(10)] == shown["top_values"]
        assert (p.rows, p.completeness, p.validity) == (
            section["rows"],
            section["completeness"],
            section["validity"],
        )

    def test_capture_many_counts(self) -> None:
        """Issues per rule and code, quarantine reasons and changes add up to the batch's."""
        rows = [
            {"email": " ADA@Example.COM ", "first_name": "Ada", "last_name": "L"},
            {"email": "broken@", "first_name": "Bob", "last_name": "B"},
            {"email": "x@y.co", "country": "Neverland", "first_name": "C", "last_name": "D"},
        ]
        result = rk.Steward(SCHEMA).capture_many(rows, source="import")
        batch = _data(build_report(batch=result))["batch"]
        issues = Counter(
            (i.rule, i.code, i.severity.value)
            for q in result.quarantined
            for i in (q.issues or q.errors)
        ) + Counter((i.rule, i.code, i.severity.value) for i in result.issues)
        shown = {(i["rule"], i["code"], i["severity"]): i["count"] for i in batch["issues"]}
        assert dict(issues) == shown
        assert (3, len(result.records), len(result.quarantined)) == (
            batch["rows"],
            batch["stored"],
            batch["quarantined"],
        )
        reasons = batch["quarantine"]["reasons"]
        assert len(result.quarantined) == sum(r["rows"] for r in reasons)
        changes = batch["changes"]
        assert "field" == changes["by"]
        assert {"field": "email", "before": " ADA@Example.COM ", "after": "ada@example.com"} in (
            changes["sample"]
        )

    def test_run_batch_counts(self) -> None:
        """A rule set's batch: issues per rule from every row, changes per rule."""
        rules = RuleSet.for_schema(SCHEMA)
        rows = [{"email": " A@B.CO ", "first_name": "A", "last_name": "B"}, {"email": "bad"}] * 5
        outcome = rules.run_batch(rows)
        batch = _data(build_report(batch=outcome))["batch"]
        assert sum(s.errors for s in outcome.by_rule.values()) == batch["errors"]
        changed = {c["name"]: c["count"] for c in batch["changes"]["counts"]}
        assert {r: s.changes for r, s in outcome.by_rule.items() if s.changes} == changed
        assert outcome.summary()["quarantined"] == batch["quarantined"]

    def test_duplicates_figures(self) -> None:
        """Records, entities and duplicate clusters are the match result's; pairs explain."""
        rows = [
            {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
            {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
            {"first_name": "Alan", "last_name": "Turing", "email": "alan@example.com"},
        ]
        records = rk.Steward(SCHEMA).capture_many(rows, source="s").records
        result = Matcher.for_schema(SCHEMA).dedupe(records)
        section = _data(build_report(duplicates=result))["duplicates"]
        big = [c for c in result.clusters if len(c) > 1]
        assert (3, len(result.clusters), len(big)) == (
            section["records"],
            section["entities"],
            section["duplicate_clusters"],
        )
        (pair,) = section["pairs"]
        explained = result.explain(pair["left"], pair["right"])
        assert explained.total == pytest.approx(pair["total"])
        assert [t.comparison for t in explained.terms] == [t["comparison"] for t in pair["terms"]]

    def test_variants_and_health(self) -> None:
        """Cluster counts per field, the health histogram and dimension means."""
        found = variant_clusters(["New York", "new york", "NY", "N.Y.", "Boston", "boston "])
        report = build_report(
            variants={"city": found},
            health=[0, 9.9, 10, 55, 100],
            health_breakdowns=[{"completeness": 10}, {"completeness": 30, "validity": 5}],
        )
        data = _data(report)
        (city,) = data["variants"]["fields"]
        assert (len(found), sum(c.count for c in found)) == (city["clusters"], city["rows"])
        counts = [b["count"] for b in data["health"]["bins"]]
        assert [2, 1, 0, 0, 0, 1, 0, 0, 0, 1] == counts
        assert pytest.approx(34.98) == data["health"]["mean"]
        dims = {d["name"]: d["mean"] for d in data["health"]["dimensions"]}
        assert {"completeness": 20.0, "validity": 5.0} == dims
        assert data["health"]["mean"] == report.summary["health_mean"]

    @given(st.lists(st.floats(0, 100), max_size=200))
    def test_histogram_counts_every_score(self, scores: list[float]) -> None:
        """Every score falls in exactly one bin."""
        health = _data(build_report(health=scores, created_at=DAY))["health"]
        assert len(scores) == sum(b["count"] for b in health["bins"])


class TestJson:
    def test_round_trip(self, contacts: Report, tmp_path: Path) -> None:
        """A report written as JSON reads back equal, through text and through a file."""
        assert contacts == Report.from_json(contacts.to_json())
        assert contacts == Report.read_json(contacts.write_json(tmp_path / "r.json"))

    def test_html_holds_the_json_figures(self, contacts: Report) -> None:
        """The page embeds exactly the JSON report, and shows its headline figures."""
        html = contacts.to_html()
        assert contacts.to_dict() == _embedded(html, "recordkit-report")
        rows = contacts.summary["rows"]
        assert isinstance(rows, int)
        assert f">{rows:,}<" in html

    def test_trend_keeps_the_latest_history(self) -> None:
        """At most MAX_HISTORY earlier runs, oldest first, then this one."""
        earlier = [
            build_report(health=[i % 100], created_at=DAY - dt.timedelta(days=i))
            for i in range(MAX_HISTORY + 5)
        ]
        trend = build_report(health=[50], history=earlier, created_at=DAY).trend
        assert MAX_HISTORY + 1 == len(trend)
        times = [str(t["created_at"]) for t in trend]
        assert sorted(times) == times
        assert 50 == trend[-1]["health_mean"]


class TestEmpty:
    def test_nothing_measured(self) -> None:
        """A report of nothing has no sections and a valid page."""
        report = build_report(created_at=DAY)
        assert (None, None, None) == (report.profile, report.batch, report.duplicates)
        assert report == Report.from_json(report.to_json())
        assert "Nothing was measured" in report.to_html()

    def test_empty_inputs(self) -> None:
        """An empty profile, no scores, no clusters and no duplicates are valid sections."""
        records = (
            rk.Steward(SCHEMA)
            .capture_many([{"first_name": "A", "last_name": "B", "email": "a@b.co"}], source="s")
            .records
        )
        report = build_report(
            profile=profile([]),
            health=[],
            variants={"city": []},
            duplicates=Matcher.for_schema(SCHEMA).dedupe(records),
            batch=rk.Steward(SCHEMA).capture_many([], source="s"),
            created_at=DAY,
        )
        data = _data(report)
        assert 0 == data["profile"]["rows"]
        assert 0 == data["duplicates"]["duplicate_records"]
        assert [] == data["duplicates"]["pairs"]
        assert data["health"]["mean"] is None
        html = report.to_html()
        assert "No duplicates found" in html
        assert report.to_dict() == _embedded(html, "recordkit-report")


class TestSize:
    def test_large_inputs_stay_under_five_megabytes(self) -> None:
        """Megabytes of input (long values, many columns, many bad rows) make a small report."""
        long = "x" * 20_000
        columns = {
            f"column_{i:03}_{long[:150]}": [f"{long}{j}" for j in range(300)] for i in range(400)
        }
        bad = [{"email": f"{long}{i}", "first_name": long, "phone": long} for i in range(3_000)]
        outcome = RuleSet.for_schema(SCHEMA).run_batch(bad)
        scores = np.random.default_rng(1).uniform(0, 100, 1_000_000)
        report = build_report(
            profile=profile(columns),
            batch=outcome,
            health=scores,
            variants={
                f"f{i}": variant_clusters([f"{long}{i}", f"{long.upper()}{i}"]) for i in range(300)
            },
            created_at=DAY,
        )
        given = sum(len(k) + sum(map(len, v)) for k, v in columns.items())
        assert given > 100 * FIVE_MB
        assert 1_000_000 == report.summary["rows"] or report.health is not None
        assert len(report.to_json().encode()) < FIVE_MB
        assert len(report.to_html().encode()) < FIVE_MB


class TestEscaping:
    EVIL = "<script>alert('x')</script>"

    def test_hostile_cells_are_escaped(self) -> None:
        """Markup in a cell, a field name or the title is shown as text, never as markup."""
        rows = [{self.EVIL: self.EVIL, "email": self.EVIL}] * 3
        result = rk.Steward(SCHEMA).capture_many(rows, source="s")
        report = build_report(title=self.EVIL, profile=profile(rows), batch=result, created_at=DAY)
        html = report.to_html()
        assert self.EVIL not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        # the data blocks never hold a closing tag, so no value can end them
        blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S)
        assert 2 == len(blocks)
        assert [] == [b for b in blocks if "<" in b]
        assert report.to_dict() == _embedded(html, "recordkit-report")

    def test_no_network_address_outside_the_bundled_library(self) -> None:
        """The page links nothing: no src, no link tag, no address outside the Vega code."""
        html = build_report(health=[1, 2], created_at=DAY).to_html()
        head, _, rest = html.partition("<script>")
        bundle, _, body = rest.partition("</script>")
        assert "://" not in head + body
        assert not re.search(r"<(link|img|iframe)\b|\ssrc=", head + body)
        assert len(bundle) > 100_000  # the Vega libraries, inline

    def test_long_values_are_capped(self) -> None:
        """A 1 MB value costs the report a few hundred characters."""
        report = build_report(profile=profile({"f": ["y" * 1_048_576]}), created_at=DAY)
        assert len(report.to_json()) < 5_000


class TestBadArguments:
    @pytest.mark.parametrize(
        "kwargs",
        [
            pytest.param({"title": ""}, id="blank-title"),
            pytest.param({"title": 3}, id="title-number"),
            pytest.param({"profile": {"rows": 1}}, id="profile-mapping"),
            pytest.param({"batch": [1, 2]}, id="batch-list"),
            pytest.param({"health": [101]}, id="score-over-100"),
            pytest.param({"health": [float("nan")]}, id="score-nan"),
            pytest.param({"health": ["50"]}, id="score-text"),
            pytest.param({"health": "50"}, id="scores-text"),
            pytest.param({"health": [True]}, id="score-bool"),
            pytest.param({"health": np.array([-1.0])}, id="array-below-0"),
            pytest.param({"health_breakdowns": [{"a": 1}]}, id="breakdowns-without-scores"),
            pytest.param({"health": [1], "health_breakdowns": [3]}, id="breakdown-not-mapping"),
            pytest.param({"health": [1], "health_breakdowns": [{"a": "x"}]}, id="points-text"),
            pytest.param({"variants": {"city": ["NY"]}}, id="variants-text"),
            pytest.param({"variants": {3: []}}, id="variants-key"),
            pytest.param({"duplicates": object()}, id="duplicates-object"),
            pytest.param({"history": [{"format": "recordkit.report"}]}, id="history-dict"),
            pytest.param({"history": "x"}, id="history-text"),
            pytest.param({"created_at": dt.datetime(2026, 1, 1)}, id="naive-time"),
            pytest.param({"max_fields": 0}, id="max-fields-0"),
            pytest.param({"top_values": -1}, id="top-values-negative"),
            pytest.param({"sample_size": True}, id="sample-bool"),
            pytest.param({"max_pairs": 101}, id="max-pairs-over"),
        ],
    )
    def test_build_report_refuses(self, kwargs: dict[str, Any]) -> None:
        """Every bad argument raises a ReportError naming the parameter."""
        with pytest.raises(ReportError) as caught:
            build_report(**kwargs)
        assert caught.value.parameter
        assert isinstance(caught.value, rk.RecordkitError)

    @pytest.mark.parametrize(
        "text",
        [
            pytest.param("not json", id="not-json"),
            pytest.param("[]", id="list"),
            pytest.param('{"format": "other"}', id="other-format"),
            pytest.param('{"format": "recordkit.report", "version": 9}', id="version"),
            pytest.param(
                '{"format": "recordkit.report", "version": 1, "title": "t", '
                '"created_at": "yesterday"}',
                id="time",
            ),
            pytest.param(
                '{"format": "recordkit.report", "version": 1, "title": "t", '
                '"created_at": "2026-01-01T00:00:00+00:00", "profile": 3}',
                id="section",
            ),
            pytest.param(
                '{"format": "recordkit.report", "version": 1, "title": "t", '
                '"created_at": "2026-01-01T00:00:00+00:00", "trend": {}}',
                id="trend",
            ),
        ],
    )
    def test_from_json_refuses(self, text: str) -> None:
        """Text that is not a report raises a ReportError."""
        with pytest.raises(ReportError):
            Report.from_json(text)

    def test_paths(self, tmp_path: Path) -> None:
        """Unwritable and unreadable paths raise ReportErrors."""
        report = build_report(created_at=DAY)
        with pytest.raises(ReportError):
            report.write_json(tmp_path / "missing" / "r.json")
        with pytest.raises(ReportError):
            report.write_html(3)  # type: ignore[arg-type]
        with pytest.raises(ReportError):
            Report.read_json(tmp_path / "nothing.json")
        with pytest.raises(ReportError):
            report.to_json(indent=-1)
