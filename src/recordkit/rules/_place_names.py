"""
The shipped place tables: former countries, and subdivision names and codes beyond pycountry.

The data lives in ``rules/data/countries.yaml`` and ``rules/data/subdivisions.yaml``, each
with its sources and licence in its header; this module reads them once and folds their
keys with `fold_key`, the way the lookups in `recordkit.rules._places` match text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, Final

import attrs
import pycountry
import yaml

from recordkit.rules._text import fold_key

__all__ = ["FormerCountries", "SubdivisionExtras", "former_countries", "subdivision_extras"]

_COUNTRIES: Final = "countries.yaml"
_SUBDIVISIONS: Final = "subdivisions.yaml"


def _load(name: str) -> Any:
    text = resources.files("recordkit.rules").joinpath("data").joinpath(name).read_text("utf-8")
    return yaml.safe_load(text)


@attrs.frozen
class FormerCountries:
    """
    Former countries and names, folded: the renamed ones resolve, the ceased ones do not.
    """

    renamed: Mapping[str, str]
    """
    Folded former name or alpha-3 code → the alpha-2 code of the same country today.
    """
    ceased: Mapping[str, tuple[str, ...]]
    """
    Folded name or alpha-3 code of a country that no longer exists → the current countries
    covering its territory.
    """


def iso_names(name: str) -> list[str]:
    """
    The ways an ISO name is written.

    ``Catalunya [Cataluña]`` gives both; ``Madrid, Comunidad de`` also gives ``Comunidad de
    Madrid`` and ``Madrid``.
    """
    names = [name]
    if "[" in name and name.endswith("]"):
        head, _, tail = name[:-1].partition("[")
        names = [head.strip(), tail.strip()]
    out: list[str] = []
    for n in names:
        out.append(n)
        if ", " in n:
            first, _, rest = n.partition(", ")
            out += [f"{rest} {first}", first]
    return out


@functools.cache
def former_countries() -> FormerCountries:
    """
    The former countries of ``countries.yaml``, with pycountry's ISO 3166-3 names added.
    """
    data = _load(_COUNTRIES)
    historic = {c.alpha_3: c.name for c in pycountry.historic_countries}
    current = {fold_key(getattr(c, a, "") or "") for c in pycountry.countries for a in _ATTRS}
    renamed: dict[str, str] = {}
    ceased: dict[str, tuple[str, ...]] = {}
    for entry in data["renamed"]:
        for key in _entry_keys(entry, historic, current):
            renamed.setdefault(key, entry["now"])
    for entry in data["ceased"]:
        for key in _entry_keys(entry, historic, current):
            ceased.setdefault(key, tuple(entry["now"]))
    return FormerCountries(renamed=renamed, ceased=ceased)


_ATTRS: Final = ("alpha_2", "alpha_3", "name", "official_name", "common_name")


def _entry_keys(
    entry: Mapping[str, Any], historic: Mapping[str, str], current: set[str]
) -> Iterable[str]:
    names: list[str] = list(entry.get("names", ()))
    iso3 = entry.get("iso3")
    if iso3 is not None:
        names += [iso3, *iso_names(historic[iso3])]
    for name in names:
        key = fold_key(name)
        # A part of a former name that is a current country's ("Yemen" of "Yemen,
        # Democratic") names the current one.
        if key and key not in current:
            yield key


@attrs.frozen
class SubdivisionExtras:
    """
    One country's shipped subdivision names and codes, folded, as full ISO 3166-2 codes.
    """

    names: Mapping[str, str]
    """
    Folded name → the current code it names.
    """
    former: Mapping[str, str]
    """
    Folded withdrawn code, with and without the country (``ca pq`` and ``pq``) → the current
    code covering all of its area.
    """
    split: Mapping[str, tuple[str, ...]]
    """
    Folded withdrawn code or name whose area is now in several subdivisions → their codes.
    """


_NONE: Final = SubdivisionExtras(names={}, former={}, split={})


@functools.cache
def _subdivision_data() -> Mapping[str, Any]:
    data: Mapping[str, Any] = _load(_SUBDIVISIONS)
    return data


@functools.cache
def subdivision_extras(country: str) -> SubdivisionExtras:
    """
    The shipped names, former codes and split codes of *country*'s subdivisions.
    """
    data = _subdivision_data().get(country)
    if data is None:
        return _NONE
    names: dict[str, str] = {}
    for suffix, spellings in (data.get("names") or {}).items():
        for spelling in spellings:
            names.setdefault(fold_key(spelling), f"{country}-{suffix}")
    former: dict[str, str] = {}
    for old, new in (data.get("former") or {}).items():
        former.setdefault(fold_key(f"{country}-{old}"), f"{country}-{new}")
        former.setdefault(fold_key(old), f"{country}-{new}")
    split: dict[str, tuple[str, ...]] = {}
    for old, codes in (data.get("split") or {}).items():
        successors = tuple(f"{country}-{code}" for code in codes)
        split.setdefault(fold_key(f"{country}-{old}"), successors)
        split.setdefault(fold_key(old), successors)
    return SubdivisionExtras(names=names, former=former, split=split)


def shipped_countries() -> tuple[str, ...]:
    """
    The countries ``subdivisions.yaml`` has entries for.
    """
    return tuple(_subdivision_data())
