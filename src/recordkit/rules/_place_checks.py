"""
Validators for contact points and places.

Phone numbers, email addresses, countries, subdivisions and web addresses; the `Validators`
namespace offers them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Final

import attrs
import phonenumbers

from recordkit._errors import SchemaError, shorten
from recordkit.rules._contact import email_fix, email_problem, parse_phone, url_verdict
from recordkit.rules._issue import Issue, Severity, _severity
from recordkit.rules._normalizers import Handoff
from recordkit.rules._phone_valid import valid_number
from recordkit.rules._places import (
    country_candidates,
    country_code,
    subdivision_candidates,
    subdivision_code,
)
from recordkit.rules._rule import NO_ISSUES, make_issue

__all__: list[str] = []  # the `Validators` namespace is the public face


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


_sev = attrs.field(default=Severity.ERROR, converter=_severity)


_PHONE_TYPES: Final = {
    name.lower(): getattr(phonenumbers.PhoneNumberType, name)
    for name in dir(phonenumbers.PhoneNumberType)
    if name.isupper()
}


@attrs.frozen
class _PhoneCheck:
    region: str | None = None
    types: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    severity: Severity = _sev
    handoff: Handoff | None = attrs.field(default=None, eq=False, repr=False)
    id: ClassVar[str] = "check.phone"
    version: ClassVar[int] = 1

    def __attrs_post_init__(self) -> None:
        unknown = [shorten(t, 30) for t in self.types if not isinstance(t, str)
                   or t not in _PHONE_TYPES]  # fmt: skip
        if unknown:
            raise SchemaError(
                f"unknown phone types {', '.join(unknown[:5])}; known: {sorted(_PHONE_TYPES)}"
            )
        if self.region is not None and (
            not isinstance(self.region, str) or self.region not in phonenumbers.SUPPORTED_REGIONS
        ):
            raise SchemaError(f"unknown phone region {shorten(self.region)}")

    def validate(self, value: Any, /) -> Sequence[Issue]:
        number = (
            parse_phone(value, region=self.region)
            if self.handoff is None
            else self.handoff.get(value, _MISS)
        )
        if number is _MISS:
            number = parse_phone(value, region=self.region)
        if number is None:
            hint = "add the country code (+44…)" if self.region is None else "check the digits"
            return (
                make_issue(self, "phone.unreadable", "is not a phone number", value, hint=hint,
                           severity=self.severity),
            )  # fmt: skip
        if not valid_number(number):
            return (
                make_issue(self, "phone.invalid", "is not a valid phone number", value,
                           hint="check the digits and the country code",
                           severity=self.severity),
            )  # fmt: skip
        if self.types:
            kind = phonenumbers.number_type(number)
            if kind not in {_PHONE_TYPES[t] for t in self.types}:
                names = {v: k for k, v in _PHONE_TYPES.items()}
                return (
                    make_issue(self, "phone.type", f"is a {names.get(kind, 'unknown')} number, "
                               f"not {' or '.join(self.types)}", value, severity=self.severity),
                )  # fmt: skip
        return NO_ISSUES


_MISS: Any = object()


@attrs.frozen
class _EmailCheck:
    severity: Severity = _sev
    handoff: Handoff | None = attrs.field(default=None, eq=False, repr=False)
    id: ClassVar[str] = "check.email"
    version: ClassVar[int] = 2

    def validate(self, value: Any, /) -> Sequence[Issue]:
        problem = _MISS if self.handoff is None else self.handoff.get(value, _MISS)
        if problem is _MISS:
            problem = email_problem(value)
        if problem is None:
            return NO_ISSUES
        fix = email_fix(value, lowercase=False)
        hint = "write it as name@example.com" if fix is None else f"did you mean {fix}?"
        return (
            make_issue(self, "email.invalid", problem, value, hint=hint,
                       severity=self.severity),
        )  # fmt: skip


@attrs.frozen
class _CountryCheck:
    severity: Severity = _sev
    id: ClassVar[str] = "check.country"
    version: ClassVar[int] = 1

    def validate(self, value: Any, /) -> Sequence[Issue]:
        if country_code(value) == value:
            return NO_ISSUES
        now = () if country_code(value) is not None else country_candidates(value)
        if now:  # a country that no longer exists: name what it is now, choose none
            return (
                make_issue(self, "country.former", "names a country that no longer exists",
                           value, hint=f"its territory is now {' or '.join(now)}: write the "
                           "country meant", severity=self.severity),
            )  # fmt: skip
        return (
            make_issue(self, "country.unknown", "is not an ISO 3166-1 country code", value,
                       hint="use a code such as US, GB, DE", severity=self.severity),
        )  # fmt: skip


@attrs.frozen
class _SubdivisionCheck:
    country_field: str | None = None
    severity: Severity = _sev
    id: ClassVar[str] = "check.subdivision"
    version: ClassVar[int] = 2

    @property
    def uses(self) -> tuple[str, ...]:
        return () if self.country_field is None else (self.country_field,)

    def validate(self, value: Any, /, *context: Any) -> Sequence[Issue]:
        country = context[0] if context else None
        code = country_code(country) if country is not None else None
        known = isinstance(value, str) and subdivision_code(value) == value
        if known and (country is None or (code is not None and value.startswith(code + "-"))):
            return NO_ISSUES
        if known and code is not None:
            own = value.split("-", 1)[0]
            return (
                make_issue(self, "subdivision.country", f"is a subdivision of {own}, not of "
                           f"{code}", value, hint=f"check the state and the country ({code})",
                           severity=self.severity),
            )  # fmt: skip
        if known:
            message = f"cannot be checked against the country {shorten(country, 40)}"
            hint = "give the record's country as a name or an ISO code"
        elif country is None and self.country_field is not None:
            # not wrong, only unplaced: kept as written, a warning (a blank country is
            # never filled in, so the state cannot be read without one)
            return (
                make_issue(self, "subdivision.no_country", "cannot be placed: the record has "
                           "no country", value, hint="give the record's country, or write the "
                           "full ISO 3166-2 code (US-NY)",
                           severity=Severity.WARNING if self.severity is Severity.ERROR
                           else self.severity),
            )  # fmt: skip
        elif len(maybe := subdivision_candidates(value, country=code)) > 1:
            return (  # a name several subdivisions share: name them, choose none
                make_issue(self, "subdivision.ambiguous", f"names several subdivisions of {code}",
                           value, hint=f"could be {' or '.join(maybe)}: write the code meant",
                           severity=self.severity),
            )  # fmt: skip
        else:
            where = f" of {code}" if code is not None else ""
            message = f"is not a known state or province{where}"
            hint = "use an ISO 3166-2 code such as US-NY, or the subdivision's name"
        return (
            make_issue(self, "subdivision.unknown", message, value, hint=hint,
                       severity=self.severity),
        )  # fmt: skip


@attrs.frozen
class _UrlCheck:
    severity: Severity = _sev
    id: ClassVar[str] = "check.url"
    version: ClassVar[int] = 2

    def validate(self, value: Any, /) -> Sequence[Issue]:
        address, (code, message, hint) = url_verdict(value)
        if address is not None:
            return NO_ISSUES  # a web address: normalized, or one the normalizer reads
        return (make_issue(self, code, message, value, hint=hint, severity=self.severity),)
