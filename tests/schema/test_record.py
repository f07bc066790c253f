"""Records: immutability and exact round-trips through dicts and JSON."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from tests import strategies as rks

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@given(rks.schemas().flatmap(lambda s: st.tuples(st.just(s), rks.records(s))))
def test_record_dict_json_round_trip(pair: tuple[rk.Schema, rk.Record]) -> None:
    schema, record = pair
    assert record == rk.Record.from_dict(record.to_dict(schema), schema)
    assert record == rk.Record.from_json(record.to_json(schema), schema)


class TestRecord:
    def test_is_immutable(self) -> None:
        r = rk.Record("r1", "contact", {"email": "a@b.co"}, created_at=NOW)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            r.version = 2  # type: ignore[misc]
        with pytest.raises(TypeError):
            r.values["email"] = "x"  # type: ignore[index]

    def test_evolve_makes_a_new_record(self) -> None:
        r = rk.Record("r1", "contact", {"email": "a@b.co"}, created_at=NOW)
        r2 = r.evolve(values={"email": "c@d.co"}, version=2)
        assert ("a@b.co", "c@d.co") == (r["email"], r2["email"])

    def test_hash_is_consistent_with_eq(self) -> None:
        a = rk.Record("r1", "contact", {"email": "a@b.co"}, created_at=NOW)
        b = rk.Record("r1", "contact", {"email": "a@b.co"}, created_at=NOW)
        assert a == b
        assert hash(a) == hash(b)

    def test_naive_times_become_utc(self) -> None:
        r = rk.Record("r1", "c", {}, created_at=dt.datetime(2026, 1, 1))
        assert dt.UTC == r.created_at.tzinfo

    def test_from_dict_rejects_unknown_fields(self) -> None:
        schema = rk.bundled_schema("contact")
        data = rk.Record("r1", "contact", {}, created_at=NOW).to_dict(schema)
        data["values"] = {"emial": "x"}
        with pytest.raises(rk.ValidationError, match="unknown field 'emial'"):
            rk.Record.from_dict(data, schema)

    @pytest.mark.parametrize("data", [None, [], "x", {"values": 3}, {"id": 5, "schema": "c"},
                                      {"id": "a", "schema": "contact", "created_at": "nope"}])
    def test_from_dict_garbage(self, data: object) -> None:
        with pytest.raises(rk.ValidationError):
            rk.Record.from_dict(data, rk.bundled_schema("contact"))  # type: ignore[arg-type]

    def test_from_json_garbage(self) -> None:
        with pytest.raises(rk.ValidationError, match="not a JSON record"):
            rk.Record.from_json("{", rk.bundled_schema("contact"))

    def test_wrong_schema_is_refused(self) -> None:
        r = rk.Record("r1", "deal", {}, created_at=NOW)
        with pytest.raises(rk.SchemaError, match="is a 'deal'"):
            r.to_dict(rk.bundled_schema("contact"))
