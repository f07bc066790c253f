"""Table-driven normalization of messy real-world values: each row says what a raw value
becomes, and that the result is already in normal form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from recordkit.rules import (
    normalize_boolean,
    normalize_country,
    normalize_date,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_picklist,
    normalize_subdivision,
    normalize_url,
)
from tests.rules.table_phones import PHONES
from tests.rules.table_values import (
    BOOLEANS,
    COUNTRIES,
    DATES,
    EMAILS,
    INDUSTRY_SYNONYMS,
    INDUSTRY_VALUES,
    NAMES,
    PICKLISTS,
    SUBDIVISIONS,
    URLS,
)


def _id(kind: str, raw: Any, *extra: Any) -> str:
    text = re.sub(r"\s+", "_", repr(raw))[:40]
    suffix = "-".join(str(e) for e in extra if e is not None)
    return f"{kind}:{text}" + (f"@{suffix}" if suffix else "")


def _picklist(value: Any) -> Any:
    return normalize_picklist(value, values=INDUSTRY_VALUES, synonyms=INDUSTRY_SYNONYMS)


CASES = [
    *(pytest.param(lambda v, r=r: normalize_phone(v, region=r), raw, expected,
                   id=_id("phone", raw, r)) for raw, r, expected in PHONES),
    *(pytest.param(normalize_email, raw, expected, id=_id("email", raw))
      for raw, expected in EMAILS),
    *(pytest.param(normalize_name, raw, expected, id=_id("name", raw)) for raw, expected in NAMES),
    *(pytest.param(lambda v, c=c: normalize_subdivision(v, country=c), raw, expected,
                   id=_id("state", raw, c)) for raw, c, expected in SUBDIVISIONS),
    *(pytest.param(normalize_country, raw, expected, id=_id("country", raw))
      for raw, expected in COUNTRIES),
    *(pytest.param(lambda v, d=d: normalize_date(v, dayfirst=d), raw, expected,
                   id=_id("date", raw, d)) for raw, d, expected in DATES),
    *(pytest.param(normalize_boolean, raw, expected, id=_id("bool", raw))
      for raw, expected in BOOLEANS),
    *(pytest.param(normalize_url, raw, expected, id=_id("url", raw)) for raw, expected in URLS),
    *(pytest.param(_picklist, raw, expected, id=_id("picklist", raw))
      for raw, expected in PICKLISTS),
]  # fmt: skip


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 300


@pytest.mark.parametrize(("normalize", "raw", "expected"), CASES)
def test_normalizes(normalize: Callable[[Any], Any], raw: Any, expected: Any) -> None:
    assert expected == normalize(raw)
    assert expected == normalize(expected)
