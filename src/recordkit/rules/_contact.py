"""
Contact-point normalizers: phone numbers, email addresses and web addresses.

Plain functions of one value, shared by the rule engine and the matcher. They never raise
and never touch the network: a value they cannot read comes back unchanged, for a
validator to flag.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, Final

import email_validator
import phonenumbers

from recordkit._errors import RecordkitError
from recordkit.rules._email_fast import fast_verdict, no_at_sign
from recordkit.rules._phone_fast import fast_phone, possible_number
from recordkit.rules._phone_valid import valid_number
from recordkit.rules._text import ValueT, clean_text
from recordkit.schema import URL

__all__ = [
    "email_fix",
    "email_problem",
    "email_verdict",
    "normalize_email",
    "normalize_phone",
    "normalize_url",
    "parse_phone",
    "phone_text",
    "url_verdict",
]


_MAX_PHONE: Final = 100  # longer text is not a phone number; phonenumbers refuses it anyway
_MAX_EMAIL: Final = 320
_MAX_URL: Final = 2048


def parse_phone(value: object, *, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    """
    Parse *value* as a phone number, or return ``None`` when it cannot be read as one.

    Numbers written without a country code are read in *region* (ISO 3166-1 alpha-2); a
    leading international ``00`` prefix is accepted whatever the region.

    .. versionadded:: 0.1.0
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > _MAX_PHONE:
        return None
    text = clean_text(value)
    if not text:
        return None
    # the common shapes are read directly, to what phonenumbers.parse gives
    number = fast_phone(text, region)
    if number is None:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            number = None
        except Exception:  # the library must not take a batch down with it
            return None
    if text.startswith("00") and (number is None or not valid_number(number)):
        # "0061 2 …" is the international form in most of the world, even where the
        # region's own exit code differs (Australia dials 0011): prefer it when it reads.
        international = fast_phone("+" + text[2:], None)
        if international is None:
            try:
                international = phonenumbers.parse("+" + text[2:], None)
            except Exception:
                return number
        if number is None or possible_number(international):
            return international
    return number


def normalize_phone(value: ValueT, *, region: str | None = None) -> ValueT | str:
    """
    Return a phone number in E.164 (``+442079460958``), keeping any extension.

    An extension is written after ``;ext=`` (``+12125550123;ext=45``), which reads back the
    same. Text that is not a possible phone number comes back unchanged.

    Examples:
        >>> normalize_phone("(212) 555-0123 x45", region="US")
        '+12125550123;ext=45'

    Args:
        value: the raw number.
        region: the region assumed for numbers without a country code.

    .. versionadded:: 0.1.0
    """
    number = parse_phone(value, region=region)
    if number is None or not possible_number(number):
        return value
    text = phone_text(number)
    return value if text is None else text


def phone_text(number: phonenumbers.PhoneNumber) -> str | None:
    """
    *number* in E.164 with its extension; ``None`` when that would read as another number.

    A national number with a kept leading zero (``0800 228098`` read in the Isle of Man)
    is written ``+440800228098``, which reads back without the zero, as another number:
    such a number is left as written, for the phone check to flag.

    .. versionadded:: 0.2.0
    """
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.italian_leading_zero:
        again = fast_phone(e164, None)
        if again is None:
            try:
                again = phonenumbers.parse(e164, None)
            except phonenumbers.NumberParseException:
                return None
        if (again.national_number, again.italian_leading_zero, again.number_of_leading_zeros) != (
            number.national_number,
            number.italian_leading_zero,
            number.number_of_leading_zeros,
        ):
            return None
    return f"{e164};ext={number.extension}" if number.extension else e164


_MAILTO: Final = re.compile(r"^\s*(?:mailto:)?\s*<?\s*(.*?)\s*>?\s*$", re.IGNORECASE | re.DOTALL)


