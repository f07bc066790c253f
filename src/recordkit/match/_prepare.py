"""
Preparing columns for matching: each column normalized once per distinct value.

Matching runs on normalized values. `Prep` says how one column is normalized (with the rule
engine's normalizers: E.164 phones, normalized emails, folded names, ISO dates); each step
runs once per *distinct* value, so a column of a million cells with a hundred thousand
distinct values costs a hundred thousand calls.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs
import numpy as np

from recordkit._errors import SchemaError, shorten
from recordkit.match._factored import Factored, Objects
from recordkit.rules import country_code, fold_key, normalize_date, normalize_email, normalize_phone
from recordkit.schema import JSONObject

__all__ = ["Prep", "number_of", "prepare_column", "prepare_factored", "with_record_regions"]

_MAX_CELL: Final = 1000
"""
Longer text is cut before matching: no real name or address is longer, and a 1 MB cell
must not make a comparison slow.
"""


def _text_in(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float | dt.date):
        text = str(value)
    else:
        return None
    text = text.replace("\x00", "")[:_MAX_CELL]
    return text if text.strip() else None


_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]+")


def _name(value: object) -> str | None:
    if type(value) is str and len(value) <= _MAX_CELL and "\x00" not in value:
        text = value  # the common case: no copy before the folding
    else:
        cleaned = _text_in(value)
        if cleaned is None:
            return None
        text = cleaned
    if text.isascii():  # the common case: what fold_key does, without its per-character walk
        tokens = _NOT_ALNUM.sub(" ", text.lower()).split()
        if len(tokens) > 1 and max(map(len, tokens)) == 1:
            return "".join(tokens)  # an acronym, as fold_key joins it
        return " ".join(tokens) or None
    return fold_key(text) or None


def _plain(value: object) -> str | None:
    text = _text_in(value)
    return " ".join(text.split()) if text is not None else None


_NORMAL_EMAIL: Final = re.compile(r"[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+")
_E164: Final = re.compile(r"(\+[1-9][0-9]{6,14})(;ext=[0-9]+)?")
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _email(value: object) -> str | None:
    if type(value) is str and len(value) <= _MAX_CELL and _NORMAL_EMAIL.fullmatch(value):
        return value  # already normal: the common case, checked before any copy
    text = _text_in(value)
    if text is None:
        return None
    if _NORMAL_EMAIL.fullmatch(text):  # already normal (ASCII, lower case): nothing to do
        return text
    out = normalize_email(text)
    return "".join(str(out).split()).lower() or None


def _phone(region: str | None) -> Callable[[object], str | None]:
    def prep(value: object) -> str | None:
        if type(value) is str and (m := _E164.fullmatch(value)):
            return m[1]  # already E.164: the common case, checked before any copy
        text = _text_in(value)
        if text is None:
            return None
        if m := _E164.fullmatch(text):  # already E.164 (an extension is not compared)
            return m[1]
        out = normalize_phone(text, region=region)
        # only a real E.164 answer counts: a value it could not read comes back as given
        if isinstance(out, str) and (m := _E164.fullmatch(out.split(";", 1)[0])):
            return m[1]
        digits = re.sub(r"\D", "", text)
        return digits or None

    return prep


def _date(value: object) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    text = _text_in(value)
    if text is None:
        return None
    if _ISO_DATE.fullmatch(text):
        return text
    out = normalize_date(text.strip())
    return out if isinstance(out, str) and len(out) == 10 else text.strip()


def _postcode(value: object) -> str | None:
    text = _text_in(value)
    return "".join(text.upper().split()) or None if text is not None else None


def number_of(value: object) -> float | None:
    """
    A finite float from a number or numeric text, else ``None``.
    """
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = _text_in(value)
    if text is None:
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


_KINDS: Final[dict[str, Callable[[object], Any]]] = {
    "text": _plain,
    "name": _name,
    "email": _email,
    "date": _date,
    "postcode": _postcode,
    "number": number_of,
}


@attrs.frozen
class Prep:
    """
    How one column is normalized before matching.

    Kinds: ``text`` (whitespace collapsed), ``name`` (case, accents and punctuation folded),
    ``email`` (normalized address), ``phone`` (E.164, numbers without a country code read in
    *region*), ``date`` (ISO text), ``postcode`` (upper case, no spaces), ``number``.

    Examples:
        >>> Prep("phone", region="US", region_from="country").to_dict()
        {'kind': 'phone', 'region': 'US', 'region_from': 'country'}

    Args:
        kind: one of `KINDS`.
        region: for phones, the ISO 3166-1 alpha-2 region a number without a country code
            is read in.
        region_from: for phones, a column holding each record's country (a code or a
            name): a record's national-format number is read in its own country, and in
            *region* when the column is empty or names no country.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``region_from``.
    """

    KINDS: ClassVar[tuple[str, ...]] = (*_KINDS, "phone")

    kind: str = "text"
    region: str | None = None
    region_from: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise SchemaError(
                f"unknown column kind {shorten(self.kind)}; one of {', '.join(self.KINDS)}",
                path="prepare",
            )
        if self.region is not None and not isinstance(self.region, str):
            raise SchemaError(f"region must be text, got {shorten(self.region)}", path="prepare")
        if self.region_from is not None:
            if not isinstance(self.region_from, str) or not self.region_from:
                raise SchemaError(
                    f"region_from must be a column name, got {shorten(self.region_from)}",
                    path="prepare",
                )
            if self.kind != "phone":
                raise SchemaError(
                    f"region_from is for phone columns, not {self.kind!r} ones", path="prepare"
                )

    def function(self) -> Callable[[object], Any]:
        """
        The per-value normalizer.
        """
        return _phone(self.region) if self.kind == "phone" else _KINDS[self.kind]

    def to_dict(self) -> JSONObject | str:
        """
        Plain data: the kind alone, or a mapping for phones with a region or a country column.
        """
        if not self.region and not self.region_from:
            return self.kind
        out: JSONObject = {"kind": self.kind, "region": self.region}
        if self.region_from:
            out["region_from"] = self.region_from
        return out

    @classmethod
    def from_dict(cls, data: object) -> Prep:
        """
        Build from `to_dict` output.
        """
        if isinstance(data, Prep):
            return data
        if isinstance(data, str):
            return cls(data)
        if isinstance(data, Mapping):
            unknown = sorted(map(str, set(data) - {"kind", "region", "region_from"}))
            if unknown:
                raise SchemaError(f"unknown column options: {', '.join(unknown)}", path="prepare")
            return cls(
                str(data.get("kind", "text")),
                region=data.get("region"),
                region_from=data.get("region_from"),
            )
        raise SchemaError(f"a column kind is a name or a mapping, got {shorten(data)}")


def prepare_column(values: Sequence[Any], prep: Prep) -> Objects:
    """
    Normalize a column for matching: an object array with ``None`` for missing values.

    .. versionadded:: 0.1.0
    """
    return prepare_factored(values, prep).values()


def prepare_factored(values: Sequence[Any], prep: Prep) -> Factored:
    """
    Normalize a column once per distinct value, keeping it factored.
    """
    return Factored.of(values).map(prep.function())


def _national(value: object) -> bool:
    """
    Whether *value* is text written without a country code (``+``, ``00``).
    """
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and not text.startswith(("+", "00"))


def with_record_regions(
    raw: Mapping[str, Sequence[Any]], prep: Mapping[str, Prep]
) -> dict[str, Sequence[Any]]:
    """
    *raw* with each phone read in its record's own country, where a `Prep` says where that is.

    For a phone column whose `Prep` has ``region_from``, a number written without a country
    code, in a record whose country column names a country other than the `Prep`'s
    *region*, is replaced by its E.164 form read in that country (when phonenumbers finds
    it a possible number there); every other value is left for `prepare_factored`. Work
    is once per distinct country, then once per distinct (number, country) pair.

    .. versionadded:: 0.2.0
    """
    out = dict(raw)
    for name, p in prep.items():
        if p.kind != "phone" or not p.region_from or name not in raw or p.region_from not in raw:
            continue
        given = raw[p.region_from]
        if len(given) == 1:  # one record (a lookup): its country, without the arrays
            region = _country(given[0])
            value = raw[name][0]
            if region is not None and region != p.region and _national(value):
                out[name] = [_read_in(value, region)]
            continue
        countries = Factored.of(given)
        codes = countries.map(_country).uniques.tolist()
        other = np.array([c is not None and c != p.region for c in codes], dtype=bool)
        rows = np.flatnonzero(other[countries.codes]) if len(codes) else np.zeros(0, np.int64)
        if not len(rows):
            continue  # every record is in the column's own region: nothing to re-read
        values = list(raw[name])
        memo: dict[tuple[object, str], object] = {}
        for i in rows.tolist():
            value = values[i]
            if not _national(value):
                continue
            region = codes[int(countries.codes[i])]
            key = (value, region)
            if key not in memo:
                memo[key] = _read_in(value, region)
            values[i] = memo[key]
        out[name] = values
    return out


def _read_in(value: str, region: str) -> object:
    """
    *value*'s E.164 form read in *region* (when possible there), else *value* as it is.
    """
    read = normalize_phone(value, region=region)
    if isinstance(read, str):
        number = read.split(";", 1)[0]  # an extension is not compared
        if _E164.fullmatch(number):
            return number
    return value


def _country(value: object) -> str | None:
    return country_code(value.strip()) if isinstance(value, str) else None
