"""Profiles: exact counts on known data, sketches within their error, merging, plain data."""

from __future__ import annotations

import datetime as dt
import importlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.quality import (
    FieldProfile,
    Profile,
    QualityError,
    compare_profiles,
    profile,
    value_shape,
)
from recordkit.quality._sketch import distinct_error, frequent_error, quantile_rank_error

CONTACT = rk.bundled_schema("contact")


class TestCounts:
    def test_fill_rate_is_exact(self) -> None:
        """Blank cells (None, empty, spaces, NaN) are counted exactly; the rest are filled."""
        p = profile({"a": ["x", None, "", "  ", float("nan"), "y", "x", 0]})
        f = p.field("a")
        assert (8, 4, 4) == (f.rows, f.filled, f.blank)
        assert 0.5 == f.fill_rate
        assert 3 == f.distinct
        assert (("x", 2), ("0", 1), ("y", 1)) == f.top_values()

    def test_invalid_rate_is_exact_under_the_rules(self) -> None:
        """A field's invalid count is the rows the schema's rules refuse on that field."""
        rows = [
            {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
            {"first_name": "Grace", "last_name": "Hopper", "email": "not an address"},
            {"first_name": "Alan", "last_name": "Turing", "email": "alan@@x"},
            {"first_name": "Edsger", "last_name": "Dijkstra"},
        ]
        p = profile(rows, schema=CONTACT)
        email = p.field("email")
        assert (4, 3, 2) == (email.rows, email.filled, email.invalid)
        assert 0.5 == email.invalid_rate
        assert 0 == p.field("first_name").invalid
        assert f"{CONTACT.name}@1" == p.rules
        assert p.valid_rows is not None
        assert p.valid_rows <= 2
        assert set(CONTACT.field_names) <= set(p.field_names)

    def test_fields_outside_the_schema_have_no_invalid_count(self) -> None:
        """A column the schema does not know is profiled, without an invalid count."""
        p = profile([{"first_name": "Ada", "shoe_size": "38"}], schema=CONTACT)
        assert None is p.field("shoe_size").invalid
        assert 1 == p.field("shoe_size").filled

    def test_pattern_shapes(self) -> None:
        """Shapes abstract letters and digits and collapse letter runs; top shapes count rows."""
        assert "Aa+ Aa+" == value_shape("John Smith")
        assert "99999-9999" == value_shape("94105-1234")
        assert "a+@a+.a+" == value_shape("ada@example.com")
        assert "(999) 999-9999" == value_shape("(212) 555-0123")
        assert "Aa+ Aa+" == value_shape("Zoë Ünal")
        assert "a+…" == value_shape("x" * 100)
        p = profile({"zip": ["94105", "94105-1234", "10001", "1000", "SW1A 1AA"]})
        assert (("99999", 2), ("9999", 1), ("99999-9999", 1), ("A+9A 9A+", 1)) == (
            p.field("zip").top_shapes()
        )

    def test_quantiles_of_numbers_and_dates(self) -> None:
        """Numbers give numeric quantiles, dates give dates; a schema's typed fields count."""
        p = profile({"n": list(range(101))})
        assert (0.0, 50.0, 100.0) == p.field("n").quantiles((0, 0.5, 1))
        assert "number" == p.field("n").kind
        dates = profile({"d": [dt.date(2024, 1, 1)] * 3}).field("d")
        assert ("date", (dt.date(2024, 1, 1),)) == (dates.kind, dates.quantiles((0.5,)))
        typed = profile(
            [{"birth_date": "1990-05-17"}, {"birth_date": "1985-01-02"}], schema=CONTACT
        )
        assert (dt.date(1985, 1, 2), dt.date(1990, 5, 17)) == (
            typed.field("birth_date").quantiles((0, 1))
        )
        assert () == p.field("n").quantiles(())
        assert () == profile({"t": ["a"]}).field("t").quantiles()


class TestBadInput:
    def test_empty_dataset(self) -> None:
        """No rows: a profile of nothing, with rates unknown rather than made up."""
        empty: list[Any] = [[], {"a": []}]
        for data in empty:
            p = profile(data)
            assert 0 == p.rows
            assert None is p.completeness
        f = profile({"a": []}).field("a")
        assert (None, 0, ()) == (f.fill_rate, f.distinct, f.top_values())

    def test_a_field_blank_everywhere(self) -> None:
        """A column of blanks: fill rate 0, no distinct values, no shapes."""
        f = profile({"a": [None, "", " "] * 100}).field("a")
        assert (0.0, 0, (), ()) == (f.fill_rate, f.distinct, f.top_values(), f.top_shapes())

    def test_one_repeated_value(self) -> None:
        """One value a thousand times: one distinct value, its exact count, one shape."""
        f = profile({"a": ["Retail"] * 1000}).field("a")
        assert (1, (("Retail", 1000),), (("Aa+", 1000),)) == (
            f.distinct,
            f.top_values(),
            f.top_shapes(),
        )

    def test_100_000_distinct_values(self) -> None:
        """A column of 100,000 distinct values: the distinct count is within the HLL error."""
        f = profile({"id": [f"id-{i}" for i in range(100_000)]}).field("id")
        error = abs(f.distinct - 100_000) / 100_000
        assert error <= distinct_error(), f"distinct {f.distinct}, error {error:.4f}"
        low, high = f.distinct_bounds
        assert low <= 100_000 <= high
        assert (("a+-99999", 90_000),) == f.top_shapes(1)

    def test_unhashable_and_odd_cells_are_counted_by_their_text(self) -> None:
        """Lists, dicts and huge ints are values like any other, never a crash."""
        f = profile({"a": [[1], [1], {"b": 2}, 10**400]}).field("a")
        assert (4, 3) == (f.filled, f.distinct)

    @pytest.mark.parametrize(
        ("call", "parameter"),
        [
            pytest.param(lambda: profile(5), "data", id="data-int"),
            pytest.param(lambda: profile({"a": [1], "b": [1, 2]}), "data", id="ragged"),
            pytest.param(lambda: profile({"a": "text"}), "data", id="column-text"),
            pytest.param(lambda: profile({}, schema=bad("contact")), "schema", id="schema-name"),
            pytest.param(lambda: profile({}, rules=bad(CONTACT)), "rules", id="rules-schema"),
            pytest.param(lambda: profile({}, chunk_size=0), "chunk_size", id="chunk-zero"),
            pytest.param(lambda: profile({}, chunk_size=True), "chunk_size", id="chunk-bool"),
            pytest.param(lambda: profile({}, fields="a"), "fields", id="fields-text"),
            pytest.param(lambda: profile({"a": [1]}, duplicates=2), "duplicates", id="dups"),
            pytest.param(lambda: profile({"a": [1]}).field("b"), "name", id="no-field"),
            pytest.param(lambda: profile({"a": [1]}).field("a").top_values(-1), "k", id="k"),
            pytest.param(lambda: profile({"a": [1]}).field("a").quantiles([2]), "ranks", id="rank"),
            pytest.param(lambda: FieldProfile("a", rows=1, filled=2), "filled", id="filled"),
            pytest.param(
                lambda: FieldProfile("a", rows=1, filled=1, sketches={"values": b"x"}),
                "sketches",
                id="sketch-bytes",
            ),
            pytest.param(lambda: FieldProfile("", rows=1, filled=1), "name", id="name"),
            pytest.param(
                lambda: Profile(1, [FieldProfile("a", rows=2, filled=0)]),
                "fields",
                id="rows-differ",
            ),
            pytest.param(lambda: Profile.from_dict({"format": "x"}), "data", id="format"),
            pytest.param(lambda: Profile.merged([]), "profiles", id="merge-none"),
            pytest.param(lambda: value_shape(bad(5)), "value", id="shape-int"),
            pytest.param(lambda: compare_profiles(bad(1), bad(2)), "before/after", id="cmp"),
        ],
    )
    def test_bad_arguments_raise_quality_errors(self, call: Any, parameter: str) -> None:
        """Each wrong argument raises a QualityError naming the parameter."""
        with pytest.raises(QualityError) as info:
            call()
        assert parameter == info.value.parameter
        assert isinstance(info.value, rk.RecordkitError)

    def test_profiles_of_other_rules_do_not_merge(self) -> None:
        """Validity measured under two rule sets cannot be added up."""
        with pytest.raises(QualityError):
            profile([{"email": "a@b.io"}], schema=CONTACT).merge(profile([{"email": "a@b.io"}]))


def bad(value: object) -> Any:
    """*value*, typed as anything: the point is that it is the wrong type."""
    return value


class TestInputs:
    def test_rows_columns_and_dataframes_agree(self) -> None:
        """The same data as rows, columns or a DataFrame gives the same profile."""
        cols: dict[str, list[Any]] = {"a": ["x", "y", None, "x"], "b": [1, 2, 3, None]}
        rows = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]
        frame = importlib.import_module("pandas").DataFrame(cols)
        profiles = [
            profile(cols, chunk_size=3),
            profile(rows, chunk_size=2),
            profile(frame, chunk_size=3),
        ]
        for p in profiles:
            assert (4, 3, 2) == (p.rows, p.field("a").filled, p.field("a").distinct)
            assert 3 == p.field("b").filled
        assert profiles[0].field("a").top_values() == profiles[1].field("a").top_values()

    def test_a_column_that_appears_late_counts_earlier_rows_as_blank(self) -> None:
        """Rows before a column first appears are blank in it."""
        p = profile([{"a": 1}, {"a": 2}, {"a": 3, "b": "x"}], chunk_size=2)
        assert (3, 1) == (p.field("b").rows, p.field("b").filled)

    def test_duplicates_from_a_count(self) -> None:
        """A duplicate count gives the duplicate rate over the rows."""
        p = profile({"a": ["x", "y", "x", "z"]}, duplicates=1)
        assert 0.25 == p.duplicate_rate


