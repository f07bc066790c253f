"""
Comparing two profiles: what got better, and what got worse, between two measurements.
"""

from __future__ import annotations

from typing import Final

import attrs

from recordkit._errors import shorten
from recordkit.quality._errors import QualityError
from recordkit.quality._field import FieldProfile
from recordkit.quality._profile import Profile
from recordkit.schema import JSONObject

__all__ = ["FieldDiff", "ProfileDiff", "compare_profiles"]

_TOP: Final = 10


def _change(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _optional_field(value: object) -> FieldProfile | None:
    if value is not None and not isinstance(value, FieldProfile):
        raise QualityError(f"expected a FieldProfile or None, got {shorten(value)}",
                           parameter="before/after")  # fmt: skip
    return value


def _profile(value: object) -> Profile:
    if not isinstance(value, Profile):
        raise QualityError(f"expected a Profile, got {shorten(value)}", parameter="before/after")
    return value


@attrs.frozen
class FieldDiff:
    """
    One field in two profiles: how its fill, validity and distinct values moved.

    Args:
        before: the field's earlier profile (``None`` when the field is new).
        after: its later profile (``None`` when the field is gone).

    Raises:
        QualityError: neither is given, they are not `FieldProfile`, or they name two
            fields.

    .. versionadded:: 0.2.0
    """

    before: FieldProfile | None = attrs.field(converter=_optional_field)
    after: FieldProfile | None = attrs.field(converter=_optional_field)

    def __attrs_post_init__(self) -> None:
        if self.before is None and self.after is None:
            raise QualityError("a field diff needs a before or an after", parameter="before")
        if (self.before is not None and self.after is not None
                and self.before.name != self.after.name):  # fmt: skip
            raise QualityError(
                f"cannot compare field {self.before.name!r} with {self.after.name!r}",
                parameter="after",
            )

    @property
    def name(self) -> str:
        """
        The field's name.
        """
        either = self.after if self.after is not None else self.before
        assert either is not None  # checked when built
        return either.name

    @property
    def fill_rate_change(self) -> float | None:
        """
        After's fill rate minus before's (``None`` when either is unknown).
        """
        return _change(_rate(self.before, "fill"), _rate(self.after, "fill"))

    @property
    def invalid_rate_change(self) -> float | None:
        """
        After's invalid rate minus before's (``None`` when either was not measured).
        """
        return _change(_rate(self.before, "invalid"), _rate(self.after, "invalid"))

    @property
    def distinct_change(self) -> int | None:
        """
        After's distinct count minus before's (estimates; ``None`` for a new or gone field).
        """
        if self.before is None or self.after is None:
            return None
        return self.after.distinct - self.before.distinct

    @property
    def new_top_values(self) -> tuple[str, ...]:
        """
        Values among after's ten most frequent that were not among before's.
        """
        if self.after is None:
            return ()
        earlier = {v for v, _ in self.before.top_values(_TOP)} if self.before else set()
        return tuple(v for v, _ in self.after.top_values(_TOP) if v not in earlier)

    @property
    def improved(self) -> bool:
        """
        Fuller or more valid, and neither emptier nor less valid.
        """
        moves = [self.fill_rate_change, _negated(self.invalid_rate_change)]
        known = [m for m in moves if m is not None]
        return any(m > 0 for m in known) and not any(m < 0 for m in known)

    @property
    def worsened(self) -> bool:
        """
        Emptier or less valid, and neither fuller nor more valid.
        """
        moves = [self.fill_rate_change, _negated(self.invalid_rate_change)]
        known = [m for m in moves if m is not None]
        return any(m < 0 for m in known) and not any(m > 0 for m in known)

    def to_dict(self) -> JSONObject:
        """
        Plain JSON data: the field's name and each change.

        .. versionadded:: 0.2.0
        """
        return {
            "name": self.name,
            "added": self.before is None,
            "removed": self.after is None,
            "fill_rate_change": self.fill_rate_change,
            "invalid_rate_change": self.invalid_rate_change,
            "distinct_change": self.distinct_change,
            "new_top_values": list(self.new_top_values),
            "improved": self.improved,
            "worsened": self.worsened,
        }


def _rate(field: FieldProfile | None, which: str) -> float | None:
    if field is None:
        return None
    return field.fill_rate if which == "fill" else field.invalid_rate


def _negated(value: float | None) -> float | None:
    return None if value is None else -value


@attrs.frozen
class ProfileDiff:
    """
    Two profiles of a dataset compared: the dataset's measures and each field's.

    Examples:
        >>> from recordkit.quality import profile
        >>> week1 = profile({"email": ["a@x.io", None, None, None]})
        >>> week2 = profile({"email": ["a@x.io", "b@x.io", None, None]})
        >>> diff = compare_profiles(week1, week2)
        >>> diff.completeness_change, diff.improved
        (0.25, ('email',))

    Args:
        before: the earlier profile.
        after: the later one.

    Raises:
        QualityError: either is not a `Profile`.

    .. versionadded:: 0.2.0
    """

    before: Profile = attrs.field(converter=_profile)
    after: Profile = attrs.field(converter=_profile)

    @property
    def fields(self) -> tuple[FieldDiff, ...]:
        """
        Every field of either profile: before's order, then the new ones.
        """
        earlier = {f.name: f for f in self.before.fields}
        later = {f.name: f for f in self.after.fields}
        names = (*earlier, *(n for n in later if n not in earlier))
        return tuple(FieldDiff(earlier.get(n), later.get(n)) for n in names)

    def field(self, name: str) -> FieldDiff:
        """
        The comparison of the field *name*.

        Raises:
            QualityError: neither profile has that field.

        .. versionadded:: 0.2.0
        """
        for f in self.fields:
            if f.name == name:
                return f
        raise QualityError(f"no field {shorten(name)} in either profile", parameter="name")

    @property
    def rows_change(self) -> int:
        """
        After's rows minus before's.
        """
        return self.after.rows - self.before.rows

    @property
    def completeness_change(self) -> float | None:
        """
        After's completeness minus before's.
        """
        return _change(self.before.completeness, self.after.completeness)

    @property
    def validity_change(self) -> float | None:
        """
        After's validity minus before's (``None`` unless both were measured with rules).
        """
        return _change(self.before.validity, self.after.validity)

    @property
    def duplicate_rate_change(self) -> float | None:
        """
        After's duplicate rate minus before's (``None`` unless both measured it).
        """
        return _change(self.before.duplicate_rate, self.after.duplicate_rate)

    @property
    def improved(self) -> tuple[str, ...]:
        """
        The fields that got fuller or more valid (and no worse on the other).
        """
        return tuple(f.name for f in self.fields if f.improved)

    @property
    def worsened(self) -> tuple[str, ...]:
        """
        The fields that got emptier or less valid (and no better on the other).
        """
        return tuple(f.name for f in self.fields if f.worsened)

    def to_dict(self) -> JSONObject:
        """
        Plain JSON data: the dataset's changes and each field's.

        .. versionadded:: 0.2.0
        """
        return {
            "rows_change": self.rows_change,
            "completeness_change": self.completeness_change,
            "validity_change": self.validity_change,
            "duplicate_rate_change": self.duplicate_rate_change,
            "improved": list(self.improved),
            "worsened": list(self.worsened),
            "fields": [f.to_dict() for f in self.fields],
        }


def compare_profiles(before: Profile, after: Profile) -> ProfileDiff:
    """
    Compare two profiles of a dataset: "what got better since last week".

    Raises:
        QualityError: either is not a `Profile`.

    .. versionadded:: 0.2.0
    """
    return ProfileDiff(before, after)
