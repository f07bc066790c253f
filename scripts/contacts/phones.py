"""Phone numbers libphonenumber accepts as valid, and the many ways people write them."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import numpy as np
import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

from .places import ALL_CITIES
from .tables import COUNTRIES

# North American styles (one format each).
NANP_FORMATS = (
    "({a}) {b}-{c}",
    "{a}-{b}-{c}",
    "+1 {a}-{b}-{c}",
    "{a}.{b}.{c}",
    "{a}{b}{c}",
    "+1{a}{b}{c}",
    "001 {a} {b} {c}",
    "1-{a}-{b}-{c}",
    "+1 ({a}) {b}-{c}",
    "{a} {b} {c}",
)
NANP_WEIGHTS = (0.25, 0.2, 0.11, 0.08, 0.08, 0.1, 0.03, 0.05, 0.05, 0.05)
# Elsewhere: national, international, E.164, national digits, 00-prefixed, "+44 (0)", dashed.
INTL_WEIGHTS = (0.34, 0.3, 0.12, 0.08, 0.06, 0.05, 0.05)
# Duplicate rows with an "unusual phone format" draw from flatter distributions.
NANP_WEIGHTS_DUP = (0.15, 0.12, 0.12, 0.1, 0.1, 0.12, 0.08, 0.07, 0.07, 0.07)
INTL_WEIGHTS_DUP = (0.2, 0.2, 0.18, 0.12, 0.12, 0.1, 0.08)
EXTENSIONS = (" x{n}", " ext. {n}", " ext {n}", " x {n}", " Ext. {n}")
# Calling codes whose national format starts with a trunk 0 (written "+44 (0)20 ...").
_TRUNK_ZERO = frozenset({44, 49, 33, 61, 91, 81, 31, 353})
# Phone specs (calling code, prefix, national number length) draw until valid this often.
_ATTEMPTS = 200

PhoneSpec = tuple[int, str, int]


def phone_spec(country: int, city: int, roll: float, r: random.Random) -> PhoneSpec:
    """A landline of the city, or (with the country's mobile share) a mobile of the country."""
    c = COUNTRIES[country]
    options = c.mobiles if c.mobiles and roll < c.p_mobile else ALL_CITIES[city][1].phones
    prefix, length = r.choice(options).split(":")
    return c.calling_code, prefix, int(length)


def valid_numbers(
    rng: np.random.Generator,
    specs: Sequence[PhoneSpec],
    used: set[tuple[int, str]],
    regions: Sequence[str],
) -> list[str]:
    """
    Random national numbers ``prefix + digits`` that libphonenumber accepts, unique.

    ``specs[i]`` is (calling code, prefix, national number length) and ``regions[i]``
    the ISO country the number must be valid for. Numbers taken are added to `used`.
    """
    out = [""] * len(specs)
    pending = list(range(len(specs)))
    for _ in range(_ATTEMPTS):
        if not pending:
            return out
        draws = _draw_subscribers(rng, [specs[i] for i in pending])
        retry: list[int] = []
        for i, nsn in zip(pending, draws, strict=True):
            cc = specs[i][0]
            key = (cc, nsn)
            number = PhoneNumber(country_code=cc, national_number=int(nsn))
            # Same answer as is_valid_number for numbers meant for the region, without the
            # slow search for the region among the 25 that share +1.
            if key in used or not phonenumbers.is_valid_number_for_region(number, regions[i]):
                retry.append(i)
                continue
            used.add(key)
            out[i] = nsn
        pending = retry
    bad = sorted({specs[i] for i in pending})
    raise RuntimeError(f"phone specs never validate: {bad[:5]}")


def _draw_subscribers(rng: np.random.Generator, specs: Sequence[PhoneSpec]) -> list[str]:
    """One candidate national number per spec: the prefix plus random digits."""
    widths = [length - len(prefix) for _, prefix, length in specs]
    # North American exchange codes never start with 0 or 1: draw from [2..9]xx... directly.
    lows = np.asarray(
        [2 * 10 ** (w - 1) if cc == 1 else 0 for (cc, _, _), w in zip(specs, widths, strict=True)],
        dtype=np.float64,
    )
    spans = np.power(10.0, widths) - lows
    draws: list[int] = (lows + rng.random(len(specs)) * spans).astype(np.int64).tolist()
    return [
        f"{prefix}{num:0{width}d}"
        for (_, prefix, _), width, num in zip(specs, widths, draws, strict=True)
    ]


def format_phone(cc: int, nsn: str, style: int) -> str:
    """Write a number in one of the styles (NANP_FORMATS, or the 7 of INTL_WEIGHTS)."""
    if cc == 1:
        return NANP_FORMATS[style].format(a=nsn[:3], b=nsn[3:6], c=nsn[6:])
    number = PhoneNumber(country_code=cc, national_number=int(nsn))
    if style == 2:
        return f"+{cc}{nsn}"
    if style in (0, 3):
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        return national if style == 0 else re.sub(r"\D", "", national)
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    if style == 4:
        return "00" + intl[1:]
    if style == 5 and cc in _TRUNK_ZERO:
        head = f"+{cc} "
        return f"+{cc} (0)" + intl[len(head) :]
    if style == 6:
        return intl.replace(" ", "-")
    return intl
