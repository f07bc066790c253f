"""
Hypothesis strategies and named example objects shared by the matching tests.

`people` draws a handful of distinct people and several lightly corrupted copies of each,
as rows with ids; `rules_matcher` is a deterministic (weighted-rules) matcher and
`tiny_fs_matcher` a Fellegi-Sunter one cheap enough to fit inside a property test.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from recordkit.match import (
    Matcher,
    WeightedRules,
    block_on,
    email,
    first_name,
    name,
    phone,
    postcode,
)

FIRST = ["Robert", "Elizabeth", "William", "Maria", "José", "Ahmed", "Yuki", "Olga", "Chen"]
LAST = ["Smith", "Garcia", "Nguyen", "Müller", "Kowalski", "Okafor", "Tanaka", "Ivanova"]
NICK = {"Robert": "Bob", "Elizabeth": "Liz", "William": "Bill"}
PREPARE: dict[str, Any] = {
    "first_name": "name",
    "last_name": "name",
    "email": "email",
    "phone": {"kind": "phone", "region": "US"},
    "postcode": "postcode",
}


def rules_matcher(**options: Any) -> Matcher:
    """
    A matcher with fixed points per level: no training, fully deterministic.
    """
    return Matcher(
        [email("email"), phone("phone"), first_name("first_name"), name("last_name")],
        [block_on("email|email_key"), block_on("phone"), block_on("last_name", "first_name[:1]")],
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
        [
            email("email"),
            phone("phone"),
            first_name("first_name"),
            name("last_name"),
            postcode("postcode"),
        ],
        [block_on("email|email_key"), block_on("phone"), block_on("last_name", "first_name[:1]")],
        prepare=PREPARE,
        sample_pairs=2_000,
        **options,
    )


def _corrupt(draw: st.DrawFn, person: dict[str, str]) -> dict[str, str | None]:
    row: dict[str, str | None] = dict(person)
    kind = draw(st.sampled_from(["same", "case", "drop", "nick", "gmail"]))
    if kind == "case":
        row["email"] = person["email"].upper()
        row["last_name"] = person["last_name"].lower()
    elif kind == "drop":
        field = draw(st.sampled_from(["email", "phone", "postcode"]))
        row[field] = None
    elif kind == "nick" and person["first_name"] in NICK:
        row["first_name"] = NICK[person["first_name"]]
    elif kind == "gmail":
        local, _, domain = person["email"].partition("@")
        row["email"] = f"{local}+crm@{domain}"
    return row


@st.composite
def people(draw: st.DrawFn, *, max_people: int = 6, max_copies: int = 3) -> list[dict[str, Any]]:
    """
    Rows for a few distinct people, each with up to *max_copies* corrupted copies.
    """
    n = draw(st.integers(1, max_people))
    rows: list[dict[str, Any]] = []
    for p in range(n):
        first = draw(st.sampled_from(FIRST))
        last = draw(st.sampled_from(LAST))
        person = {
            "first_name": first,
            "last_name": last,
            "email": f"{first[0].lower()}.{p}{last[:3].lower()}@gmail.com",
            "phone": f"212555{1000 + p * 37:04d}",
            "postcode": f"1{p:04d}",
        }
        for _ in range(draw(st.integers(1, max_copies))):
            rows.append({"id": f"r{len(rows):03d}", **_corrupt(draw, person)})
    return rows