def normalize_email(value: ValueT, *, lowercase: bool = True) -> ValueT | str:
    """
    Return an email address in normal form, without any network check.

    The address itself is never changed beyond three things: the whitespace around it,
    ``mailto:`` and angle brackets are dropped; the domain is written as email-validator
    normalizes it (Unicode NFC, lower case, IDNA ``xn--`` labels in Unicode); and by
    default the local part is lower-cased too (almost every mail system ignores its case;
    ``lowercase=False`` keeps it as typed). Text that is not an address comes back
    unchanged, even when a fix is likely (``mary smith@example.org``): `email_fix` offers
    it, a validator flags the value.

    Examples:
        >>> normalize_email(" <Ada.Lovelace@EXAMPLE.com> ")
        'ada.lovelace@example.com'
        >>> normalize_email("ada@@example.com")
        'ada@@example.com'

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Never repairs an address (inner spaces, a doubled ``@``, a comma in the domain).
    """
    normalized: ValueT | str = email_verdict(value, lowercase=lowercase)[0]
    return normalized


def _unwrapped(value: str) -> str:
    """
    *value* without the whitespace around it, ``mailto:`` and angle brackets.
    """
    m = _MAILTO.match(value) if ("<" in value or ":" in value) else None
    return (m[1] if m else value).strip()


def _validated(text: str, lowercase: bool) -> tuple[str | None, str | None]:
    verdict = fast_verdict(text)  # the common shapes: email-validator's verdict, faster
    if verdict is not None:
        address = verdict[0]
        return (address.lower() if lowercase else address) if address else None, verdict[1]
    if (missing := no_at_sign(text)) is not None:
        return None, missing  # no at-sign: the library's own verdict and words
    try:
        info = email_validator.validate_email(
            text, check_deliverability=False, test_environment=False
        )
    except email_validator.EmailNotValidError as exc:
        return None, str(exc)
    except Exception as exc:  # anything the library trips on must not stop a batch
        return None, f"unreadable ({type(exc).__name__})"
    address = info.normalized
    return (address.lower() if lowercase else address), None


def email_verdict(value: Any, *, lowercase: bool = True) -> tuple[Any, str | None]:
    """
    Return ``(normalized address, None)``, or ``(value, why it is not an address)``.

    One parse serves both the normalizer and the validator that follows it.
    """
    if not isinstance(value, str):
        return value, f"expected text, got {type(value).__name__}"
    if len(value) > _MAX_EMAIL:
        return value, "too long to be an email address"
    address, problem = _validated(_unwrapped(value), lowercase)
    return (value, problem) if address is None else (address, None)


def email_fix(value: object, *, lowercase: bool = True) -> str | None:
    """
    The address *value* most likely means, when it is not one as written; else ``None``.

    The fix drops spaces inside (``mary smith@example.org``), a doubled ``@``, and stray
    punctuation at the ends, and reads a comma in the domain as a dot
    (``ada@example,com``). It is offered in the issue's hint, never applied.

    .. versionadded:: 0.2.0
    """
    if not isinstance(value, str) or len(value) > _MAX_EMAIL:
        return None
    written = _unwrapped(value)
    text = "".join(written.split()).lstrip(",;:").rstrip(",;:.")
    if text.count("@") == 2 and "@@" in text:
        text = text.replace("@@", "@")
    local, at, domain = text.rpartition("@")
    if at and "," in domain:
        text = f"{local}@{domain.replace(',', '.')}"
    if text == written:
        return None  # nothing to fix: the address as written is all there is
    address, _ = _validated(text, lowercase)
    if address is None or email_verdict(value, lowercase=lowercase)[1] is None:
        return None
    return address


def email_problem(value: Any) -> str | None:
    """
    Say why *value* is not a valid email address, or return ``None`` when it is one.
    """
    if not isinstance(value, str):
        return f"expected text, got {type(value).__name__}"
    if len(value) > _MAX_EMAIL:
        return "too long to be an email address"
    verdict = fast_verdict(value)
    if verdict is not None:
        return verdict[1]  # email-validator's verdict on the common shapes (`fast_verdict`)
    if (missing := no_at_sign(value)) is not None:
        return missing
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        return str(exc)
    except Exception as exc:
        return f"{type(exc).__name__}"
    return None


