"""
`RetentionReport`: what a retention run found due, and what it did.

It holds record ids, counts and reasons, never a record's values, so it can be logged or
handed to whoever asked for the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from recordkit._errors import ValidationError, shorten
from recordkit.schema import JSONObject

__all__ = ["RetentionReport"]


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"expected text, got {shorten(value)}")
    return value


def _ids(value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping) or any(
        isinstance(v, str | bytes) or not isinstance(v, Iterable) for v in value.values()
    ):
        raise ValidationError(f"expected rule name → record ids, got {shorten(value)}")
    return {_text(k): tuple(_text(i) for i in v) for k, v in value.items()}


def _reasons(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"expected record id → text, got {shorten(value)}")
    return {_text(k): _text(v) for k, v in value.items()}


def _now(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"now must be a datetime, got {shorten(value)}")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"dry_run must be True or False, got {shorten(value)}")
    return value


@attrs.frozen(repr=False)
class RetentionReport:
    """
    What a retention run found due at *now*, and, unless a dry run, what it did.

    Each record is listed once: under the first rule that erases it, else the first that
    archives it. A dry run only lists; applying archives and erases them, and a record
    whose move or erasure was refused (by the policy, a guard or a concurrent change) is
    in *refused* with the reason, while the others go ahead.

    Attributes:
        now: the time the run measured inactivity at.
        dry_run: whether the run only listed.
        archive: rule name → the ids of the records it archives (every rule, in order).
        erase: rule name → the ids of the records it erases.
        erasures: (applied) record id → the id of the erasure that removed it (its
            ``erase`` audit event; merged records erased with one appear too).
        refused: (applied) record id → why it was not archived or erased.

    .. versionadded:: 0.2.0
    """

    now: dt.datetime = attrs.field(converter=_now)
    dry_run: bool = attrs.field(converter=_flag)
    archive: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_ids)
    erase: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_ids)
    erasures: Mapping[str, str] = attrs.field(factory=dict, converter=_reasons)
    refused: Mapping[str, str] = attrs.field(factory=dict, converter=_reasons)

    def __repr__(self) -> str:
        return (
            f"RetentionReport(dry_run={self.dry_run}, archive={self.archived_count}, "
            f"erase={self.erased_count}, refused={len(self.refused)})"
        )

    @property
    def archived_count(self) -> int:
        """
        How many records are (or were) due for archiving, over every rule.
        """
        return sum(len(ids) for ids in self.archive.values())

    @property
    def erased_count(self) -> int:
        """
        How many records are (or were) due for erasure, over every rule.
        """
        return sum(len(ids) for ids in self.erase.values())

    @property
    def rules(self) -> tuple[str, ...]:
        """
        The names of the rules the run applied, in order.
        """
        return tuple(dict.fromkeys([*self.archive, *self.erase]))

    def counts(self) -> dict[str, dict[str, int]]:
        """
        Per rule, how many records it archives and erases (``{"stale": {"archive": 2, …}}``).
        """
        return {
            name: {
                "archive": len(self.archive.get(name, ())),
                "erase": len(self.erase.get(name, ())),
            }
            for name in self.rules
        }

    def to_dict(self) -> JSONObject:
        """
        The report as plain data (ids, counts and reasons; never a record's values).
        """
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "rules": {
                name: {
                    "archive": list(self.archive.get(name, ())),
                    "erase": list(self.erase.get(name, ())),
                }
                for name in self.rules
            },
            "counts": {k: dict(v) for k, v in self.counts().items()},
            "erasures": dict(self.erasures),
            "refused": dict(self.refused),
        }
