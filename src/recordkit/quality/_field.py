"""
`FieldProfile`: what one column holds, as exact counts and mergeable sketches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from recordkit._errors import shorten
from recordkit._notebook import cell, html_block, html_table
from recordkit.quality._errors import QualityError
from recordkit.quality._sketch import HLL_LG_K, datasketches, decode, encode
from recordkit.schema import JSONObject, JSONValue

__all__ = ["SKETCHES", "FieldProfile", "check_count", "rate"]

SKETCHES: Final = ("distinct", "values", "shapes", "numbers", "times")
"""
The sketches a field profile keeps: distinct values (HLL), top values and top shapes
(frequent items), numbers and dates/times (KLL quantiles).
"""
_KINDS: Final = {"distinct": "hll", "values": "frequent", "shapes": "frequent",
                 "numbers": "kll", "times": "kll"}  # fmt: skip
_EPOCH_DAY: Final = dt.date(1970, 1, 1).toordinal()
_DEFAULT_QUANTILES: Final = (0.0, 0.25, 0.5, 0.75, 1.0)
_MAX_NAME: Final = 200


def rate(part: int, whole: int) -> float | None:
    """
    *part* over *whole*; ``None`` when *whole* is 0 (a rate of nothing is unknown).
    """
    return part / whole if whole else None


def check_count(value: object, what: str, *, maximum: int | None = None) -> int:
    """
    *value* as a count (a whole number ≥ 0, at most *maximum*), or a `QualityError`.
    """
    if type(value) is not int or value < 0 or (maximum is not None and value > maximum):
        limit = "" if maximum is None else f" and at most {maximum:,}"
        raise QualityError(
            f"{what} must be a whole number of at least 0{limit}, got {shorten(value)}",
            parameter=what,
        )
    return value


def _rows(value: object) -> int:
    return check_count(value, "rows")


def _filled(value: object) -> int:
    return check_count(value, "filled")


def _optional(value: object) -> int | None:
    return None if value is None else check_count(value, "invalid")


def _read(kind: str, blob: bytes) -> Any:
    ds = datasketches()
    if kind == "hll":
        return ds.hll_sketch.deserialize(blob)
    if kind == "frequent":
        return ds.frequent_strings_sketch.deserialize(blob)
    return ds.kll_doubles_sketch.deserialize(blob)


def _sketches(value: object) -> dict[str, bytes]:
    if not isinstance(value, Mapping):
        raise QualityError(
            f"sketches must map sketch names to bytes, got {shorten(value)}", parameter="sketches"
        )
    out: dict[str, bytes] = {}
    for key, blob in value.items():
        if key not in _KINDS:
            raise QualityError(
                f"unknown sketch {shorten(key)}; the sketches are {', '.join(SKETCHES)}",
                parameter="sketches",
            )
        if not isinstance(blob, bytes):
            raise QualityError(
                f"sketch {key!r} must be bytes, got {type(blob).__name__}", parameter="sketches"
            )
        if blob:
            try:
                _read(_KINDS[key], blob)
            except QualityError:
                raise
            except Exception:  # the library refuses bytes that are not its sketch
                raise QualityError(
                    f"sketch {key!r} is not a serialized {_KINDS[key]} sketch",
                    parameter="sketches",
                ) from None
            out[key] = blob
    return out


def _name(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > _MAX_NAME:
        raise QualityError(
            f"a field name must be text of 1 to {_MAX_NAME} characters, got {shorten(value)}",
            parameter="name",
        )
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise QualityError(f"datetimes must be true or false, got {shorten(value)}",
                           parameter="datetimes")  # fmt: skip
    return value


@attrs.frozen(repr=False)
class FieldProfile:
    """
    One field of a `Profile`: fill, distinct and invalid counts, top values and shapes.

    Counts of rows, filled cells and invalid cells are exact; distinct counts, top values,
    top shapes and quantiles come from the sketches, within their stated error (see
    `recordkit.quality`). A cell is blank when it is missing, ``None``, NaN, or text of
    spaces only; values are counted by their text (``str``), so ``7`` and ``"7"`` are one
    value.

    Build one with `profile`; the constructor reads what `to_dict` wrote.

    Args:
        name: the field (column) name.
        rows: rows profiled.
        filled: rows with a value (not blank).
        invalid: rows whose value the rules refused (an error on this field); ``None`` when
            no rules were run or the field is not in their schema.
        sketches: sketch name → its DataSketches serialization (see `SKETCHES`); a missing
            sketch is empty.
        datetimes: the ``times`` sketch holds date-times (not only dates).

    Raises:
        QualityError: an argument is of the wrong type, a count is out of range, or a
            sketch is not one.

    .. versionadded:: 0.2.0
    """

    name: str = attrs.field(converter=_name)
    rows: int = attrs.field(kw_only=True, converter=_rows)
    filled: int = attrs.field(kw_only=True, converter=_filled)
    invalid: int | None = attrs.field(default=None, kw_only=True, converter=_optional)
    sketches: Mapping[str, bytes] = attrs.field(factory=dict, kw_only=True, converter=_sketches)
    datetimes: bool = attrs.field(default=False, kw_only=True, converter=_flag)

    def __attrs_post_init__(self) -> None:
        if self.filled > self.rows:
            raise QualityError(
                f"filled ({self.filled}) cannot exceed rows ({self.rows})", parameter="filled"
            )
        if self.invalid is not None:
            check_count(self.invalid, "invalid", maximum=self.rows)

    def __repr__(self) -> str:
        return (f"FieldProfile({self.name!r}, rows={self.rows}, filled={self.filled}, "
                f"distinct~{self.distinct}, invalid={self.invalid})")  # fmt: skip

    def _repr_html_(self) -> str:
        rates = [(k, f"{v:.1%}") for k, v in (("fill rate", self.fill_rate),
                 ("invalid rate", self.invalid_rate)) if v is not None]  # fmt: skip
        facts = [("rows", f"{self.rows:,}"), ("filled", f"{self.filled:,}"), *rates,
                 ("distinct", f"~{self.distinct:,}")]  # fmt: skip
        values = self.top_values(5)
        shapes = self.top_shapes(3)
        quantiles = self.quantiles((0.0, 0.5, 1.0))
        tables = [
            html_table(("top value", "rows"), values) if values else "",
            html_table(("top shape", "rows"), shapes) if shapes else "",
            html_table(("minimum", "median", "maximum"), [quantiles]) if quantiles else "",
        ]
        return html_block(f"Field {cell(self.name)}", facts, *tables)

    # -- exact counts ------------------------------------------------------------------

    @property
    def blank(self) -> int:
        """
        Rows without a value.
        """
        return self.rows - self.filled

    @property
    def fill_rate(self) -> float | None:
        """
        The share of rows with a value (``None`` for no rows).
        """
        return rate(self.filled, self.rows)

    @property
    def invalid_rate(self) -> float | None:
        """
        The share of rows whose value the rules refused (``None`` without rules or rows).
        """
        return None if self.invalid is None else rate(self.invalid, self.rows)

    # -- from the sketches ---------------------------------------------------------------

    def _sketch(self, key: str) -> Any:
        blob = self.sketches.get(key)
        if blob:
            return _read(_KINDS[key], blob)
        ds = datasketches()
        if key == "distinct":
            return ds.hll_sketch(HLL_LG_K, ds.HLL_8)
        return None

    @property
    def distinct(self) -> int:
        """
        The number of distinct values (an HyperLogLog estimate, exact when small).
        """
        return round(float(self._sketch("distinct").get_estimate()))

    @property
    def distinct_bounds(self) -> tuple[int, int]:
        """
        Lower and upper bounds of the distinct count at two standard deviations.
        """
        sketch = self._sketch("distinct")
        return (int(sketch.get_lower_bound(2)), int(-(-sketch.get_upper_bound(2) // 1)))

    def top_values(self, k: int = 10) -> tuple[tuple[str, int], ...]:
        """
        The *k* most frequent values with their counts, most frequent first.

        Counts are exact while the sketch holds every distinct value seen, and otherwise
        estimates within the frequent-items error. Ties are ordered by value.

        Raises:
            QualityError: *k* is not a whole number from 0 to 10,000.

        .. versionadded:: 0.2.0
        """
        return _top(self._sketch("values"), check_count(k, "k", maximum=10_000))

    def top_shapes(self, k: int = 5) -> tuple[tuple[str, int], ...]:
        """
        The *k* most frequent pattern shapes (`value_shape`) with their counts.

        Raises:
            QualityError: *k* is not a whole number from 0 to 10,000.

        .. versionadded:: 0.2.0
        """
        return _top(self._sketch("shapes"), check_count(k, "k", maximum=10_000))

    @property
    def kind(self) -> str | None:
        """
        What the quantiles are of: ``"number"``, ``"date"``, ``"datetime"`` or ``None``.

        A field holding numbers and dates reports the kind it holds more of.
        """
        numbers, times = self._sketch("numbers"), self._sketch("times")
        n = 0 if numbers is None else numbers.n
        t = 0 if times is None else times.n
        if not n and not t:
            return None
        if n >= t:
            return "number"
        return "datetime" if self.datetimes else "date"

    def quantiles(
        self, ranks: Sequence[float] = _DEFAULT_QUANTILES
    ) -> tuple[float | dt.date | dt.datetime, ...]:
        """
        The values at *ranks* (0 is the minimum, 1 the maximum) of the numbers or dates.

        Each is within the quantile sketch's rank error. Dates come back as `datetime.date`
        and date-times as `datetime.datetime` in UTC; an empty tuple when the field holds
        neither numbers nor dates.

        Raises:
            QualityError: *ranks* is not a sequence of numbers from 0 to 1.

        .. versionadded:: 0.2.0
        """
        wanted = _ranks(ranks)
        kind = self.kind
        if kind is None:
            return ()
        sketch = self._sketch("numbers" if kind == "number" else "times")
        found = [float(sketch.get_quantile(r)) for r in wanted]
        if kind == "number":
            return tuple(found)
        if kind == "date":
            return tuple(dt.date.fromordinal(int(v // 1) + _EPOCH_DAY) for v in found)
        return tuple(dt.datetime.fromtimestamp(v * 86_400, dt.UTC) for v in found)

    # -- combining and plain data ------------------------------------------------------------

    def merge(self, other: FieldProfile) -> FieldProfile:
        """
        The profile of this field over both profiles' rows.

        Raises:
            QualityError: *other* is not a `FieldProfile` of the same field.

        .. versionadded:: 0.2.0
        """
        if not isinstance(other, FieldProfile) or other.name != self.name:
            raise QualityError(
                f"can only merge a FieldProfile of {self.name!r}, got {shorten(other)}",
                parameter="other",
            )
        invalid = (None if self.invalid is None or other.invalid is None
                   else self.invalid + other.invalid)  # fmt: skip
        sketches = {key: _merge(_KINDS[key], self.sketches.get(key), other.sketches.get(key))
                    for key in SKETCHES}  # fmt: skip
        return FieldProfile(
            self.name,
            rows=self.rows + other.rows,
            filled=self.filled + other.filled,
            invalid=invalid,
            sketches={k: v for k, v in sketches.items() if v},
            datetimes=self.datetimes or other.datetimes,
        )

    def to_dict(self) -> JSONObject:
        """
        Plain JSON data: the counts, the sketches (base64) and a readable summary.

        The ``summary`` (rates, distinct count, top values and shapes, quantiles) is there
        for people and queries; `from_dict` reads only the counts and sketches.

        .. versionadded:: 0.2.0
        """
        quantiles: list[JSONValue] = [
            v if isinstance(v, float) else v.isoformat() for v in self.quantiles()
        ]
        summary: JSONObject = {
            "fill_rate": self.fill_rate,
            "invalid_rate": self.invalid_rate,
            "distinct": self.distinct,
            "top_values": [[v, n] for v, n in self.top_values()],
            "top_shapes": [[s, n] for s, n in self.top_shapes()],
            "kind": self.kind,
            "quantiles": quantiles,
        }
        return {
            "name": self.name,
            "rows": self.rows,
            "filled": self.filled,
            "invalid": self.invalid,
            "datetimes": self.datetimes,
            "sketches": {k: encode(v) for k, v in self.sketches.items()},
            "summary": summary,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> FieldProfile:
        """
        Read what `to_dict` wrote.

        Raises:
            QualityError: *data* is not a field profile's plain data.

        .. versionadded:: 0.2.0
        """
        if not isinstance(data, Mapping):
            raise QualityError(f"a field profile is a mapping, got {shorten(data)}",
                               parameter="data")  # fmt: skip
        sketches = data.get("sketches", {})
        if not isinstance(sketches, Mapping):
            raise QualityError("sketches must be a mapping", parameter="sketches")
        invalid = data.get("invalid")
        return cls(
            data.get("name"),
            rows=data.get("rows"),
            filled=data.get("filled"),
            invalid=invalid,
            sketches={k: decode(v, f"sketches.{k}") for k, v in sketches.items()},
            datetimes=data.get("datetimes", False),
        )


def _top(sketch: Any, k: int) -> tuple[tuple[str, int], ...]:
    if sketch is None or sketch.is_empty() or not k:
        return ()
    ds = datasketches()
    items = sketch.get_frequent_items(ds.NO_FALSE_NEGATIVES, 0)
    ordered = sorted(((str(i[0]), int(i[1])) for i in items), key=lambda p: (-p[1], p[0]))
    return tuple(ordered[:k])


def _ranks(value: object) -> list[float]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) > 1_000:
        raise QualityError(f"ranks must be a sequence of numbers from 0 to 1, got "
                           f"{shorten(value)}", parameter="ranks")  # fmt: skip
    out = []
    for r in value:
        if type(r) not in (int, float) or not 0 <= r <= 1:
            raise QualityError(f"a rank must be a number from 0 to 1, got {shorten(r)}",
                               parameter="ranks")  # fmt: skip
        out.append(float(r))
    return out


def _merge(kind: str, a: bytes | None, b: bytes | None) -> bytes | None:
    if not a or not b:
        return a or b
    ds = datasketches()
    if kind == "hll":
        union = ds.hll_union(HLL_LG_K)
        union.update(ds.hll_sketch.deserialize(a))
        union.update(ds.hll_sketch.deserialize(b))
        return bytes(union.get_result(ds.HLL_8).serialize_compact())
    left = _read(kind, a)
    left.merge(_read(kind, b))
    return bytes(left.serialize())