_SCHEME: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_IPV4: Final = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_LABEL: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_URL_HINT: Final = "write it as https://www.example.com"


def _host_problem(host: str) -> str | None:
    """
    Why *host* is not a domain name a website has, or ``None``.
    """
    if _IPV4.fullmatch(host) or ":" in host:
        return "names an IP address, not a domain"
    labels = host.split(".")
    if len(labels) < 2:
        return "has no domain (a host with a dot, such as example.com)"
    for label in labels:
        if label.isascii():
            if not _LABEL.fullmatch(label):
                return f"has an invalid host name part {label[:63]!r}"
            continue
        try:
            label.encode("idna")
        except UnicodeError:
            return f"has an invalid host name part {label[:63]!r}"
    if labels[-1].isdigit():
        return "has a numeric top-level domain"
    return None


def url_verdict(value: object, *, scheme: str = "https") -> tuple[str | None, tuple[str, str, str]]:
    """
    ``(the web address in normal form, ("", "", ""))``, or ``(None, (code, why, hint))``.

    One reading serves the normalizer and the validator, so what one reads the other
    accepts. See `normalize_url` for what is read.
    """
    if not isinstance(value, str) or len(value) > _MAX_URL:
        return None, ("url.invalid", "is not a web address", _URL_HINT)
    text = clean_text(value)
    if not text:
        return None, ("url.invalid", "is blank", _URL_HINT)
    try:
        URL().coerce(text)  # names a scheme other than http and https
    except RecordkitError as exc:
        why = str(exc)
        hint = "put an email address in an email field" if "mailto" in why else _URL_HINT
        return None, ("url.scheme", why, hint)
    if any(c.isspace() for c in text):
        return None, ("url.whitespace", "a web address has no spaces", "write a space as %20")
    if not _SCHEME.match(text):
        text = f"{scheme}://{text.lstrip('/')}"
    try:
        parts = urllib.parse.urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None, ("url.invalid", "is not a web address", _URL_HINT)
    proto = parts.scheme.lower()
    if proto not in _DEFAULT_PORTS:
        return None, ("url.scheme", "only http and https addresses are web addresses", _URL_HINT)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        given = "://" in clean_text(value)
        hint = _URL_HINT if given else "this is an email address: put it in an email field"
        return None, ("url.userinfo", "a web address holds no user name or password", hint)
    if not host:
        return None, ("url.host", "has no host", _URL_HINT)
    host = host.rstrip(".")
    if (problem := _host_problem(host)) is not None:
        return None, ("url.host", problem, _URL_HINT)
    netloc = host
    if port is not None and _DEFAULT_PORTS[proto] != port:
        netloc = f"{host}:{port}"
    path = "" if parts.path == "/" and not (parts.query or parts.fragment) else parts.path
    return urllib.parse.urlunsplit((proto, netloc, path, parts.query, parts.fragment)), _NONE


_NONE: Final = ("", "", "")


def normalize_url(value: ValueT, *, scheme: str = "https") -> ValueT | str:
    """
    Return a web address with a scheme, a lower-case host and no default port.

    ``www.Acme.com/`` becomes ``https://www.acme.com``; paths and queries are kept as
    written. A web address is ``http`` or ``https`` (or no scheme, read as *scheme*) with
    a domain name that has a dot; text with whitespace, a user name or password
    (``sales@example.org``), another scheme (``mailto:``, ``data:``, ``javascript:``),
    an IP address or a host without a dot (``localhost``) comes back unchanged, for
    `Validators.url` to flag.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       IP addresses and hosts with invalid labels are not web addresses.
    """
    after = url_verdict(value, scheme=scheme)[0]
    return value if after is None else after
