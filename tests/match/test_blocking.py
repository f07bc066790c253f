"""Blocking: keys, the union of rules without double counting, refusal of exploding rules."""

from __future__ import annotations

import itertools
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit import SchemaError
from recordkit.match import BlockingError, Key, Matcher, WeightedRules, block_on, exact_comparison
from recordkit.match._blocking import pairs_within


def matcher(*rules: object, max_pairs: int = 1_000_000) -> Matcher:
    return Matcher(
        [exact_comparison("a")],
        list(rules),
        model=WeightedRules({}),
        threshold=1,
        max_pairs=max_pairs,
    )


class TestKey:
    @pytest.mark.parametrize(
        ("spec", "value", "expected"),
        [
            pytest.param("last_name", "smith", "smith", id="plain"),
            pytest.param("last_name[:2]", "smith", "sm", id="prefix"),
            pytest.param("last_name[:9]", "smith", None, id="too-short"),
            pytest.param("email|email_key", "a.b+x@gmail.com", "ab@gmail.com", id="email-key"),
            pytest.param("birth_date|year", "1980-03-07", "1980", id="year"),
            pytest.param("phone|digits", "+1 (212) 555", "1212555", id="digits"),
            pytest.param("name", None, None, id="missing"),
        ],
    )
    def test_values(self, spec: str, value: object, expected: str | None) -> None:
        assert expected == Key.parse(spec).value(value)

    @pytest.mark.parametrize("spec", ["Last Name", "x|nope", "x[:0]", 5])
    def test_bad_specs(self, spec: object) -> None:
        with pytest.raises(SchemaError):
            Key.parse(spec)  # type: ignore[arg-type]

    def test_text_round_trip(self) -> None:
        assert ["postcode", "last_name[:2]"] == block_on("postcode", "last_name[:2]").to_dict()


class TestCandidates:
    DATA: ClassVar[dict[str, list[str | None]]] = {
        "a": ["x", "x", "x", "y", "y", None],
        "b": ["1", "1", "2", "2", "2", "2"],
    }

    def test_union_counts_each_pair_once(self) -> None:
        m = matcher(block_on("a"), block_on("b"))
        left, right, report = m.candidates(m.prepared(self.DATA))
        pairs = set(zip(left.tolist(), right.tolist(), strict=True))
        expected = {(0, 1), (0, 2), (1, 2), (3, 4), (2, 3), (2, 4), (2, 5), (3, 5), (4, 5)}
        assert (expected, [4, 7], [4, 5]) == (
            pairs,
            [r.pairs for r in report.rules],
            [r.new_pairs for r in report.rules],
        )

    def test_counts_come_before_pairs(self) -> None:
        m = matcher(block_on("a"), block_on("b"))
        report = m.count_pairs(m.prepared(self.DATA))
        assert ([4, 7], [None, None], 11) == (
            [r.pairs for r in report.rules],
            [r.new_pairs for r in report.rules],
            report.total,
        )

    @given(
        st.lists(
            st.tuples(
                st.none() | st.sampled_from(["ann", "anna", "bob", "Bo", "1980-03-07"]),
                st.none() | st.sampled_from(["1", "12", "2", "x"]),
            ),
            max_size=40,
        )
    )
    def test_counts_after_the_pairs_are_the_counts_before(
        self, rows: list[tuple[str | None, str | None]]
    ) -> None:
        """Counting with the block codes the pairs were made from gives the same report."""
        data = {"a": [a for a, _ in rows], "b": [b for _, b in rows]}
        m = matcher(block_on("a[:2]"), block_on("b"), block_on("a|year", "b[:1]"))
        before = m.count_pairs(m.prepared(data))
        prepared = m.prepared(data)
        m.candidates(prepared)
        assert before == m.count_pairs(prepared)
        # and both are the pairs a plain count of the values' blocks gives
        for rule, count in zip(m.blocking, before.rules, strict=True):
            keys = [
                rule.key_of({c: prepared.columns[c][i] for c in rule.columns})
                for i in range(len(rows))
            ]
            blocks = itertools.groupby(sorted(k for k in keys if k is not None))
            assert sum(n * (n - 1) // 2 for n in (len(list(g)) for _, g in blocks)) == count.pairs

    def test_an_exploding_rule_is_refused_with_its_key(self) -> None:
        data = {"a": ["same"] * 2000}
        m = matcher(block_on("a"), max_pairs=10_000)
        with pytest.raises(BlockingError, match=r"'a' would compare 1,999,000 pairs .*'same'"):
            m.candidates(m.prepared(data))

    def test_a_column_the_data_lacks_is_named(self) -> None:
        with pytest.raises(SchemaError, match="no column 'zzz'"):
            matcher(block_on("zzz")).prepared({"a": ["x"]})

    def test_report_text_lists_rules(self) -> None:
        m = matcher(block_on("a"), block_on("b"))
        text = m.candidates(m.prepared(self.DATA))[2].text()
        assert "a" in text
        assert "largest block" in text


class TestPairsWithin:
    @given(st.lists(st.integers(-1, 4), max_size=40))
    def test_matches_brute_force(self, codes: list[int]) -> None:
        a, b = pairs_within(np.asarray(codes, dtype=np.int64))
        expected = {
            (i, j)
            for i, j in itertools.combinations(range(len(codes)), 2)
            if codes[i] >= 0 and codes[i] == codes[j]
        }
        assert (expected, len(expected)) == (set(zip(a.tolist(), b.tolist(), strict=True)), len(a))
