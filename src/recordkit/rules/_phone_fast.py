"""
The common shapes of a phone number, read without phonenumbers' parser, to the same number.

Most numbers in customer data are digits with spaces, dashes, dots or brackets: either in
international form (``+44 20 7946 0958``) or, in North America, ten national digits
(``(415) 555-0148``). For those shapes phonenumbers' ``parse`` comes down to a few steps —
take the country code (the shortest prefix that is one), and strip the national prefix when
the number starts with it — and `fast_phone` takes them itself, giving the same
`phonenumbers.PhoneNumber` (equal field by field), for the countries whose national prefix
is one plain string of digits with no transform rule. Everything else (a number written
with its national prefix or a leading zero, an extension, letters, an exit code, a country
whose prefix rule is a pattern) is left to phonenumbers. Validity is still decided by
phonenumbers (`is_valid_number` on the number); the tests and
`scripts/differential_contacts.py` hold the shortcut equal to ``parse``.
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers
from phonenumbers import PhoneMetadata

__all__ = ["fast_phone"]

_SHAPE: Final = re.compile(r"\+?[0-9][0-9 ().\-]*[0-9]", re.ASCII)
_SEPARATORS: Final = str.maketrans("", "", " ().-+")
_NANP: Final = 1
_MIN_NATIONAL: Final = 4
_MAX_NATIONAL: Final = 15


def _plain_prefixes() -> dict[int, str]:
    """
    Country code → its national prefix for parsing (``""``: none), where that is plain.

    Plain: a string of digits and no transform rule, so stripping it is a prefix test.
    """
    out: dict[int, str] = {}
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
        if metadata is None or metadata.national_prefix_transform_rule:
            continue
        prefix = metadata.national_prefix_for_parsing or ""
        if prefix == "" or prefix.isdigit():
            out[code] = prefix
    return out


def _plain_nanp_regions() -> frozenset[str]:
    """
    The North American regions whose own national prefix rule is the plain ``1``.
    """
    out = set()
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(_NANP, ()):
        metadata = PhoneMetadata.metadata_for_region(region)
        if (
            metadata is not None
            and not metadata.national_prefix_transform_rule
            and metadata.national_prefix_for_parsing == "1"
        ):
            out.add(region)
    return frozenset(out)


_PREFIXES: Final = _plain_prefixes()
_NANP_REGIONS: Final = _plain_nanp_regions()


def fast_phone(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """
    ``phonenumbers.parse(text, region)`` for the common shapes, else ``None`` (not decided).
    """
    if _SHAPE.fullmatch(text) is None:
        return None
    digits = text.translate(_SEPARATORS)
    if text[0] == "+":
        if "+" in text[1:] or digits[0] == "0":
            return None  # parse reads no country code starting with 0
        for size in (1, 2, 3):
            code = int(digits[:size])
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                break
        else:
            return None
        prefix = _PREFIXES.get(code)
        national = digits[size:]
    elif type(region) is str and region in _NANP_REGIONS and len(digits) == 10:
        code, prefix, national = _NANP, _PREFIXES.get(_NANP), digits
    else:
        return None
    if (
        prefix is None
        or not _MIN_NATIONAL <= len(national) <= _MAX_NATIONAL
        or national[0] == "0"
        or (prefix and national.startswith(prefix))
    ):
        return None
    return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
