"""
The common shape of an email address, decided without email-validator, with its verdict.

Most addresses in customer data are plain ASCII: a dot-atom local part and a host name of
letters, digits and hyphens. For those, email-validator's checks (with deliverability off,
as recordkit calls it) come down to a handful of rules: the address splits at its one
``@``; the local part is a dot-atom; the domain is host-name labels of at most 63
characters, with a period, ending in a letter, no label with two hyphens at positions 3-4,
none of the special-use names; the whole at most 254 characters. Its normalized form is then
the address with the domain in lower case. `fast_email` answers for those addresses only
and leaves every other one (quoted, Unicode, IDNA ``xn--`` labels, anything odd) to
email-validator; `scripts/differential_contacts.py` and the tests hold its answers equal to
the library's over generated addresses.

`no_at_sign` answers for the other common case, text with no at-sign at all: the library
refuses it before looking at anything else, always with the same message.
"""

from __future__ import annotations

import functools
import re
from typing import Final

import email_validator

__all__ = ["fast_email", "no_at_sign"]

_ATEXT: Final = r"a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~"
_LABEL: Final = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_SHAPE: Final = re.compile(
    rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*@((?:{_LABEL}\.)+[a-zA-Z0-9-]*[a-zA-Z])", re.ASCII
)
_LAST_LABEL: Final = re.compile(_LABEL, re.ASCII)
_MAX_ADDRESS: Final = 254  # email_validator.rfc_constants.EMAIL_MAX_LENGTH
_MAX_DOMAIN: Final = 253  # DOMAIN_MAX_LENGTH


def fast_email(text: str) -> str | None:
    """
    The normalized, lower-cased form of *text* when it is a plain valid address, else ``None``.

    ``None`` means "not decided here": the caller asks email-validator, which gives the
    verdict (valid or not) for every address this function leaves alone.
    """
    m = _SHAPE.fullmatch(text)
    if m is None or len(text) > _MAX_ADDRESS:
        return None
    domain = m[1].lower()
    if len(domain) > _MAX_DOMAIN or "--" in domain:
        return None  # IDNA labels and the "ab--" rule: the library decides
    last = domain.rpartition(".")[2]
    if _LAST_LABEL.fullmatch(last) is None:
        return None
    if (
        email_validator.GLOBALLY_DELIVERABLE is not True
        or email_validator.STRICT is not False
        or any(
            domain == d or domain.endswith("." + d)
            for d in email_validator.SPECIAL_USE_DOMAIN_NAMES
        )
    ):
        return None
    return text.lower()


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
