"""Comparing a few pairs one by one gives exactly the levels the array comparison gives.

`compare_pairs` compares up to `SCALAR_PAIRS` pairs (a point-of-entry lookup) in plain Python
through `Comparison._compare_one`; more go through `Comparison.compare` on whole arrays. The
two must agree on every pair, for every level kind: a lookup and a batch run must never
disagree about a pair.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import (
    DateSwap,
    DateWithin,
    Exact,
    Matcher,
    NameFamily,
    NumberWithin,
    Prefix,
    Similar,
    Swapped,
    Within,
    block_on,
)
from recordkit.match._data import Prepared
from recordkit.match._pairs import SCALAR_PAIRS, compare_against, compare_each, compare_pairs
from recordkit.match.comparison import Comparison
from recordkit.match.comparison._levels import FEW

FIRST = ["Ann", "Anne", "Annie", "Bob", "Robert", "Rob", "Liz", "Elizabeth", "Jon", "John"]
LAST = ["Smith", "Smyth", "Smithe", "Jones", "Johns", "O'Neil", "Oneil", "Lee", "Le"]
CITY = ["New York", "York", "Newark", "new york city", "Boston", "Bostn"]
STREET = ["1 Main St", "1 Main Street", "Main St 1", "10 Elm Rd", "10 Elm Road"]
DATES = ["1980-03-07", "1980-07-03", "1980-03-08", "1981-03-07", "1979-12-31", "2001-02-03"]
EMAIL = ["ann.smith@gmail.com", "annsmith@gmail.com", "ann.smith+x@gmail.com", "bob@x.org"]
PHONE = ["2125550100", "2125550101", "+44 20 7946 0958", "212-555-0100"]
POST = ["10001", "10002", "10010", "SW1A 1AA", "SW1A 2AA"]


def _maybe(values: list[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(values), st.text(max_size=6))


@st.composite
def contacts(draw: st.DrawFn, least: int = 2, most: int = 9) -> list[dict[str, Any]]:
    """A few contact rows drawn from small pools, so that most levels are reached."""
    n = draw(st.integers(least, most))
    return [
        {
            "first_name": draw(_maybe(FIRST)),
            "last_name": draw(_maybe(LAST)),
            "email": draw(_maybe(EMAIL)),
            "phone": draw(_maybe(PHONE)),
            "birth_date": draw(_maybe(DATES)),
            "postcode": draw(_maybe(POST)),
            "street": draw(_maybe(STREET)),
            "city": draw(_maybe(CITY)),
            "company": draw(_maybe(["Acme", "Acme Inc", "ACME Corp"])),
            "country": draw(st.sampled_from(["US", "GB", None])),
            "revenue": draw(st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-5, 5))),
        }
        for _ in range(n)
    ]


def every_level() -> Matcher:
    """One comparison per level kind and metric, numbers and non-text cells included."""
    similar = [
        Similar(metric, threshold)
        for metric in ("jaro_winkler", "jaro", "levenshtein", "ratio", "token_sort")
        for threshold in (0.95, 0.7)
    ]
    return Matcher(
        [
            Comparison("email", [Exact(), Exact(feature="email_key"), Within("levenshtein", 2)]),
            Comparison(
                "mailbox", [Exact(feature="email_local"), Similar("partial", 0.8)], column="email"
            ),
            Comparison("phone", [Exact(feature="digits"), Within("damerau", 1)]),
            Comparison("first_name", [Exact(), NameFamily(), Swapped(other="last_name"), *similar]),
            Comparison("last_name", [Similar("token_set", 0.9), Prefix(length=3)]),
            Comparison("birth_date", [Exact(), DateSwap(), DateWithin(days=31), Within("osa", 1)]),
            Comparison("revenue", [NumberWithin(absolute=1.0), NumberWithin(relative=0.5)]),
            Comparison("rev_text", [Similar("ratio", 0.5), Within("osa", 1)], column="revenue"),
        ],
        [block_on("last_name")],
        prepare={"email": "email", "phone": "phone", "birth_date": "date", "revenue": "number"},
    )


def _every_pair(prepared: Prepared) -> tuple[np.ndarray, np.ndarray]:
    n = len(prepared)
    left, right = np.triu_indices(n, k=1)
    return left.astype(np.int64), right.astype(np.int64)


def _by_arrays(matcher: Matcher, prepared: Prepared, left: Any, right: Any) -> dict[str, Any]:
    out = {}
    for c in matcher.comparisons:
        keys = prepared.keys[c.name]
        out[c.name] = c.compare(prepared.gather(keys, left), prepared.gather(keys, right))
    return out


@settings(max_examples=150, deadline=None)
@given(rows=contacts())
def test_the_default_contact_comparisons_agree_pair_by_pair(rows: list[dict[str, Any]]) -> None:
    """
    The bundled contact schema's default comparisons: one by one equals the arrays.
    """
    matcher = Matcher.for_schema(rk.bundled_schema("contact"))
    prepared = matcher.prepared(rows)
    left, right = _every_pair(prepared)
    one_by_one = compare_each(matcher, prepared, left, right)
    arrays = _by_arrays(matcher, prepared, left, right)
    for name in arrays:
        assert arrays[name].tolist() == one_by_one[name].tolist(), name


_BLANK = dict.fromkeys(
    ("first_name", "last_name", "email", "phone", "birth_date", "postcode", "street", "city",
     "company"),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(rows=contacts())
@example(  # numbers whose difference overflows a float
    rows=[
        {**_BLANK, "country": "US", "revenue": 3.6701613780426453e301},
        {**_BLANK, "country": "US", "revenue": -1.797692767846178e308},
    ]
)
def test_every_level_kind_agrees_pair_by_pair(rows: list[dict[str, Any]]) -> None:
    """
    Every level kind, every similarity and distance metric, numbers, NaN and non-text
    cells: one by one equals the arrays.
    """
    matcher = every_level()
    prepared = matcher.prepared(rows)
    left, right = _every_pair(prepared)
    one_by_one = compare_each(matcher, prepared, left, right)
    arrays = _by_arrays(matcher, prepared, left, right)
    for name in arrays:
        assert arrays[name].tolist() == one_by_one[name].tolist(), name


def test_few_pairs_go_one_by_one_and_many_through_arrays() -> None:
    """
    `compare_pairs` gives the same levels either side of `SCALAR_PAIRS` (the rows repeated
    so both roads see the same pairs).
    """
    names = [("Ann", "Smith"), ("Anne", "Smyth"), ("Bob", "Jones")]
    emails = ["ann@x.org", "ann@x.org", None]
    dates = ["1980-03-07", "1980-07-03", None]
    rows = [
        {"first_name": f, "last_name": last, "email": e, "birth_date": d}
        for (f, last), e, d in zip(names, emails, dates, strict=True)
    ]
    matcher = every_level()
    prepared = matcher.prepared(rows)
    left = np.array([0, 0, 1], dtype=np.int64)
    right = np.array([1, 2, 2], dtype=np.int64)
    few = compare_pairs(matcher, prepared, left, right)
    times = SCALAR_PAIRS // 3 + 1
    many = compare_pairs(matcher, prepared, np.tile(left, times), np.tile(right, times))
    assert len(np.tile(left, times)) > SCALAR_PAIRS
    for name, levels in few.items():
        assert np.tile(levels, times).tolist() == many[name].tolist(), name


@settings(max_examples=150, deadline=None)
@given(
    rows=st.one_of(contacts(), contacts(FEW + 2, 3 * FEW)),
    copies=st.sampled_from([1, SCALAR_PAIRS]),
)
def test_a_new_record_against_other_rows_agrees_with_the_joined_rows(
    rows: list[dict[str, Any]], copies: int
) -> None:
    """
    A lookup compares row 0 of the new record with an index's rows where they are (the
    *other* side); that gives the levels of the same pairs in one joined dataset, one by
    one, through the arrays (the rows repeated past `SCALAR_PAIRS`) and level by level
    over all the candidates (`compare_against`: pair by pair up to `FEW` distinct
    candidates, through rapidfuzz's and the levels' array calls past it).
    """
    for matcher in (every_level(), Matcher.for_schema(rk.bundled_schema("contact"))):
        one = matcher.prepared(rows[:1])
        them = matcher.prepared(rows[1:] * copies)
        joined = matcher.prepared(rows[:1] + rows[1:] * copies)
        right = np.arange(len(them), dtype=np.int64)
        left = np.zeros(len(them), dtype=np.int64)
        apart = compare_pairs(matcher, one, left, right, them)
        against = compare_against(matcher, one, them, right)
        together = _by_arrays(matcher, joined, left, right + 1)
        for name in together:
            assert apart[name].tolist() == together[name].tolist(), name
            assert against[name].tolist() == together[name].tolist(), name
