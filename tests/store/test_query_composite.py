"""
Composite conditions (AllOf, AnyOf, Not, record columns) mean the same in memory and in SQL,
and a policy's scope selects exactly the records its check allows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordkit import AccessDenied, Action, Actor, Field, Integer, Policy, Record, Schema, Text
from recordkit.governance import RecordRule, Role
from recordkit.store import Store
from recordkit.store._query import (
    AllOf,
    AnyOf,
    Condition,
    Not,
    Predicate,
    RecordPredicate,
    coerce_conditions,
    conditions,
    selects,
)
from tests.store.conftest import SQL_BACKENDS, MakeStore

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SCHEMA = Schema("deal", [Field("city", Text()), Field("n", Integer()), Field("team", Text())])
CITIES = ["NY", "LA", "SF", None]
PEOPLE = ["ana", "bo", "cy", None]
STAGES = ["lead", "mql", None]
STATES = ["captured", "active"]


def _records() -> list[Record]:
    combos = itertools.product(CITIES, [1, 5, None], PEOPLE, STAGES, STATES)
    return [
        Record(f"d{i:03}", "deal", {"city": c, "n": n, "team": p}, owner=o, stage=s,
               state=st_, created_at=T0)
        for i, ((c, n, o, s, st_), p) in enumerate(
            zip(combos, itertools.cycle(["red", "blue", None]), strict=False))
    ]  # fmt: skip


RECORDS = _records()

leaves: st.SearchStrategy[Condition] = st.one_of(
    st.builds(Predicate, st.just("city"), st.sampled_from(["eq", "ne"]),
              st.sampled_from(["NY", "LA", "SF"])),
    st.builds(Predicate.isin, st.just("city"), st.lists(st.sampled_from(CITIES), max_size=3)),
    st.builds(Predicate, st.just("n"), st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
              st.sampled_from([0, 1, 3, 5])),
    st.builds(Predicate, st.sampled_from(["city", "n", "team"]),
              st.sampled_from(["missing", "present"])),
    st.builds(RecordPredicate, st.sampled_from(["owner", "stage"]), st.sampled_from(["eq", "ne"]),
              st.sampled_from(["ana", "bo", "lead", "mql"])),
    st.builds(RecordPredicate, st.sampled_from(["owner", "stage", "state"]),
              st.sampled_from(["missing", "present"])),
    st.builds(RecordPredicate, st.just("state"), st.just("in"),
              st.lists(st.sampled_from(STATES), max_size=2)),
)  # fmt: skip
composite: st.SearchStrategy[Condition] = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(AllOf, st.lists(inner, max_size=3)),
        st.builds(AnyOf, st.lists(inner, max_size=3)),
        st.builds(Not, inner),
    ),
    max_leaves=8,
)


def _where(cond: Condition) -> Any:
    # The store port's ``where`` type still names field predicates only.
    return [cond]


def _in_memory(cond: Condition | None) -> list[str]:
    if cond is None:
        return [r.id for r in RECORDS]
    preds = coerce_conditions(conditions(cond), SCHEMA)
    return [r.id for r in RECORDS if selects(r, preds, None, None)]


def _in_store(store: Store, cond: Condition | None) -> list[str]:
    where = () if cond is None else _where(cond)
    return [r.id for batch in store.iterate("deal", where=where) for r in batch]


@pytest.fixture(params=SQL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def filled(make_store: MakeStore) -> Store:
    store = make_store((SCHEMA,))
    store.put_many(RECORDS)
    return store


NO_FIXTURE_RESET = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@NO_FIXTURE_RESET
@given(composite)
def test_memory_and_sql_select_the_same_records(filled: Store, cond: Condition) -> None:
    """Random composite conditions select the same records in memory and in the database."""
    assert _in_memory(cond) == _in_store(filled, cond)


def test_not_of_a_missing_value_holds(filled: Store) -> None:
    """Not(city = NY) selects records with no city too, in memory and in SQL alike."""
    cond = Not(Predicate.eq("city", "NY"))
    expected = [r.id for r in RECORDS if r["city"] != "NY"]
    assert expected == _in_memory(cond) == _in_store(filled, cond)
    assert any(RECORDS[i]["city"] is None for i, _ in enumerate(RECORDS))


def test_empty_composites(filled: Store) -> None:
    """AllOf() holds for every record, AnyOf() for none."""
    assert [r.id for r in RECORDS] == _in_store(filled, AllOf([]))
    assert [] == _in_store(filled, AnyOf([]))
    assert 0 == filled.count("deal", where=_where(AnyOf([])))


POLICY = Policy(
    roles=[
        Role("sales", actions=["read", "update"], default="read"),
        Role("admin", actions="*", default="write"),
        Role("viewer", actions=["read"], default="read"),
    ],
    rules=[
        RecordRule.permit("read", roles="sales", when={"city": {"actor": "territories"}}),
        RecordRule.permit("read", roles="sales", when={"record.owner": {"actor": "id"}}),
        RecordRule.forbid("read", roles="sales", when={"record.stage": "lead"}),
        RecordRule.forbid("read", roles="viewer", when={"team": {"actor": "teams"}}),
        RecordRule.permit("read", roles="viewer", when={"n": {"ge": {"actor": "attributes.min"}}}),
    ],
    schema=SCHEMA,
)

actors = st.builds(
    Actor,
    st.sampled_from(["ana", "bo", "zed"]),
    roles=st.sets(st.sampled_from(["sales", "admin", "viewer", "ghost"]), max_size=2),
    teams=st.sets(st.sampled_from(["red", "blue"]), max_size=2),
    territories=st.sets(st.sampled_from(["NY", "LA"]), max_size=2),
    attributes=st.sampled_from([{}, {"min": "2"}, {"min": "x"}]),
)


def _allowed(actor: Actor) -> list[str]:
    out = []
    for r in RECORDS:
        try:
            POLICY.check(actor, Action.READ, SCHEMA, r, ())
        except AccessDenied:
            continue
        out.append(r.id)
    return out


@given(actors)
def test_scope_selects_what_check_allows(actor: Actor) -> None:
    """The scope's records in memory are exactly those check(READ) allows."""
    assert _allowed(actor) == _in_memory(POLICY.scope(actor, SCHEMA))


@NO_FIXTURE_RESET
@given(actors)
def test_scope_in_the_database(filled: Store, actor: Actor) -> None:
    """Pushed into the database, the scope selects exactly what check(READ) allows."""
    assert _allowed(actor) == _in_store(filled, POLICY.scope(actor, SCHEMA))


def test_scope_of_nothing_permitted_never_holds() -> None:
    """An actor none of whose roles grants the action gets a condition that never holds."""
    cond = POLICY.scope(Actor("x", roles="viewer"), SCHEMA, Action.ERASE)
    assert AnyOf([]) == cond
    assert POLICY.scope(Actor("x", roles="admin"), SCHEMA) is None
