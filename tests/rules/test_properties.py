"""Invariants of every normalizer and validator: normalizers are idempotent and never
raise, validators never raise, whatever they are given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings

import recordkit.rules as rr
from recordkit.rules import Issue, Normalizers, Validators
from tests.strategies import any_value, messy_text

# About 130 properties: the "quick" profile (tests/conftest.py) keeps the module fast.
QUICK = settings.get_profile("quick")

FUNCTIONS: list[tuple[str, Callable[[Any], Any]]] = [
    ("clean_text", rr.clean_text),
    ("normalize_name", rr.normalize_name),
    ("normalize_case.title", lambda v: rr.normalize_case(v, style="title")),
    ("normalize_case.upper", lambda v: rr.normalize_case(v, style="upper")),
    ("normalize_case.lower", lambda v: rr.normalize_case(v, style="lower")),
    ("normalize_phone", rr.normalize_phone),
    ("normalize_phone.US", lambda v: rr.normalize_phone(v, region="US")),
    ("normalize_phone.GB", lambda v: rr.normalize_phone(v, region="GB")),
    ("normalize_email", rr.normalize_email),
    ("normalize_email.keepcase", lambda v: rr.normalize_email(v, lowercase=False)),
    ("normalize_url", rr.normalize_url),
    ("normalize_country", rr.normalize_country),
    ("normalize_subdivision", rr.normalize_subdivision),
    ("normalize_subdivision.US", lambda v: rr.normalize_subdivision(v, country="US")),
    ("normalize_date", rr.normalize_date),
    ("normalize_date.dayfirst", lambda v: rr.normalize_date(v, dayfirst=True)),
    ("normalize_date.strict", lambda v: rr.normalize_date(v, dayfirst=None)),
    ("normalize_boolean", rr.normalize_boolean),
    ("normalize_money", rr.normalize_money),
    ("normalize_money.EUR", lambda v: rr.normalize_money(v, currency="EUR")),
    ("normalize_picklist", lambda v: rr.normalize_picklist(
        v, values=["Technology", "Non-profit"], synonyms={"Technology": ["SaaS"]})),
]  # fmt: skip

NORMALIZERS = [
    Normalizers.text(),
    Normalizers.name(),
    Normalizers.case("title"),
    Normalizers.phone(region="US"),
    Normalizers.phone(region_field="country"),
    Normalizers.email(),
    Normalizers.picklist(["Technology", "Finance"], {"Technology": ["SaaS", "IT"]}),
    Normalizers.country(),
    Normalizers.subdivision(country_field="country"),
    Normalizers.url(),
    Normalizers.date(),
    Normalizers.boolean(),
    Normalizers.money(currency="USD"),
]

VALIDATORS = [
    Validators.required(),
    Validators.not_blank(),
    Validators.pattern(r"[A-Z]{2}\d+"),
    Validators.length(min=2, max=10),
    Validators.range(min=0, max=100),
    Validators.range(min="2000-01-01"),
    Validators.one_of(["a", "b"]),
    Validators.phone(region="US"),
    Validators.phone(types=["mobile"]),
    Validators.email(),
    Validators.country(),
    Validators.subdivision(country_field="country"),
    Validators.url(),
    Validators.unique(),
    rr.require("a", "b"),
    rr.require_any("a", "b"),
    rr.when(rr.where("a", equals="x"), rr.require("b")),
    rr.any_of(Validators.email(), Validators.phone()),
    rr.all_of(Validators.length(max=3), Validators.not_blank()),
    rr.on_field("a", Validators.email()),
]


@pytest.mark.parametrize(("name", "normalize"), FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
class TestNormalizerFunctions:
    @QUICK
    @given(messy_text())
    def test_idempotent_on_text(self, name: str, normalize: Callable[[Any], Any],
                                text: str) -> None:
        """Normalizing text a second time changes nothing."""
        once = normalize(text)
        assert once == normalize(once)

    @QUICK
    @given(any_value())
    def test_never_raises(self, name: str, normalize: Callable[[Any], Any], value: Any) -> None:
        """Any value in gives a value out; text that comes out is already normal."""
        once = normalize(value)
        if once is None or isinstance(once, str):
            assert once == normalize(once)

    def test_none_stays_none(self, name: str, normalize: Callable[[Any], Any]) -> None:
        """None normalizes to None."""
        assert normalize(None) is None


@pytest.mark.parametrize("rule", NORMALIZERS, ids=lambda r: r.id)
class TestNormalizerRules:
    @QUICK
    @given(messy_text(), messy_text())
    def test_idempotent_and_says_when_it_changed(self, rule: rr.Normalizer, text: str,
                                                 country: str) -> None:
        """A normalizer rule is idempotent and reports a change exactly when the value changed."""
        context = (country,) if getattr(rule, "uses", ()) else ()
        once, changed = rule.normalize(text, *context)
        twice, changed_again = rule.normalize(once, *context)
        assert once == twice
        assert not changed_again
        assert changed == (once != text or type(once) is not type(text))

    @QUICK
    @given(any_value(), any_value())
    def test_never_raises(self, rule: rr.Normalizer, value: Any, country: Any) -> None:
        """A normalizer rule handed any value answers with a changed flag instead of raising."""
        context = (country,) if getattr(rule, "uses", ()) else ()
        _, changed = rule.normalize(value, *context)
        assert isinstance(changed, bool)


@pytest.mark.parametrize("rule", VALIDATORS, ids=lambda r: r.id)
class TestValidatorsNeverRaise:
    @QUICK
    @given(any_value(), any_value())
    def test_returns_issues(self, rule: rr.Validator, value: Any, country: Any) -> None:
        """A validator handed any value returns issues instead of raising."""
        context = (country,) if getattr(rule, "uses", ()) else ()
        issues = rule.validate(value, *context)
        assert all(isinstance(i, Issue) for i in issues)

    @QUICK
    @given(any_value(), any_value())
    def test_returns_issues_for_records(self, rule: rr.Validator, a: Any, b: Any) -> None:
        """A validator handed a record of any values returns issues instead of raising."""
        context = (a,) if getattr(rule, "uses", ()) else ()
        issues = rule.validate({"a": a, "b": b}, *context)
        assert all(isinstance(i, Issue) for i in issues)
