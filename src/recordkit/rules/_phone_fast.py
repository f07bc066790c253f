"""
The common shapes of a phone number, read without phonenumbers' parser, to the same number.

Most numbers in customer data are digits with spaces, dashes, dots or brackets: either in
international form (``+44 20 7946 0958``) or, in North America, ten national digits
(``(415) 555-0148``). For those shapes phonenumbers' ``parse`` comes down to a few steps —
take the country code (the shortest prefix that is one), and strip the national prefix when
the number starts with it — and `fast_phone` takes them itself, giving the same
`phonenumbers.PhoneNumber` (equal field by field). A number written nationally with its
trunk prefix (``020 7946 0958``) is read where the region's prefix rule captures nothing.
Everything else (a leading zero left, an extension, letters, an exit code, a national
prefix to strip from an international number) is left to phonenumbers.

`valid_number` is ``phonenumbers.is_valid_number`` taken the same steps with each region's
patterns compiled once (phonenumbers looks every pattern up again, for each of up to ten
number types, on every call). The tests and `scripts/differential_contacts.py` hold both
shortcuts equal to phonenumbers.
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers
from phonenumbers import PhoneMetadata

__all__ = ["fast_phone", "valid_number"]

_SHAPE: Final = re.compile(r"\(?\+?[0-9][0-9 ().\-]*[0-9]", re.ASCII)
_SEPARATORS: Final = str.maketrans("", "", " ().-+")
_NANP: Final = 1
_MIN_NATIONAL: Final = 4
_MAX_NATIONAL: Final = 15


def _prefixes() -> dict[int, re.Pattern[str] | None]:
    """
    Calling code → its national prefix pattern for parsing (``None``: it has none).

    A number in international form has its national prefix stripped only where the
    pattern matches at its start; elsewhere the pattern, and any transform rule, do nothing.
    """
    out: dict[int, re.Pattern[str] | None] = {}
    for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items():
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, regions[0])
        if metadata is not None:
            prefix = metadata.national_prefix_for_parsing
            out[code] = re.compile(prefix) if prefix else None
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


_PREFIXES: Final = _prefixes()
_NANP_REGIONS: Final = _plain_nanp_regions()


def fast_phone(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """
    ``phonenumbers.parse(text, region)`` for the common shapes, else ``None`` (not decided).
    """
    if _SHAPE.fullmatch(text) is None:
        return None
    digits = text.translate(_SEPARATORS)
    written = text[1:] if text[0] == "(" else text  # parse starts at the first + or digit
    if written[0] == "+":
        if digits[0] == "0":
            return None  # parse reads no country code starting with 0
        for size in (1, 2, 3):
            code = int(digits[:size])
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                break
        else:
            return None
        national = digits[size:]
    elif type(region) is str and region in _NANP_REGIONS and len(digits) == 10:
        code, national = _NANP, digits
    elif type(region) is str:
        return _national(digits, region)
    else:
        return None
    if (
        code not in _PREFIXES
        or not _MIN_NATIONAL <= len(national) <= _MAX_NATIONAL
        or national[0] == "0"
        or ((prefix := _PREFIXES[code]) is not None and prefix.match(national) is not None)
    ):
        return None
    return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))


_Patterns = tuple[re.Pattern[str], re.Pattern[str] | None, re.Pattern[str] | None]
_National = tuple[_Patterns, tuple[int, ...], frozenset[int], int]
_NATIONAL: dict[str, _National | None] = {}


def _national_plan(region: str) -> _National | None:
    """
    How phonenumbers reads a number of *region* written with its trunk prefix, where plain.

    Plain: the national prefix pattern captures nothing and has no transform rule. The
    prefix and exit code patterns, the general number pattern, the possible and the
    local-only lengths, and the calling code; worked out on first use.
    """
    if region in _NATIONAL:
        return _NATIONAL[region]
    plan = None
    metadata = (
        PhoneMetadata.metadata_for_region(region, None)
        if region in phonenumbers.SUPPORTED_REGIONS
        else None
    )
    general = None if metadata is None else metadata.general_desc
    if (
        metadata is not None
        and general is not None
        and general.possible_length
        and metadata.national_prefix_for_parsing
        and not metadata.national_prefix_transform_rule
        and metadata.country_code is not None
    ):
        prefix = re.compile(metadata.national_prefix_for_parsing)
        exit_code = metadata.international_prefix
        pattern = general.national_number_pattern
        if prefix.groups == 0:
            patterns = (
                prefix,
                re.compile(exit_code) if exit_code else None,
                re.compile(pattern) if pattern else None,
            )
            plan = (
                patterns,
                tuple(general.possible_length),
                frozenset(general.possible_length_local_only or ()),
                metadata.country_code,
            )
    _NATIONAL[region] = plan
    return plan


def _national(digits: str, region: str) -> phonenumbers.PhoneNumber | None:
    """
    ``parse`` of national *digits* written with *region*'s trunk prefix (``020 7946 0958``).

    Phonenumbers' steps for such a number: no exit code at its start, the prefix stripped
    unless the number fits the region's pattern only with it, kept when what is left has
    no possible length. Only digits starting with ``0`` are read here (no calling code
    starts with one, so the library's "the region's own code without a plus" reading
    never applies); anything else (a leading zero left, an exit code) is left to it.
    """
    plan = _national_plan(region) if digits[0] == "0" else None
    if plan is None:
        return None
    (prefix, exit_code, general), lengths, local, code = plan
    stripped = prefix.match(digits)
    if stripped is None or (exit_code is not None and exit_code.match(digits)):
        return None  # no trunk prefix, or an exit code: the library decides
    national = digits[stripped.end() :]
    size = len(national)
    if (
        not _MIN_NATIONAL <= size <= _MAX_NATIONAL
        or national[0] == "0"
        or (general is not None and general.fullmatch(digits) and not general.fullmatch(national))
        or size in local
        or size < lengths[0]
        or (lengths[0] < size <= lengths[-1] and size not in lengths[1:])
    ):
        return None  # parse keeps the prefix: a leading zero, which the library reads
    return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))


_TYPES: Final = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
)
"""
The number types phonenumbers tries, in its order, before ``mobile``.
"""

_Desc = tuple[frozenset[int], re.Pattern[str] | None]
_Kinds = tuple[_Desc | None, tuple[_Desc | None, ...]]
_KINDS: dict[int, tuple[PhoneMetadata, _Kinds]] = {}


def _desc(desc: phonenumbers.PhoneNumberDesc | None) -> _Desc | None:
    if desc is None:
        return None
    pattern = desc.national_number_pattern
    return frozenset(desc.possible_length), re.compile(pattern) if pattern else None


def _kinds(metadata: PhoneMetadata) -> _Kinds:
    """
    *metadata*'s general description and the number types that make a number valid.

    Kept per metadata object (the object is kept with it, so its id is not reused).
    """
    kept = _KINDS.get(id(metadata))
    if kept is not None and kept[0] is metadata:
        return kept[1]
    names = list(_TYPES)
    if not metadata.same_mobile_and_fixed_line_pattern:  # phonenumbers' own condition
        names.append("mobile")
    kinds = (
        _desc(metadata.general_desc),
        tuple(_desc(getattr(metadata, n)) for n in names),
    )
    _KINDS[id(metadata)] = (metadata, kinds)
    return kinds


def _matches(national: str, desc: _Desc | None) -> bool:
    """
    Phonenumbers' ``_is_number_matching_desc``.
    """
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(national) not in lengths:
        return False
    return pattern is not None and pattern.fullmatch(national) is not None


_Step = tuple[re.Pattern[str] | None, _Kinds | None]
"""
One region of a calling code, as phonenumbers tries it: its leading-digits pattern (or,
without one, its number types) picks the region.
"""
_Plan = tuple[tuple[str, ...], tuple[_Step, ...], dict[str, _Kinds | None]]
_PLANS: dict[int, _Plan | None] = {}


def _plan(code: int) -> _Plan | None:
    """
    How phonenumbers decides a number of calling code *code* valid, worked out once.

    The code's regions, how each is recognised and, per region, the number types that make
    a number of it valid (``None``: phonenumbers refuses that region for *code*).
    """
    if code in _PLANS:
        return _PLANS[code]
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if regions is None:
        _PLANS[code] = None
        return None
    steps: list[_Step] = []
    final: dict[str, _Kinds | None] = {}
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
        if metadata is None:
            steps.append((None, None))
        elif metadata.leading_digits is not None:
            steps.append((re.compile(metadata.leading_digits), None))
        else:
            steps.append((None, _kinds(metadata)))
        own = PhoneMetadata.metadata_for_region_or_calling_code(code, region.upper())
        refused = own is None or (
            region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
            and code != phonenumbers.country_code_for_valid_region(region)
        )
        final[region] = None if own is None or refused else _kinds(own)
    plan = (tuple(regions), tuple(steps), final)
    _PLANS[code] = plan
    return plan


def _has(national: str, kinds: _Kinds) -> bool:
    general, types = kinds
    return _matches(national, general) and any(_matches(national, k) for k in types)


def valid_number(number: phonenumbers.PhoneNumber) -> bool:
    """
    ``phonenumbers.is_valid_number(number)``, with the patterns compiled once.

    The same steps: the region is the calling code's only one, else the first whose
    leading digits match or whose number types the number fits; then the number must fit
    one of that region's number types.
    """
    code = number.country_code
    plan = None if code is None else _plan(code)
    if plan is None:
        return False
    national = phonenumbers.national_significant_number(number)
    regions, steps, final = plan
    if len(regions) == 1:
        region: str | None = regions[0]
    else:
        region = None
        for name, (leading, kinds) in zip(regions, steps, strict=True):
            if leading is not None:
                if leading.match(national):
                    region = name
                    break
            elif kinds is not None and _has(national, kinds):
                region = name
                break
    if region is None:
        return False
    kinds = final[region]
    return kinds is not None and _has(national, kinds)
