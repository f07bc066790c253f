"""Consent on every backend: decisions through the commit path, status across merges, guards."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit import StoreError
from recordkit.governance import Role
from recordkit.store import ConsentEntry
from tests.governance.conftest import MakeStore

SCHEMA = rk.bundled_schema("contact")
T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@lovelace.example"}
ADMIN = rk.Actor("root", roles={"admin"})


def steward(make_store: MakeStore, **options: Any) -> rk.Steward:
    """A steward whose clock moves one hour per call."""
    ticks = itertools.count()
    return rk.Steward(
        SCHEMA, store=make_store(), clock=lambda: T0 + dt.timedelta(hours=next(ticks)), **options
    )


def test_the_latest_decision_is_in_force(make_store: MakeStore) -> None:
    s = steward(make_store)
    ada = s.capture(ADA, source="form")
    assert "unknown" == s.consent(ada.id, "email_marketing").status
    s.record_consent(ada.id, "email_marketing", granted=True, source="form", channel="email")
    assert ("granted", "unknown") == (
        s.consent(ada.id, "email_marketing", channel="email").status,
        s.consent(ada.id, "email_marketing", channel="sms").status,
    )
    s.record_consent(ada.id, "email_marketing", granted=False, source="call_center")
    assert not s.consent(ada.id, "email_marketing", channel="email")
    assert "withdrawn" == s.consent(ada.id, "email_marketing", channel="email").status
    events = [e for e in s.audit.events(ada.id) if e.action == "consent"]
    assert [True, False] == [e.detail["granted"] for e in events]
    assert s.audit.verify().ok


def test_a_grant_lapses_when_it_expires(make_store: MakeStore) -> None:
    s = steward(make_store)
    ada = s.capture(ADA, source="form")
    until = T0 + dt.timedelta(days=30)
    s.record_consent(ada.id, "profiling", granted=True, source="form",
                     basis="legitimate_interests", expires_at=until)  # fmt: skip
    now = s.consent(ada.id, "profiling", at=T0 + dt.timedelta(days=1))
    later = s.consent(ada.id, "profiling", at=T0 + dt.timedelta(days=31))
    assert ("granted", "legitimate_interests", "expired") == (now.status, now.basis, later.status)


def test_a_merge_keeps_the_most_restrictive_decision(make_store: MakeStore) -> None:
    s = steward(make_store)
    a = s.capture(ADA, source="form")
    b = s.capture({**ADA, "email": "countess@lovelace.example"}, source="crm")
    s.record_consent(a.id, "email_marketing", granted=True, source="form")
    s.record_consent(b.id, "email_marketing", granted=False, source="crm")
    merged = s.merge([a.id, b.id])
    survivor = merged.plan.survivor_id
    assert "withdrawn" == s.consent(survivor, "email_marketing").status
    s.record_consent(survivor, "email_marketing", granted=True, source="form")
    assert "granted" == s.consent(survivor, "email_marketing").status  # decided after it


def test_a_stage_can_need_consent(make_store: MakeStore) -> None:
    s = steward(make_store, consent_for={"mql": "email_marketing"})
    ada = s.capture(ADA, source="form")
    steward_actor = rk.Actor("steward")
    with pytest.raises(rk.TransitionError, match="email_marketing"):
        s.advance(ada.id, "mql", actor=steward_actor)
    s.record_consent(ada.id, "email_marketing", granted=True, source="form")
    assert "mql" == s.advance(ada.id, "mql", actor=steward_actor).stage


def test_an_actor_who_may_not_update_records_no_decision(make_store: MakeStore) -> None:
    roles = [Role("viewer", actions=["read"], default="read"),
             Role("admin", actions="*", default="write")]  # fmt: skip
    policy = rk.Policy(roles=roles, schema=SCHEMA)
    s = steward(make_store, access=policy)
    ada = s.capture(ADA, source="form", actor=ADMIN)
    with pytest.raises(rk.AccessDenied):
        s.record_consent(ada.id, "email_marketing", granted=True, source="form",
                         actor=rk.Actor("vic", roles={"viewer"}))  # fmt: skip
    assert [] == s.store.consents(ada.id)


def test_bad_decisions_are_refused(make_store: MakeStore) -> None:
    s = steward(make_store)
    ada = s.capture(ADA, source="form")
    with pytest.raises(StoreError, match="basis"):
        s.record_consent(ada.id, "email_marketing", granted=True, source="form", basis="whim")
    with pytest.raises(StoreError, match="granted"):
        s.record_consent(ada.id, "email_marketing", granted="yes", source="form")  # type: ignore[arg-type]
    with pytest.raises(rk.NotFound):
        s.record_consent("nobody", "email_marketing", granted=True, source="form")
    with pytest.raises(rk.RecordkitError, match="consent_for"):
        steward(make_store, consent_for={"mql": 3})
    assert [] == s.store.consents(ada.id)


def test_every_field_of_a_decision_is_kept(make_store: MakeStore) -> None:
    s = steward(make_store)
    ada = s.capture(ADA, source="form")
    made = s.record_consent(ada.id, "sms_offers", granted=True, source="kiosk", channel="sms",
                            basis="contract", expires_at=T0 + dt.timedelta(days=7),
                            detail={"wording": "v3"}, actor=ADMIN)  # fmt: skip
    assert [made] == s.store.consents(ada.id)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 1)), min_size=1, max_size=8))
def test_without_a_merge_the_latest_decision_wins(script: list[tuple[bool, int]]) -> None:
    from recordkit import MemoryStore

    s = steward(lambda: MemoryStore())
    ada = s.capture(ADA, source="form")
    for granted, which in script:
        channel = ("any", "email")[which]
        s.record_consent(ada.id, "news", granted=granted, source="form", channel=channel)
    latest = script[-1][0]
    assert latest == bool(s.consent(ada.id, "news", channel="email"))


def test_consent_entries_check_their_values() -> None:
    with pytest.raises(StoreError, match="basis"):
        ConsentEntry("c1", "news", True, T0, "form", "ana", basis="")
