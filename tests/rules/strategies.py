"""Hypothesis strategies for the rule engine: messy text and arbitrary values."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from hypothesis import strategies as st

from tests.rules.table_phones import PHONES
from tests.rules.table_values import COUNTRIES, DATES, EMAILS, NAMES, SUBDIVISIONS, URLS

REALISTIC = sorted(
    {str(row[0]) for table in (PHONES, EMAILS, NAMES, SUBDIVISIONS, COUNTRIES, DATES, URLS)
     for row in table}
)  # fmt: skip

PIECES = ["@", ".", "-", "'", "\u2019", "+", "(", ")", " ", "\t", "\x00", "\u200b", "\u00a0",
          "e\u0301", "ß", "İ", "ǆ", "Mc", "van", "ext", "x", "#", ";ext=", "00", "+1", "://",
          "www.", ".com", "mailto:", "0", "9", "ﬁ", "\ud800", "\U0001d518", "\uff71"]  # fmt: skip


def messy_text() -> st.SearchStrategy[str]:
    """Any text, weighted towards the pieces that trip normalizers up."""
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(REALISTIC),
        st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=12).map("".join),
        st.builds(lambda a, b: a + b, st.sampled_from(REALISTIC), st.text(max_size=5)),
    )


def any_value() -> st.SearchStrategy[Any]:
    """Any value a rule may be handed: text, None, numbers, dates, containers, big text."""
    return st.one_of(
        messy_text(),
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=True),
        st.dates(),
        st.datetimes(),
        st.binary(max_size=10),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.just("x" * 1_000_000),
        st.just(decimal.Decimal("1e999999")),
        st.just(dt.date.max),
        st.just(object()),
    )
