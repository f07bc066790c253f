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

from recordkit.rules._text import ValueT, clean_text

__all__ = [
    "email_problem",
    "email_verdict",
    "normalize_email",
    "normalize_phone",
    "normalize_url",
    "parse_phone",
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
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    except Exception:  # the library must not take a batch down with it
        return None
    if text.startswith("00") and (number is None or not phonenumbers.is_valid_number(number)):
        # "0061 2 …" is the international form in most of the world, even where the
        # region's own exit code differs (Australia dials 0011): prefer it when it reads.
        try:
            international = phonenumbers.parse("+" + text[2:], None)
        except Exception:
            return number
        if number is None or phonenumbers.is_possible_number(international):
            return international
    return number


def normalize_phone(value: ValueT, *, region: str | None = None) -> ValueT | str:
    """
    Return a phone number in E.164 (``+442079460958``), keeping any extension.

    An extension is written after ``;ext=`` (``+12125550123;ext=45``), which reads back the
    same. Text that is not a possible phone number comes back unchanged.

    Example:
        >>> normalize_phone("(212) 555-0123 x45", region="US")
        '+12125550123;ext=45'

    Args:
        value: the raw number.
        region: the region assumed for numbers without a country code.

    .. versionadded:: 0.1.0
    """
    number = parse_phone(value, region=region)
    if number is None or not phonenumbers.is_possible_number(number):
        return value
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


_MAILTO: Final = re.compile(r"^\s*(?:mailto:)?\s*<?\s*(.*?)\s*>?\s*$", re.IGNORECASE | re.DOTALL)


def normalize_email(value: ValueT, *, lowercase: bool = True) -> ValueT | str:
    """
    Return an email address in normal form, without any network check.

    Uses email-validator's normalization (Unicode NFC, the domain in lower case, IDNA),
    strips ``mailto:``, angle brackets and whitespace, and by default lower-cases the
    local part as well (almost every mail system ignores its case). Text that is not an
    address comes back unchanged.

    Example:
        >>> normalize_email(" <Ada.Lovelace@EXAMPLE.com> ")
        'ada.lovelace@example.com'

    .. versionadded:: 0.1.0
    """
    normalized: ValueT | str = email_verdict(value, lowercase=lowercase)[0]
    return normalized


def email_verdict(value: Any, *, lowercase: bool = True) -> tuple[Any, str | None]:
    """
    Return ``(normalized address, None)``, or ``(value, why it is not an address)``.

    One parse serves both the normalizer and the validator that follows it.
    """
    if not isinstance(value, str):
        return value, f"expected text, got {type(value).__name__}"
    if len(value) > _MAX_EMAIL:
        return value, "too long to be an email address"
    m = _MAILTO.match(value) if ("<" in value or ":" in value) else None
    text = "".join((m[1] if m else value).split()).lstrip(",;:").rstrip(",;:.")
    if text.count("@") == 2 and "@@" in text:
        text = text.replace("@@", "@")  # a doubled at-sign
    local, at, domain = text.rpartition("@")
    if at and "," in domain:
        text = f"{local}@{domain.replace(',', '.')}"  # a typo: "example,com"
    try:
        info = email_validator.validate_email(
            text, check_deliverability=False, test_environment=False
        )
    except email_validator.EmailNotValidError as exc:
        return value, str(exc)
    except Exception as exc:  # anything the library trips on must not stop a batch
        return value, f"unreadable ({type(exc).__name__})"
    address = info.normalized
    return (address.lower() if lowercase else address), None


def email_problem(value: Any) -> str | None:
    """
    Say why *value* is not a valid email address, or return ``None`` when it is one.
    """
    if not isinstance(value, str):
        return f"expected text, got {type(value).__name__}"
    if len(value) > _MAX_EMAIL:
        return "too long to be an email address"
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        return str(exc)
    except Exception as exc:
        return f"{type(exc).__name__}"
    return None


_SCHEME: Final = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def normalize_url(value: ValueT, *, scheme: str = "https") -> ValueT | str:
    """
    Return a web address with a scheme, a lower-case host and no default port.

    ``www.Acme.com/`` becomes ``https://www.acme.com``; paths and queries are kept as
    written. Text that cannot be read as a URL, or names a scheme other than ``http`` and
    ``https`` (``javascript:``, ``mailto:``, ``ftp:``), comes back unchanged.

    .. versionadded:: 0.1.0
    """
    if not isinstance(value, str) or len(value) > _MAX_URL:
        return value
    text = clean_text(value)
    if not text or " " in text:
        return value
    if not _SCHEME.match(text):
        text = f"{scheme}://{text.lstrip('/')}"
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return value
    if not host or "." not in host.strip(".") or ":" in host:
        return value
    proto = parts.scheme.lower()
    if proto not in _DEFAULT_PORTS:
        return value  # not a web address: left for a validator to flag
    netloc = host.lower().strip(".")
    if parts.username or parts.password:
        return value  # credentials in a URL: leave it alone for a validator to flag
    if port is not None and _DEFAULT_PORTS.get(proto) != port:
        netloc = f"{netloc}:{port}"
    path = "" if parts.path == "/" else parts.path
    return urllib.parse.urlunsplit((proto, netloc, path, parts.query, parts.fragment))
