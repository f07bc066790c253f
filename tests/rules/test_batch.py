"""The batch API: columnar, memoized, from rows, CSV files and DataFrames, with a
quarantine and per-row and per-rule summaries."""

from __future__ import annotations

import gc
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.rules import (
    BatchOutcome,
    RuleSet,
    Validators,
    chunks_of,
    normalizer,
    run_batch,
    run_chunk,
)
from tests.strategies import messy_text

# Names are given: a required field with no value is an error, which would quarantine rows.
ROWS = [
    {"first_name": "Ada", "last_name": "Byron", "email": "ADA@EXAMPLE.COM",
     "phone": "(212) 555-0123"},
    {"first_name": "Bob", "last_name": "Ross", "email": "bob(at)example", "country": "Narnia"},
    {"first_name": "Cy", "last_name": "Twombly", "emial": "cy@example.com"},
    {"first_name": "Di", "last_name": "Prima", "email": "ada@example.com", "industry": "saas"},
]  # fmt: skip


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return RuleSet.for_schema(rk.bundled_schema("contact"))


def fields(outcome: BatchOutcome, name: str) -> list[Any]:
    return [row[name] for row in outcome.rows]


class TestRunBatch:
    def test_normalizes_rows_and_quarantines_errors(self, rules: RuleSet) -> None:
        """
        Rows that pass come out normalized and rows with errors are quarantined with their raw
        values.
        """
        out = run_batch(rules, ROWS, chunk_size=2)
        assert [0, 3] == out.row_numbers
        assert ["ada@example.com", "ada@example.com"] == fields(out, "email")
        assert [1, 2] == [q.row for q in out.quarantine]
        assert ROWS[2] == {k: v for k, v in out.quarantine[1].raw.items() if v is not None}

    def test_quarantine_says_why(self, rules: RuleSet) -> None:
        """A quarantined row carries its blocking issues and reasons that name the row."""
        bob = run_batch(rules, ROWS).quarantine[0]
        assert {"email.invalid", "country.unknown"} == {i.code for i in bob.issues if i.blocking}
        assert all("row 1" in reason for reason in bob.reasons)

    def test_summaries_by_rule_and_by_row(self, rules: RuleSet) -> None:
        """The outcome counts changes and errors by rule and by row, and sums up the batch."""
        out = run_batch(rules, ROWS)
        assert 1 == out.by_rule["normalize.email"].changes
        assert 1 == out.by_rule["check.email"].errors
        assert 1 == out.by_rule["schema.fields"].errors
        rows = {s.row: s for s in out.by_row()}
        assert (2, 0) == (rows[0].changes, rows[0].errors)
        assert 2 == rows[1].errors
        summary = out.summary()
        assert (4, 2, 2) == (summary["rows"], summary["passed"], summary["quarantined"])

    def test_unique_within_the_batch_across_chunks(self) -> None:
        """A unique check sees values from earlier chunks and names the row repeated."""
        schema = rk.bundled_schema("contact")
        rules = RuleSet.for_schema(schema, extend={"email": [Validators.unique()]})
        out = run_batch(rules, ROWS, chunk_size=1)
        (dup,) = [i for i in out.issues if i.code == "unique"]
        assert (3, "repeats the value of row 0") == (dup.row, dup.message)
        assert [0] == out.row_numbers

    def test_a_crashing_rule_does_not_stop_the_batch(self) -> None:
        """A rule that raises quarantines its row as rule.crashed and the others pass."""
        def boom(value: Any) -> Any:
            if value == "Bob":
                raise RuntimeError("bad day")
            return value

        schema = rk.bundled_schema("contact")
        rules = RuleSet.for_schema(schema, extend={"first_name": [normalizer(boom, id="boom")]})
        out = run_batch(rules, [{"first_name": n, "last_name": "X"} for n in ("Ada", "Bob", "Cy")])
        assert ["Ada", "Cy"] == fields(out, "first_name")
        (crash,) = [i for i in out.quarantine[0].issues if i.blocking]
        assert ("rule.crashed", "boom", 1) == (crash.code, crash.rule, crash.row)

    @settings(max_examples=10)
    @given(st.lists(st.fixed_dictionaries({
        "email": messy_text(), "phone": messy_text(), "country": messy_text(),
        "state": messy_text(), "industry": messy_text(), "birth_date": messy_text(),
    }), max_size=12))  # fmt: skip
    def test_memoized_equals_uncached(self, rows: list[dict[str, Any]]) -> None:
        """A memoized run gives the rows, issues and changes of an uncached one."""
        rules = RuleSet.for_schema(rk.bundled_schema("contact"))
        cached = run_batch(rules, rows + rows, chunk_size=5)
        plain = run_batch(rules, rows + rows, chunk_size=5, cache=False)
        assert plain.rows == cached.rows
        assert plain.issues == cached.issues
        assert plain.changes == cached.changes

    def test_memo_is_bounded(self, rules: RuleSet) -> None:
        """The memo keeps at most memo_size values per field."""
        memo: dict[str, dict[Any, Any]] = {}
        column = {"email": [f"user{i}@example.com" for i in range(50)]}
        run_chunk(rules, column, 50, memo=memo, memo_size=8)
        assert len(memo["email"]) <= 8

    def test_memo_runs_each_distinct_value_once(self) -> None:
        """With the memo, a rule runs once per distinct value."""
        calls: list[Any] = []

        def count(value: Any) -> Any:
            calls.append(value)
            return value

        schema = rk.bundled_schema("contact")
        rules = RuleSet.for_schema(schema, extend={"city": [normalizer(count, id="count")]})
        run_batch(rules, [{"city": c} for c in ["Paris", "Rome", "Paris", "Paris"] * 5])
        assert ["Paris", "Rome"] == calls


