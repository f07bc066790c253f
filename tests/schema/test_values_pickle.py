"""`NOT_GIVEN` survives pickling as the one singleton (rule sets travel to worker processes)."""

from __future__ import annotations

import pickle

import recordkit as rk
from recordkit.schema import NOT_GIVEN


def test_not_given_is_the_same_object_after_pickling() -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(NOT_GIVEN, protocol=protocol)) is NOT_GIVEN


def test_a_pickled_rule_set_reads_blank_cells_as_before() -> None:
    rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
    rows = [{"first_name": "Ada", "last_name": "Lovelace", "email": ""}]
    again = pickle.loads(pickle.dumps(rules))
    assert rules.run_batch(rows).rows == again.run_batch(rows).rows
    assert again.run_batch(rows).quarantine == []
