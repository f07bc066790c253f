"""
Reading a date from text, strictly in a declared order: the reader `Date` coerces with.

What is read in every order: ISO 8601 dates and date-times, RFC 2822 (``Tue, 12 Mar 2024
10:00:00 +0000``), named months (``12 March 2024``, ``March 12, 2024``, ``12-Mar-24``),
compact ``20240312``, and any of these followed by a time (the date is kept as written,
the time dropped). A numeric date (``03/12/2024``) is read in the order only; a date that
is valid only in another order is refused with that reading in the hint, never read so.
A month, a quarter or a year alone is not a date.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import Final

from recordkit.schema._values import _Refused

__all__: list[str] = []


class _Unreadable(_Refused):
    """
    A refusal with an issue code and a hint of its own (the rule engine shows both).
    """

    def __init__(self, reason: str, *, code: str, hint: str) -> None:
        super().__init__(reason)
        self.code = code
        self.hint = hint


_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip

_ORDER_WORDS: Final = {"mdy": "month-first", "dmy": "day-first", "ymd": "year-first"}
_ISO_HINT: Final = "write it as YYYY-MM-DD"

_ISO: Final = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_ISO_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}[t ]\d{1,2}(?::\d{2}.*)?|\d{8}t\d{4,6}.*")
_RFC2822: Final = re.compile(
    r"(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s*(?:[+-]\d{4}|[a-z]{1,5}))?"
)
_WEEKDAY: Final = re.compile(r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+")
_TIME: Final = re.compile(
    r"(?:[ t]|,\s*|\s+at\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*(?:z|utc|gmt|[+-]\d{2}:?\d{2}))?$"
)
_NUMERIC: Final = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})")
_COMPACT: Final = re.compile(r"(\d{4})(\d{2})(\d{2})")
_OF: Final = re.compile(r"(\d)(?:st|nd|rd|th)?\s+of\s+")
_DAY_MONTH: Final = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]+)\.?,?[ -](\d{4}|\d{2})")
_MONTH_DAY: Final = re.compile(r"([a-z]+)\.?[ -](\d{1,2})(?:st|nd|rd|th)?,?[ -](\d{4})")
_YEAR_MONTH_DAY: Final = re.compile(r"(\d{4})[ -]([a-z]+)\.?[ -](\d{1,2})")
_PARTIAL: Final = re.compile(
    r"\d{4}|[qh][1-4][ /-]?\d{4}|\d{4}[ /-]?[qh][1-4]|\d{1,2}[-/.]\d{4}|\d{4}[-/.]\d{1,2}"
    r"|(?P<month>[a-z]+)\.?,?[ -]\d{4}|\d{4}[ -](?P<month2>[a-z]+)"
)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 4:
        return year
    # Two-digit years: the window a CRM needs (birth dates and activity) is the past century.
    return 2000 + year if year <= dt.date.today().year % 100 else 1900 + year


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _calendar(year: int, month: int, day: int) -> dt.date:
    found = _date(year, month, day)
    if found is None:
        raise _Unreadable(
            f"not a calendar date (year {year}, month {month}, day {day})",
            code="date.invalid",
            hint=_ISO_HINT,
        )
    return found


def _numeric(a: int, b: int, year_text: str, order: str | None) -> dt.date:
    """
    ``a/b/year``, read in *order*; a reading the order does not allow is named, not taken.
    """
    if order == "ymd":
        if len(year_text) == 2:  # 85/03/07 year-first
            return _calendar(_year(f"{a:02d}"), b, int(year_text))
        raise _Unreadable(
            "the field reads year-first dates; this one ends with its year",
            code="date.order",
            hint=_ISO_HINT,
        )
    year = _year(year_text)
    month_first, day_first = _date(year, a, b), _date(year, b, a)
    if order == "mdy" and month_first is not None:
        return month_first
    if order == "dmy" and day_first is not None:
        return day_first
    if order is None:
        if month_first is not None and day_first is not None and month_first != day_first:
            raise _Unreadable(
                "ambiguous: month-first it is "
                f"{month_first.isoformat()}, day-first {day_first.isoformat()}",
                code="date.ambiguous",
                hint=f"{_ISO_HINT}, or set the field's order",
            )
        if month_first or day_first:
            return month_first or day_first  # type: ignore[return-value]
    other = day_first if order == "mdy" else month_first
    if other is not None:
        word = _ORDER_WORDS[order or "mdy"]
        theirs = "day-first" if order == "mdy" else "month-first"
        raise _Unreadable(
            f"not a {word} date; read {theirs} it would be {other.isoformat()}",
            code="date.order",
            hint=f"write {other.isoformat()} if that is the date, or set the field's order",
        )
    raise _Unreadable("not a calendar date", code="date.invalid", hint=_ISO_HINT)


def _named(text: str) -> dt.date | None:
    for pattern, parts in ((_DAY_MONTH, "dmy"), (_MONTH_DAY, "mdy"), (_YEAR_MONTH_DAY, "ymd")):
        if m := pattern.fullmatch(text):
            found = dict(zip(parts, (m[1], m[2], m[3]), strict=True))
            month = _MONTHS.get(found["m"])
            if month is None:
                raise _Unreadable(
                    f"unknown month name {found['m'][:20]!r}", code="coerce.date", hint=_ISO_HINT
                )
            return _calendar(_year(found["y"]), month, int(found["d"]))
    return None


def _partial(text: str) -> bool:
    m = _PARTIAL.fullmatch(text)
    if m is None:
        return False
    month = m["month"] or m["month2"]
    return month is None or month in _MONTHS


def read_date_text(text: str, order: str | None) -> dt.date:
    """
    The date *text* holds, read in *order*.

    *order* is ``mdy``, ``dmy``, ``ymd``, or ``None`` (only numeric dates with one reading).

    Raises:
        _Refused: the text is no date, with a reason; a code and a hint where they help.
    """
    if len(text) > 100:
        raise _Refused("too long to be a date")
    s = " ".join(text.split()).lower()
    iso = len(s) == 10 and s[4] == "-" and s[7] == "-" and s.replace("-", "").isdigit()
    if iso and (found := _date(int(s[:4]), int(s[5:7]), int(s[8:]))) is not None:
        return found  # already ISO 8601: the common case first
    if _RFC2822.fullmatch(s):
        try:
            return email.utils.parsedate_to_datetime(s).date()
        except (ValueError, TypeError, IndexError, OverflowError):
            raise _Unreadable("not a calendar date", code="date.invalid", hint=_ISO_HINT) from None
    if _ISO_TIME.fullmatch(s):
        try:
            return dt.datetime.fromisoformat(s.upper().replace("Z", "+00:00")).date()
        except ValueError:
            pass
    s = _WEEKDAY.sub("", s, count=1) if s[:1].isalpha() else s
    if ":" in s:
        s = _TIME.sub("", s).strip()
    if " of " in s:
        s = _OF.sub(r"\1 ", s)
    if m := _ISO.fullmatch(s):
        return _calendar(int(m[1]), int(m[2]), int(m[3]))
    if m := _COMPACT.fullmatch(s):
        return _calendar(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.fullmatch(s):
        return _numeric(int(m[1]), int(m[2]), m[3], order)
    if (found := _named(s)) is not None:
        return found
    if _partial(s):
        raise _Unreadable(
            "a month, a quarter or a year, not a date",
            code="date.partial",
            hint="give the full date (YYYY-MM-DD), or use a text field for periods",
        )
    raise _Unreadable(
        "not a recognised date format", code="coerce.date", hint=f"{_ISO_HINT} (ISO 8601)"
    )
