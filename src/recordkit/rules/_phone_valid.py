"""
``phonenumbers.is_valid_number`` with each calling code's patterns compiled once.

Phonenumbers looks every pattern up again, for each of up to ten number types, on every
call; `valid_number` takes the same steps with the patterns compiled once per calling
code. The tests and `scripts/differential_contacts.py` hold it equal to phonenumbers.
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers
from phonenumbers import PhoneMetadata

__all__ = ["valid_number"]

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


class _Types:
    """
    A region's general description and the number types that make a number valid.

    A number of the region is valid when it fits the general description and one of the
    types: its possible lengths (none: any length) and its pattern. The types' patterns
    that admit a length are joined into one alternation per length, so a number costs two
    pattern matches whatever the count of types.
    """

    __slots__ = ("any_length", "by_length", "general")

    def __init__(self, general: _Desc | None, types: list[_Desc]) -> None:
        self.general = general
        lengths = sorted({n for admits, _ in types for n in admits})
        self.by_length = {n: _joined([p for a, p in types if not a or n in a]) for n in lengths}
        self.any_length = _joined([p for a, p in types if not a])

    def admit(self, national: str) -> bool:
        """
        Phonenumbers' "fits the general description, then one of the types".
        """
        if self.general is None:
            return False
        lengths, pattern = self.general
        size = len(national)
        if (lengths and size not in lengths) or pattern is None or not pattern.fullmatch(national):
            return False
        typed = self.by_length.get(size, self.any_length)
        if len(typed) == 1:  # the types joined into one pattern
            return typed[0].fullmatch(national) is not None
        return any(p.fullmatch(national) for p in typed)


_PLAIN: Final = re.compile(r"(?:[0-9\[\]()|?:{},*+-]|\\d)*")
"""
What the metadata's number patterns are written with: no group references or flags, so
alternatives can be joined.
"""


def _joined(patterns: list[re.Pattern[str] | None]) -> tuple[re.Pattern[str], ...]:
    """
    *patterns* as one alternation, or as they are where one is not plain.

    ``None`` stands for a type with no pattern, which matches nothing.
    """
    kept = [p for p in patterns if p is not None]
    if len(kept) > 1 and all(_PLAIN.fullmatch(p.pattern) for p in kept):
        return (re.compile("|".join(f"(?:{p.pattern})" for p in kept)),)
    return tuple(kept)


_KINDS: dict[int, tuple[PhoneMetadata, _Types]] = {}


def _desc(desc: phonenumbers.PhoneNumberDesc | None) -> _Desc | None:
    if desc is None:
        return None
    pattern = desc.national_number_pattern
    return frozenset(desc.possible_length), re.compile(pattern) if pattern else None


def _kinds(metadata: PhoneMetadata) -> _Types:
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
    types = [d for d in (_desc(getattr(metadata, n)) for n in names) if d is not None]
    kinds = _Types(_desc(metadata.general_desc), types)
    _KINDS[id(metadata)] = (metadata, kinds)
    return kinds


_Step = tuple[re.Pattern[str] | None, _Types | None]
"""
One region of a calling code, as phonenumbers tries it: its leading-digits pattern (or,
without one, its number types) picks the region.
"""
_Plan = tuple[tuple[str, ...], tuple[_Step, ...], dict[str, _Types | None]]
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
    final: dict[str, _Types | None] = {}
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
            elif kinds is not None and kinds.admit(national):
                if final[name] is kinds:
                    return True  # picked by the very types that make it valid
                region = name
                break
    if region is None:
        return False
    kinds = final[region]
    return kinds is not None and kinds.admit(national)
