"""
Hypothesis strategies shared by the tests: schemas, raw values, garbage.

Each strategy builds valid objects through the public API, so a failing example reads like
something a user could write.
"""

from __future__ import annotations

import datetime as dt
import decimal
import string
from typing import Any

from hypothesis import strategies as st

import recordkit as rk

names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
tags = st.frozensets(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True), max_size=3)
plain_text = st.text(alphabet=string.ascii_letters + string.digits + " .-'", max_size=20)


@st.composite
def picklists(draw: st.DrawFn) -> rk.Picklist:
    values = draw(st.lists(st.text(min_size=1, max_size=12).filter(str.strip), min_size=1,
                           max_size=5, unique=True))
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
        extensions=draw(st.sampled_from([{}, {"rules": [{"use": "x.y"}]},
                                         {"lifecycle": {"initial": "captured"}}])),
    )


def value_for(ftype: rk.FieldType) -> st.SearchStrategy[Any]:
    """Values a field of *ftype* can hold after coercion."""
    text = st.text(max_size=30).filter(lambda s: s.strip() != "")
    aware = st.datetimes(timezones=st.just(dt.UTC))
    finite = st.decimals(allow_nan=False, allow_infinity=False, places=4,
                         min_value=-10**12, max_value=10**12)
    table: dict[type, st.SearchStrategy[Any]] = {
        rk.Date: st.dates(),
        rk.DateTime: aware,
        rk.Integer: st.integers(-(2**63), 2**63 - 1),
        rk.Decimal: finite,
        rk.MoneyType: st.builds(rk.Money, finite, st.sampled_from(["USD", "EUR", "JPY"])),
        rk.Boolean: st.booleans(),
    }
    return st.none() | table.get(type(ftype), text)


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
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)
