"""`Steward.profile`: the stored records profiled batch by batch, on every store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import recordkit as rk
from recordkit.quality import profile

ROWS = [
    {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "state": "NY",
     "country": "US"},
    {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "state": "CA",
     "country": "US"},
    {"first_name": "Alan", "last_name": "Turing", "country": "GB"},
] * 7  # fmt: skip


@pytest.fixture(params=["memory", "sqlite"])
def steward(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[rk.Steward]:
    if request.param == "memory":
        yield rk.Steward(rk.bundled_schema("contact"))
        return
    from recordkit.store import SQLStore

    with SQLStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        yield rk.Steward(rk.bundled_schema("contact"), store=store)


def test_equals_the_profile_of_the_stored_values(steward: rk.Steward) -> None:
    result = steward.capture_many(ROWS, source="crm")
    names = steward.schema.field_names
    expected = profile(
        [{n: r.values.get(n) for n in names} for r in result.records], rules=steward.rules,
        fields=names,
    )  # fmt: skip
    got = steward.profile(batch_size=4)
    assert got.rows == len(ROWS)
    for name in ("first_name", "email", "state", "country"):
        g, e = got.field(name), expected.field(name)
        assert (g.filled, g.invalid, g.top_values(3)) == (e.filled, e.invalid, e.top_values(3))
    assert got.field("email").fill_rate == pytest.approx(14 / 21)


def test_where_narrows_it(steward: rk.Steward) -> None:
    steward.capture_many(ROWS, source="crm")
    assert steward.profile({"country": "GB"}).rows == 7
    assert steward.profile({"state": "US-NY"}).field("email").top_values(1) == (
        ("ada@example.com", 7),
    )


def test_an_actor_who_cannot_read_everything_is_refused() -> None:
    policy = rk.Policy(
        roles={
            "system": {"actions": "*", "default": "write"},
            "intern": {"actions": ["read"], "default": "read", "fields": {"email": "masked"}},
        }
    )
    steward = rk.Steward(rk.bundled_schema("contact"), access=policy)
    steward.capture_many(ROWS, source="crm")
    with pytest.raises(rk.AccessDenied):
        steward.profile(actor=rk.Actor("i", roles={"intern"}))
    assert steward.profile().rows == len(ROWS)
