"""Garbage into every public constructor gives a SchemaError naming what and where."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given

import recordkit as rk
from tests import strategies as rks

CONSTRUCTORS: list[Any] = [
    pytest.param(lambda g: rk.Text(max_length=g), id="Text.max_length"),
    pytest.param(lambda g: rk.Phone(region=g), id="Phone.region"),
    pytest.param(lambda g: rk.Picklist(values=g), id="Picklist.values"),
    pytest.param(lambda g: rk.Picklist(values=["a"], synonyms=g), id="Picklist.synonyms"),
    pytest.param(lambda g: rk.Picklist(values=["a"], restricted=g), id="Picklist.restricted"),
    pytest.param(lambda g: rk.Date(dayfirst=g), id="Date.dayfirst"),
    pytest.param(lambda g: rk.Decimal(places=g), id="Decimal.places"),
    pytest.param(lambda g: rk.MoneyType(currency=g), id="MoneyType.currency"),
    pytest.param(lambda g: rk.Subdivision(country_field=g), id="Subdivision.country_field"),
    pytest.param(lambda g: rk.Reference(to=g), id="Reference.to"),
    pytest.param(lambda g: rk.Field(g, rk.Text()), id="Field.name"),
    pytest.param(lambda g: rk.Field("a", g), id="Field.type"),
    pytest.param(lambda g: rk.Field("a", rk.Text(), required=g), id="Field.required"),
    pytest.param(lambda g: rk.Field("a", rk.Text(), default=g), id="Field.default"),
    pytest.param(lambda g: rk.Field("a", rk.Text(), description=g), id="Field.description"),
    pytest.param(lambda g: rk.Field("a", rk.Text(), tags=g), id="Field.tags"),
    pytest.param(lambda g: rk.Field("a", rk.Text(), rules=g), id="Field.rules"),
    pytest.param(lambda g: rk.Schema(g, [rk.Field("a", rk.Text())]), id="Schema.name"),
    pytest.param(lambda g: rk.Schema("s", g), id="Schema.fields"),
    pytest.param(lambda g: rk.Schema("s", [rk.Field("a", rk.Text())], version=g),
                 id="Schema.version"),
    pytest.param(lambda g: rk.Schema("s", [rk.Field("a", rk.Text())], identity=g),
                 id="Schema.identity"),
    pytest.param(lambda g: rk.Schema("s", [rk.Field("a", rk.Text())], owner_field=g),
                 id="Schema.owner_field"),
    pytest.param(lambda g: rk.Schema("s", [rk.Field("a", rk.Text())], extensions=g),
                 id="Schema.extensions"),
    pytest.param(lambda g: rk.Schema("s", [rk.Field("a", rk.Text())], description=g),
                 id="Schema.description"),
    pytest.param(lambda g: rk.Catalog(g), id="Catalog.schemas"),
]


@pytest.mark.parametrize("build", CONSTRUCTORS)
@given(garbage=rks.garbage)
def test_constructors_refuse_garbage_with_schema_error(
    build: Callable[[Any], object], garbage: object
) -> None:
    """Each constructor either accepts the value or raises SchemaError, never TypeError."""
    try:
        build(garbage)
    except rk.SchemaError as exc:
        assert exc.reason
        assert len(str(exc)) < 500
