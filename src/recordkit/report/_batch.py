"""
A report's batch section: issues per rule, quarantine and what normalization changed.

It reads a `recordkit.BatchResult` (``Steward.capture_many``) or a
`recordkit.rules.BatchOutcome` (``RuleSet.run_batch``) and keeps counts and small samples:
issues counted per rule, code, field and severity; quarantined rows counted per reason,
with a few shown; changed values counted per field (from each stored record's provenance,
which keeps the raw value) or per rule (a rule set's own counts), with a few shown as
before → after.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Final

from recordkit import BatchResult
from recordkit._errors import shorten
from recordkit.report._errors import ReportError
from recordkit.report._plain import text
from recordkit.rules import BatchOutcome, Issue, Severity
from recordkit.schema import JSONObject, JSONValue

__all__ = ["batch_section"]

_MAX_GROUPS: Final = 200
_MAX_ROW_FIELDS: Final = 20
_PER_FIELD: Final = 3
_RECORD: Final = "<record>"

_Key = tuple[str, str, str, str]  # rule, code, field, severity


def _count_issues(counts: Counter[_Key], issues: Iterable[Issue]) -> None:
    for i in issues:
        counts[(i.rule, i.code, i.field or _RECORD, i.severity.value)] += 1


def _issue_rows(counts: Counter[_Key]) -> list[JSONValue]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        {"rule": text(r), "code": text(c), "field": text(f), "severity": s, "count": n}
        for (r, c, f, s), n in ordered[:_MAX_GROUPS]
    ]


def _shown_row(row: Mapping[str, Any]) -> JSONObject:
    items = list(row.items())[:_MAX_ROW_FIELDS]
    return {text(k): None if v is None else text(v) for k, v in items}


class _Quarantine:
    """
    Quarantined rows counted per (field, code), with the first few kept as examples.
    """

    def __init__(self, sample_size: int) -> None:
        self.size = sample_size
        self.reasons: Counter[tuple[str, str]] = Counter()
        self.messages: dict[tuple[str, str], str] = {}
        self.sample: list[JSONValue] = []

    def add(self, index: int, row: Mapping[str, Any], errors: Iterable[Issue]) -> None:
        keys = set()
        messages: list[JSONValue] = []
        for e in errors:
            key = (e.field or _RECORD, e.code)
            keys.add(key)
            self.messages.setdefault(key, e.message)
            messages.append(text(e.message))
        self.reasons.update(keys)
        if len(self.sample) < self.size:
            self.sample.append({"row": index, "reasons": messages[:5], "values": _shown_row(row)})

    def result(self) -> JSONObject:
        ordered = sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        reasons: list[JSONValue] = [
            {"field": text(f), "code": text(c), "rows": n, "example": text(self.messages[(f, c)])}
            for (f, c), n in ordered[:_MAX_GROUPS]
        ]
        return {"reasons": reasons, "sample": self.sample}


def _display(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _changes_from_records(result: BatchResult, sample_size: int) -> tuple[JSONObject, int]:
    counts: Counter[str] = Counter()
    examples: dict[str, list[JSONValue]] = {}
    taken = 0
    for record in result.records:
        for name, p in record.provenance.items():
            value = record.values.get(name)
            if p.raw is None or value is None:
                continue
            after = _display(value)
            before = _display(p.raw)
            if before == after:
                continue
            counts[name] += 1
            shown = examples.setdefault(name, [])
            if len(shown) < _PER_FIELD and taken < sample_size:
                shown.append({"field": text(name), "before": text(before), "after": text(after)})
                taken += 1
    return _changes(counts, examples, "field"), sum(counts.values())


def _changes(counts: Counter[str], examples: Mapping[str, list[JSONValue]], by: str) -> JSONObject:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    sample: list[JSONValue] = [e for name, _ in ordered for e in examples.get(name, [])]
    return {
        "by": by,
        "counts": [{"name": text(k), "count": n} for k, n in ordered[:_MAX_GROUPS]],
        "sample": sample,
    }


def _from_result(result: BatchResult, sample_size: int) -> JSONObject:
    issues: Counter[_Key] = Counter()
    quarantine = _Quarantine(sample_size)
    for q in result.quarantined:
        _count_issues(issues, q.issues or q.errors)
        quarantine.add(q.index, q.row, q.errors)
    _count_issues(issues, result.issues)
    changes, changed = _changes_from_records(result, sample_size)
    return {
        "source": "capture_many",
        "rows": result.total,
        "stored": len(result.records),
        "quarantined": len(result.quarantined),
        "changed_values": changed,
        **_severities(issues),
        "issues": _issue_rows(issues),
        "quarantine": quarantine.result(),
        "changes": changes,
    }


def _from_outcome(outcome: BatchOutcome, sample_size: int) -> JSONObject:
    issues: Counter[_Key] = Counter()
    _count_issues(issues, (i for _, i in outcome.located))
    quarantine = _Quarantine(sample_size)
    examples: dict[str, list[JSONValue]] = {}
    taken = 0
    for q in outcome.quarantine:
        quarantine.add(q.row, q.raw, (i for i in q.issues if i.severity is Severity.ERROR))
        # the rows held back keep their raw and normalized values: the examples come from them
        for name, raw in q.raw.items():
            after = q.values.get(name)
            if raw is None or after is None or taken >= sample_size:
                continue
            if _display(raw) != _display(after) and len(examples.get(name, ())) < _PER_FIELD:
                examples.setdefault(name, []).append(
                    {
                        "field": text(name),
                        "before": text(_display(raw)),
                        "after": text(_display(after)),
                    }
                )
                taken += 1
    counts = Counter({rule: s.changes for rule, s in outcome.by_rule.items() if s.changes})
    changes = _changes(counts, {}, "rule")
    changes["sample"] = [e for shown in examples.values() for e in shown]
    return {
        "source": "run_batch",
        "rows": outcome.total,
        "stored": len(outcome.row_numbers),
        "quarantined": len(outcome.quarantine),
        "changed_values": sum(outcome.changes),
        **_severities(issues),
        "issues": _issue_rows(issues),
        "quarantine": quarantine.result(),
        "changes": changes,
    }


def _severities(issues: Counter[_Key]) -> dict[str, int]:
    out = dict.fromkeys(("errors", "warnings", "infos"), 0)
    for (_, _, _, severity), n in issues.items():
        out[f"{severity}s"] += n
    return out


def batch_section(batch: object, *, sample_size: int) -> JSONObject:
    """
    The batch's figures, from a `BatchResult` or a `BatchOutcome`.
    """
    if isinstance(batch, BatchResult):
        return _from_result(batch, sample_size)
    if isinstance(batch, BatchOutcome):
        return _from_outcome(batch, sample_size)
    raise ReportError(
        f"batch must be a recordkit.BatchResult (Steward.capture_many) or a "
        f"recordkit.rules.BatchOutcome (RuleSet.run_batch), got {shorten(batch)}",
        parameter="batch",
    )
