"""One record prepared on its own gives exactly the arrays a batch gives for its row.

A point-of-entry lookup prepares one record at a time (`Prepared.build_one`, each value and
feature made on its own); a batch prepares whole columns once per distinct value. The two
must agree on every column and feature, value, dtype and shape: the index appends a lookup's
arrays to its own, and a lookup and a batch run must never disagree about a pair.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import Exact, Matcher
from recordkit.match._data import Prepared
from recordkit.match.comparison import Comparison
from recordkit.match.index._against import score_against
from tests.match.strategies import rules_matcher, tiny_fs_matcher
from tests.strategies import people

from .test_compare_each import contacts, every_level


def _same_arrays(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype == object:
        return [(type(x), x) for x in a.tolist()] == [(type(y), y) for y in b.tolist()]
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))


@settings(max_examples=200, deadline=None)
@given(rows=contacts(), at=st.integers(0, 8))
def test_one_record_prepares_as_its_row_in_a_batch(rows: list[dict[str, Any]], at: int) -> None:
    """
    Every column and feature of one record equals its row of the batch, for the bundled
    contact matcher and for one comparison of every level kind.
    """
    at = at % len(rows)
    for matcher in (every_level(), Matcher.for_schema(rk.bundled_schema("contact"))):
        one = matcher.prepared([rows[at]])
        batch = matcher.prepared(rows)
        assert one.keys == batch.keys
        assert set(one.columns) == set(batch.columns)
        assert set(one.features) == set(batch.features)
        for name, column in one.columns.items():
            assert _same_arrays(column, batch.columns[name][at : at + 1]), name
        for key, feature in one.features.items():
            assert _same_arrays(feature, batch.features[key][at : at + 1]), key


def test_one_record_reads_a_phone_in_its_own_country() -> None:
    """
    A national number is read in the record's country, as in a batch (``region_from``).
    """
    matcher = Matcher.for_schema(rk.bundled_schema("contact"))
    row = {"first_name": "Ann", "phone": "020 7946 0958", "country": "GB"}
    one = matcher.prepared([row])
    assert one.columns["phone"].tolist() == ["+442079460958"]
    assert "country" not in one.columns
    batch = matcher.prepared([row, {"first_name": "Bob", "phone": "212 555 0100"}])
    assert batch.columns["phone"].tolist() == ["+442079460958", "+12125550100"]


def test_an_unknown_feature_is_refused_when_the_comparison_is_made() -> None:
    """
    A level reading a feature no comparison knows is refused at once, naming it.
    """
    with pytest.raises(rk.SchemaError, match="unknown comparison feature 'bogus:email'"):
        Comparison("email", [Exact(feature="bogus")])


@settings(max_examples=25, deadline=None)
@given(
    rows=people(),
    probability=st.one_of(st.just(0.9), st.floats(0.0, 1.0)),
    points=st.integers(-5, 25),
)
def test_a_lookup_weighs_each_candidate_as_the_batch_weighs_the_pair(
    rows: list[dict[str, Any]], probability: float, points: int
) -> None:
    """
    A new record scored against an index's rows (`score_against`: one record prepared on
    its own, its term frequencies looked up once, its weights summed in plain Python, the
    hopeless candidates given up early) gets, for every candidate it keeps, the very weight
    and verdict the batch scoring gives the same pair in one joined dataset, and gives up
    only candidates the batch finds no match; under a fitted model and under fixed points,
    at any threshold.
    """
    fs = tiny_fs_matcher(threshold=probability).fit(rows)
    for fitted in (fs, attrs.evolve(rules_matcher(), threshold=points)):
        one = fitted.prepared(rows[:1], default_ids="new:")
        them = fitted.prepared(rows[1:])
        rows_of_them = np.arange(len(them), dtype=np.int64)
        scored = score_against(fitted, one, them, rows_of_them)
        joined = fitted.prepared(rows)
        left = np.zeros(len(them), dtype=np.int64)
        levels = fitted.compare(joined, left, rows_of_them + 1)
        batch = fitted.score(joined, left, rows_of_them + 1, levels)
        kept = scored.right.tolist()
        assert scored.weight.tolist() == batch.weight[kept].tolist()
        assert scored.match.tolist() == batch.match[kept].tolist()
        given_up = sorted(set(rows_of_them.tolist()) - set(kept))
        assert not batch.match[given_up].any()  # only hopeless candidates are given up


@settings(max_examples=100, deadline=None)
@given(rows=contacts())
def test_a_few_stored_rows_give_the_batch_features(rows: list[dict[str, Any]]) -> None:
    """
    A lookup's candidates read back from a persistent index (their prepared values, a few
    rows: each feature made value by value) get the features the batch gave them.
    """
    for matcher in (every_level(), Matcher.for_schema(rk.bundled_schema("contact"))):
        batch = matcher.prepared(rows)
        stored = {name: column.tolist() for name, column in batch.columns.items()}
        again = Prepared.of_prepared(stored, list(batch.ids), matcher.comparisons)
        assert again.keys == batch.keys
        for key, feature in batch.features.items():
            assert _same_arrays(again.features[key], feature), key


def test_matchers_pickle_with_their_few_pairs_plans() -> None:
    """
    A matcher goes to worker processes by pickle: every level kind's plan (name families,
    prefixes) goes with it and compares a new record as before.
    """
    import pickle

    rows = [
        {"first_name": "Bob", "last_name": "Smith", "postcode": "SW1A 1AA", "revenue": 3},
        {"first_name": "Robert", "last_name": "Smyth", "postcode": "SW1A 2AA", "revenue": 4},
    ]
    for matcher in (every_level(), Matcher.for_schema(rk.bundled_schema("contact"))):
        again = pickle.loads(pickle.dumps(matcher))
        one, them = matcher.prepared(rows[:1]), matcher.prepared(rows[1:] * 12)
        right = np.arange(len(them), dtype=np.int64)
        for c, d in zip(matcher.comparisons, again.comparisons, strict=True):
            assert isinstance(c, Comparison)
            assert isinstance(d, Comparison)
            first = c._compare_against(one.features, them.features, right)
            assert d._compare_against(one.features, them.features, right) == first
        assert again.prepared(rows[:1]).keys == one.keys