class TestPlainData:
    def test_to_dict_round_trips_through_json(self) -> None:
        """A profile written as JSON reads back equal, with a readable summary inside."""
        p = profile(
            [{"email": "ada@example.com", "birth_date": "1990-01-02"}, {"email": "x"}],
            schema=CONTACT,
        )
        data = json.loads(json.dumps(p.to_dict()))
        assert p == Profile.from_dict(data)
        email = next(f for f in data["fields"] if f["name"] == "email")
        assert 1.0 == email["summary"]["fill_rate"]

    def test_compare_says_what_got_better(self) -> None:
        """Filling a field and fixing values shows as improvements; losing values as worse."""
        before = profile({"email": ["a@x.io", None, None, None], "phone": ["1", "2", "3", "4"]})
        after = profile(
            {"email": ["a@x.io", "b@x.io", "c@x.io", None], "phone": ["1", None, None, None]}
        )
        diff = compare_profiles(before, after)
        assert ("email",) == diff.improved
        assert ("phone",) == diff.worsened
        assert 0.5 == diff.field("email").fill_rate_change
        assert -0.125 == diff.completeness_change  # 5 of 8 cells filled, then 4 of 8
        assert ("b@x.io", "c@x.io") == diff.field("email").new_top_values
        json.dumps(diff.to_dict())


