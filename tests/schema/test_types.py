"""Field types: coercion of raw values, and refusal of garbage with a CoercionError."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest
from hypothesis import given

import recordkit as rk
from tests import strategies as rks

D = decimal.Decimal

COERCE = [
    pytest.param(rk.Text(), "  Ada ", "  Ada ", id="text-kept-as-given"),
    pytest.param(rk.Text(), 42, "42", id="text-from-number"),
    pytest.param(rk.Text(), "   ", None, id="blank-is-none"),
    pytest.param(rk.Email(), "A@B.CO", "A@B.CO", id="email-not-normalized-here"),
    pytest.param(rk.Date(), "1985-03-07", dt.date(1985, 3, 7), id="date-iso"),
    pytest.param(rk.Date(), "1985/03/07", dt.date(1985, 3, 7), id="date-iso-slashes"),
    pytest.param(rk.Date(), "03/07/1985", dt.date(1985, 3, 7), id="date-us"),
    pytest.param(rk.Date(dayfirst=True), "03/07/1985", dt.date(1985, 7, 3), id="date-eu"),
    pytest.param(rk.Date(dayfirst=None), "25/12/1985", dt.date(1985, 12, 25),
                 id="date-unambiguous"),
    pytest.param(rk.Date(), "7 Mar 1985", dt.date(1985, 3, 7), id="date-day-month-name"),
    pytest.param(rk.Date(), "March 7, 1985", dt.date(1985, 3, 7), id="date-month-name-day"),
    pytest.param(rk.Date(), "7th March 1985", dt.date(1985, 3, 7), id="date-ordinal"),
    pytest.param(rk.Date(), dt.datetime(2020, 1, 2, 3, 4), dt.date(2020, 1, 2),
                 id="date-from-datetime"),
    pytest.param(rk.DateTime(), "2026-01-02T03:04:05Z",
                 dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), id="datetime-z"),
    pytest.param(rk.DateTime(), dt.datetime(2026, 1, 2),
                 dt.datetime(2026, 1, 2, tzinfo=dt.UTC), id="datetime-naive-is-utc"),
    pytest.param(rk.Integer(), "1,200", 1200, id="integer-grouped"),
    pytest.param(rk.Integer(), 3.0, 3, id="integer-from-integral-float"),
    pytest.param(rk.Integer(), "-7", -7, id="integer-negative"),
    pytest.param(rk.Decimal(), "1,200.50", D("1200.50"), id="decimal-grouped"),
    pytest.param(rk.Decimal(), 0.1, D("0.1"), id="decimal-from-float-repr"),
    pytest.param(rk.MoneyType(), "USD 1,200.50", rk.Money(D("1200.50"), "USD"),
                 id="money-code-first"),
    pytest.param(rk.MoneyType(), "€12", rk.Money(D("12"), "EUR"), id="money-symbol"),
    pytest.param(rk.MoneyType(), "12.5 gbp", rk.Money(D("12.5"), "GBP"), id="money-code-last"),
    pytest.param(rk.MoneyType(currency="USD"), 99, rk.Money(D("99"), "USD"),
                 id="money-default-currency"),
    pytest.param(rk.MoneyType(), {"amount": "5", "currency": "jpy"}, rk.Money(D("5"), "JPY"),
                 id="money-mapping"),
    pytest.param(rk.Boolean(), "Yes", True, id="bool-yes"),
    pytest.param(rk.Boolean(), "N", False, id="bool-n"),
    pytest.param(rk.Boolean(), 1, True, id="bool-one"),
    pytest.param(rk.Boolean(), " off ", False, id="bool-off"),
    pytest.param(rk.Reference(to="company"), "c-1", "c-1", id="reference-id"),
]


@pytest.mark.parametrize(("ftype", "raw", "expected"), COERCE)
def test_coerce(ftype: rk.FieldType, raw: Any, expected: Any) -> None:
    assert expected == rk.Field("f", ftype).coerce(raw)


REFUSED = [
    pytest.param(rk.Date(dayfirst=None), "03/07/1985", "ambiguous", id="date-ambiguous"),
    pytest.param(rk.Date(), "31/31/2020", "calendar", id="date-impossible"),
    pytest.param(rk.Date(), "yesterday", "not a recognised date", id="date-words"),
    pytest.param(rk.Date(), "7 Smarch 1985", "unknown month", id="date-bad-month"),
    pytest.param(rk.Integer(), "1.5", "whole number", id="integer-fraction"),
    pytest.param(rk.Integer(), True, "boolean", id="integer-bool"),
    pytest.param(rk.Decimal(), "NaN", "not a number", id="decimal-nan-text"),
    pytest.param(rk.Decimal(), float("inf"), "finite", id="decimal-inf"),
    pytest.param(rk.MoneyType(), "12", "no currency", id="money-no-currency"),
    pytest.param(rk.MoneyType(), "12 USD EUR", "not an amount", id="money-two-currencies"),
    pytest.param(rk.MoneyType(), "XYZ 12", "unknown currency", id="money-unknown-currency"),
    pytest.param(rk.Boolean(), "maybe", "yes/no", id="bool-maybe"),
    pytest.param(rk.Boolean(), 2, "expected text", id="bool-two"),
    pytest.param(rk.Email(), 42, "expected text", id="email-number"),
    pytest.param(rk.Text(), "x" * 1_048_576, "too long", id="text-1mb"),
]


@pytest.mark.parametrize(("ftype", "raw", "reason"), REFUSED)
def test_refused(ftype: rk.FieldType, raw: Any, reason: str) -> None:
    with pytest.raises(rk.CoercionError) as info:
        rk.Field("f", ftype).coerce(raw)
    assert "f" == info.value.field
    assert reason in info.value.reason
    assert len(str(info.value)) < 300  # the value is shown truncated, never whole


@given(rks.field_types, rks.garbage)
def test_garbage_coerces_or_raises_coercion_error(ftype: rk.FieldType, raw: object) -> None:
    """No raw value escapes as a bare TypeError/ValueError."""
    try:
        rk.Field("f", ftype).coerce(raw)
    except rk.CoercionError as exc:
        assert "f" == exc.field


@given(rks.field_types.flatmap(lambda t: rks.value_for(t).map(lambda v: (t, v))))
def test_dump_load_round_trip(pair: tuple[rk.FieldType, Any]) -> None:
    ftype, value = pair
    assert value == ftype.load(ftype.dump(value))


@given(rks.field_types.flatmap(lambda t: rks.value_for(t).map(lambda v: (t, v))))
def test_coerce_is_idempotent_on_typed_values(pair: tuple[rk.FieldType, Any]) -> None:
    ftype, value = pair
    assert value == ftype.coerce(value)


class TestDeclarationErrors:
    def test_field_needs_a_type(self) -> None:
        with pytest.raises(rk.SchemaError, match="field type is needed"):
            rk.Field("a", "text")  # type: ignore[arg-type]

    def test_schema_rejects_duplicate_fields(self) -> None:
        with pytest.raises(rk.SchemaError, match="declared twice") as info:
            rk.Schema("s", [rk.Field("a", rk.Text()), rk.Field("a", rk.Email())])
        assert "fields.a" == info.value.path

    def test_model_names_the_class(self) -> None:
        with pytest.raises(rk.SchemaError) as info:

            class Broken(rk.Model, name="broken", identity=["nope"]):
                name = rk.Text()

        assert "Broken" in str(info.value.source)
        assert "identity[0]" == info.value.path

    def test_catalog_checks_reference_targets(self) -> None:
        deal = rk.Schema("deal", [rk.Field("contact", rk.Reference(to="contcat"))])
        contact = rk.Schema("contact", [rk.Field("name", rk.Text())])
        with pytest.raises(rk.SchemaError, match="did you mean 'contact'"):
            rk.Catalog([deal, contact])

    def test_catalog_refuses_required_reference_cycles(self) -> None:
        a = rk.Schema("a", [rk.Field("b", rk.Reference(to="b"), required=True)])
        b = rk.Schema("b", [rk.Field("a", rk.Reference(to="a"), required=True)])
        with pytest.raises(rk.SchemaError, match="cycle"):
            rk.Catalog([a, b])

    def test_catalog_allows_optional_reference_cycles(self) -> None:
        a = rk.Schema("a", [rk.Field("b", rk.Reference(to="b"))])
        b = rk.Schema("b", [rk.Field("a", rk.Reference(to="a"), required=True)])
        assert ("a", "b") == rk.Catalog([a, b]).names

    def test_unknown_field_lookup_suggests(self) -> None:
        with pytest.raises(rk.SchemaError, match="did you mean 'email'"):
            rk.bundled_schema("contact").field("emial")
