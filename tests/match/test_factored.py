"""Factored columns: codes into distinct values, and the codes of equal values."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from recordkit.match._factored import Factored

cells = st.lists(st.one_of(st.none(), st.sampled_from(["", "a", "b", "A"]), st.integers(0, 3)))


class TestOf:
    @given(cells)
    def test_the_rows_read_back_and_codes_follow_first_appearance(self, raw: list[object]) -> None:
        f = Factored.of(raw)
        firsts = list(dict.fromkeys(raw))
        assert (raw, firsts) == (f.values().tolist(), f.uniques.tolist())
        assert [firsts.index(v) for v in raw] == f.codes.tolist()

    def test_unhashable_cells_are_values_of_their_own(self) -> None:
        f = Factored.of(["a", ["x"], "a", ["x"]])
        assert (["a", ["x"], "a", ["x"]], 3) == (f.values().tolist(), len(f.uniques))

    def test_rows_are_shared_and_read_only(self) -> None:
        f = Factored.of(["a", "b", "a"])
        assert (True, False) == (f.values() is f.values(), f.values().flags.writeable)


class TestValueCodes:
    @given(cells)
    def test_equal_values_share_a_code_and_none_has_none(self, raw: list[object]) -> None:
        f = Factored.of(raw).map(lambda v: v.lower() if isinstance(v, str) else v)
        rows = f.value_codes()[f.codes]
        values = f.values().tolist()
        for i, v in enumerate(values):
            assert (v is None) == (rows[i] == -1)
            same = [j for j, w in enumerate(values) if w == v and v is not None]
            assert {int(rows[i])} == {int(rows[j]) for j in [i, *same]}

    @given(cells)
    def test_blocking_codes_treat_blank_text_as_missing(self, raw: list[object]) -> None:
        codes = Factored.of(raw).recode()
        expected = [v is None or v == "" for v in raw]
        assert expected == (codes < 0).tolist()
        assert np.array_equal(codes, Factored.of(raw).recode())
