"""Tables in: pandas, polars and Arrow read as the same rows would be, missing cells blank."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import Matcher
from recordkit.quality import profile
from recordkit.rules import BatchOutcome, chunks_of
from tests.frames.conftest import ROWS, pa, pd, pl, plain

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["ada@example.com", "ADA@EXAMPLE.COM", "+1 212 555 0100", "Tech", "NY", " ", "-", "n/a"]
)
rows_strategy = st.lists(
    st.fixed_dictionaries({
        "first_name": st.none() | TEXT,
        "last_name": st.none() | TEXT,
        "email": st.none() | TEXT,
        "industry": st.none() | TEXT,
        "birth_date": st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2030, 1, 1)),
        "email_opt_in": st.none() | st.booleans(),
    }),
    min_size=1,
    max_size=12,
)  # fmt: skip


def columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {name: [r[name] for r in rows] for name in rows[0]}


def as_pandas(rows: list[dict[str, Any]]) -> Any:
    return pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in columns(rows).items()})


def as_arrow(rows: list[dict[str, Any]]) -> Any:
    return pa.table(columns(rows))


def as_polars(rows: list[dict[str, Any]]) -> Any:
    return pl.from_arrow(as_arrow(rows))


def seen(outcome: BatchOutcome) -> tuple[Any, ...]:
    issues = sorted((i.row or 0, i.field or "", i.code) for i in outcome.issues)
    return outcome.rows, [q.row for q in outcome.quarantine], issues


class TestSameAsRows:
    @settings(max_examples=30)
    @given(rows=rows_strategy)
    def test_every_library_reads_as_the_rows_do(self, rows: list[dict[str, Any]]) -> None:
        """A pandas, polars or Arrow table runs through the rules exactly as its rows."""
        rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
        expected = seen(rules.run_batch(rows))
        for table in (as_pandas(rows), as_polars(rows), as_arrow(rows)):
            assert expected == seen(rules.run_batch(table, chunk_size=5))

    @settings(max_examples=15)
    @given(rows=rows_strategy)
    def test_capture_many_stores_what_the_rows_would(self, rows: list[dict[str, Any]]) -> None:
        """capture_many of a table stores the same values and quarantines the same rows."""
        schema = rk.bundled_schema("contact")
        expected = rk.Steward(schema).capture_many(rows, source="rows")
        for table in (as_pandas(rows), as_polars(rows), as_arrow(rows)):
            got = rk.Steward(schema).capture_many(table, source="table", chunk_size=4)
            assert [r.values for r in expected.records] == [r.values for r in got.records]
            assert [q.index for q in expected.quarantined] == [q.index for q in got.quarantined]


class TestRoundTrip:
    def test_rows_to_a_frame_and_back(self, steward: rk.Steward) -> None:
        """rows → DataFrame → capture_many → to_pandas gives the cleaned values."""
        result = steward.capture_many(pd.DataFrame(ROWS), source="frame")
        names = result.records[0].field_names
        expected = [{n: r[n] for n in names} for r in result.records]
        frame = result.to_pandas()
        assert [r.id for r in result.records] == frame["_id"].tolist()
        assert expected == plain(frame.drop(columns="_id"))
        assert "Ada" == frame["first_name"][0]
        assert dt.date(1815, 12, 10) == frame["birth_date"][0]

    def test_polars_and_arrow_round_trip_too(self, steward: rk.Steward) -> None:
        """to_polars and to_arrow hold the same cleaned values as to_pandas."""
        result = steward.capture_many(pl.DataFrame(ROWS), source="frame")
        rows = plain(result.to_pandas())
        assert rows == result.to_polars().to_dicts()
        assert rows == result.to_arrow().to_pylist()


class TestMissingCells:
    @pytest.mark.parametrize(
        "missing",
        [None, float("nan"), pd.NA, pd.NaT],
        ids=["None", "NaN", "NA", "NaT"],
    )
    def test_a_missing_pandas_cell_is_blank(self, steward: rk.Steward, missing: Any) -> None:
        """None, NaN, pd.NA and NaT are all a blank cell: absent, never the text 'nan'."""
        frame = pd.DataFrame({"first_name": ["Ada"], "last_name": ["Lovelace"],
                              "email": pd.Series([missing], dtype=object)})  # fmt: skip
        result = steward.capture_many(frame, source="frame")
        assert [] == result.quarantined
        assert result.records[0]["email"] is None

    def test_nan_in_polars_and_arrow_floats_is_blank(self) -> None:
        """A float NaN is a blank cell in polars and Arrow as it is in pandas."""
        data = {"n": [1.5, math.nan, None]}
        for table in (pl.DataFrame(data), pa.table(data), pd.DataFrame(data)):
            ((got, length),) = list(chunks_of(table, 10))
            assert ({"n": [1.5, None, None]}, 3) == (got, length)

    def test_nullable_pandas_types(self) -> None:
        """Nullable integers, booleans and categories give Python values and None."""
        frame = pd.DataFrame({
            "i": pd.array([1, None], dtype="Int64"),
            "b": pd.array([True, None], dtype="boolean"),
            "c": pd.Categorical(["x", None]),
            "t": [pd.Timestamp("2024-01-02"), pd.NaT],
        })  # fmt: skip
        ((got, _),) = list(chunks_of(frame, 10))
        assert [1, None] == got["i"]
        assert [True, None] == got["b"]
        assert ["x", None] == got["c"]
        assert dt.datetime(2024, 1, 2) == got["t"][0]
        assert got["t"][1] is None


class TestDtypes:
    def test_numbers_reach_text_fields_as_text(self, steward: rk.Steward) -> None:
        """A phone read as a number, and a postcode made float by a gap, arrive as text."""
        frame = pd.DataFrame({"first_name": ["Ada", "Bob"], "last_name": ["L", "R"],
                              "phone": [2125550100, 2125550199],
                              "postcode": [94108, None]})  # fmt: skip
        assert "float64" == str(frame["postcode"].dtype)
        outcome = rk.RuleSet.for_schema(steward.schema).run_batch(frame)
        assert [] == outcome.quarantine
        assert ["+12125550100", "+12125550199"] == outcome.columns["phone"]
        assert ["94108", None] == outcome.columns["postcode"]

    def test_whole_numbers_and_booleans_with_gaps(self) -> None:
        """An integer column made float by a gap still fills an integer field."""
        schema = rk.Schema("item", [rk.Field("count", rk.Integer()),
                                    rk.Field("active", rk.Boolean())])  # fmt: skip
        frame = pd.DataFrame({"count": [3, None], "active": [1, None]})
        outcome = rk.RuleSet.for_schema(schema).run_batch(frame)
        assert [] == outcome.quarantine
        assert [3, None] == outcome.columns["count"]
        assert [True, None] == outcome.columns["active"]

    def test_dates_and_datetimes(self) -> None:
        """Dates and timestamps of every library reach a date field as dates."""
        schema = rk.bundled_schema("contact")
        rules = rk.RuleSet.for_schema(schema)
        base = {"first_name": ["Ada"], "last_name": ["L"]}
        day = dt.date(2024, 5, 6)
        tables = [
            pd.DataFrame({**base, "birth_date": [pd.Timestamp(day)]}),
            pl.DataFrame({**base, "birth_date": [day]}),
            pa.table({**base, "birth_date": pa.array([dt.datetime(2024, 5, 6)],
                                                     pa.timestamp("ns"))}),
        ]  # fmt: skip
        for table in tables:
            assert [day] == rules.run_batch(table).columns["birth_date"]


class TestChunks:
    def test_a_large_frame_is_read_a_chunk_at_a_time(self) -> None:
        """Chunks hold at most chunk_size rows and together the whole table, in order."""
        frame = pl.DataFrame({"n": list(range(1_000))})
        chunks = list(chunks_of(frame, 64))
        assert all(length <= 64 for _, length in chunks)
        assert list(range(1_000)) == [v for c, _ in chunks for v in c["n"]]

    def test_arrow_batches_are_rechunked(self) -> None:
        """A RecordBatchReader's batches of any size become chunks of chunk_size."""
        table = pa.table({"n": list(range(100))})
        reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(7))
        chunks = list(chunks_of(reader, 30))
        assert [30, 30, 30, 10] == [length for _, length in chunks]
        assert list(range(100)) == [v for c, _ in chunks for v in c["n"]]

    def test_an_empty_table_gives_no_records(self, steward: rk.Steward) -> None:
        """A table with columns and no rows is an empty batch."""
        frame = pd.DataFrame({"first_name": pd.Series([], dtype=object)})
        result = steward.capture_many(frame, source="frame")
        assert (0, 0) == (len(result.records), len(result.quarantined))


