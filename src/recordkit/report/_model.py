"""
`Report`: a run's figures as plain data, written as JSON or as one self-contained HTML page.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import attrs

from recordkit._errors import shorten
from recordkit.report._errors import ReportError
from recordkit.schema import JSONObject, JSONValue

__all__ = ["FORMAT", "FORMAT_VERSION", "SECTIONS", "Report", "check_instant", "check_title"]

FORMAT: Final = "recordkit.report"
FORMAT_VERSION: Final = 1
SECTIONS: Final = ("profile", "batch", "health", "variants", "duplicates")
_MAX_FILE: Final = 50 * 1024 * 1024
_MAX_TITLE: Final = 200


def check_title(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TITLE:
        raise ReportError(
            f"title must be non-blank text of at most {_MAX_TITLE} characters, "
            f"got {shorten(value)}",
            parameter="title",
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ReportError(
            "title must be text a page can show (no lone surrogates)", parameter="title"
        ) from None
    return value


def check_instant(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ReportError(
            f"created_at must be a timezone-aware datetime, got {shorten(value)}",
            parameter="created_at",
        )
    return value.astimezone(dt.UTC)


def _plain(value: object, name: str) -> JSONObject:
    """
    *value* as JSON data of its own (a deep copy), or a `ReportError` naming *name*.
    """
    if not isinstance(value, Mapping):
        raise ReportError(
            f"{name} must be a mapping of plain data, got {shorten(value)}", parameter=name
        )
    try:
        copied = json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as exc:
        raise ReportError(
            f"{name} must be plain JSON data: {shorten(exc, 200)}", parameter=name
        ) from None
    assert isinstance(copied, dict)
    return copied


def _summary(value: object) -> JSONObject:
    return _plain(value, "summary")


def _profile(value: object) -> JSONObject | None:
    return None if value is None else _plain(value, "profile")


def _batch(value: object) -> JSONObject | None:
    return None if value is None else _plain(value, "batch")


def _health(value: object) -> JSONObject | None:
    return None if value is None else _plain(value, "health")


def _variants(value: object) -> JSONObject | None:
    return None if value is None else _plain(value, "variants")


def _duplicates(value: object) -> JSONObject | None:
    return None if value is None else _plain(value, "duplicates")


def _trend(value: object) -> tuple[JSONObject, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple):
        raise ReportError(
            f"trend must be a list of run summaries, got {shorten(value)}", parameter="trend"
        )
    return tuple(_plain(v, "trend") for v in value)


@attrs.frozen(hash=False)
class Report:
    """
    A data-quality report: a run's figures as plain data, each section optional.

    Build one with `build_report`; every figure in it is an aggregate or a capped sample,
    so a report stays small (well under 5 MB) whatever the size of the data it describes.
    The JSON form (`to_json`) and the HTML page (`to_html`) hold the same figures, and the
    page embeds the JSON too. `from_json` reads an earlier report back, to pass to
    `build_report` as history for the trend.

    Examples:
        >>> import datetime as dt
        >>> r = Report("Contacts", dt.datetime(2026, 1, 5, tzinfo=dt.UTC), summary={"rows": 3})
        >>> Report.from_json(r.to_json()) == r
        True

    Args:
        title: the page title.
        created_at: when the run was reported (timezone-aware; kept in UTC).
        summary: the headline figures (rows, completeness, validity, stored, quarantined,
            duplicate rate, mean health score… those the sections give).
        profile: per field fill rate, distinct count, invalid rate, top values and shapes.
        batch: issues per rule and code, quarantine reasons and samples, changed values.
        health: a histogram of health scores, their mean and spread, means per dimension.
        variants: per field the variant clusters found, the largest shown.
        duplicates: records, entities, cluster sizes, the largest clusters and explained
            pairs.
        trend: the summaries of earlier runs and of this one, oldest first.

    Raises:
        ReportError: an argument is of the wrong type, or a section is not plain JSON data.

    .. versionadded:: 0.2.0
    """

    title: str = attrs.field(converter=check_title)
    created_at: dt.datetime = attrs.field(converter=check_instant)
    summary: JSONObject = attrs.field(factory=dict, kw_only=True, converter=_summary)
    profile: JSONObject | None = attrs.field(default=None, kw_only=True, converter=_profile)
    batch: JSONObject | None = attrs.field(default=None, kw_only=True, converter=_batch)
    health: JSONObject | None = attrs.field(default=None, kw_only=True, converter=_health)
    variants: JSONObject | None = attrs.field(default=None, kw_only=True, converter=_variants)
    duplicates: JSONObject | None = attrs.field(default=None, kw_only=True, converter=_duplicates)
    trend: tuple[JSONObject, ...] = attrs.field(default=(), kw_only=True, converter=_trend)

    def __repr__(self) -> str:
        parts = [s for s in SECTIONS if getattr(self, s) is not None]
        return (
            f"Report({self.title!r}, {self.created_at.isoformat()}, "
            f"sections={parts}, trend={len(self.trend)})"
        )

    # -- JSON ------------------------------------------------------------------------------

    def to_dict(self) -> JSONObject:
        """
        The report as plain JSON data (read back by `from_dict`).

        .. versionadded:: 0.2.0
        """
        out: JSONObject = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "title": self.title,
            "created_at": self.created_at.isoformat(),
            "summary": json.loads(json.dumps(self.summary)),
        }
        for name in SECTIONS:
            section = getattr(self, name)
            out[name] = None if section is None else json.loads(json.dumps(section))
        trend: list[JSONValue] = [json.loads(json.dumps(t)) for t in self.trend]
        out["trend"] = trend
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Report:
        """
        Read what `to_dict` wrote.

        Raises:
            ReportError: *data* is not a report's plain data.

        .. versionadded:: 0.2.0
        """
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ReportError(f"not a report: expected format {FORMAT!r}", parameter="data")
        if data.get("version") != FORMAT_VERSION:
            raise ReportError(
                f"unknown report version {shorten(data.get('version'))}", parameter="data"
            )
        created = data.get("created_at")
        try:
            when = dt.datetime.fromisoformat(created) if isinstance(created, str) else created
        except ValueError:
            raise ReportError(
                f"created_at must be an ISO 8601 time, got {shorten(created)}", parameter="data"
            ) from None
        sections: dict[str, object] = {name: data.get(name) for name in SECTIONS}
        title: object = data.get("title")
        # the converters check every value: the constructor takes what it is given
        return cls(
            title,
            when,
            summary=data.get("summary", {}),
            trend=data.get("trend", []),
            **sections,
        )

    def to_json(self, *, indent: int | None = 2) -> str:
        """
        The report as JSON text.

        Raises:
            ReportError: *indent* is not ``None`` or a whole number from 0 to 8.

        .. versionadded:: 0.2.0
        """
        if indent is not None and (
            isinstance(indent, bool) or not isinstance(indent, int) or not 0 <= indent <= 8
        ):
            raise ReportError(
                f"indent must be None or a whole number from 0 to 8, got {shorten(indent)}",
                parameter="indent",
            )
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """
        Read a report from the JSON text `to_json` wrote.

        Raises:
            ReportError: *text* is not JSON, or not a report.

        .. versionadded:: 0.2.0
        """
        if not isinstance(text, str | bytes):
            raise ReportError(f"text must be JSON text, got {shorten(text)}", parameter="text")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ReportError(f"not JSON: {shorten(exc, 200)}", parameter="text") from None
        return cls.from_dict(data)

    def write_json(self, path: str | os.PathLike[str]) -> Path:
        """
        Write the JSON report to *path* (UTF-8) and return the path.

        Raises:
            ReportError: *path* is not a path, or cannot be written.

        .. versionadded:: 0.2.0
        """
        return _write(path, self.to_json())

    @classmethod
    def read_json(cls, path: str | os.PathLike[str]) -> Report:
        """
        Read a report from a JSON file `write_json` wrote.

        Raises:
            ReportError: *path* cannot be read, is larger than 50 MB, or is not a report.

        .. versionadded:: 0.2.0
        """
        target = _path(path)
        try:
            if target.stat().st_size > _MAX_FILE:
                raise ReportError(f"{target} is larger than any report (50 MB)", parameter="path")
            data = target.read_bytes()
        except OSError as exc:
            raise ReportError(
                f"cannot read {target}: {exc.strerror or exc}", parameter="path"
            ) from None
        except (ValueError, UnicodeError):  # a NUL byte or a lone surrogate in the path
            raise ReportError(f"cannot read {shorten(str(target))}", parameter="path") from None
        return cls.from_json(data)

    # -- HTML ------------------------------------------------------------------------------

    def to_html(self) -> str:
        """
        The report as one self-contained HTML page that opens with no network.

        Its styles, charts and their JavaScript are all inline.

        The charts are Vega-Lite specifications made with Altair, drawn in the page by the
        Vega libraries that ``vl-convert-python`` bundles; the page also embeds the JSON
        report (``<script type="application/json" id="recordkit-report">``).

        Raises:
            ReportError: the ``report`` extra (``altair``, ``vl-convert-python``) is not
                installed.

        .. versionadded:: 0.2.0
        """
        from recordkit.report._html import render

        return render(self.to_dict())

    def write_html(self, path: str | os.PathLike[str]) -> Path:
        """
        Write the HTML page to *path* (UTF-8) and return the path.

        Raises:
            ReportError: *path* is not a path or cannot be written, or the ``report``
                extra is not installed.

        .. versionadded:: 0.2.0
        """
        target = _path(path)
        return _write(target, self.to_html())


def _path(value: object) -> Path:
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise ReportError(f"path must be a file path, got {shorten(value)}", parameter="path")
    try:
        return Path(value)
    except (TypeError, ValueError) as exc:
        raise ReportError(f"path must be a file path: {shorten(exc)}", parameter="path") from None


def _write(path: object, content: str) -> Path:
    target = _path(path)
    try:
        target.write_text(content, encoding="utf-8")
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ReportError(
            f"cannot write {shorten(str(target), 200)}: {reason}", parameter="path"
        ) from None
    return target