CELLS = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "NY", "New York", "N.Y."]),
    st.text(max_size=6),
    st.integers(-50, 50),
)
COLUMNS = st.integers(0, 60).flatmap(
    lambda n: st.fixed_dictionaries(
        {name: st.lists(CELLS, min_size=n, max_size=n) for name in ("a", "b")}
    )
)


class TestMerging:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(left=COLUMNS, right=COLUMNS)
    def test_merged_profiles_equal_the_profile_of_the_whole(
        self, left: dict[str, list[Any]], right: dict[str, list[Any]]
    ) -> None:
        """Merging two parts' profiles gives the whole's, counts exactly, sketches in error."""
        whole = profile({k: left[k] + right[k] for k in left})
        merged = profile(left).merge(profile(right))
        assert whole.rows == merged.rows
        for name in whole.field_names:
            w, m = whole.field(name), merged.field(name)
            assert (w.rows, w.filled) == (m.rows, m.filled)
            # Small data: the HLL and frequent-items sketches are exact in this range.
            assert w.distinct == m.distinct
            assert w.top_values(1000) == m.top_values(1000)
            assert w.top_shapes(1000) == m.top_shapes(1000)
            assert w.kind == m.kind

    def test_merged_large_profiles_stay_within_the_stated_error(self) -> None:
        """Over 60,000 rows in three parts, distinct counts, top counts and quantiles hold."""
        values = [f"v{i % 20_000}" for i in range(60_000)]
        numbers = [float(i % 1000) for i in range(60_000)]
        parts = [
            profile({"v": values[i : i + 20_000], "n": numbers[i : i + 20_000]})
            for i in range(0, 60_000, 20_000)
        ]
        merged = Profile.merged(parts)
        whole = profile({"v": values, "n": numbers})
        assert abs(merged.field("v").distinct - 20_000) / 20_000 <= distinct_error()
        top = dict(merged.field("n").top_values(5))
        for count in top.values():
            assert abs(count - 60) <= frequent_error() * 60_000
        median = merged.field("n").quantiles((0.5,))[0]
        assert isinstance(median, float)
        assert abs(median / 1000 - 0.5) <= quantile_rank_error() * 2
        assert whole.field("v").filled == merged.field("v").filled
