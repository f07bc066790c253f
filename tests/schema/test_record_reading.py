"""Reading a record's fields: a declared field without a value is None, an unknown name
raises naming the closest fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import recordkit as rk

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SCHEMA = rk.bundled_schema("contact")


def record(**kwargs: Any) -> rk.Record:
    return rk.Record(id="c1", schema="contact", values={"email": "a@b.co"}, created_at=T0,
                     **kwargs)  # fmt: skip


class TestReading:
    def test_a_declared_field_without_a_value_reads_as_none(self) -> None:
        """Required means required at capture; reading a missing value is never a KeyError."""
        r = record(field_names=SCHEMA.field_names)
        assert ("a@b.co", None, None) == (r["email"], r["phone"], r["last_name"])

    def test_an_unknown_name_raises_with_a_suggestion(self) -> None:
        r = record(field_names=SCHEMA.field_names)
        with pytest.raises(rk.SchemaError, match="did you mean 'phone'") as caught:
            r["phnoe"]
        assert isinstance(caught.value, KeyError)
        assert ("phone",) == caught.value.suggestions[:1]

    @pytest.mark.parametrize("name", [["email"], None, 3, ""])
    def test_a_name_that_is_not_text_raises_a_recordkit_error(self, name: Any) -> None:
        with pytest.raises(rk.SchemaError):
            record(field_names=SCHEMA.field_names)[name]

    def test_without_field_names_only_held_values_are_known(self) -> None:
        """A record built without its schema's field names says only what it holds."""
        with pytest.raises(KeyError, match="holds no value for 'phone'"):
            record()["phone"]

    def test_field_names_survive_evolve_and_the_dict_round_trip(self) -> None:
        r = record(field_names=SCHEMA.field_names).evolve(version=2)
        assert None is r["phone"]
        back = rk.Record.from_dict(r.to_dict(SCHEMA), SCHEMA)
        assert (None, r) == (back["phone"], back)  # not part of equality

    @pytest.mark.parametrize("bad", ["email", [1], {"a": 1}, 3])
    def test_field_names_are_checked(self, bad: Any) -> None:
        with pytest.raises(rk.ValidationError, match="field_names"):
            record(field_names=bad)
