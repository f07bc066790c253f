"""
The common shapes of an email address, decided without email-validator, with its verdict.

Most addresses in customer data have a dot-atom local part (plain ASCII, or with letters of
any script: ``zoë.müller@example.de``) and a host name of ASCII letters, digits, hyphens
and dots. For those, email-validator's checks (deliverability off, as recordkit calls it)
come down to a handful of rules, taken here in the library's order: the address splits at
its first ``@``; the local part is a dot-atom whose characters outside ASCII are letters,
marks (not first), numbers, punctuation or symbols, and stays one in Unicode NFC; the
domain has only host-name characters, no period or hyphen at its ends or next to another,
no ``ab--`` label, labels of at most 63 characters, a period, a last label ending in a
letter and none of the special-use names; the whole at most 254 bytes. `fast_verdict`
answers for those addresses, valid or not, with the library's normalized form or its very
message, and leaves every other one (quoted, a Unicode or IDNA ``xn--`` domain, a bracketed
address, anything odd) to email-validator. `scripts/differential_contacts.py` and the
tests hold its answers equal to the library's over generated addresses.

`no_at_sign` answers for the other common case, text with no at-sign at all: the library
refuses it before looking at anything else, always with the same message.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

import email_validator
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from email_validator.syntax import get_length_reason, safe_character_display

__all__ = ["fast_email", "fast_verdict", "no_at_sign"]

_ATEXT: Final = r"a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~"
_ASCII_LOCAL: Final = re.compile(rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*")
_INTL_LOCAL: Final = re.compile(rf"[{_ATEXT}\u0080-\U0010FFFF]+(?:\.[{_ATEXT}\u0080-\U0010FFFF]+)*")
_HOST_CHARS: Final = re.compile(r"[a-zA-Z0-9.\-]*", re.ASCII)
_HOST: Final = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*(?:\.[a-z0-9]+(?:-+[a-z0-9]+)*)*", re.ASCII)
"""
A host name with no period or hyphen at its ends or next to another (lower case).
"""
_R_LDH: Final = re.compile(r"(?!xn)..--", re.IGNORECASE)
_MAX_ADDRESS: Final = 254  # email_validator.rfc_constants.EMAIL_MAX_LENGTH
_MAX_DOMAIN: Final = 253  # DOMAIN_MAX_LENGTH
_MAX_LABEL: Final = 63  # DNS_LABEL_LENGTH_LIMIT
_SAFE: Final = frozenset("LNPS")
"""
The Unicode categories (their first letter) safe anywhere in a local part; marks are safe
after its first character.
"""

_R_LDH_MESSAGE: Final = (
    "An email address cannot have two letters followed by two dashes immediately after the "
    "@-sign or after a period, except Punycode."
)
_NO_PERIOD: Final = "The part after the @-sign is not valid. It should have a period."
_NO_TLD: Final = (
    "The part after the @-sign is not valid. It is not within a valid top-level domain."
)
_SPECIAL: Final = (
    "The part after the @-sign is a special-use or reserved name that cannot be used with email."
)
_NOTHING_AFTER: Final = "There must be something after the @-sign."
_INVALID: Final = "The part after the @-sign contains invalid characters"
_LONG_LABEL: Final = "After the @-sign, periods cannot be separated by so many characters"

Verdict = tuple[str, None] | tuple[None, str]
"""
``(normalized address, None)`` or ``(None, why it is not an address)``.
"""


def _safe(local: str) -> bool:
    """
    Email-validator's ``check_unsafe_chars`` on a dot-atom local part (its ASCII is safe).
    """
    for i, char in enumerate(local):
        if char > "\x7f":
            kind = unicodedata.category(char)[0]
            if kind not in _SAFE and (kind != "M" or i == 0):
                return False
    return True


def _local_part(local: str) -> str | None:
    """
    The local part as the library returns it, or ``None`` where it decides otherwise.
    """
    if _ASCII_LOCAL.fullmatch(local):
        # RFC 2142's mailbox names (postmaster, info…) are written in lower case
        return local.lower() if local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES else local
    if (
        email_validator.ALLOW_SMTPUTF8 is not True
        or not _INTL_LOCAL.fullmatch(local)
        or not _safe(local)
    ):
        return None
    return local


def _dot_problem(domain: str) -> str | None:
    """
    Email-validator's dot-atom checks of a host name (``check_dot_atom``), in its order.
    """
    for dot, name in ((".", "period"), ("-", "hyphen")):
        if domain.endswith(dot):
            return f"An email address cannot end with a {name}."
        if domain.startswith(dot):
            return f"An email address cannot have a {name} immediately after the @-sign."
        if dot == "." and ".." in domain:
            return "An email address cannot have two periods in a row."
    if ".-" in domain or "-." in domain:
        return "An email address cannot have a period and a hyphen next to each other."
    return None  # pragma: no cover - `_HOST` refuses nothing else


def _domain_problem(domain: str) -> str | None:
    """
    Why the library refuses *domain*, lower-cased ASCII of host-name characters, or ``None``.
    """
    if not _HOST.fullmatch(domain):
        return _dot_problem(domain)
    if "--" in domain and any(_R_LDH.match(label) for label in domain.split(".")):
        return _R_LDH_MESSAGE
    if len(domain) > _MAX_LABEL:
        for label in domain.split("."):
            if len(label) > _MAX_LABEL:
                reason = get_length_reason(label, limit=_MAX_LABEL)
                return f"{_LONG_LABEL} {reason}."
    if "." not in domain:
        return _NO_PERIOD
    if not ("a" <= domain[-1] <= "z"):
        return _NO_TLD
    special = _special_names()
    rest = domain
    while rest not in special:  # the domain, then each name it ends with
        rest = rest.partition(".")[2]
        if not rest:
            return None
    return _SPECIAL


_SPECIAL_NAMES: list[tuple[tuple[str, ...], frozenset[str]]] = []


def _special_names() -> frozenset[str]:
    """
    The library's special-use names, as a set (read again when the list is changed).
    """
    names = tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES)
    if not _SPECIAL_NAMES or _SPECIAL_NAMES[0][0] != names:
        _SPECIAL_NAMES[:] = [(names, frozenset(names))]
    return _SPECIAL_NAMES[0][1]


def fast_verdict(text: str) -> Verdict | None:
    """
    Email-validator's verdict on *text* when it is of the common shapes, else ``None``.

    The verdict is ``(normalized address, None)`` (not lower-cased, as the library gives
    it) or ``(None, the library's message)``. ``None`` means "not decided here": the caller
    asks email-validator.
    """
    local, at, domain = text.partition("@")
    if not at or not local or not domain.isascii():
        return None
    if (
        email_validator.GLOBALLY_DELIVERABLE is not True
        or email_validator.STRICT is not False
        or (written := _local_part(local)) is None
    ):
        return None
    normal = written
    if not written.isascii() and (nfc := unicodedata.normalize("NFC", written)) != written:
        again = _local_part(nfc)  # the library checks the local part again, in NFC
        if again is None:
            return None
        normal = again
    if not domain:
        return None, _NOTHING_AFTER
    if len(domain) > _MAX_DOMAIN or (domain[0] == "[" and domain[-1] == "]"):
        return None  # too long, or a bracketed address: the library decides
    if not _HOST_CHARS.fullmatch(domain):
        bad = {safe_character_display(c) for c in domain if not _HOST_CHARS.fullmatch(c)}
        return None, f"{_INVALID}: {', '.join(sorted(bad))}."
    domain = domain.lower()
    if domain.rpartition(".")[2] == "test" or "xn--" in domain:
        return None  # test names (the environment decides) and IDNA labels: the library's
    problem = _domain_problem(domain)
    if problem is not None:
        return None, problem
    address = f"{normal}@{domain}"
    if len(text.encode()) > _MAX_ADDRESS or len(address.encode()) > _MAX_ADDRESS:
        return None  # too long: the library counts how much
    return address, None


def fast_email(text: str) -> str | None:
    """
    The normalized, lower-cased form of *text* when `fast_verdict` finds it valid, else ``None``.
    """
    verdict = fast_verdict(text)
    return None if verdict is None or verdict[0] is None else verdict[0].lower()


_AT_SIGNS: Final = ("@", "<", "\uff20", "\ufe6b")
"""
The at-sign, the angle bracket that opens an address, and the two at-sign look-alikes the
library names in its messages: text with none of them has no address part.
"""


def no_at_sign(text: str) -> str | None:
    """
    Email-validator's message for *text* when it has no at-sign at all, else ``None``.

    The library splits an address at its first unquoted at-sign (or angle bracket) and,
    finding none, refuses it with one message whatever the rest holds; that message is
    asked of the library once (so it is the installed version's own words).
    """
    if any(sign in text for sign in _AT_SIGNS):
        return None
    return _no_at_message()


@functools.cache
def _no_at_message() -> str | None:
    try:
        email_validator.validate_email("nobody", check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        return str(exc)
    return None  # pragma: no cover - a library that took "nobody" as an address
