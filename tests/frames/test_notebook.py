"""Results in a notebook: short reprs at any size, small HTML, every value escaped."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit import match as rm
from recordkit import store as rs
from recordkit._notebook import MAX_ROWS, html_block, html_table
from recordkit.match import Matcher
from recordkit.quality import VariantCluster, profile
from tests.frames.conftest import ROWS

T0 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;\u202e\x00'
TAGS = {"div", "b", "table", "tr", "th", "td"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def assert_safe(html: str) -> None:
    """Only the helper's own tags and style attributes: no markup from the data."""
    found = parsed(html)
    assert set(found.tags) <= TAGS
    assert set(found.attributes) <= {"style"}


def big_batch(n: int = 20_000) -> rk.BatchResult:
    rows = [{"first_name": f"P{i}", "last_name": "X" * 50,
             "email": f"p{i}@example.com" if i % 3 else f"not an address {i} " + "y" * 300}
            for i in range(n)]  # fmt: skip
    return rk.Steward(rk.bundled_schema("contact")).capture_many(rows, source="big")


class TestBounds:
    def test_a_large_batch_result_stays_short(self) -> None:
        """A batch of 20,000 rows (a third quarantined) has a repr under 1,000 characters."""
        result = big_batch()
        assert len(result.quarantined) > 6_000
        assert len(repr(result)) < 1_000
        assert len(result._repr_html_()) < 10_000
        assert f"quarantined={len(result.quarantined)}" in repr(result)
        assert len(repr(result.quarantined[0])) < 1_000

    def test_a_large_rules_outcome_stays_short(self) -> None:
        """The rules' outcome of 20,000 rows has a short repr and small HTML."""
        rows = [{"first_name": "A", "last_name": "B", "email": f"bad {i}"} for i in range(20_000)]
        outcome = rk.RuleSet.for_schema(rk.bundled_schema("contact")).run_batch(rows)
        assert len(repr(outcome)) < 1_000
        assert len(outcome._repr_html_()) < 10_000
        assert len(repr(outcome.quarantine[0])) < 1_000

    def test_a_large_match_result_stays_short(self) -> None:
        """A match result over thousands of records has a short repr and small HTML."""
        rows = [{"first_name": f"P{i // 2}", "last_name": "Smith", "email": f"p{i // 2}@x.com"}
                for i in range(4_000)]  # fmt: skip
        result = Matcher.for_schema(rk.bundled_schema("contact")).dedupe(rows)
        assert len(repr(result)) < 1_000
        assert len(result._repr_html_()) < 10_000
        assert "entities=2000" in repr(result)

    def test_a_wide_profile_stays_short(self) -> None:
        """A profile of 300 fields has a short repr and shows a few fields in HTML."""
        p = profile({f"field_{i}": ["a", None, "b"] for i in range(300)})
        assert len(repr(p)) < 1_000
        html = p._repr_html_()
        assert "… 292 more" in html
        assert len(html) < 10_000

    def test_a_large_variant_cluster_stays_short(self) -> None:
        """A cluster of 5,000 spellings has a short repr and shows a few in HTML."""
        c = VariantCluster("k", [(f"v{i}", i + 1) for i in range(5_000)])
        assert len(repr(c)) < 1_000
        assert len(c._repr_html_()) < 5_000


def _review(explanation: Any) -> rs.Review:
    return rs.Review("rv1", "contact", "a", "b", 0.9, 5.0, explanation, T0)


class TestEscaping:
    def test_hostile_values_render_as_text(self) -> None:
        """Markup in the data is shown as text in every result's HTML, never as markup."""
        contact = rk.bundled_schema("contact")
        rows = [{**ROWS[0], "email": HOSTILE, "city": HOSTILE}, {**ROWS[1], "city": HOSTILE}]
        batch = rk.Steward(contact).capture_many(rows, source="x")
        outcome = rk.RuleSet.for_schema(contact).run_batch(rows)
        p = profile({"city": [HOSTILE, HOSTILE, "NY"]})
        matcher = Matcher.for_schema(contact)
        result = matcher.dedupe([{**r, "id": f"{HOSTILE}{i}"} for i, r in enumerate(rows)])
        explanation = matcher.explain({**ROWS[0], "last_name": HOSTILE}, ROWS[0])
        a = rk.Record(HOSTILE, "contact", {"city": HOSTILE}, created_at=T0)
        b = rk.Record("b", "contact", {"city": "NY"}, created_at=T0)
        plan = rm.plan_merge(contact, [a, b], merge_id=HOSTILE, at=T0)
        cluster = VariantCluster(HOSTILE, [(HOSTILE, 2), ("NY", 1)])
        shown = [batch, outcome, p, p.field("city"), result, explanation, plan, cluster,
                 _review(explanation.to_dict())]  # fmt: skip
        for value in shown:
            html = value._repr_html_()  # type: ignore[attr-defined]
            assert "<script" not in html
            assert "<img" not in html
            assert_safe(html)
            assert HOSTILE not in repr(value)

    @given(
        title=st.text(),
        facts=st.lists(st.tuples(st.text(), st.text() | st.integers() | st.none()), max_size=3),
        cells=st.lists(st.lists(st.text() | st.floats() | st.none(), min_size=2, max_size=2),
                       max_size=12),
    )  # fmt: skip
    def test_any_text_is_escaped(
        self, title: str, facts: list[tuple[str, object]], cells: list[list[object]]
    ) -> None:
        """Whatever the text, the HTML holds only the helper's tags, and rows are capped."""
        html = html_block(title, facts, html_table(("a", "b"), cells, total=len(cells)))
        assert_safe(html)
        rows = parsed(html).tags.count("tr") - 1
        assert min(len(cells), MAX_ROWS) == rows
        if len(cells) > MAX_ROWS:
            assert f"… {len(cells) - MAX_ROWS:,} more" in html


class TestShownFacts:
    def test_a_batch_result_shows_its_errors_by_field(self) -> None:
        """The batch result's HTML counts errors per field and shows quarantined rows."""
        result = rk.Steward(rk.bundled_schema("contact")).capture_many(ROWS, source="x")
        text = parsed(result._repr_html_()).text
        assert ["field", "errors", "email", "1"] == text[text.index("field") :][:4]
        assert "row 2 email:" in repr(result)

    @pytest.mark.parametrize("model", ["fellegi_sunter", "weighted_rules"])
    def test_an_explanation_shows_a_running_total(self, model: str) -> None:
        """An explanation's HTML ends its running total at the pair's total weight."""
        terms = (rm.WeightTerm("email", "exact", 1, 12.0), rm.WeightTerm("name", "else", 2, -3.0))
        e = rm.MatchExplanation("a", "b", prior=-4.0 if model == "fellegi_sunter" else 0.0,
                                terms=terms, model=model)  # fmt: skip
        text = parsed(e._repr_html_()).text
        assert f"{e.total:+.2f}" == text[-1]

    def test_a_review_shows_its_terms(self) -> None:
        """A review's HTML lists the terms of its explanation, and its repr is one line."""
        review = _review({"terms": [{"comparison": "email", "level": "exact", "weight": 9.0}]})
        assert "email" in "".join(parsed(review._repr_html_()).text)
        assert "\n" not in repr(review)
        assert "rv1" in repr(review)
