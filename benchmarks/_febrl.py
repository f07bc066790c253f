"""Febrl3/Febrl4 data and the recordkit settings used on them (benchmark helpers)."""

from __future__ import annotations

from typing import Any

from recordkit.match import (
    Comparison,
    Exact,
    Matcher,
    Similar,
    Within,
    address_comparison,
    block_on,
    date_comparison,
    first_name_comparison,
    name_comparison,
    postcode_comparison,
    text_comparison,
)

FEBRL_COLUMNS = [
    "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
    "postcode", "state", "date_of_birth", "soc_sec_id",
]  # fmt: skip


def febrl_columns(df: Any) -> tuple[dict[str, list[Any]], list[str]]:
    """Columns (None for missing) and record ids of a Febrl frame."""
    cols = {}
    for c in FEBRL_COLUMNS:
        cols[c] = [None if v is None or v != v else str(v) for v in df[c].tolist()]
    return cols, [str(i) for i in df.index]


def febrl_matcher() -> Matcher:
    """The recordkit settings for Febrl data: name, address, date and id comparisons."""
    return Matcher(
        [
            first_name_comparison("given_name", last="surname"),
            name_comparison("surname"),
            date_comparison("date_of_birth"),
            Comparison("soc_sec_id", [Exact(), Within("osa", 1), Within("levenshtein", 2)]),
            Comparison("street_number", [Exact(), Within("osa", 1)]),
            address_comparison("address_1"),
            text_comparison("address_2"),
            Comparison("suburb", [Exact(), Similar("jaro_winkler", 0.9)], term_frequency=True),
            postcode_comparison("postcode", prefix=3),
            Comparison("state", [Exact()]),
        ],
        [
            block_on("given_name", "surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "surname[:2]"),
            block_on("surname", "date_of_birth|year"),
            block_on("given_name[:3]", "suburb"),
            block_on("postcode", "given_name[:2]"),
        ],
        prepare={
            "given_name": "name",
            "surname": "name",
            "address_1": "name",
            "address_2": "name",
            "suburb": "name",
            "date_of_birth": "date",
            "postcode": "postcode",
            "state": "name",
            "street_number": "text",
            "soc_sec_id": "text",
        },
    )
