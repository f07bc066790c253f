"""Named example schemas and records the storage tests share."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from recordkit import (
    URL,
    Boolean,
    Country,
    Date,
    DateTime,
    Decimal,
    Email,
    Field,
    Integer,
    Money,
    MoneyType,
    Phone,
    Picklist,
    Provenance,
    Record,
    Reference,
    Schema,
    Subdivision,
    Text,
    Transition,
)
from recordkit.store import SQLStore

LEAD = Schema(
    "lead",
    [
        Field("name", Text()),
        Field("email", Email()),
        Field("phone", Phone(region="US")),
        Field("industry", Picklist(values=("Technology", "Retail", "Finance"))),
        Field("born", Date()),
        Field("seen_at", DateTime()),
        Field("visits", Integer()),
        Field("score", Decimal()),
        Field("budget", MoneyType(currency="USD")),
        Field("opted_in", Boolean()),
        Field("country", Country()),
        Field("state", Subdivision()),
        Field("website", URL()),
        Field("company_id", Reference(to="company")),
        Field("owner", Text()),
    ],
    identity=["email", ("name", "born")],
    owner_field="owner",
)
"""Every field type, an identity key of two fields, and an owner field named like a shell column."""

COMPANY = Schema("company", [Field("name", Text()), Field("domain", URL())], identity=["domain"])

T0 = dt.datetime(2026, 1, 1, 9, 30, tzinfo=dt.UTC)


def lead(
    record_id: str,
    *,
    version: int = 1,
    at: dt.datetime = T0,
    source: str = "crm",
    stage: str | None = None,
    **values: Any,
) -> Record:
    """A lead record whose every value came from *source* at *at*."""
    return Record(
        record_id,
        "lead",
        values,
        provenance={k: Provenance(source, at, str(v)) for k, v in values.items()},
        version=version,
        owner=values.get("owner"),
        stage=stage,
        created_at=at,
        updated_at=at,
    )


FULL = lead(
    "full-1",
    name="Ada Lovelace",
    email="ada@example.com",
    phone="+12125550100",
    industry="Technology",
    born=dt.date(1815, 12, 10),
    seen_at=dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    visits=2**62,
    score=decimal.Decimal("12.3400"),
    budget=Money(decimal.Decimal("1999.99"), "EUR"),
    opted_in=False,
    country="GB",
    state="GB-LND",
    website="https://example.com",
    company_id="co-1",
    owner="team-emea",
).evolve(
    history=(
        Transition("state", "captured", "active", T0, "ana", lifecycle="record", event="activate"),
        Transition("stage", None, "mql", T0, "ana", rules={"has_email": "1"}),
    )
)
"""A record holding a value of every type, with edge values (big int, trailing zeros)."""


def sql(store: object) -> SQLStore:
    """The store, checked to be a `SQLStore` (for tests that read its tables)."""
    assert isinstance(store, SQLStore)
    return store

