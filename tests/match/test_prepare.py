"""Preparing columns for matching: the per-value normalizers behind `Prep`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit.match import Prep
from recordkit.rules import fold_key
from tests import strategies as rks


class TestKinds:
    @pytest.mark.parametrize("kind", [k for k in Prep.KINDS if k != "number"])
    @given(value=rks.raw_cells)
    def test_text_kinds_never_raise_and_are_idempotent(self, kind: str, value: object) -> None:
        fn = Prep(kind, region="US" if kind == "phone" else None).function()
        once = fn(value)
        assert once is None or (isinstance(once, str) and once.strip() == once and once)
        assert once == fn(once)

    @given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
    def test_ascii_names_fold_as_fold_key_does(self, value: str) -> None:
        expected = fold_key(value.replace("\x00", "")) or None
        if value.replace("\x00", "").strip() == "":
            expected = None
        assert expected == Prep("name").function()(value)

    @pytest.mark.parametrize(
        ("kind", "value", "prepared"),
        [
            pytest.param("name", "  O'Brien-Smith ", "o brien smith", id="name-punctuation"),
            pytest.param("name", "I.B.M.", "ibm", id="name-acronym"),
            pytest.param("name", "Ann\x00e", "anne", id="name-nul"),
            pytest.param("name", "x" * 2000, "x" * 1000, id="name-capped"),
            pytest.param("email", "ann@example.com", "ann@example.com", id="email-normal"),
            pytest.param("email", " Ann@Example.COM ", "ann@example.com", id="email-messy"),
            pytest.param("phone", "+12125550123", "+12125550123", id="phone-e164"),
            pytest.param("phone", "(212) 555-0123 x4", "+12125550123", id="phone-national"),
            pytest.param("phone", "\x00+12125550123", "+12125550123", id="phone-nul"),
        ],
    )
    def test_examples(self, kind: str, value: object, prepared: str) -> None:
        assert prepared == Prep(kind, region="US" if kind == "phone" else None).function()(value)
