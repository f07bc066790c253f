"""
The batch step: a rule set over one chunk of columns, column by column.

`run_chunk` is a pure function of a chunk and plain parameters (plus the run's memo and
the values seen so far, passed in explicitly), so the same step can run in-process, in
DuckDB or in Spark. Each field's pipeline runs once per distinct (raw value, context)
pair: the memo is bounded, and simply starts over when full.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import chain, compress
from operator import add
from typing import Any, Final

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._gc import collector_paused
from recordkit.rules._issue import Issue, Severity, at_row, for_field
from recordkit.rules._plan import CompiledRules, FieldPlan, unknown_field_issue
from recordkit.rules._run_args import check_chunk

__all__ = ["ChunkResult", "RuleStats", "run_chunk"]

DEFAULT_MEMO_SIZE: Final = 100_000
"""
Distinct values remembered per field within a run before the memo starts over.
"""


@attrs.define
class RuleStats:
    """
    What one rule did over a batch: values it changed and issues it raised, by severity.

    .. versionadded:: 0.1.0
    """

    changes: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    def count(self, issue: Issue) -> None:
        """
        Count *issue* under its severity.
        """
        if issue.severity is Severity.ERROR:
            self.errors += 1
        elif issue.severity is Severity.WARNING:
            self.warnings += 1
        else:
            self.infos += 1


@attrs.frozen
class ChunkResult:
    """
    A chunk after the rules: normalized columns, the issues, and counts.

    Attributes:
        columns: field → normalized values (``None`` where missing or refused).
        length: rows in the chunk.
        located: ``(row, issue)`` for every issue, the row numbered run-wide (issues are
            given their row only when asked for, in `issues`).
        changes: per row, how many values normalizers changed.
        stats: rule id → what it did in this chunk.

    .. versionadded:: 0.1.0
    """

    columns: dict[str, list[Any]]
    length: int
    located: list[tuple[int, Issue]]
    changes: list[int]
    stats: dict[str, RuleStats]

    @property
    def issues(self) -> list[Issue]:
        """
        Every issue, each with its run-wide row number.
        """
        return [at_row(issue, row) for row, issue in self.located]

    def errors_by_row(self) -> dict[int, list[Issue]]:
        """
        Row number → its error issues, for rows that have any.
        """
        out: dict[int, list[Issue]] = {}
        for row, issue in self.located:
            if issue.severity is Severity.ERROR:
                out.setdefault(row, []).append(at_row(issue, row))
        return out


def _key(raw: Any, context: tuple[Any, ...]) -> Hashable | None:
    """
    A memo key that tells ``1`` from ``True`` and ``"1"``; ``None`` when unhashable.
    """
    key: Hashable = raw if type(raw) is str else (type(raw), raw)
    if context:
        key = (key, *context)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def run_chunk(
    rules: CompiledRules,
    columns: Mapping[str, Sequence[object]],
    length: int,
    *,
    fields: Iterable[str] | None = None,
    offset: int = 0,
    memo: dict[str, dict[Hashable, object]] | None = None,
    memo_size: int = DEFAULT_MEMO_SIZE,
    seen: dict[str, dict[Hashable, int]] | None = None,
    defaults: bool = True,
    channel: str | None = None,
) -> ChunkResult:
    """
    Normalize and validate one chunk of rows held as columns.

    Args:
        rules: the rule set (a `RuleSet`).
        columns: column name → one value per row; missing fields count as empty.
        length: the number of rows.
        fields: the fields to process (default: all of the schema's).
        offset: the run-wide number of the chunk's first row (issues carry it).
        memo: field → distinct-value results, shared by the chunks of one run; ``None``
            turns memoization off.
        memo_size: the most entries one field's memo holds.
        seen: field → value → first row, for uniqueness across the chunks of one run.
        defaults: fill blank cells with their field's default.
        channel: the source the rows come from, which picks each field's ``on_invalid``
            action (``None``: the ``default`` one). Under ``clear`` and ``keep`` a field's
            error becomes a warning saying what was done.

    Returns:
        The normalized columns, the issues and the counts.

    The cyclic garbage collector is paused while the chunk runs (and resumed after, if it
    was on): the loop makes many small objects and no reference cycles, and would
    otherwise trigger repeated full collections over the whole batch in memory.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``channel``.
    """
    fields = check_chunk(rules, columns, length, fields, offset, memo, memo_size, seen, defaults)
    check_channel(channel)
    with collector_paused():
        return _run_chunk(rules, columns, length, fields, offset, memo, memo_size, seen,
                          defaults, channel)  # fmt: skip


def check_channel(channel: object) -> None:
    """
    Refuse a *channel* that is not ``None`` or a source name.
    """
    if channel is not None and (not isinstance(channel, str) or len(channel) > 200):
        raise RecordkitError(
            f"channel must be a source name (text, at most 200 characters) or None, "
            f"got {shorten(channel)}"
        )


def _run_chunk(
    rules: CompiledRules,
    columns: Mapping[str, Sequence[Any]],
    length: int,
    fields: Iterable[str] | None,
    offset: int,
    memo: dict[str, dict[Hashable, Any]] | None,
    memo_size: int,
    seen: dict[str, dict[Hashable, int]] | None,
    defaults: bool,
    channel: str | None = None,
) -> ChunkResult:
    issues: list[tuple[int, Issue]] = []
    stats: dict[str, RuleStats] = {}
    changes = [0] * length
    for name, column in columns.items():
        if name not in rules.plans:
            for i, value in enumerate(column):
                if value is not None:
                    issue = unknown_field_issue(rules.schema, name, value)
                    issues.append((offset + i, issue))
                    _stats(stats, issue.rule).count(issue)
    wanted = set(rules.order if fields is None else fields)
    out: dict[str, list[Any]] = {}
    empty = [None] * length
    for name in rules.order:
        if name not in wanted:
            continue
        plan = rules.plans[name]
        action = plan.field.invalid_action(channel)
        # An action other than the default settles errors: its results are kept apart.
        key = name if action == "quarantine" else f"{name}\x00{action}"
        cache = None if memo is None else memo.setdefault(key, {})
        if name not in columns and cache is None:
            cache = {}  # an absent column: one run per distinct context is enough
        contexts = [out.get(u) or columns.get(u, empty) for u in plan.uses]
        results = _results(
            plan, columns.get(name, empty), contexts, cache, memo_size, defaults, action
        )
        values, made_by_row, found_by_row = (
            map(list, zip(*results, strict=True)) if results else ([], [], [])
        )
        out[name] = values
        if any(made_by_row):
            changes = list(map(add, changes, map(len, made_by_row)))
            # counted in the order rows made them, so the rules keep their first-seen order
            for rule_id, count in Counter(chain.from_iterable(made_by_row)).items():
                _stats(stats, rule_id).changes += count
        for i in compress(range(length), found_by_row):
            for issue in found_by_row[i]:
                issues.append((offset + i, issue))
                _stats(stats, issue.rule).count(issue)
        if plan.unique and seen is not None:
            _check_unique(plan.unique, name, out[name], offset, seen, issues, stats)
    if rules.record:
        names = tuple(out)
        for i, row_values in enumerate(zip(*(out[n] for n in names), strict=True)):
            for issue in rules.check_record(dict(zip(names, row_values, strict=True))):
                issues.append((offset + i, issue))
                _stats(stats, issue.rule).count(issue)
    return ChunkResult(out, length, issues, changes, stats)


def _stats(stats: dict[str, RuleStats], rule: str) -> RuleStats:
    found = stats.get(rule)
    if found is None:
        found = stats[rule] = RuleStats()
    return found


Result = tuple[Any, tuple[str, ...], tuple[Issue, ...]]


def _results(
    plan: FieldPlan,
    raw_column: Sequence[Any],
    contexts: Sequence[Sequence[Any]],
    cache: dict[Hashable, Any] | None,
    memo_size: int,
    defaults: bool,
    action: str = "quarantine",
) -> list[Result]:
    """
    The pipeline's result for every cell of one column, once per distinct key if cached.
    """
    run = plan.run
    if cache is None:
        if not contexts:
            return [run(raw, (), defaults, False, action) for raw in raw_column]
        return [
            run(raw, context, defaults, False, action)
            for raw, context in zip(raw_column, zip(*contexts, strict=True), strict=True)
        ]
    results: list[Result] = []
    append = results.append
    get = cache.get
    rows: Iterable[tuple[Any, tuple[Any, ...]]] = (
        ((raw, ()) for raw in raw_column)
        if not contexts
        else zip(raw_column, zip(*contexts, strict=True), strict=True)
    )
    for raw, context in rows:
        if type(raw) is str:
            key: Hashable | None = (raw, *context) if context else raw
        else:
            key = _key(raw, context)
        result = None if key is None else get(key)
        if result is None:
            result = run(raw, context, defaults, False, action)
            if key is not None:
                if len(cache) >= memo_size:
                    cache.clear()
                cache[key] = result
        append(result)
    return results


def _check_unique(
    checks: Sequence[Any],
    name: str,
    values: list[Any],
    offset: int,
    seen: dict[str, dict[Hashable, int]],
    issues: list[tuple[int, Issue]],
    stats: dict[str, RuleStats],
) -> None:
    first = seen.setdefault(name, {})
    for i, value in enumerate(values):
        if value is None:
            continue
        key = _key(value, ())
        if key is None:
            continue
        row = offset + i
        earlier = first.setdefault(key, row)
        if earlier != row:
            for check in checks:
                issue = for_field(check.duplicate(value, earlier), name)
                issues.append((row, issue))
                _stats(stats, issue.rule).count(issue)
