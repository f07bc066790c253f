"""Shared pieces of the table tests: the libraries, the contact schema, sample rows."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

import recordkit as rk

pd: Any = importlib.import_module("pandas")
pl: Any = importlib.import_module("polars")
pa: Any = importlib.import_module("pyarrow")

ROWS: list[dict[str, Any]] = [
    {"first_name": "ada", "last_name": "LOVELACE", "email": "ADA@EXAMPLE.COM",
     "phone": "+1 212 555 0100", "industry": "Tech", "birth_date": "1815-12-10"},
    {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
     "phone": None, "industry": None, "birth_date": None},
    {"first_name": "Bob", "last_name": "Ross", "email": "not an address",
     "phone": "+1 212 555 0199", "industry": "Retail", "birth_date": "1942-10-29"},
]  # fmt: skip
"""Two good contacts and one with a bad email."""


@pytest.fixture
def contact() -> rk.Schema:
    return rk.bundled_schema("contact")


@pytest.fixture
def steward(contact: rk.Schema) -> rk.Steward:
    return rk.Steward(contact)


def plain(frame: Any) -> list[dict[str, Any]]:
    """A pandas DataFrame's rows with every missing cell as None."""
    return [
        {k: (None if v is None or v is pd.NA or v is pd.NaT or v != v else v) for k, v in r.items()}
        for r in frame.astype(object).to_dict("records")
    ]
