"""Steward.erase on every backend: a person leaves every place, and does not come back unseen."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import recordkit as rk
from recordkit.governance import Role
from recordkit.match import DuplicateCheck, Index
from recordkit.store import ConsentEntry, SQLStore
from tests.governance.conftest import MakeStore
from tests.match.strategies import rules_matcher

KEY = b"k" * 32
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
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


def test_export_subject_holds_everything_about_her(make_store: MakeStore) -> None:
    s = steward(make_store)
    a = s.capture(ADA, source="form")
    b = s.capture({**ADA, "email": "countess@lovelace.example"}, source="crm")
    s.capture(GRACE, source="form")
    merged = s.merge([a.id, b.id])
    s.store.put_consent(ConsentEntry(a.id, "email_marketing", True, NOW, "form", "system"))
    data = s.export_subject(a.id)
    assert ({a.id, b.id}, [merged.id], ["email_marketing"]) == (
        {r["id"] for r in data["records"]},
        [m["id"] for m in data["merges"]],
        [c["purpose"] for c in data["consents"]],
    )
    assert {"create", "merge"} <= {e["action"] for e in data["audit"]}
    assert "grace@hopper.example" not in json.dumps(data)
    assert "ada@lovelace.example" in json.dumps(data)  # JSON all the way down


def test_export_is_checked_and_masked(make_store: MakeStore) -> None:
    policy = rk.Policy(roles=[Role("dpo", actions=["read", "export"], default="read",
                                   tags={"pii": "masked"}),
                              Role("sales", actions=["read"], default="read"),
                              Role("admin", actions="*", default="write")],
                       masking={"tags": {"pii": "redact"}}, schema=SCHEMA)  # fmt: skip
    s = rk.Steward(SCHEMA, store=make_store(), access=policy)
    ada = s.capture(ADA, source="form", actor=rk.Actor("root", roles={"admin"}))
    with pytest.raises(rk.AccessDenied):
        s.export_subject(ada.id, actor=rk.Actor("kim", roles={"sales"}))
    data = json.dumps(s.export_subject(ada.id, actor=rk.Actor("dee", roles={"dpo"})))
    assert [] == [x for x in SECRETS if x in data]


def test_the_index_keeps_no_copy_of_her_values(make_store: MakeStore) -> None:
    index = Index(rules_matcher())
    s = rk.Steward(SCHEMA, store=make_store(), matcher=DuplicateCheck(index, flag_at=None))
    ada = s.capture(ADA, source="form")
    s.capture(GRACE, source="form")
    s.erase(ada.id, reason="request 14")
    held = repr([list(index.values(c)) for c in ("email", "last_name")])
    assert ([], True) == ([x for x in SECRETS if x.casefold() in held.casefold()],
                          "grace" in held.casefold())  # fmt: skip
