"""
The shipped place tables are consistent with pycountry and with each other.

Every code they name exists, every entry of pycountry's former countries is decided, and no
alias means something other than what pycountry's own names and codes mean.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import pycountry
import pytest
import yaml

from recordkit.rules._place_names import former_countries, shipped_countries
from recordkit.rules._places import (
    COUNTRY_ALIASES,
    SUBDIVISION_ALIASES,
    country_candidates,
    country_code,
    subdivision_candidates,
    subdivision_code,
)


def _data(name: str) -> Any:
    text = resources.files("recordkit.rules").joinpath("data").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


COUNTRIES = _data("countries.yaml")
SUBDIVISIONS = _data("subdivisions.yaml")
ALPHA2 = {c.alpha_2 for c in pycountry.countries}
ALPHA3 = {c.alpha_3 for c in pycountry.countries}
USER_ASSIGNED = {"XK"}
"""
Codes ISO 3166 leaves to users that the aliases use: XK, Kosovo's code at the EU and IMF.
"""
SUBDIVISION_CODES = {s.code for s in pycountry.subdivisions}


class TestFormerCountries:
    """
    countries.yaml: every historic country decided, every successor current.
    """

    def test_every_historic_country_is_decided(self) -> None:
        """Each ISO 3166-3 country is either renamed or ceased, exactly once."""
        decided = [
            e["iso3"] for kind in ("renamed", "ceased") for e in COUNTRIES[kind] if "iso3" in e
        ]
        assert sorted(c.alpha_3 for c in pycountry.historic_countries) == sorted(decided)

    def test_successors_are_current(self) -> None:
        """Every code an entry points to is a current alpha-2 code."""
        assert all(e["now"] in ALPHA2 for e in COUNTRIES["renamed"])
        assert all(set(e["now"]) <= ALPHA2 and e["now"] for e in COUNTRIES["ceased"])

    @pytest.mark.parametrize(
        "entry", COUNTRIES["renamed"], ids=lambda e: str(e.get("iso3") or e["names"][0])
    )
    def test_renamed_names_resolve(self, entry: dict[str, Any]) -> None:
        """Each name of a renamed country gives today's code."""
        for name in [*entry["names"], *([entry["iso3"]] if "iso3" in entry else [])]:
            assert entry["now"] == country_code(name), name

    @pytest.mark.parametrize(
        "entry", COUNTRIES["ceased"], ids=lambda e: str(e.get("iso3") or e["names"][0])
    )
    def test_ceased_names_do_not_resolve(self, entry: dict[str, Any]) -> None:
        """Each name of a ceased country gives no code and its successors as candidates.

        A former alpha-3 code given to a current country since (ATF, now the French
        Southern Territories) names the current one.
        """
        for name in [*entry["names"], *([entry["iso3"]] if "iso3" in entry else [])]:
            if name in ALPHA3:
                current = pycountry.countries.get(alpha_3=name)
                assert current is not None
                assert current.alpha_2 == country_code(name)
                continue
            assert country_code(name) is None, name
            assert tuple(entry["now"]) == country_candidates(name), name

    def test_no_name_is_both(self) -> None:
        """No folded name is both renamed and ceased."""
        former = former_countries()
        assert set() == set(former.renamed) & set(former.ceased)

    @pytest.mark.parametrize(("alias", "code"), sorted(COUNTRY_ALIASES.items()))
    def test_aliases_resolve(self, alias: str, code: str) -> None:
        """Every country alias gives its code: no ISO name or code overrides it."""
        assert code in ALPHA2 | USER_ASSIGNED
        assert code == country_code(alias)


def _names() -> list[tuple[str, str, str]]:
    return [
        (country, spelling, f"{country}-{suffix}")
        for country, data in SUBDIVISIONS.items()
        for suffix, spellings in (data.get("names") or {}).items()
        for spelling in spellings
    ]


def _former() -> list[tuple[str, str, str]]:
    return [
        (country, old, f"{country}-{new}")
        for country, data in SUBDIVISIONS.items()
        for old, new in (data.get("former") or {}).items()
    ]


def _split() -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (country, old, tuple(f"{country}-{c}" for c in codes))
        for country, data in SUBDIVISIONS.items()
        for old, codes in (data.get("split") or {}).items()
    ]


class TestSubdivisionTable:
    """
    subdivisions.yaml: every code current, every name and code meaning what it says.
    """

    def test_countries_and_sections(self) -> None:
        """Each country is a current alpha-2 code with only the known sections."""
        assert set(shipped_countries()) <= ALPHA2
        for data in SUBDIVISIONS.values():
            assert set(data) <= {"names", "former", "split"}

    @pytest.mark.parametrize(("country", "name", "code"), _names())
    def test_names_resolve(self, country: str, name: str, code: str) -> None:
        """Every shipped name gives its code: no ISO name or code means another one."""
        assert code in SUBDIVISION_CODES
        assert code == subdivision_code(name, country=country)

    @pytest.mark.parametrize(("country", "old", "code"), _former())
    def test_former_codes_resolve(self, country: str, old: str, code: str) -> None:
        """A withdrawn code is not a current one, and gives its successor."""
        assert f"{country}-{old}" not in SUBDIVISION_CODES
        assert code in SUBDIVISION_CODES
        assert code == subdivision_code(f"{country}-{old}")
        assert code == subdivision_code(old, country=country)

    @pytest.mark.parametrize(("country", "old", "codes"), _split())
    def test_split_codes_stay_unread(self, country: str, old: str, codes: tuple[str, ...]) -> None:
        """A split code or name is not current, gives no code, and its successors."""
        assert f"{country}-{old}" not in SUBDIVISION_CODES
        assert set(codes) <= SUBDIVISION_CODES
        assert len(codes) > 1
        assert subdivision_code(old, country=country) is None
        assert codes == subdivision_candidates(old, country=country)

    @pytest.mark.parametrize(
        ("country", "alias", "suffix"),
        [(c, a, s) for c, table in SUBDIVISION_ALIASES.items() for a, s in table.items()],
    )
    def test_python_aliases_resolve(self, country: str, alias: str, suffix: str) -> None:
        """Every alias in the module's table gives its code."""
        assert f"{country}-{suffix}" in SUBDIVISION_CODES
        assert f"{country}-{suffix}" == subdivision_code(alias, country=country)
