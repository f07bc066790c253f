"""
Masking: what an actor sees of the fields it may not read in clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit import (
    Actor,
    Email,
    Field,
    Masked,
    Policy,
    Provenance,
    Record,
    Schema,
    Text,
    ValidationError,
)
from recordkit.governance import Role

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
KEY = b"0123456789abcdef-test-key"

SCHEMA = Schema(
    "lead",
    [
        Field("name", Text()),
        Field("email", Email(), tags={"pii"}),
        Field("phone", Text(), tags={"pii"}),
        Field("ssn", Text(), tags={"pii", "secret"}),
        Field("notes", Text()),
    ],
)

POLICY = Policy(
    roles=[
        Role("sales", actions="read", default="read", tags={"pii": "masked"},
             fields={"notes": "none"}),
        Role("analyst", actions="read", default="read", tags={"pii": "masked"}),
        Role("admin", actions="*", default="write"),
    ],
    masking={"fields": {"phone": {"keep_last": 4}, "ssn": "null"},
             "tags": {"pii": "hash"}},
    key=KEY,
    schema=SCHEMA,
)  # fmt: skip
SALES = Actor("ana", roles="sales")
ADMIN = Actor("root", roles="admin")

ADA = {"name": "Ada", "email": "ada@example.com", "phone": "+12125550100",
       "ssn": "123-45-6789", "notes": "likes tea"}  # fmt: skip


def record(values: Mapping[str, str | None] = ADA) -> Record:
    """A record whose provenance keeps the raw inputs."""
    prov = {k: Provenance("form", T0, raw=f" {v} ") for k, v in values.items() if v}
    return Record("r1", "lead", values, provenance=prov, created_at=T0)


class TestMask:
    """Policy.mask."""

    def test_strategies(self) -> None:
        """Each hidden field is masked with its field's strategy, else its tag's, else redacted."""
        masked = POLICY.mask(SALES, SCHEMA, record())
        assert "Ada" == masked["name"]
        assert Masked("phone", "keep_last", "•••••0100") == masked["phone"]
        assert Masked("ssn", "null", "") == masked["ssn"]
        assert "hash" == masked["email"].kind
        assert 16 == len(masked["email"].text)
        assert Masked("notes", "redact", "[redacted]") == masked["notes"]

    def test_nothing_leaks(self) -> None:
        """No original value of a hidden field survives, in values or in provenance."""
        masked = POLICY.mask(SALES, SCHEMA, record())
        text = repr(dict(masked.values)) + repr(dict(masked.provenance))
        for name in ("email", "phone", "ssn", "notes"):
            assert ADA[name] not in text
            assert "5550100" not in text
        assert " Ada " == masked.provenance["name"].raw

    def test_readers_in_clear_get_the_same_record(self) -> None:
        """An actor who may read everything gets the record itself."""
        r = record()
        assert r is POLICY.mask(ADMIN, SCHEMA, r)

    def test_empty_values_stay_empty(self) -> None:
        """A hidden field with no value stays None."""
        masked = POLICY.mask(SALES, SCHEMA, record({**ADA, "phone": None}))
        assert masked["phone"] is None

    def test_hash_is_stable_and_keyed(self) -> None:
        """The same value hashes the same for every reader; another key gives another hash."""
        one = POLICY.mask(SALES, SCHEMA, record())["email"]
        two = POLICY.mask(Actor("bo", roles="analyst"), SCHEMA, record())["email"]
        other = Policy(roles=[Role("sales", actions="read", tags={"pii": "masked"})],
                       masking={"tags": {"pii": "hash"}}, key=b"another-key-of-16+")  # fmt: skip
        assert one == two
        assert one != other.mask(SALES, SCHEMA, record())["email"]

    @given(st.text(min_size=0, max_size=30), st.integers(0, 8))
    def test_keep_last_shows_only_the_tail(self, value: str, n: int) -> None:
        """keep_last never shows more than n characters, and never the whole value."""
        policy = Policy(roles=[Role("r", actions="read", fields={"name": "masked"})],
                        masking={"fields": {"name": {"keep_last": n}}})  # fmt: skip
        shown = policy.mask_values(Actor("a", roles="r"), SCHEMA, {"name": value})["name"]
        assert isinstance(shown, Masked)
        tail = shown.text.removeprefix("•••••")
        assert len(tail) <= n
        assert value.endswith(tail)
        assert not value or tail != value or not tail

    def test_mask_values(self) -> None:
        """Plain mappings are masked the same way; keys that are not fields are copied."""
        out = POLICY.mask_values(SALES, SCHEMA, {"phone": "+12125550100", "source": "x"})
        assert {"phone": Masked("phone", "keep_last", "•••••0100"), "source": "x"} == out

    def test_masked_is_frozen_and_checked(self) -> None:
        """Masked holds text only and str() gives what is shown."""
        assert "••" == str(Masked("f", "redact", "••"))
        with pytest.raises(ValidationError):
            Masked("f", "redact", 1)  # type: ignore[arg-type]

    def test_bad_arguments(self) -> None:
        """A record or values of the wrong kind raise ValidationError."""
        with pytest.raises(ValidationError):
            POLICY.mask(SALES, SCHEMA, {"name": "x"})  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            POLICY.mask_values(SALES, SCHEMA, ["x"])  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            POLICY.mask("ana", SCHEMA, record())  # type: ignore[arg-type]
