"""Replaying a steward's audit trail rebuilds every record, whatever the verbs did."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.governance import replay

SCHEMA = rk.bundled_schema("contact")
NAMES = st.sampled_from(["Ada", "Grace", "Alan", "Edsger"])  # required: never cleared
TITLES = st.sampled_from(["Engineer", "CTO", "Buyer", None])
CITIES = st.sampled_from(["London", "Paris", "Austin", None])

Step = tuple[str, int, dict[str, Any]]

steps = st.lists(
    st.tuples(
        st.sampled_from(["capture", "update", "update", "merge", "advance"]),
        st.integers(0, 5),
        st.fixed_dictionaries({"first_name": NAMES, "job_title": TITLES, "city": CITIES}),
    ),
    min_size=1,
    max_size=12,
)


def dumped(record: rk.Record) -> dict[str, Any]:
    return {
        n: SCHEMA.field(n).type.dump(v) for n, v in record.values.items() if v is not None
    }


@settings(max_examples=40, deadline=None)
@given(steps)
def test_replay_rebuilds_every_record(script: list[Step]) -> None:
    steward = rk.Steward(SCHEMA)
    ids: list[str] = []
    for verb, pick, values in script:
        if verb == "capture" or not ids:
            row = {"last_name": "Lovelace", **{k: v for k, v in values.items() if v}}
            ids.append(steward.capture(row, source="form").id)
            continue
        target = ids[pick % len(ids)]
        live = steward.get(target)
        if live.state in ("merged", "retired"):
            continue
        try:
            if verb == "update":
                steward.update(target, values, source="form")
            elif verb == "advance":
                steward.advance(target, "normalized", actor=rk.Actor("steward"))
            else:
                other = ids[(pick + 1) % len(ids)]
                if other != target and steward.get(other).state not in ("merged", "retired"):
                    steward.merge([target, other])
        except rk.TransitionError:
            continue
    for record_id in ids:
        record = steward.get(record_id)
        assert dumped(record) == replay(steward.audit.events(record_id), record_id)
    assert steward.audit.verify().ok
