"""
`Record.many`: the records the constructor makes one by one, with the shared checks once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit import ValidationError
from recordkit.schema import Record

AT = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
NAMES = ("email", "phone", "city")

values = st.dictionaries(
    st.sampled_from(NAMES),
    st.none() | st.text(max_size=20) | st.integers() | st.dates(),
    max_size=3,
)
rows = st.lists(st.tuples(st.text(min_size=1, max_size=12), values), max_size=8)


@given(rows=rows, names=st.sampled_from([(), NAMES, list(NAMES)]))
def test_the_same_records_as_the_constructor(
    rows: list[tuple[str, dict[str, Any]]], names: tuple[str, ...] | list[str]
) -> None:
    many = Record.many("contact", rows, created_at=AT, field_names=names)
    one_by_one = [
        Record(id=rid, schema="contact", values=v, created_at=AT, field_names=names)
        for rid, v in rows
    ]
    assert many == one_by_one
    for made, plain in zip(many, one_by_one, strict=True):
        assert made.field_names == plain.field_names  # not part of equality
        assert made.updated_at == plain.updated_at == AT
        assert hash(made) == hash(plain)


def test_values_are_copied_and_frozen() -> None:
    given_values = {"email": "a@b.co"}
    (record,) = Record.many("contact", [("c1", given_values)], created_at=AT)
    given_values["email"] = "changed@b.co"
    assert record["email"] == "a@b.co"
    with pytest.raises(TypeError):
        record.values["email"] = "x"  # type: ignore[index]


def test_a_naive_instant_is_utc_as_for_the_constructor() -> None:
    (record,) = Record.many("contact", [("c1", {})], created_at=dt.datetime(2026, 3, 1, 12))
    assert record.created_at == record.updated_at == AT


def test_a_changed_copy_is_checked_as_usual() -> None:
    (record,) = Record.many("contact", [("c1", {})], created_at=AT, field_names=NAMES)
    moved = record.evolve(state="active", version=2)
    assert (moved.id, moved.state, moved.version) == ("c1", "active", 2)
    with pytest.raises(ValidationError, match="state"):
        record.evolve(state=3)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("c1", "rows must be a list"),
        ({"c1": {}}, "rows must be a list"),
        (5, "rows must be a list"),
        ([("c1", {}), "c2"], "row 1 must be an"),
        ([("c1", {}, 3)], "row 0 must be an"),
        ([(7, {})], "row 0: the id must be text"),
        ([("c1", {}), ("c2", ["a"])], "row 1: values must be a mapping"),
    ],
)
def test_bad_rows_are_named(rows: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Record.many("contact", rows, created_at=AT)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schema": 5}, "schema"),
        ({"created_at": "2026-01-01"}, "created_at"),
        ({"created_at": None}, "created_at"),
        ({"field_names": ("a", 3)}, "field_names"),
        ({"field_names": [["a"]]}, "field_names"),  # an unhashable name
    ],
)
def test_bad_shared_arguments_are_named(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"schema": "contact", "created_at": AT, **kwargs}
    schema = args.pop("schema")
    with pytest.raises(ValidationError, match=message):
        Record.many(schema, [("c1", {})], **args)


def test_an_unhashable_field_name_is_named_by_the_constructor() -> None:
    """
    A list among the field names gets a `ValidationError` naming ``field_names``, not a
    bare `TypeError` from hashing it.
    """
    with pytest.raises(ValidationError, match="field_names"):
        Record(id="c1", schema="contact", values={}, created_at=AT, field_names=[["a"]])
