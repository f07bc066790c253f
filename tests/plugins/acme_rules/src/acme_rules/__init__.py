"""
Example recordkit rule plugin: EU VAT numbers.

It depends only on the rule protocol (objects with ``id``, ``version`` and ``validate`` or
``normalize``); recordkit finds it through the ``recordkit.rules`` entry-point group, so a
schema can say ``rules: [{use: acme.vat_number}]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from recordkit import Issue

__all__ = ["vat_format", "vat_number"]

# Country prefix → the shape of the rest (a simplified subset of the EU formats).
FORMATS = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "IE": r"\d{7}[A-W][A-I]?",
    "IT": r"\d{11}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "SE": r"\d{12}",
}


class VatNumber:
    """
    A validator: the value must be an EU VAT number of one of *countries*.
    """

    id = "acme.vat_number"
    version = 1

    def __init__(self, countries: Iterable[str] = (), severity: str = "error") -> None:
        self.countries = tuple(countries) or tuple(FORMATS)
        self.severity = severity

    def validate(self, value: Any, /) -> Sequence[Issue]:
        text = value if isinstance(value, str) else ""
        prefix, rest = text[:2], text[2:]
        shape = FORMATS.get(prefix) if prefix in self.countries else None
        if shape is not None and re.fullmatch(shape, rest):
            return ()
        return (
            Issue(
                field=None,
                rule=self.id,
                rule_version=self.version,
                code="vat.invalid",
                message="is not a valid EU VAT number",
                severity=self.severity,
                value=value,
                hint="two-letter country prefix, then the national number (DE123456789)",
            ),
        )


class VatFormat:
    """
    A normalizer: upper case, without spaces, dots or dashes (``de 123.456.789`` →
    ``DE123456789``).
    """

    id = "acme.vat_format"
    version = 1

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        if not isinstance(value, str):
            return value, False
        after = re.sub(r"[\s.\-]", "", value).upper()
        return after, after != value


def vat_number(*, countries: Iterable[str] = (), severity: str = "error") -> VatNumber:
    """
    Make the VAT number validator (the ``acme.vat_number`` entry point).
    """
    return VatNumber(countries, severity)


def vat_format() -> VatFormat:
    """
    Make the VAT number normalizer (the ``acme.vat_format`` entry point).
    """
    return VatFormat()
