"""
Named example matchers shared by the matching tests (and the fault and fuzz tests).

`rules_matcher` is a deterministic (weighted-rules) matcher and `tiny_fs_matcher` a
Fellegi-Sunter one cheap enough to fit inside a property test; both read the columns that
`tests.strategies.people` draws. The strategies themselves live in `tests.strategies`.
"""

from __future__ import annotations

from typing import Any

from recordkit.match import (
    BlockingRule,
    Comparator,
    Matcher,
    WeightedRules,
    block_on,
    email_comparison,
    first_name_comparison,
    name_comparison,
    phone_comparison,
    postcode_comparison,
)

PREPARE: dict[str, Any] = {
    "first_name": "name",
    "last_name": "name",
    "email": "email",
    "phone": {"kind": "phone", "region": "US"},
    "postcode": "postcode",
}


def _comparisons() -> list[Comparator]:
    return [
        email_comparison("email"),
        phone_comparison("phone"),
        first_name_comparison("first_name"),
        name_comparison("last_name"),
    ]


def _blocking() -> list[BlockingRule]:
    return [block_on("email|email_key"), block_on("phone"), block_on("last_name", "first_name[:1]")]


def rules_matcher(**options: Any) -> Matcher:
    """
    A matcher with fixed points per level: no training, fully deterministic.
    """
    return Matcher(
        _comparisons(),
        _blocking(),
        prepare=PREPARE,
        model=WeightedRules(
            {
                "email": {"exact": 10, "same mailbox": 9, "different": -4},
                "phone": {"exact": 8, "different": -3},
                "first_name": {"exact": 3, "nickname / same name family": 3},
                "last_name": {"exact": 3, "jaro_winkler >= 0.92": 2},
            }
        ),
        threshold=9,
        **options,
    )


def tiny_fs_matcher(**options: Any) -> Matcher:
    """
    An unfitted Fellegi-Sunter matcher with a small u sample, quick to fit.
    """
    return Matcher(
        [*_comparisons(), postcode_comparison("postcode")],
        _blocking(),
        prepare=PREPARE,
        sample_pairs=2_000,
        **options,
    )
