"""
Preparing columns for matching: normalized values, then the features comparisons read.

Matching runs on normalized values. `Prep` says how one column is normalized (with the rule
engine's normalizers: E.164 phones, normalized emails, folded names, ISO dates); each step
runs once per *distinct* value, so a column of a million cells with a hundred thousand
distinct values costs a hundred thousand calls. Derived features (nickname families, date
parts, canonical mailboxes) are computed the same way, as numpy arrays aligned with rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.resources
import itertools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import SchemaError, shorten
from recordkit.rules import fold_key, normalize_date, normalize_email, normalize_phone

__all__ = ["Factored", "Prep", "email_key", "nickname_families", "prepare_column"]

Objects = npt.NDArray[np.object_]

_MAX_CELL: Final = 1000
"""
Longer text is cut before matching: no real name or address is longer, and a 1 MB cell
must not make a comparison slow.
"""


@attrs.frozen(eq=False)
class Factored:
    """
    A column as codes into its distinct values: work per distinct value, then a take.

    .. versionadded:: 0.1.0
    """

    codes: npt.NDArray[np.int64]
    uniques: Objects

    @classmethod
    def of(cls, values: Sequence[Any] | Objects | Factored) -> Factored:
        """
        Factor *values* (a sequence or an object array) by equality.
        """
        if isinstance(values, Factored):
            return values
        cells = values.tolist() if isinstance(values, np.ndarray) else list(values)
        if len(cells) == 1:  # one record at the point of entry: nothing to factor
            one = np.empty(1, dtype=object)
            one[0] = cells[0]
            return cls(np.zeros(1, dtype=np.int64), one)
        table: dict[Any, int] = {}
        try:
            # dict.fromkeys, zip and map run in C: no Python-level step per cell
            table = dict(zip(dict.fromkeys(cells), itertools.count(), strict=False))
            codes = np.fromiter(map(table.__getitem__, cells), dtype=np.int64, count=len(cells))
        except TypeError:  # an unhashable cell: each such cell is its own value
            table = {}
            extra: list[Any] = []
            out = []
            for v in cells:
                try:
                    out.append(table.setdefault(v, len(table)))
                except TypeError:
                    extra.append(v)
                    out.append(-len(extra))
            n = len(table)
            codes = np.array([c if c >= 0 else n - c - 1 for c in out], dtype=np.int64)
            uniques = np.empty(n + len(extra), dtype=object)
            uniques[:n] = list(table)
            uniques[n:] = extra
            return cls(codes, uniques)
        uniques = np.empty(len(table), dtype=object)
        uniques[:] = list(table)
        return cls(codes, uniques)

    def __len__(self) -> int:
        return len(self.codes)

    def values(self) -> Objects:
        """
        The column, row by row.
        """
        out: Objects = self.uniques[self.codes] if len(self.uniques) else self._empty()
        return out

    def _empty(self) -> Objects:
        return np.full(len(self.codes), None, dtype=object)

    def map(self, fn: Callable[[Any], Any]) -> Factored:
        """
        *fn* applied once per distinct value (the codes stay).
        """
        uniques = np.empty(len(self.uniques), dtype=object)
        uniques[:] = [fn(u) for u in self.uniques.tolist()]
        return Factored(self.codes, uniques)

    def rows(self, fn: Callable[[Any], Any], dtype: Any, width: int | None = None) -> Any:
        """
        *fn* per distinct value as a numeric array, expanded to rows.
        """
        out = [fn(u) for u in self.uniques.tolist()]
        shape = (len(out),) if width is None else (len(out), width)
        table = np.array(out, dtype=dtype).reshape(shape)
        if not len(table):
            return np.zeros((len(self.codes), *shape[1:]), dtype=dtype)
        return table[self.codes]

    def recode(self, fn: Callable[[Any], Any]) -> npt.NDArray[np.int64]:
        """
        Codes of ``fn(value)`` per row, equal results sharing a code; ``-1`` for ``None``.
        """
        table: dict[Any, int] = {}
        per_unique = np.fromiter(
            (
                -1 if (r := fn(u)) is None else table.setdefault(r, len(table))
                for u in self.uniques.tolist()
            ),
            dtype=np.int64,
            count=len(self.uniques),
        )
        if not len(per_unique):
            return np.full(len(self.codes), -1, dtype=np.int64)
        out: npt.NDArray[np.int64] = per_unique[self.codes]
        return out


class Gathered(Mapping[str, npt.NDArray[Any]]):
    """
    Row features gathered lazily for one side of many pairs.

    ``take`` fetches only the pairs still undecided, so a feature that only deep levels
    read is never gathered whole.

    .. versionadded:: 0.1.0
    """

    def __init__(self, features: Mapping[str, npt.NDArray[Any]], rows: npt.NDArray[np.int64]):
        self._features = features
        self._rows = rows
        self._done: dict[str, npt.NDArray[Any]] = {}

    def __getitem__(self, key: str) -> npt.NDArray[Any]:
        if key not in self._done:
            self._done[key] = self._features[key][self._rows]
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._features)

    def __len__(self) -> int:
        return len(self._features)

    def take(self, key: str, pairs: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
        """
        Feature *key* for the given pairs only.
        """
        if key in self._done:
            return self._done[key][pairs]
        return self._features[key][self._rows[pairs]]


def _memo(values: Sequence[Any], fn: Callable[[Any], Any]) -> list[Any]:
    seen: dict[Any, Any] = {}
    out: list[Any] = []
    for v in values:
        try:
            r = seen[v]
        except KeyError:
            r = seen[v] = fn(v)
        except TypeError:  # unhashable cell: compute, don't cache
            r = fn(v)
        out.append(r)
    return out


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
    text = _text_in(value)
    if text is None:
        return None
    if text.isascii():  # the common case: what fold_key does, without its per-character walk
        tokens = _NOT_ALNUM.sub(" ", text.lower()).split()
        if len(tokens) > 1 and all(len(t) == 1 for t in tokens):
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
    text = _text_in(value)
    if text is None:
        return None
    if _NORMAL_EMAIL.fullmatch(text):  # already normal (ASCII, lower case): nothing to do
        return text
    out = normalize_email(text)
    return "".join(str(out).split()).lower() or None


def _phone(region: str | None) -> Callable[[object], str | None]:
    def prep(value: object) -> str | None:
        text = _text_in(value)
        if text is None:
            return None
        if m := _E164.fullmatch(text):  # already E.164 (an extension is not compared)
            return m[1]
        out = normalize_phone(text, region=region)
        if isinstance(out, str) and out.startswith("+"):
            return out.split(";", 1)[0]
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


def _number(value: object) -> float | None:
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
    "number": _number,
}


@attrs.frozen
class Prep:
    """
    How one column is normalized before matching.

    Kinds: ``text`` (whitespace collapsed), ``name`` (case, accents and punctuation folded),
    ``email`` (normalized address), ``phone`` (E.164, numbers without a country code read in
    *region*), ``date`` (ISO text), ``postcode`` (upper case, no spaces), ``number``.

    .. versionadded:: 0.1.0
    """

    KINDS: ClassVar[tuple[str, ...]] = (*_KINDS, "phone")

    kind: str = "text"
    region: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise SchemaError(
                f"unknown column kind {shorten(self.kind)}; one of {', '.join(self.KINDS)}",
                path="prepare",
            )

    def function(self) -> Callable[[object], Any]:
        """
        The per-value normalizer.
        """
        return _phone(self.region) if self.kind == "phone" else _KINDS[self.kind]

    def to_dict(self) -> dict[str, Any] | str:
        """
        Plain data: the kind alone, or ``{"kind", "region"}`` for phones with a region.
        """
        return {"kind": self.kind, "region": self.region} if self.region else self.kind

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
            return cls(str(data.get("kind", "text")), region=data.get("region"))
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


# -- derived features ---------------------------------------------------------------------

_PLUS_TAGS: Final = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
        "icloud.com", "me.com", "mac.com", "fastmail.com", "fastmail.fm", "protonmail.com",
        "proton.me", "pm.me", "zoho.com", "yandex.ru", "yandex.com",
    }
)  # fmt: skip
_DOTLESS: Final = frozenset({"gmail.com", "googlemail.com"})
_DASH_TAGS: Final = frozenset({"yahoo.com", "ymail.com", "rocketmail.com"})


def email_key(address: object) -> str | None:
    """
    The mailbox an address delivers to, ignoring provider-specific variations.

    Gmail ignores dots in the local part and ``googlemail.com`` is ``gmail.com``; most large
    providers drop a ``+tag`` (Yahoo a ``-tag``).

    Example:
        >>> email_key("Ada.Lovelace+crm@googlemail.com")
        'adalovelace@gmail.com'

    .. versionadded:: 0.1.0
    """
    if not isinstance(address, str) or "@" not in address:
        return None
    local, _, domain = address.lower().rpartition("@")
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain in _PLUS_TAGS:
        local = local.split("+", 1)[0]
    elif domain in _DASH_TAGS:
        local = local.split("-", 1)[0]
    if domain in _DOTLESS:
        local = local.replace(".", "")
    return f"{local}@{domain}" if local else None


def _email_local(address: object) -> str | None:
    key = email_key(address)
    return key.rpartition("@")[0] if key else None


def nickname_families(path: str | None = None) -> dict[str, tuple[str, ...]]:
    """
    Folded first name → the name families it belongs to (``bob`` → ``("robert",)``).

    Reads the bundled ``nicknames.csv`` (``name,nickname`` rows), or the CSV at *path*.

    .. versionadded:: 0.1.0
    """
    if path is None:
        text = (
            importlib.resources.files("recordkit.data")
            .joinpath("nicknames.csv")
            .read_text(encoding="utf-8")
        )
    else:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
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


def date_parts(values: Objects | Factored) -> npt.NDArray[np.int64]:
    """
    ``(year, month, day, ordinal day)`` per ISO date text; ``-1`` where not a date.
    """
    out: npt.NDArray[np.int64] = Factored.of(values).rows(_ordinal, np.int64, 4)
    return out


def numbers(values: Objects | Factored) -> npt.NDArray[np.float64]:
    """
    The values as floats (NaN where missing or not a number).
    """

    def one(value: object) -> float:
        number = _number(value)
        return np.nan if number is None else number

    out: npt.NDArray[np.float64] = Factored.of(values).rows(one, np.float64)
    return out


def family_ids(
    values: Objects | Factored,
    families: Mapping[str, tuple[str, ...]],
    ids: Mapping[str, int],
    width: int,
) -> npt.NDArray[np.int32]:
    """
    Per row, the ids of the name families of each token of the value (``-1`` padded).
    """
    empty = (-1,) * width

    def one(value: object) -> tuple[int, ...]:
        if not isinstance(value, str):
            return empty
        found: list[int] = []
        for token in value.split():
            for fam in families.get(token, (token,)):
                if fam in ids and ids[fam] not in found:
                    found.append(ids[fam])
        found = found[:width]
        return (*found, *empty[len(found) :])

    out: npt.NDArray[np.int32] = Factored.of(values).rows(one, np.int32, width)
    return out


def mapped(values: Objects | Factored, fn: Callable[[object], object]) -> Objects:
    """
    *fn* applied to each distinct value of *values*, as an object array.
    """
    return Factored.of(values).map(fn).values()


EMAIL_KEY: Final = email_key
EMAIL_LOCAL: Final = _email_local
