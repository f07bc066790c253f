"""
`Profile` and `profile`: a dataset measured field by field, mergeable chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from recordkit._errors import shorten
from recordkit._frames import arrow_table, pandas_frame, polars_frame
from recordkit._gc import collector_paused
from recordkit._suggest import close_matches
from recordkit.match import MatchResult
from recordkit.quality._accumulate import FieldAccumulator
from recordkit.quality._errors import QualityError
from recordkit.quality._field import FieldProfile, check_count, rate
from recordkit.quality._profile_view import profile_columns, profile_html
from recordkit.quality._reading import read_chunks
from recordkit.rules import RuleSet, Severity, run_chunk
from recordkit.schema import JSONObject, JSONValue, Schema

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]
    import polars
    import pyarrow  # type: ignore[import-untyped]

__all__ = ["Profile", "profile"]

FORMAT: Final = "recordkit.profile"
FORMAT_VERSION: Final = 1
_UNREADABLE: Final = "<unreadable>"
_TYPED: Final = frozenset({"integer", "decimal", "money", "date", "datetime"})
_MAX_CHUNK: Final = 10_000_000


def _fields(value: object) -> tuple[FieldProfile, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise QualityError(f"fields must be FieldProfiles, got {shorten(value)}",
                           parameter="fields")  # fmt: skip
    out = tuple(value)
    seen: set[str] = set()
    for f in out:
        if not isinstance(f, FieldProfile):
            raise QualityError(f"fields must be FieldProfiles, got {shorten(f)}",
                               parameter="fields")  # fmt: skip
        if f.name in seen:
            raise QualityError(f"field {f.name!r} is listed twice", parameter="fields")
        seen.add(f.name)
    return out


def _label(value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or not value or len(value) > 200):
        raise QualityError(f"rules must be a rule set label (text), got {shorten(value)}",
                           parameter="rules")  # fmt: skip
    return value


def _rows(value: object) -> int:
    return check_count(value, "rows")


@attrs.frozen(repr=False)
class Profile:
    """
    A dataset's profile: rows, a `FieldProfile` per field, validity and duplicates.

    Profiles are mergeable: `merge` (or `Profile.merged`) combines the profiles of two
    parts of a dataset into the profile of the whole — counts exactly, distinct counts,
    top values and quantiles within their sketches' error — so chunks, files and engines
    can each profile their part. `to_dict` gives plain JSON data to keep one per import,
    and `compare_profiles` says what changed between two.

    Examples:
        >>> p = profile({"city": ["NY", "New York", "N.Y.", None]})
        >>> p.rows, p.field("city").fill_rate, p.field("city").distinct
        (4, 0.75, 3)
        >>> p.field("city").top_shapes()
        (('A+', 1), ('A.A.', 1), ('Aa+ Aa+', 1))

    Args:
        rows: rows profiled.
        fields: the fields, in the order first seen.
        valid_rows: rows without any error under the rules (``None`` without rules).
        duplicates: records that duplicate another (``None`` when not measured).
        rules: the rule set the validity was measured with, as ``name@version``.

    Raises:
        QualityError: an argument is of the wrong type, a count is out of range, or a
            field's rows differ from the profile's.

    .. versionadded:: 0.2.0
    """

    rows: int = attrs.field(converter=_rows)
    fields: tuple[FieldProfile, ...] = attrs.field(converter=_fields)
    valid_rows: int | None = attrs.field(default=None, kw_only=True)
    duplicates: int | None = attrs.field(default=None, kw_only=True)
    rules: str | None = attrs.field(default=None, kw_only=True, converter=_label)

    def __attrs_post_init__(self) -> None:
        for f in self.fields:
            if f.rows != self.rows:
                raise QualityError(
                    f"field {f.name!r} counts {f.rows} rows, the profile {self.rows}",
                    parameter="fields",
                )
        if self.valid_rows is not None:
            check_count(self.valid_rows, "valid_rows", maximum=self.rows)
        if self.duplicates is not None:
            check_count(self.duplicates, "duplicates", maximum=self.rows)

    def __repr__(self) -> str:
        names = self.field_names
        shown = ", ".join(repr(n) for n in names[:8]) + (", …" if len(names) > 8 else "")
        return f"Profile(rows={self.rows}, fields=[{shown}])"

    def _repr_html_(self) -> str:
        facts = [("completeness", self.completeness), ("validity", self.validity),
                 ("duplicate rate", self.duplicate_rate)]  # fmt: skip
        return profile_html(self.rows, self.fields, facts)

    def to_pandas(self) -> pandas.DataFrame:
        """
        The profile as a pandas DataFrame, one row per field.

        The columns: ``field``, ``rows``, ``filled``, ``fill_rate``, ``distinct``,
        ``invalid``, ``invalid_rate``, ``top_values`` and ``top_shapes`` (as
        ``value (count)`` text), ``kind`` (of the quantiles), ``minimum``, ``median``
        and ``maximum``.

        Raises:
            RecordkitError: pandas is not installed (the ``pandas`` extra).

        .. versionadded:: 0.2.0
        """
        return pandas_frame(profile_columns(self.fields), "Profile.to_pandas")

    def to_polars(self) -> polars.DataFrame:
        """
        The profile as a polars DataFrame, one row per field (see `to_pandas`).

        Raises:
            RecordkitError: polars is not installed (the ``polars`` extra).

        .. versionadded:: 0.2.0
        """
        return polars_frame(profile_columns(self.fields), "Profile.to_polars")

    def to_arrow(self) -> pyarrow.Table:
        """
        The profile as an Arrow table, one row per field (see `to_pandas`).

        Raises:
            RecordkitError: pyarrow is not installed (the ``arrow`` extra).

        .. versionadded:: 0.2.0
        """
        return arrow_table(profile_columns(self.fields), "Profile.to_arrow")

    @property
    def field_names(self) -> tuple[str, ...]:
        """
        The fields' names, in order.
        """
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldProfile:
        """
        The profile of the field *name*.

        Raises:
            QualityError: no field of that name (with the closest names).

        .. versionadded:: 0.2.0
        """
        for f in self.fields:
            if f.name == name:
                return f
        near = close_matches(name, self.field_names) if isinstance(name, str) else ()
        hint = f" (did you mean {' or '.join(map(repr, near))}?)" if near else ""
        raise QualityError(f"no field {shorten(name)} in the profile{hint}", parameter="name")

    @property
    def completeness(self) -> float | None:
        """
        The share of cells with a value, over every field and row (``None`` when empty).
        """
        return rate(sum(f.filled for f in self.fields), self.rows * len(self.fields))

    @property
    def validity(self) -> float | None:
        """
        The share of rows without any error under the rules (``None`` without rules).
        """
        return None if self.valid_rows is None else rate(self.valid_rows, self.rows)

    @property
    def duplicate_rate(self) -> float | None:
        """
        The share of rows that duplicate another (``None`` when not measured).
        """
        return None if self.duplicates is None else rate(self.duplicates, self.rows)

    def merge(self, other: Profile) -> Profile:
        """
        The profile of both datasets together (their rows, one after the other).

        A field one of them lacks counts as blank in its rows. Duplicates add up: pairs
        across the two parts are not known to either, so the sum is a lower bound.

        Raises:
            QualityError: *other* is not a `Profile`, or was measured with other rules.

        .. versionadded:: 0.2.0
        """
        if not isinstance(other, Profile):
            raise QualityError(f"can only merge a Profile, got {shorten(other)}",
                               parameter="other")  # fmt: skip
        if self.rules != other.rules:
            raise QualityError(
                f"cannot merge profiles measured with different rules "
                f"({self.rules!r} and {other.rules!r})",
                parameter="other",
            )
        mine = {f.name: f for f in self.fields}
        theirs = {f.name: f for f in other.fields}
        merged = []
        for name in (*mine, *(n for n in theirs if n not in mine)):
            left = mine.get(name) or _blank(theirs[name], self.rows)
            right = theirs.get(name) or _blank(mine[name], other.rows)
            merged.append(left.merge(right))
        return Profile(
            self.rows + other.rows,
            merged,
            valid_rows=_add(self.valid_rows, other.valid_rows),
            duplicates=_add(self.duplicates, other.duplicates),
            rules=self.rules,
        )

    @classmethod
    def merged(cls, profiles: Iterable[Profile]) -> Profile:
        """
        The profiles of several parts of a dataset merged into one, in order.

        Raises:
            QualityError: *profiles* is empty, or holds something other than profiles
                measured with the same rules.

        .. versionadded:: 0.2.0
        """
        if isinstance(profiles, str | bytes | Mapping) or not isinstance(profiles, Iterable):
            raise QualityError(f"profiles must be an iterable of Profiles, got "
                               f"{shorten(profiles)}", parameter="profiles")  # fmt: skip
        result: Profile | None = None
        for p in profiles:
            if not isinstance(p, Profile):
                raise QualityError(f"profiles must be Profiles, got {shorten(p)}",
                                   parameter="profiles")  # fmt: skip
            result = p if result is None else result.merge(p)
        if result is None:
            raise QualityError("no profiles to merge", parameter="profiles")
        return result

    def to_dict(self) -> JSONObject:
        """
        Plain JSON data for the whole profile, to keep (one per import) and read back.

        .. versionadded:: 0.2.0
        """
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "duplicates": self.duplicates,
            "rules": self.rules,
            "completeness": self.completeness,
            "validity": self.validity,
            "duplicate_rate": self.duplicate_rate,
            "fields": [f.to_dict() for f in self.fields],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Profile:
        """
        Read what `to_dict` wrote.

        Raises:
            QualityError: *data* is not a profile's plain data.

        .. versionadded:: 0.2.0
        """
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise QualityError(f"not a profile: expected format {FORMAT!r}",
                               parameter="data")  # fmt: skip
        if data.get("version") != FORMAT_VERSION:
            raise QualityError(f"unknown profile version {shorten(data.get('version'))}",
                               parameter="data")  # fmt: skip
        fields = data.get("fields")
        if not isinstance(fields, list):
            raise QualityError("a profile's fields must be a list", parameter="data")
        return cls(
            data.get("rows"),
            [FieldProfile.from_dict(f) for f in fields],  # type: ignore[arg-type]
            valid_rows=data.get("valid_rows"),  # type: ignore[arg-type]
            duplicates=data.get("duplicates"),  # type: ignore[arg-type]
            rules=data.get("rules"),
        )


def _blank(like: FieldProfile, rows: int) -> FieldProfile:
    return FieldProfile(like.name, rows=rows, filled=0,
                        invalid=None if like.invalid is None else 0)  # fmt: skip


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


# -- profiling ------------------------------------------------------------------------------


def profile(
    data: object,
    *,
    schema: Schema | None = None,
    rules: RuleSet | None = None,
    duplicates: MatchResult | int | None = None,
    fields: Sequence[str] | None = None,
    chunk_size: int = 100_000,
) -> Profile:
    """
    Profile *data*: per field fill, distinct, top values, shapes, quantiles and invalid rate.

    The data is read chunk by chunk (`recordkit.rules.chunks_of`), so memory stays bounded
    by a chunk and the sketches. With a schema or a rule set, each chunk also goes through
    the rules' own batch step (`recordkit.rules.run_chunk`): a field's invalid count is
    the rows with an error on it, and validity the rows with no error at all. Quantiles
    then read the normalized values (a date field's text becomes dates); without rules,
    they read the values that are already numbers, dates or date-times. Uniqueness
    checks are left to the distinct counts (they need the whole dataset at once, which a
    mergeable profile does not have).

    Examples:
        >>> import recordkit as rk
        >>> rows = [{"email": "ada@example.com"}, {"email": "not an address"}, {}]
        >>> p = profile(rows, schema=rk.bundled_schema("contact"))
        >>> p.field("email").fill_rate, p.field("email").invalid
        (0.6666666666666666, 1)

    Args:
        data: columns (a mapping of column name → values), rows (an iterable of
            mappings), a pandas or polars DataFrame, an Arrow table, or a delimited
            file (a path, an open file or a `recordkit.sources.CsvSource`).
        schema: measure validity with this schema's rules (`RuleSet.for_schema`).
        rules: measure validity with this rule set instead.
        duplicates: a matcher's `MatchResult` over the same records (its records minus
            its clusters are the duplicates), or the number of duplicate rows.
        fields: profile only these columns (default: every column, and every field of
            the schema, present or not).
        chunk_size: rows per chunk.

    Returns:
        The `Profile`.

    Raises:
        QualityError: an argument is of the wrong type or out of range, or the
            ``quality`` extra (``datasketches``) is not installed.
        RecordkitError: *data* cannot be read as rows.

    .. versionadded:: 0.2.0
    """
    ruleset = _ruleset(schema, rules)
    wanted = _wanted(fields)
    check_count(chunk_size, "chunk_size", maximum=_MAX_CHUNK)
    if chunk_size < 1:
        raise QualityError("chunk_size must be at least 1", parameter="chunk_size")
    with collector_paused():
        result = _profile(read_chunks(data, chunk_size), ruleset, wanted)
    dups = _duplicates(duplicates, result.rows)
    return attrs.evolve(result, duplicates=dups) if dups is not None else result


def _ruleset(schema: object, rules: object) -> RuleSet | None:
    if schema is not None and not isinstance(schema, Schema):
        raise QualityError(f"schema must be a Schema, got {shorten(schema)}", parameter="schema")
    if rules is not None and not isinstance(rules, RuleSet):
        raise QualityError(f"rules must be a RuleSet, got {shorten(rules)}", parameter="rules")
    if rules is not None:
        if schema is not None and rules.schema != schema:
            raise QualityError("rules are bound to another schema than the one given",
                               parameter="rules")  # fmt: skip
        return rules
    return None if schema is None else RuleSet.for_schema(schema)


def _wanted(fields: object) -> frozenset[str] | None:
    if fields is None:
        return None
    if isinstance(fields, str | bytes) or not isinstance(fields, Iterable):
        raise QualityError(f"fields must be a sequence of names, got {shorten(fields)}",
                           parameter="fields")  # fmt: skip
    names = tuple(fields)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise QualityError(f"fields must be non-empty names, got {shorten(names)}",
                           parameter="fields")  # fmt: skip
    return frozenset(names)


def _duplicates(value: object, rows: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, MatchResult):
        records = len(value.prepared.ids)
        found = records - len(value.clusters)
        if records != rows:
            raise QualityError(
                f"the match result covers {records} records, the profile {rows} rows",
                parameter="duplicates",
            )
        return found
    return check_count(value, "duplicates", maximum=rows)


class _Run:
    """
    A profile as it goes: one accumulator per field, the rows, the valid rows.
    """

    def __init__(self, rules: RuleSet | None, wanted: frozenset[str] | None) -> None:
        self.rules = rules
        self.wanted = wanted
        self.rows = 0
        self.valid = 0
        self.fields: dict[str, FieldAccumulator] = {}
        self.memo: dict[str, dict[Any, object]] = {}
        if rules is not None:
            for name in rules.schema.field_names:
                if wanted is None or name in wanted:
                    self.fields[name] = FieldAccumulator(name, 0, rules=True)

    def chunk(self, columns: Mapping[str, Sequence[object]], length: int) -> None:
        typed: dict[str, list[Any]] = {}
        invalid: dict[str | None, set[int]] = {}
        if self.rules is not None:
            known = {n: c for n, c in columns.items() if n in self.rules.plans}
            result = run_chunk(self.rules, known, length, memo=self.memo)
            typed = result.columns
            for row, issue in result.located:
                if issue.severity is Severity.ERROR:
                    invalid.setdefault(issue.field, set()).add(row)
            bad: set[int] = set().union(*invalid.values()) if invalid else set()
            self.valid += length - len(bad)
        for name, column in columns.items():
            if name == _UNREADABLE or (self.wanted is not None and name not in self.wanted):
                continue
            acc = self.fields.get(name)
            if acc is None:
                acc = self.fields[name] = FieldAccumulator(name, self.rows, rules=False)
            plan_typed = None
            if (self.rules is not None and name in self.rules.plans
                    and self.rules.schema.field(name).type.kind in _TYPED):  # fmt: skip
                plan_typed = typed.get(name)
            acc.add(column, typed=plan_typed, invalid=len(invalid.get(name, ())))
        for name, acc in self.fields.items():
            if name not in columns:
                if acc.invalid is not None and name in invalid:
                    acc.invalid += len(invalid[name])
                acc.blanks(length)
        self.rows += length

    def result(self) -> Profile:
        rules = None
        if self.rules is not None:
            rules = f"{self.rules.name}@{self.rules.version}"
        return Profile(
            self.rows,
            [acc.result() for acc in self.fields.values()],
            valid_rows=self.valid if self.rules is not None else None,
            rules=rules,
        )


def _profile(
    chunks: Iterator[tuple[Mapping[str, Sequence[object]], int]],
    rules: RuleSet | None,
    wanted: frozenset[str] | None,
) -> Profile:
    run = _Run(rules, wanted)
    for columns, length in chunks:
        run.chunk(columns, length)
    return run.result()
