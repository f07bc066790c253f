"""
`build_report`: a run's outputs — profile, batch, health, variants, duplicates — as a `Report`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Final

from recordkit import BatchResult
from recordkit._errors import shorten
from recordkit.match import MatchResult
from recordkit.quality import Profile, VariantCluster
from recordkit.report._batch import batch_section
from recordkit.report._duplicates import duplicates_section
from recordkit.report._errors import ReportError
from recordkit.report._model import Report, check_instant, check_title
from recordkit.report._plain import count_option, text
from recordkit.report._sections import health_section, profile_section, variants_section
from recordkit.rules import BatchOutcome
from recordkit.schema import JSONObject, JSONValue

__all__ = ["TREND_KEYS", "build_report"]

MAX_HISTORY: Final = 100
TREND_KEYS: Final = (
    "rows",
    "completeness",
    "validity",
    "quarantine_rate",
    "duplicate_rate",
    "health_mean",
)
"""The figures of each run that the trend follows."""


def build_report(
    *,
    title: str = "Data quality report",
    profile: Profile | None = None,
    batch: BatchResult | BatchOutcome | None = None,
    health: Iterable[float] | None = None,
    health_breakdowns: Iterable[Mapping[str, float]] | None = None,
    variants: Mapping[str, Iterable[VariantCluster]] | Iterable[VariantCluster] | None = None,
    duplicates: MatchResult | None = None,
    history: Iterable[Report] = (),
    created_at: dt.datetime | None = None,
    max_fields: int = 200,
    top_values: int = 10,
    sample_size: int = 20,
    max_pairs: int = 10,
) -> Report:
    """
    Gather what a run produced into a `Report`; every part is optional.

    Each part becomes a section of figures — aggregates and capped samples, never every
    row — so the report stays small whatever the data size, and its HTML page opens
    anywhere.

    Examples:
        >>> from recordkit.quality import profile
        >>> r = build_report(title="Cities", profile=profile({"city": ["NY", None]}),
        ...                  health=[40, 90])
        >>> r.summary["completeness"], r.summary["health_mean"]
        (0.5, 65.0)

    Args:
        title: the page title.
        profile: a `recordkit.quality.Profile`: fill rate, distinct count, invalid rate,
            top values and shapes per field.
        batch: the result of ``Steward.capture_many`` (`recordkit.BatchResult`) or of
            ``RuleSet.run_batch`` (`recordkit.rules.BatchOutcome`): issues per rule and
            code, quarantine reasons, what normalization changed.
        health: record health scores, numbers from 0 to 100 (a list, any iterable, or a
            NumPy array); the report keeps their histogram and summary figures.
        health_breakdowns: per record, dimension → points (``{"completeness": 30, …}``);
            the report keeps the mean per dimension.
        variants: variant clusters (`recordkit.quality.variant_clusters`), as field name →
            clusters, or one column's clusters.
        duplicates: the result of ``Matcher.dedupe`` (`recordkit.match.MatchResult`):
            clusters, their sizes and explained pairs.
        history: earlier reports (read back with `Report.read_json`), for the trend; the
            latest `MAX_HISTORY` are kept.
        created_at: when the run is reported (default: now, UTC).
        max_fields: the most fields of the profile shown, 1 to 10,000.
        top_values: the most frequent values kept per field, 0 to 100.
        sample_size: the most rows, clusters and examples kept per sample, 0 to 1,000.
        max_pairs: the most duplicate pairs explained, 0 to 100.

    Returns:
        The `Report`.

    Raises:
        ReportError: an argument is of the wrong type or out of range.

    .. versionadded:: 0.2.0
    """
    count_option(max_fields, "max_fields", low=1, high=10_000)
    count_option(top_values, "top_values", low=0, high=100)
    count_option(sample_size, "sample_size", low=0, high=1_000)
    count_option(max_pairs, "max_pairs", low=0, high=100)
    title = check_title(title)
    when = check_instant(dt.datetime.now(dt.UTC) if created_at is None else created_at)
    if health is None and health_breakdowns is not None:
        raise ReportError("health_breakdowns need the health scores too", parameter="health")
    earlier = _history(history)
    sections: dict[str, JSONObject | None] = {
        "profile": None
        if profile is None
        else profile_section(profile, max_fields=max_fields, top_values=top_values),
        "batch": None if batch is None else batch_section(batch, sample_size=sample_size),
        "health": None if health is None else health_section(health, health_breakdowns),
        "variants": None
        if variants is None
        else variants_section(variants, sample_size=sample_size),
        "duplicates": None
        if duplicates is None
        else duplicates_section(duplicates, sample_size=sample_size, max_pairs=max_pairs),
    }
    summary = _summary(sections)
    now = _point(title, when, summary)
    return Report(title, when, summary=summary, trend=[*earlier, now], **sections)


def _history(value: object) -> list[JSONObject]:
    if isinstance(value, str | bytes | Mapping | Report) or not isinstance(value, Iterable):
        raise ReportError(
            f"history must be an iterable of earlier Reports, got {shorten(value)}",
            parameter="history",
        )
    reports = list(value)
    for r in reports:
        if not isinstance(r, Report):
            raise ReportError(
                f"history must hold Reports (Report.read_json), got {shorten(r)}",
                parameter="history",
            )
    reports.sort(key=lambda r: r.created_at)
    return [_point(r.title, r.created_at, r.summary) for r in reports[-MAX_HISTORY:]]


def _point(title: str, when: dt.datetime, summary: Mapping[str, JSONValue]) -> JSONObject:
    point: JSONObject = {"created_at": when.isoformat(), "title": text(title)}
    for key in TREND_KEYS:
        value = summary.get(key)
        point[key] = value if isinstance(value, int | float) else None
    return point


def _get(section: JSONObject | None, key: str) -> JSONValue:
    return None if section is None else section.get(key)


def _summary(s: Mapping[str, JSONObject | None]) -> JSONObject:
    profile, batch, health = s["profile"], s["batch"], s["health"]
    variants, duplicates = s["variants"], s["duplicates"]
    rows = next(
        (
            v
            for v in (_get(profile, "rows"), _get(batch, "rows"), _get(duplicates, "records"))
            if v is not None
        ),
        None,
    )
    quarantined = _get(batch, "quarantined")
    batch_rows = _get(batch, "rows")
    dup_rate = _get(duplicates, "duplicate_rate")
    if dup_rate is None:
        dup_rate = _get(profile, "duplicate_rate")
    clusters = None
    if variants is not None:
        found = variants.get("fields")
        assert isinstance(found, list)
        clusters = sum(
            f["clusters"] for f in found if isinstance(f, dict) and type(f["clusters"]) is int
        )
    return {
        "rows": rows,
        "fields": _get(profile, "field_count"),
        "completeness": _get(profile, "completeness"),
        "validity": _get(profile, "validity"),
        "stored": _get(batch, "stored"),
        "quarantined": quarantined,
        "quarantine_rate": (
            quarantined / batch_rows
            if isinstance(quarantined, int) and isinstance(batch_rows, int) and batch_rows
            else None
        ),
        "errors": _get(batch, "errors"),
        "warnings": _get(batch, "warnings"),
        "changed_values": _get(batch, "changed_values"),
        "entities": _get(duplicates, "entities"),
        "duplicate_records": _get(duplicates, "duplicate_records"),
        "duplicate_rate": dup_rate,
        "health_mean": _get(health, "mean"),
        "variant_clusters": clusters,
    }