class TestRefusals:
    def test_a_dataframe_is_never_mistaken_for_rows(self, steward: rk.Steward) -> None:
        """The 'expected a mapping, got str' of iterating a DataFrame cannot happen."""
        frame = pd.DataFrame(ROWS)
        rules = rk.RuleSet.for_schema(steward.schema)
        assert 3 == rules.run_batch(frame).total
        assert 3 == steward.capture_many(frame, source="frame").total
        assert 3 == len(Matcher.for_schema(steward.schema).dedupe(frame).prepared.ids)

    @pytest.mark.parametrize(
        ("value", "says"),
        [
            (pd.Series(["a"]), "to_frame"),
            (pl.DataFrame({"a": [1]}).lazy(), "collect"),
            (pa.array([1]), "Arrow Table"),
        ],
        ids=["pandas Series", "polars LazyFrame", "Arrow array"],
    )
    def test_a_library_object_that_is_not_a_table(
        self, steward: rk.Steward, value: Any, says: str
    ) -> None:
        """A Series, a LazyFrame or an array is refused, saying what to pass instead."""
        with pytest.raises(rk.RecordkitError, match=says):
            steward.capture_many(value, source="x")
        with pytest.raises(rk.RecordkitError, match=says):
            rk.RuleSet.for_schema(steward.schema).run_batch(value)

    def test_two_columns_with_one_name(self, steward: rk.Steward) -> None:
        """A pandas frame with a repeated column name is refused, naming it."""
        frame = pd.DataFrame([["a", "b"]], columns=["email", "email"])
        with pytest.raises(rk.RecordkitError, match="two columns named 'email'"):
            steward.capture_many(frame, source="x")