class TestSources:
    def test_csv_path_and_file(self, rules: RuleSet, tmp_path: Path) -> None:
        """A CSV path and an open CSV file give the same outcome."""
        text = "first_name,last_name,email\nAda,Byron,ADA@EXAMPLE.COM\nBob,Ross,nope\n"
        path = tmp_path / "contacts.csv"
        path.write_text(text, encoding="utf-8")
        from_path = run_batch(rules, path)
        from_file = run_batch(rules, io.StringIO(text))
        assert ["ada@example.com"] == fields(from_path, "email") == fields(from_file, "email")
        assert [1] == [q.row for q in from_path.quarantine]

    def test_pandas_frame(self, rules: RuleSet) -> None:
        """A pandas DataFrame is a batch, its NaN read as missing."""
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame({"first_name": ["Ada", "Bob"], "last_name": ["Byron", "Ross"],
                              "email": ["A@B.IO", float("nan")]})  # fmt: skip
        out = run_batch(rules, frame, chunk_size=1)
        assert ["a@b.io", None] == fields(out, "email")

    @pytest.mark.parametrize("source", [{"a": 1}, 42, b"rows", None])
    def test_refuses_what_is_not_a_batch(self, rules: RuleSet, source: Any) -> None:
        """A mapping, number, bytes or None is refused as a batch."""
        with pytest.raises(rk.RecordkitError):
            run_batch(rules, source)

    def test_refuses_rows_that_are_not_mappings(self, rules: RuleSet) -> None:
        """A row that is not a mapping is refused, naming its row number."""
        with pytest.raises(rk.RecordkitError, match="row 1"):
            run_batch(rules, [{"first_name": "a"}, ["x"]])

    @pytest.mark.parametrize("size", [0, -1, "10", True])
    def test_refuses_bad_chunk_sizes(self, size: Any) -> None:
        """A chunk size that is not a positive integer is refused."""
        with pytest.raises(rk.RecordkitError):
            list(chunks_of([{}], size))

    def test_the_garbage_collector_is_left_as_it_was(self, rules: RuleSet) -> None:
        """
        A batch leaves the garbage collector enabled or disabled as it found it, even when it fails.
        """
        assert gc.isenabled()
        run_batch(rules, ROWS)
        with pytest.raises(rk.RecordkitError):
            run_batch(rules, [{"first_name": "a"}, ["x"]])
        assert gc.isenabled()
        gc.disable()
        try:
            run_batch(rules, ROWS)
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_ruleset_method(self, rules: RuleSet) -> None:
        """RuleSet.run_batch runs the batch over the rule set."""
        assert 4 == rules.run_batch(ROWS).total
