"""Hypothesis strategies for lifecycle tests: targets, reasons, actors, time steps."""

from __future__ import annotations

from hypothesis import strategies as st

import recordkit as rk

GOVERNANCE = rk.bundled_lifecycle("governance")
BUSINESS = rk.bundled_lifecycle("business")

#: every state and stage name, plus near misses and garbage the facade must refuse cleanly
targets = st.one_of(
    st.sampled_from(GOVERNANCE.names + BUSINESS.names),
    st.sampled_from(["custmer", "Active", "", "retired ", "\x00"]),
)
reasons = st.one_of(st.none(), st.sampled_from([*BUSINESS.reason_codes, "because", " "]))
days = st.floats(min_value=0, max_value=400, allow_nan=False)
job_titles = st.sampled_from(["CTO", "Buyer", "boom", None])
