"""
Features derived from prepared values: canonical mailboxes, name families, date parts.

Each runs once per distinct value (see `Factored`) and comes back aligned with rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.resources
import os
import re
from collections.abc import Callable, Mapping
from typing import Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import SchemaError
from recordkit._files import read_definition, source_name
from recordkit.match._factored import Factored, Objects
from recordkit.match._prepare import number_of
from recordkit.rules import fold_key

__all__ = [
    "DATE_PARTS",
    "EMAIL_KEY",
    "EMAIL_LOCAL",
    "FamilyIds",
    "date_parts",
    "digits",
    "email_key",
    "family_function",
    "family_ids",
    "mapped",
    "nickname_families",
    "number_or_nan",
    "numbers",
]


_PLUS_TAGS: Final = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
        "icloud.com", "me.com", "mac.com", "fastmail.com", "fastmail.fm", "protonmail.com",
        "proton.me", "pm.me", "zoho.com", "yandex.ru", "yandex.com",
    }
)  # fmt: skip
_DOTLESS: Final = frozenset({"gmail.com", "googlemail.com"})
_DASH_TAGS: Final = frozenset({"yahoo.com", "ymail.com", "rocketmail.com"})
_SPECIAL: Final = _PLUS_TAGS | _DOTLESS | _DASH_TAGS


def email_key(address: object) -> str | None:
    """
    The mailbox an address delivers to, ignoring provider-specific variations.

    Gmail ignores dots in the local part and ``googlemail.com`` is ``gmail.com``; most large
    providers drop a ``+tag`` (Yahoo a ``-tag``).

    Examples:
        >>> email_key("Ada.Lovelace+crm@googlemail.com")
        'adalovelace@gmail.com'

    .. versionadded:: 0.1.0
    """
    if not isinstance(address, str) or "@" not in address:
        return None
    lowered = address.lower()
    local, _, domain = lowered.rpartition("@")
    if domain not in _SPECIAL:  # most addresses: nothing to take away
        return lowered if local else None
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain in _PLUS_TAGS:
        local = local.split("+", 1)[0]
    elif domain in _DASH_TAGS:
        local = local.split("-", 1)[0]
    if domain in _DOTLESS:
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


_NOT_DIGIT: Final = re.compile(r"\D")


def digits(value: object) -> str | None:
    """
    The digits of a text value (``None`` when there are none).

    Examples:
        >>> digits("+1 (212) 555-0100")
        '12125550100'

    .. versionadded:: 0.1.0
    """
    if not isinstance(value, str):
        return None
    bare = value[1:] if value[:1] == "+" else value
    if bare.isascii() and bare.isdigit():  # E.164 and plain numbers: nothing to strip
        return bare
    return _NOT_DIGIT.sub("", value) or None


def _email_local(address: object) -> str | None:
    key = email_key(address)
    return key.rpartition("@")[0] if key else None


_NICKNAMES_LIMIT: Final = 64 << 20
"""
The largest nickname table read, in bytes.
"""


def nickname_families(
    path: str | os.PathLike[str] | None = None,
) -> dict[str, tuple[str, ...]]:
    """
    Folded first name → the name families it belongs to (``bob`` → ``("robert",)``).

    Reads the bundled ``nicknames.csv`` (``name,nickname`` rows), or the CSV at *path*.

    Raises:
        SchemaError: *path* is not a file path (text or path-like), names no regular file,
            cannot be read, is larger than 64 MiB or is not UTF-8 text; the message names
            the path.

    .. versionadded:: 0.1.0
    """
    if path is None:
        text = (
            importlib.resources.files("recordkit.data")
            .joinpath("nicknames.csv")
            .read_text(encoding="utf-8")
        )
    else:
        data = read_definition(path, limit=_NICKNAMES_LIMIT, what="nickname")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SchemaError(
                f"the nickname file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                source=source_name(path),
            ) from None
    families: dict[str, set[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        name, nick = fold_key(row.get("name")), fold_key(row.get("nickname"))
        if not name or not nick:
            continue
        families.setdefault(name, set()).add(name)
        families.setdefault(nick, set()).add(name)
    return {k: tuple(sorted(v)) for k, v in families.items()}


def _ordinal(value: object) -> tuple[int, int, int, int]:
    if not isinstance(value, str) or len(value) != 10:
        return (-1, -1, -1, -1)
    try:
        y, m, d = int(value[:4]), int(value[5:7]), int(value[8:10])
    except ValueError:
        return (-1, -1, -1, -1)
    try:
        days = dt.date(y, m, d).toordinal()
    except ValueError:
        days = -1
    return (y, m, d, days)


DATE_PARTS: Final = _ordinal
"""
``(year, month, day, ordinal day)`` of one ISO date text; ``-1`` each when not a date.
"""


def date_parts(values: Objects | Factored) -> npt.NDArray[np.int64]:
    """
    ``(year, month, day, ordinal day)`` per ISO date text; ``-1`` where not a date.
    """
    out: npt.NDArray[np.int64] = Factored.of(values).rows(_ordinal, np.int64, 4)
    return out


def number_or_nan(value: object) -> float:
    """
    One value as a float (NaN when missing or not a number).
    """
    number = number_of(value)
    return np.nan if number is None else number


def numbers(values: Objects | Factored) -> npt.NDArray[np.float64]:
    """
    The values as floats (NaN where missing or not a number).
    """
    out: npt.NDArray[np.float64] = Factored.of(values).rows(number_or_nan, np.float64)
    return out


@attrs.frozen
class FamilyIds:
    """
    One value → the ids of the name families of each of its tokens (``-1`` padded).

    A callable object, not a closure, so a comparison holding it pickles (worker
    processes receive it).
    """

    families: Mapping[str, tuple[str, ...]] = attrs.field(eq=False, hash=False)
    ids: Mapping[str, int] = attrs.field(eq=False, hash=False)
    width: int

    def __call__(self, value: object) -> tuple[int, ...]:
        """
        The family ids of *value*'s tokens, at most `width`, padded with ``-1``.
        """
        empty = (-1,) * self.width
        if not isinstance(value, str):
            return empty
        found: list[int] = []
        ids = self.ids
        for token in value.split():
            for fam in self.families.get(token, (token,)):
                if fam in ids and ids[fam] not in found:
                    found.append(ids[fam])
        found = found[: self.width]
        return (*found, *empty[len(found) :])


def family_function(
    families: Mapping[str, tuple[str, ...]], ids: Mapping[str, int], width: int
) -> Callable[[object], tuple[int, ...]]:
    """
    One value → the ids of the name families of each of its tokens (`FamilyIds`).
    """
    return FamilyIds(families, ids, width)


def family_ids(
    values: Objects | Factored,
    families: Mapping[str, tuple[str, ...]],
    ids: Mapping[str, int],
    width: int,
) -> npt.NDArray[np.int32]:
    """
    Per row, the ids of the name families of each token of the value (``-1`` padded).
    """
    one = family_function(families, ids, width)
    out: npt.NDArray[np.int32] = Factored.of(values).rows(one, np.int32, width)
    return out


def mapped(values: Objects | Factored, fn: Callable[[object], object]) -> Objects:
    """
    *fn* applied to each distinct value of *values*, as an object array.
    """
    return Factored.of(values).map(fn).values()


EMAIL_KEY: Final = email_key
EMAIL_LOCAL: Final = _email_local
