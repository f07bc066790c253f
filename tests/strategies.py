"""
Hypothesis strategies shared by the tests, one section per concept.

- schemas: names, field types, fields, schemas, the values a field holds, records;
- hostile values: `garbage` for fields, `messy_text` and `any_value` for rules, `json_like`;
- matching: `raw_cells` of a column, `people`, rows of a few people with lightly corrupted
  copies;
- merging: survivorship strategies, merge policies, persons of the `PERSON` schema and
  `merge_scripts` of chained merges;
- lifecycle: transition targets, reasons, time steps and job titles.

The strategies of valid objects build them through the public API, so a failing example
reads like something a user could write. Named example objects (schemas, lifecycles, matchers) live
beside the tests of their concept (`tests.match.merge_examples`, `tests.lifecycle.machines`,
`tests.match.strategies`); the profiles that say how many examples to draw are registered
in `tests/conftest.py`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import string
from typing import Any

from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import Survive, SurvivorshipStrategy
from tests.lifecycle.machines import BUSINESS, GOVERNANCE
from tests.match import merge_examples
from tests.rules.table_phones import PHONES
from tests.rules.table_values import COUNTRIES, DATES, EMAILS, NAMES, SUBDIVISIONS, URLS

# -- schemas ----------------------------------------------------------------------------------

names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
tags = st.frozensets(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True), max_size=3)
plain_text = st.text(alphabet=string.ascii_letters + string.digits + " .-'", max_size=20)


@st.composite
def picklists(draw: st.DrawFn) -> rk.Picklist:
    values = draw(
        st.lists(
            st.text(min_size=1, max_size=12).filter(str.strip), min_size=1, max_size=5, unique=True
        )
    )
    spellings = draw(st.lists(st.text(min_size=1, max_size=12), max_size=6, unique=True))
    synonyms: dict[str, list[str]] = {}
    for i, spelling in enumerate(spellings):
        synonyms.setdefault(values[i % len(values)], []).append(spelling)
    return rk.Picklist(values=values, synonyms=synonyms, restricted=draw(st.booleans()))


field_types: st.SearchStrategy[rk.FieldType] = st.one_of(
    st.builds(rk.Text, max_length=st.none() | st.integers(1, 500)),
    st.just(rk.Email()),
    st.builds(rk.Phone, region=st.sampled_from([None, "US", "GB", "DE", "FR", "IN", "BR"])),
    picklists(),
    st.builds(rk.Date, dayfirst=st.sampled_from([None, True, False])),
    st.just(rk.DateTime()),
    st.just(rk.Integer()),
    st.builds(rk.Decimal, places=st.none() | st.integers(0, 6)),
    st.builds(rk.MoneyType, currency=st.sampled_from([None, "USD", "EUR", "JPY"])),
    st.just(rk.Boolean()),
    st.just(rk.URL()),
    st.just(rk.Country()),
    st.builds(rk.Subdivision, country_field=st.none()),
    st.builds(rk.Reference, to=names),
)


@st.composite
def fields(draw: st.DrawFn, name: str) -> rk.Field:
    return rk.Field(
        name,
        draw(field_types),
        required=draw(st.booleans()),
        description=draw(plain_text),
        tags=draw(tags),
        rules=draw(st.lists(st.fixed_dictionaries({"use": names}), max_size=2)),
    )


@st.composite
def schemas(draw: st.DrawFn) -> rk.Schema:
    field_names = draw(st.lists(names, min_size=1, max_size=8, unique=True))
    fs = [draw(fields(n)) for n in field_names]
    identity = draw(st.lists(st.sampled_from(field_names), max_size=2, unique=True))
    return rk.Schema(
        draw(names),
        fs,
        version=draw(st.integers(1, 50)),
        description=draw(plain_text),
        identity=identity,
        owner_field=draw(st.none() | st.sampled_from(field_names)),
        extensions=draw(
            st.sampled_from(
                [{}, {"rules": [{"use": "x.y"}]}, {"lifecycle": {"initial": "captured"}}]
            )
        ),
    )


def value_for(ftype: rk.FieldType) -> st.SearchStrategy[Any]:
    """Values a field of *ftype* can hold after coercion."""
    text = st.text(max_size=30).filter(lambda s: s.strip() != "")
    aware = st.datetimes(timezones=st.just(dt.UTC))
    finite = st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
    )
    table: dict[type, st.SearchStrategy[Any]] = {
        rk.Date: st.dates(),
        rk.DateTime: aware,
        rk.Integer: st.integers(-(2**63), 2**63 - 1),
        rk.Decimal: finite,
        rk.MoneyType: st.builds(rk.Money, finite, st.sampled_from(["USD", "EUR", "JPY"])),
        rk.Boolean: st.booleans(),
    }
    coerced = text.map(lambda s: _coerced(ftype, s)).filter(lambda v: v is not None)
    return st.none() | table.get(type(ftype), coerced)


def _coerced(ftype: rk.FieldType, text: str) -> object:
    """What *ftype* makes of *text*; ``None`` when it refuses it (a URL field and ``mailto:``)."""
    try:
        return ftype.coerce(text)
    except rk.CoercionError:
        return None


@st.composite
def records(draw: st.DrawFn, schema: rk.Schema) -> rk.Record:
    values = {f.name: draw(value_for(f.type)) for f in schema.fields if draw(st.booleans())}
    when = draw(st.datetimes(timezones=st.just(dt.UTC)))
    provenance = {
        name: rk.Provenance(draw(names), when, draw(st.none() | st.text(max_size=20)))
        for name in values
    }
    return rk.Record(
        draw(st.text(min_size=1, max_size=20)),
        schema.name,
        values,
        provenance=provenance,
        version=draw(st.integers(1, 1000)),
        owner=draw(st.none() | names),
        stage=draw(st.none() | names),
        created_at=when,
        updated_at=when + dt.timedelta(seconds=draw(st.integers(0, 10**6))),
    )


# -- hostile values ---------------------------------------------------------------------------

garbage: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.text(),
    st.binary(max_size=20),
    st.just("x" * 1_048_576),
    st.just("nul\x00byte"),
    st.just("\u202e\ufeffzalgo\u0301\u0301\u0301"),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.just(object()),
    st.just(decimal.Decimal("NaN")),
    st.just(float("inf")),
)
"""Values no field should accept silently: each must coerce cleanly or raise CoercionError."""

json_like: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)

"""Nested JSON-shaped data: None, booleans, numbers and text in lists and objects."""

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


# -- matching ---------------------------------------------------------------------------------

raw_cells: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet=st.characters(codec="ascii")),
    st.integers(),
    st.floats(),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
)
"""Values a raw column may hold before it is prepared for matching: text, numbers, bytes."""

FIRST = ["Robert", "Elizabeth", "William", "Maria", "José", "Ahmed", "Yuki", "Olga", "Chen"]
LAST = ["Smith", "Garcia", "Nguyen", "Müller", "Kowalski", "Okafor", "Tanaka", "Ivanova"]
NICK = {"Robert": "Bob", "Elizabeth": "Liz", "William": "Bill"}


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

    The rows carry an ``id`` and the columns `tests.match.strategies.rules_matcher` reads.
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


# -- merging ----------------------------------------------------------------------------------

simple_strategies: st.SearchStrategy[SurvivorshipStrategy] = st.sampled_from(
    [
        Survive.most_recent(),
        Survive.oldest(),
        Survive.most_complete(),
        Survive.longest(),
        Survive.survivor_first(),
        Survive.greatest(),
        Survive.least(),
    ]
)
"""The built-in survivorship strategies that take no arguments."""


def survivorship_strategies() -> st.SearchStrategy[SurvivorshipStrategy]:
    """
    Any built-in survivorship strategy, nested through ``then``.
    """
    return st.recursive(
        simple_strategies,
        lambda inner: st.one_of(
            st.builds(
                Survive.trusted_sources,
                st.lists(
                    st.sampled_from(merge_examples.SOURCES), min_size=1, max_size=4, unique=True
                ),
                then=inner,
            ),
            st.builds(Survive.validated_only, then=inner),
            st.builds(Survive.most_frequent, then=inner),
            st.builds(Survive.greatest, then=inner),
        ),
        max_leaves=3,
    )


cell_values: dict[str, st.SearchStrategy[Any]] = {
    "name": st.sampled_from(["Ada", "Ada Lovelace", "A. Lovelace", "ADA"]),
    "email": st.sampled_from(["ada@example.com", "ada.l@example.org", "al@example.net"]),
    "city": st.sampled_from(["London", "Paris", "london"]),
    "score": st.integers(0, 100),
    "tags": st.lists(st.sampled_from(["vip", "b2b", "lead", "churn"]), min_size=1, max_size=3),
    "owner": st.sampled_from(["rep-1", "rep-2"]),
}
"""Raw values for each field of `PERSON` but its reference, from small pools that collide."""


@st.composite
def person_rows(draw: st.DrawFn) -> tuple[dict[str, Any], str, float]:
    """
    Raw values for one person (any field may be missing), a source and an observed time.
    """
    values = {name: draw(strategy) for name, strategy in cell_values.items() if draw(st.booleans())}
    return values, draw(st.sampled_from(merge_examples.SOURCES)), draw(st.integers(0, 5))


@st.composite
def person_groups(draw: st.DrawFn, min_size: int = 2, max_size: int = 4) -> list[rk.Record]:
    """
    Two to four distinct live person records, with values, sources and times that often tie.
    """
    rows = draw(st.lists(person_rows(), min_size=min_size, max_size=max_size))
    return [
        merge_examples.person(
            f"p{i}", values, source=source, seen=seen, created=draw(st.integers(0, 3))
        )
        for i, (values, source, seen) in enumerate(rows)
    ]


MergeScript = tuple[list[tuple[dict[str, Any], str]], list[list[int]]]
"""
Rows to capture (values and source), then groups of row indexes to merge in turn.
"""


@st.composite
def merge_scripts(draw: st.DrawFn) -> MergeScript:
    """
    Rows to capture, then groups of row indexes to merge one after another (chained).
    """
    rows = draw(st.lists(person_rows(), min_size=2, max_size=6))
    alive = list(range(len(rows)))
    groups: list[list[int]] = []
    for _ in range(draw(st.integers(1, 3))):
        if len(alive) < 2:
            break
        group = draw(st.lists(st.sampled_from(alive), min_size=2, max_size=3, unique=True))
        groups.append(group)
        alive = [i for i in alive if i not in group[1:]]  # the first id given may survive
    return [(values, source) for values, source, _ in rows], groups


merge_policies: st.SearchStrategy[rk.MergePolicy] = st.builds(
    lambda default, fields, survivor: rk.MergePolicy(
        default=default, fields={"tags": Survive.keep_all(), **fields}, survivor=survivor
    ),
    survivorship_strategies(),
    st.dictionaries(
        st.sampled_from(["name", "email", "city", "score"]), survivorship_strategies(), max_size=3
    ),
    st.sampled_from(["oldest", "newest", "most_complete"]),
)
"""
Policies whose result does not depend on the order of the ids.
"""


# -- lifecycle --------------------------------------------------------------------------------

targets = st.one_of(
    st.sampled_from(GOVERNANCE.names + BUSINESS.names),
    st.sampled_from(["custmer", "Active", "", "retired ", "\x00"]),
)
"""Every state and stage name, plus near misses and garbage the facade must refuse cleanly."""

reasons = st.one_of(st.none(), st.sampled_from([*BUSINESS.reason_codes, "because", " "]))
"""The business lifecycle's reason codes, no reason, and reasons it does not know."""

days = st.floats(min_value=0, max_value=400, allow_nan=False)
"""A step of the clock, in days."""

job_titles = st.sampled_from(["CTO", "Buyer", "boom", None])
"""Job titles; "boom" makes the stateful tests' on-enter hook fail."""
