"""
Phone numbers in their common shapes, read without phonenumbers' parser, to the same number.

Most numbers in customer data are digits with spaces, dashes, dots or brackets, perhaps
after a plus or an exit code, perhaps with an extension (``x12``, ``ext. 12``): ``+44 20
7946 0958``, ``(415) 555-0148``, ``020 7946 0958``, ``011 44 20 7946 0958``,
``1-415-555-0148 ext. 7``. For those shapes `fast_phone` takes phonenumbers' ``parse``
steps itself, with each region's patterns compiled once: the extension split off, an exit
code or a plus and the calling code read (or the region's own calling code written without
a plus), the national prefix stripped where the region's rule strips it, leading zeros
kept. It gives the same `phonenumbers.PhoneNumber` (equal field by field); anything else
(letters, other labels, a rule phonenumbers would trip on, a number it would refuse) is
left to phonenumbers.

`possible_number` is ``phonenumbers.is_possible_number`` with the possible lengths read
once per calling code. The tests and `scripts/differential_contacts.py` hold both equal to
phonenumbers.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

import phonenumbers
from phonenumbers import PhoneMetadata

__all__ = ["fast_phone", "possible_number"]

_SHAPE: Final = re.compile(
    r"(\(?\+?[0-9][0-9 ().\-]*[0-9])(?: *(?:[xX]|[eE][xX][tT]\.?) *([0-9]{1,9}))?", re.ASCII
)
"""
A number (digits and separators, an opening bracket or plus first) and maybe an extension:
``x`` or ``ext`` then at most nine digits, which phonenumbers reads as one whatever the label.
"""
_SEPARATORS: Final = str.maketrans("", "", " ().-+")
_MIN_NATIONAL: Final = 2  # phonenumbers' _MIN_LENGTH_FOR_NSN
_MAX_NATIONAL: Final = 17  # _MAX_LENGTH_FOR_NSN
_MAX_CODE: Final = 3  # the longest calling code

# phonenumbers' ValidationResult, as `_length` needs it
_POSSIBLE, _LOCAL, _SHORT, _LONG, _INVALID = range(5)
_KEEPS_PREFIX: Final = frozenset({_SHORT, _LOCAL, _INVALID})
"""
The lengths after stripping for which ``parse`` keeps the national prefix after all.
"""


class _Meta(NamedTuple):
    """
    What ``parse`` reads of one region's metadata, compiled once.
    """

    code: int
    exit_code: re.Pattern[str] | None
    prefix: re.Pattern[str] | None
    transform: str | None
    general: re.Pattern[str] | None
    lengths: tuple[int, ...]
    local: frozenset[int]


def _compiled(metadata: PhoneMetadata | None) -> _Meta | None:
    """
    *metadata* as `_Meta`; ``None`` where phonenumbers would trip (no general description).
    """
    general = None if metadata is None else metadata.general_desc
    if metadata is None or general is None or metadata.country_code is None:
        return None
    if not general.possible_length:
        return None
    exit_code = metadata.international_prefix
    prefix = metadata.national_prefix_for_parsing
    pattern = general.national_number_pattern
    return _Meta(
        metadata.country_code,
        None if exit_code is None else re.compile(exit_code),
        re.compile(prefix) if prefix else None,
        metadata.national_prefix_transform_rule or None,
        re.compile(pattern) if pattern else None,
        tuple(general.possible_length),
        frozenset(general.possible_length_local_only or ()),
    )


_REGIONS: dict[str, _Meta | None] = {}
_CODES: dict[int, _Meta | None] = {}


def _region(region: str) -> _Meta | None:
    """
    The metadata ``parse`` reads a number of *region* with (a supported region).
    """
    if region not in _REGIONS:
        _REGIONS[region] = _compiled(PhoneMetadata.metadata_for_region(region, None))
    return _REGIONS[region]


def _code(code: int) -> _Meta | None:
    """
    The metadata of calling code *code*'s main region, as ``parse`` takes it.
    """
    if code not in _CODES:
        main = phonenumbers.region_code_for_country_code(code)
        _CODES[code] = _compiled(PhoneMetadata.metadata_for_region_or_calling_code(code, main))
    return _CODES[code]


def _length(size: int, meta: _Meta) -> int:
    """
    Phonenumbers' ``_test_number_length`` for a national number of *size* digits.
    """
    if size in meta.local:
        return _LOCAL
    lengths = meta.lengths
    if size == lengths[0]:
        return _POSSIBLE
    if size < lengths[0]:
        return _SHORT
    if size > lengths[-1]:
        return _LONG
    return _POSSIBLE if size in lengths[1:] else _INVALID


def _fits(digits: str, meta: _Meta) -> bool:
    """
    Whether *digits* match the general pattern (phonenumbers' ``_match_national_number``).
    """
    return meta.general is not None and meta.general.fullmatch(digits) is not None


class _Undecided(Exception):
    """
    A step phonenumbers would fail at in its own way: the number is left to it.
    """


def _stripped(digits: str, meta: _Meta) -> str:
    """
    *digits* without the national prefix where ``parse`` strips it.

    Phonenumbers' ``_maybe_strip_national_prefix_carrier_code`` (the carrier code aside).

    Raises:
        _Undecided: a transform rule with no group to read (the library fails on it).
    """
    prefix = meta.prefix
    if prefix is None or not digits or (found := prefix.match(digits)) is None:
        return digits
    groups = found.groups()
    if meta.transform is None or groups[-1:] == (None,):
        rest = digits[found.end() :]
    elif not groups:
        raise _Undecided  # a transform rule with nothing to capture
    else:
        rest = prefix.sub(meta.transform, digits, count=1)
    if _fits(digits, meta) and not _fits(rest, meta):
        return digits  # viable as written, not once stripped: kept
    return rest


def _calling_code(digits: str) -> tuple[int, str] | None:
    """
    The calling code *digits* start with and the rest, as ``parse`` reads them after ``+``.
    """
    if len(digits) <= _MIN_NATIONAL or digits[0] == "0":
        return None  # too short after the plus, or no code: the library decides
    for size in range(1, _MAX_CODE + 1):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code, digits[size:]
    return None


def _own_code(digits: str, meta: _Meta) -> str | None:
    """
    The national number when ``parse`` reads *digits* as starting with the region's code.

    That is when they start with it (written without a plus) and fit the region's pattern
    only without it, or are too long with it.
    """
    code = str(meta.code)
    if not digits.startswith(code):
        return None
    rest = _stripped(digits[len(code) :], meta)
    if (not _fits(digits, meta) and _fits(rest, meta)) or _length(len(digits), meta) == _LONG:
        return rest
    return None


def _read(digits: str, plus: bool, meta: _Meta | None) -> tuple[int, str, _Meta] | None:
    """
    The calling code, the national number and the metadata to strip its prefix with.

    ``None``: not decided here.
    """
    if plus:
        found = _calling_code(digits)
    elif meta is None:
        return None  # no region and no plus: the library refuses it
    else:
        exit_code = meta.exit_code
        after = exit_code.match(digits) if exit_code is not None else None
        if after is not None and digits[after.end() : after.end() + 1] != "0":
            found = _calling_code(digits[after.end() :])  # an exit code, then the country
            if found is None:
                return None
        elif (national := _own_code(digits, meta)) is not None:
            found = (meta.code, national)
        else:
            return meta.code, digits, meta  # a national number, read in the region given
    if found is None:
        return None
    code, national = found
    number_meta = _code(code)
    return None if number_meta is None else (code, national, number_meta)


def fast_phone(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """
    ``phonenumbers.parse(text, region)`` for the common shapes, else ``None`` (not decided).
    """
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        return None
    written, extension = shape.group(1, 2)
    digits = written.translate(_SEPARATORS)
    meta = None
    if region is not None:
        if type(region) is not str or region not in phonenumbers.SUPPORTED_REGIONS:
            return None
        meta = _region(region)
        if meta is None:
            return None
    if len(digits) < 3:
        return None  # too few digits to be viable once written with separators
    plus = written[written[0] == "("] == "+"  # parse starts at the first + or digit
    try:
        read = _read(digits, plus, meta)
        if read is None or len(read[1]) < _MIN_NATIONAL:
            return None
        code, national, number_meta = read
        stripped = _stripped(national, number_meta)
    except _Undecided:
        return None
    if _length(len(stripped), number_meta) not in _KEEPS_PREFIX:
        national = stripped
    if len(national) > _MAX_NATIONAL:
        return None
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    if extension:
        number.extension = extension
    if len(national) > 1 and national[0] == "0":
        number.italian_leading_zero = True
        zeros = len(national) - len(national.lstrip("0"))
        zeros = min(zeros, len(national) - 1)  # an all-zero number keeps its last digit
        if zeros != 1:
            number.number_of_leading_zeros = zeros
    return number


def possible_number(number: phonenumbers.PhoneNumber) -> bool:
    """
    ``phonenumbers.is_possible_number(number)``, with the lengths read once per code.
    """
    code = number.country_code
    if code not in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        return False
    meta = _code(code)
    if meta is None:
        return bool(phonenumbers.is_possible_number(number))
    size = len(phonenumbers.national_significant_number(number))
    return _length(size, meta) in (_POSSIBLE, _LOCAL)
