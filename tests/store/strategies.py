"""Hypothesis strategies for records of the example ``lead`` schema."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from hypothesis import strategies as st

from recordkit import Money, Provenance, Record, Transition
from tests.store.examples import T0, lead

# Text a database can hold: no NUL (PostgreSQL refuses it), no lone surrogates (not UTF-8).
text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=24
)
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=20)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
instants = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=offsets
)
decimals = st.decimals(
    min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=4
)
raws = st.one_of(
    st.none(),
    text,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "name": text,
    "email": text,
    "phone": text,
    "industry": st.sampled_from(["Technology", "Retail", "Finance"]),
    "born": st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    "seen_at": instants,
    "visits": st.integers(-(2**63), 2**63 - 1),
    "score": decimals,
    "budget": st.builds(
        Money,
        decimals.map(lambda d: d.quantize(decimal.Decimal("0.01"))),
        st.sampled_from(["USD", "EUR", "JPY"]),
    ),
    "opted_in": st.booleans(),
    "country": st.sampled_from(["US", "GB", "DE"]),
    "state": st.sampled_from(["US-NY", "US-CA", "GB-LND"]),
    "website": text,
    "company_id": ids,
    "owner": text,
}


transitions = st.builds(
    Transition,
    attribute=st.sampled_from(["state", "stage"]),
    source=st.one_of(st.none(), text),
    target=text,
    at=instants,
    actor=text,
    lifecycle=text,
    event=text,
    reason=st.one_of(st.none(), text),
    override=st.booleans(),
    rules=st.dictionaries(text, text, max_size=2),
)


@st.composite
def lead_records(draw: st.DrawFn, record_id: st.SearchStrategy[str] = ids) -> Record:
    """A lead with any subset of fields (some present with no value), provenance and shell."""
    names = draw(st.lists(st.sampled_from(sorted(FIELD_VALUES)), unique=True))
    values = {n: draw(st.one_of(st.none(), FIELD_VALUES[n])) for n in names}
    prov_names = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    provenance = {
        n: Provenance(draw(text.filter(bool)), draw(instants), draw(raws)) for n in prov_names
    }
    created = draw(instants)
    return Record(
        draw(record_id),
        "lead",
        values,
        provenance=provenance,
        version=draw(st.integers(1, 2**31 - 1)),
        owner=draw(st.one_of(st.none(), text)),
        state=draw(st.sampled_from(["captured", "active", "merged"])),
        stage=draw(st.one_of(st.none(), st.sampled_from(["lead", "mql", "sql"]))),
        created_at=created,
        updated_at=draw(instants),
        history=draw(st.lists(transitions, max_size=3)),
    )


SOURCES = st.sampled_from(["crm", "web", "billing"])
STAMPS = st.sampled_from([T0 - dt.timedelta(days=1), T0, T0 + dt.timedelta(days=1)])


@st.composite
def upsert_batches(draw: st.DrawFn) -> list[list[Record]]:
    """A few batches of partial leads over a small id space, from mixed sources and times."""
    batches = []
    for _ in range(draw(st.integers(1, 3))):
        ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True, min_size=1))
        batch = []
        for rid in ids:
            fields = draw(st.dictionaries(
                st.sampled_from(["name", "visits", "phone", "owner"]),
                st.one_of(st.none(), st.sampled_from(["x", "y"])),
                min_size=1,
            ))  # fmt: skip
            values: dict[str, Any] = {
                k: (len(v) if k == "visits" and v else v) for k, v in fields.items()
            }
            batch.append(lead(rid, at=draw(STAMPS), source=draw(SOURCES), **values))
        batches.append(batch)
    return batches


@st.composite
def mixed_upsert_batches(draw: st.DrawFn) -> list[list[Record]]:
    """Like `upsert_batches`, but each field from its own source and time, some without any."""
    batches = []
    for _ in range(draw(st.integers(1, 3))):
        ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True, min_size=1))
        batch = []
        for rid in ids:
            values = draw(st.dictionaries(
                st.sampled_from(["name", "phone", "owner"]),
                st.one_of(st.none(), st.sampled_from(["x", "y"])),
                min_size=1,
            ))  # fmt: skip
            provenance = {
                name: Provenance(draw(SOURCES), draw(STAMPS), value)
                for name, value in values.items()
                if draw(st.integers(0, 4))  # now and then a value with no provenance
            }
            at = draw(STAMPS)
            owner = values.get("owner")
            record = Record(rid, "lead", values, provenance=provenance, owner=owner,
                            created_at=at, updated_at=at)  # fmt: skip
            batch.append(record)
        batches.append(batch)
    return batches
