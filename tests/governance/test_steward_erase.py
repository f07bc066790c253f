"""Steward.erase on every backend: a person leaves every place, and does not come back unseen."""

from __future__ import annotations

from pathlib import Path

import pytest

import recordkit as rk
from recordkit.governance import Role
from recordkit.match import DuplicateCheck, Index
from recordkit.store import SQLStore
from tests.governance.conftest import MakeStore
from tests.match.strategies import rules_matcher

KEY = b"k" * 32
SCHEMA = rk.bundled_schema("contact")
ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@lovelace.example",
       "phone": "+44 20 7946 0018", "country": "GB"}  # fmt: skip
GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@hopper.example",
         "country": "US"}  # fmt: skip
SECRETS = ("ada@lovelace.example", "7946 0018", "79460018", "Lovelace")


def steward(make_store: MakeStore, **options: object) -> rk.Steward:
    return rk.Steward(SCHEMA, store=make_store(), key=KEY, **options)  # type: ignore[arg-type]


def test_erase_by_id_removes_the_record_and_redacts_its_events(make_store: MakeStore) -> None:
    s = steward(make_store)
    ada = s.capture(ADA, source="form")
    grace = s.capture(GRACE, source="form")
    s.update(ada.id, {"job_title": "Countess"}, source="form")
    receipt = s.erase(ada.id, reason="request 7")
    assert ((ada.id,), 1, 2) == (
        receipt.record_ids, receipt.erased.records, receipt.erased.audit
    )
    with pytest.raises(rk.NotFound):
        s.get(ada.id)
    assert "Grace" == s.get(grace.id).values["first_name"]
    events = list(s.audit.events(ada.id))
    assert ["create", "update", "erase"] == [e.action for e in events]
    assert [] == [e for e in events if any(x in repr(e) for x in SECRETS)]
    assert s.audit.verify().ok
    with pytest.raises(rk.NotFound):
        s.erase(ada.id, reason="request 7, again")


def test_erase_by_identity_follows_merges(make_store: MakeStore) -> None:
    s = steward(make_store)
    a = s.capture(ADA, source="form")
    b = s.capture({**ADA, "email": "countess@lovelace.example"}, source="crm")
    s.merge([a.id, b.id])
    # the merged-away record keeps its own values: found by them, the survivor follows
    receipt = s.erase({"email": "COUNTESS@lovelace.example "}, reason="request 8")
    assert ({a.id, b.id}, 1) == (set(receipt.record_ids), receipt.erased.lineage)
    assert [] == s.store.query(SCHEMA.name)
    assert s.audit.verify().ok


def test_an_erased_person_is_not_captured_again(make_store: MakeStore) -> None:
    s = steward(make_store)
    s.erase(s.capture(ADA, source="form").id, reason="request 9")
    with pytest.raises(rk.ValidationError, match="erased"):
        s.capture({**ADA, "email": "Ada@Lovelace.example"}, source="form")
    result = s.capture_many([ADA, GRACE], source="import")
    assert (["Grace"], [0]) == (
        [r.values["first_name"] for r in result.records],
        [q.index for q in result.quarantined],
    )
    assert "subject.erased" == result.quarantined[0].errors[0].code


def test_without_a_key_no_identifier_is_kept(make_store: MakeStore) -> None:
    s = rk.Steward(SCHEMA, store=make_store())
    receipt = s.erase(s.capture(ADA, source="form").id, reason="request 10")
    assert 0 == receipt.suppressed
    assert "Ada" == s.capture(ADA, source="form").values["first_name"]


def test_an_actor_without_the_erase_permission_erases_nothing(make_store: MakeStore) -> None:
    policy = rk.Policy(roles=[Role("sales", actions=["read", "create"], default="write")],
                       schema=SCHEMA)  # fmt: skip
    s = rk.Steward(SCHEMA, store=make_store(), access=policy, key=KEY)
    sales = rk.Actor("kim", roles={"sales"})
    ada = s.capture(ADA, source="form", actor=sales)
    with pytest.raises(rk.AccessDenied):
        s.erase(ada.id, reason="request 11", actor=sales)
    assert "Ada" == s.get(ada.id, actor=sales).values["first_name"]


def test_the_duplicate_index_forgets_her(make_store: MakeStore) -> None:
    check = DuplicateCheck(Index(rules_matcher()), flag_at=None, block_at=9)
    s = rk.Steward(SCHEMA, store=make_store(), matcher=check)
    s.erase(s.capture(ADA, source="form").id, reason="request 12")
    again = s.capture(ADA, source="form")  # no key: not suppressed, and no ghost blocks it
    assert "Ada" == s.get(again.id).values["first_name"]


def test_the_sqlite_file_holds_none_of_her_values(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with SQLStore(f"sqlite:///{path}") as store:
        s = rk.Steward(SCHEMA, store=store, key=KEY)
        a = s.capture(ADA, source="form")
        s.capture(GRACE, source="form")
        b = s.capture({**ADA, "email": "countess@lovelace.example"}, source="crm")
        s.merge([a.id, b.id])
        s.update(a.id, {"job_title": "Countess"}, source="form")
        s.capture_many([{**ADA, "birth_date": "not a date"}], source="import")
        kept = s.get(a.id).values["email"]  # the survivor's: one of her two addresses
        s.erase({"email": kept}, reason="request 13")
        assert s.audit.verify().ok
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("crm.db"))
    assert [] == [x for x in SECRETS if x.encode() in data]
    assert b"grace@hopper.example" in data