class TestMatching:
    def test_dedupe_a_table_as_its_rows(self, contact: rk.Schema) -> None:
        """Matcher.dedupe clusters a pandas, polars or Arrow table as it clusters its rows."""
        matcher = Matcher.for_schema(contact)
        rows = [dict(r, id=f"c{i}") for i, r in enumerate(ROWS + ROWS[:1])]
        expected = matcher.dedupe(rows).entity_of
        frame = pd.DataFrame(rows)
        for table in (frame, pl.from_pandas(frame), pa.Table.from_pandas(frame)):
            assert expected == matcher.dedupe(table).entity_of

    def test_a_missing_column_is_named_with_suggestions(self, contact: rk.Schema) -> None:
        """A table without a compared column is refused, with the closest column names."""
        matcher = Matcher.for_schema(contact)
        frame = pd.DataFrame(ROWS).rename(columns={"email": "emial"})
        with pytest.raises(rk.SchemaError, match="no column 'email'") as caught:
            matcher.dedupe(frame)
        assert "emial" in caught.value.suggestions

    def test_profile_reads_arrow(self) -> None:
        """profile reads an Arrow table as it reads the same columns."""
        data = {"city": ["NY", "New York", None, "NY"]}
        assert profile(data).to_dict() == profile(pa.table(data)).to_dict()


def test_capture_many_tables_take_the_schema_kinds(contact: rk.Schema) -> None:
    """Given the schema, capture_many's reader gives a numeric phone column as text."""
    from recordkit._steward_source import pieces

    frame = pd.DataFrame({"first_name": ["Ada"], "phone": [2125550100], "postcode": [94108.0]})
    ((rows, read),) = list(pieces(frame, 10, contact))
    assert ([{"first_name": "Ada", "phone": "2125550100", "postcode": "94108"}], None) == (
        rows,
        read,
    )
    ((plain_rows, _),) = list(pieces(frame, 10, contact.field_names))
    assert 2125550100 == plain_rows[0]["phone"]  # type: ignore[index]
