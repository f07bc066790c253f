"""Comparators: each level of the library comparisons, plain data, and the protocol."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit import SchemaError
from recordkit.match import (
    Comparator,
    Comparison,
    DateWithin,
    Exact,
    Matcher,
    NumberWithin,
    Similar,
    WeightedRules,
    block_on,
    comparator_from_dict,
    date_comparison,
    email_comparison,
    email_key,
    first_name_comparison,
    level_from_dict,
    name_comparison,
    numeric_comparison,
    phone_comparison,
    postcode_comparison,
)
from recordkit.match._features import digits

PREP: dict[str, Any] = {
    "email": "email",
    "phone": {"kind": "phone", "region": "US"},
    "first_name": "name",
    "last_name": "name",
    "birth_date": "date",
    "postcode": "postcode",
    "score": "number",
}


def level(comparison: Comparator, a: dict[str, Any], b: dict[str, Any]) -> str:
    """The label of the level the pair (a, b) falls into, through the public API."""
    m = Matcher(
        [comparison],
        [block_on(comparison.columns[0])],
        prepare=PREP,
        model=WeightedRules({}),
        threshold=1,
    )
    return m.explain(a, b).term(comparison.name).level


CASES = [
    pytest.param(
        email_comparison(), "Ada@Example.com", "ada@example.com", "exact", id="email-case"
    ),
    pytest.param(
        email_comparison(), "a.d.a@gmail.com", "ada@googlemail.com", "same mailbox",
        id="email-gmail-dots"
    ),
    pytest.param(
        email_comparison(), "ada+crm@outlook.com", "ada@outlook.com", "same mailbox",
        id="email-plus-tag"
    ),
    pytest.param(
        email_comparison(), "ada@work.com", "ada@home.org", "different", id="email-local-only"
    ),
    pytest.param(
        email_comparison(), "ada.lovelace@x.com", "ada.lovelace@x.co", "osa <= 1", id="email-typo"
    ),
    pytest.param(
        email_comparison(), "ada@example.com", "bob@other.org", "different", id="email-different"
    ),
    pytest.param(email_comparison(), "ada@example.com", None, "missing", id="email-missing"),
    pytest.param(phone_comparison(), "(212) 555-0123", "+1 212 555 0123", "exact", id="phone-e164"),
    pytest.param(phone_comparison(), "212 555 0123", "212 555 0124", "osa <= 1", id="phone-typo"),
    pytest.param(
        phone_comparison(), "212 555 0123", "+44 20 7946 0958", "different", id="phone-other"
    ),
    pytest.param(name_comparison("last_name"), "Müller", "muller", "exact", id="name-accents"),
    pytest.param(
        name_comparison("last_name"), "Johnson", "Jonson", "jaro_winkler >= 0.92", id="name-typo"
    ),
    pytest.param(name_comparison("last_name"), "王", "王", "exact", id="name-non-latin"),
    pytest.param(
        name_comparison("last_name"), "Иванова", "Иванов", "jaro_winkler >= 0.92",
        id="name-cyrillic"
    ),
    pytest.param(
        date_comparison("birth_date"), "1980-03-07", "03/07/1980", "exact", id="date-formats"
    ),
    pytest.param(
        date_comparison("birth_date"), "1980-03-07", "1980-07-03", "day and month swapped",
        id="date-swap"
    ),
    pytest.param(
        date_comparison("birth_date"), "1980-03-07", "1980-03-20", "within 31 days", id="date-close"
    ),
    pytest.param(postcode_comparison(), "SW1A 1AA", "sw1a1aa", "exact", id="postcode-spaces"),
    pytest.param(
        postcode_comparison(), "SW1A 1AA", "SW1 9ZZ", "first 3 characters", id="postcode-area"
    ),
    pytest.param(
        numeric_comparison("score", within=(1, 10)), 10, 10.5, "within 1", id="numeric-close"
    ),
    pytest.param(
        numeric_comparison("score", within=(1, 10)), 10, 19, "within 10", id="numeric-far"
    ),
    pytest.param(
        numeric_comparison("score", within=(1,)), "ten", 10, "missing", id="numeric-garbage"
    ),
]


class TestLibrary:
    @pytest.mark.parametrize(("comparison", "a", "b", "expected"), CASES)
    def test_levels(self, comparison: Comparison, a: Any, b: Any, expected: str) -> None:
        col = comparison.columns[0]
        assert expected == level(comparison, {col: a}, {col: b})

    @pytest.mark.parametrize(
        ("a", "b", "expected"),
        [
            pytest.param("Bob", "Robert", "nickname / same name family", id="bob-robert"),
            pytest.param("Liz", "Elizabeth", "nickname / same name family", id="liz-elizabeth"),
            pytest.param("Peggy", "Margaret", "nickname / same name family", id="peggy"),
            pytest.param("Albert", "Alfred", "different", id="al-is-not-a-bridge"),
            pytest.param("Jon", "John", "nickname / same name family", id="jon-john"),
        ],
    )
    def test_nicknames(self, a: str, b: str, expected: str) -> None:
        assert expected == level(first_name_comparison(), {"first_name": a}, {"first_name": b})

    def test_swapped_first_and_last_names(self) -> None:
        a = {"first_name": "Smith", "last_name": "John"}
        b = {"first_name": "John", "last_name": "Smith"}
        assert "swapped with last_name" == level(first_name_comparison(), a, b)

    def test_labels_start_missing_end_different(self) -> None:
        assert ("missing", "exact", "different") == Comparison("x", [Exact()]).labels


class TestPlainData:
    @pytest.mark.parametrize(
        "comparison",
        [
            pytest.param(c, id=c.name)
            for c in (
                email_comparison(),
                phone_comparison(),
                first_name_comparison(),
                name_comparison("last_name"),
                date_comparison("birth_date"),
                postcode_comparison(),
                numeric_comparison("score", within=(1, 2)),
            )
        ],
    )
    def test_round_trip(self, comparison: Comparison) -> None:
        assert comparison == comparator_from_dict(comparison.to_dict())

    def test_library_names_work_in_plain_data(self) -> None:
        assert email_comparison("mail") == comparator_from_dict({"kind": "email", "column": "mail"})

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            pytest.param({"kind": "nope"}, "unknown comparator kind", id="unknown-kind"),
            pytest.param(
                {"kind": "levels", "name": "x", "levels": [{"kind": "fuzzy"}]},
                "unknown level kind",
                id="unknown-level",
            ),
            pytest.param(
                {"kind": "levels", "name": "x", "levels": []}, "has no levels", id="no-levels"
            ),
            pytest.param({"kind": "email", "colour": "red"}, "comparator 'email'", id="bad-option"),
            pytest.param("email", "a comparator is a mapping", id="not-a-mapping"),
        ],
    )
    def test_bad_definitions_are_schema_errors(self, data: Any, message: str) -> None:
        with pytest.raises(SchemaError, match=message):
            comparator_from_dict(data)

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param({"kind": "similar", "metric": "cosine"}, id="metric"),
            pytest.param({"kind": "similar", "threshold": 2}, id="threshold"),
            pytest.param({"kind": "within", "distance": -1}, id="distance"),
            pytest.param({"kind": "number_within"}, id="no-tolerance"),
        ],
    )
    def test_bad_levels(self, data: dict[str, Any]) -> None:
        with pytest.raises(SchemaError):
            level_from_dict(data)

    def test_levels_round_trip(self) -> None:
        for lv in (Similar("token_set", 0.8), DateWithin(5), NumberWithin(relative=0.1)):
            assert lv == level_from_dict(lv.to_dict())


class TestVectorized:
    def test_many_pairs_at_once(self) -> None:
        c = name_comparison("last_name")
        values = np.array(["smith", "smyth", None, "jones"] * 2500, dtype=object)
        feats = c.features({"last_name": values})
        left = {k: v[:5000] for k, v in feats.items()}
        right = {k: v[5000:] for k, v in feats.items()}
        levels = c.compare(left, right)
        assert (5000, [1, 1, 0, 1]) == (len(levels), levels[:4].tolist())


class TestEmailKey:
    @pytest.mark.parametrize(
        ("address", "key"),
        [
            pytest.param("A.B+x@googlemail.com", "ab@gmail.com", id="gmail"),
            pytest.param("a.b+x@example.com", "a.b+x@example.com", id="other-provider"),
            pytest.param("ann-news@yahoo.com", "ann@yahoo.com", id="yahoo-dash"),
            pytest.param("not an address", None, id="garbage"),
            pytest.param(None, None, id="none"),
        ],
    )
    def test_keys(self, address: object, key: str | None) -> None:
        assert key == email_key(address)


class TestDigits:
    @given(st.one_of(st.text(), st.from_regex(r"\+?[0-9]{0,15}", fullmatch=True), st.none()))
    def test_digits_are_every_digit_of_the_text(self, value: str | None) -> None:
        expected = (re.sub(r"\D", "", value) or None) if isinstance(value, str) else None
        assert expected == digits(value)
