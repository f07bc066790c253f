"""An audit event's payload checks: any data becomes JSON data, and a bad part is named."""

from __future__ import annotations

import datetime as dt
import enum
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordkit import ValidationError
from recordkit.governance._audit_event import check_append, plain

AT = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


class Colour(enum.Enum):
    """A value that is none of JSON's types (kept as its text)."""

    RED = "red"


class Level(enum.IntEnum):
    """An int of another type (kept as it is)."""

    HIGH = 3


def reference(value: object) -> Any:
    """What `plain` must give, written the plainest way."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {k: reference(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [reference(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.dates(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.just(Colour.RED),
    st.just(Level.HIGH),
)
data = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
    ),
    max_leaves=30,
)


def same(a: object, b: object) -> bool:
    """Equality that also holds for the same NaN in the same place."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


class TestPlain:
    @given(data)
    def test_any_data_becomes_json_data(self, value: object) -> None:
        assert same(plain(value, "detail"), reference(value))

    @given(st.dictionaries(st.text(max_size=5), data, max_size=4))
    def test_detail_and_changes_keep_their_values(self, detail: dict[str, Any]) -> None:
        changes = {"r1": {k: [v, None] for k, v in detail.items()}}
        got = check_append(AT, "ann", "update", "contact", ["r1"], [], detail, changes)
        assert same(got[6], reference(detail))
        assert same(got[7], {"r1": {k: [reference(v), None] for k, v in detail.items()}})

    def test_a_key_that_is_not_text_is_named_where_it_is(self) -> None:
        value = {"a": [1, {"b": ({3: "x"},)}]}
        with pytest.raises(ValidationError, match=r"detail\.a\[1\]\.b\[0\]: keys must be text"):
            plain(value, "detail")

    def test_data_nested_too_deep_is_named_where_it_is(self) -> None:
        value: list[Any] = []
        inner = value
        for _ in range(60):
            inner.append([])
            inner = inner[0]
        with pytest.raises(ValidationError, match=r"detail(\[0\]){51}: nested more than 50"):
            plain(value, "detail")

    def test_a_bad_field_name_in_changes_is_named(self) -> None:
        with pytest.raises(ValidationError, match=r"a field name in changes\['r1'\] must be text"):
            check_append(AT, "ann", "update", "c", ["r1"], [], None, {"r1": {5: [1, 2]}})
        with pytest.raises(ValidationError, match=r"not valid Unicode"):
            check_append(AT, "ann", "update", "c", ["r1"], [], None, {"r1": {"\ud800": [1, 2]}})

    def test_a_change_that_is_not_a_pair_is_named(self) -> None:
        with pytest.raises(ValidationError, match=r"changes\['r1'\]\['email'\] must be"):
            check_append(AT, "ann", "update", "c", ["r1"], [], None, {"r1": {"email": [1]}})

    def test_a_bad_key_inside_a_changed_value_is_named(self) -> None:
        bad = {"r1": {"tags": [None, {1: "x"}]}}
        with pytest.raises(ValidationError, match=r"changes\['r1'\]\['tags'\]: keys must be text"):
            check_append(AT, "ann", "update", "c", ["r1"], [], None, bad)
