"""
`Enrichment`: enrichers applied to records, filling missing fields only, marked as derived.

For each record, in the enrichers' order: an enricher runs when a field it fills is
missing and every field it reads is present; it is called once per distinct input (a
batch of ten thousand records with three hundred distinct phone numbers calls it three
hundred times, and later batches reuse the answers). Each value it gives for a missing
field goes through that field's rules (normalized, validated) like an observed one; a
value the rules refuse is left out and said so (``enrich.invalid``). An enricher that
raises is said so too (``enrich.failed``) and the record goes on without it. An observed
value is never read over: only fields without a value are filled.

When a record changes (*before* given), a derived value whose inputs changed is stale:
it is removed, then derived again from the new inputs (or left missing when they no
longer tell it). A value that came from a source (observed) is never touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, NamedTuple

import attrs

from recordkit._errors import shorten
from recordkit.quality._enrich import (
    DERIVED_PREFIX,
    Derivation,
    Enricher,
    check_identity,
    enricher,
)
from recordkit.quality._enrich_builtin import BUILTIN_ENRICHERS
from recordkit.quality._errors import QualityError
from recordkit.rules import Issue, RuleSet, Severity
from recordkit.schema import Provenance, Record, Schema

__all__ = ["Enriched", "Enrichment"]

_FAILED: Final = "enrich.failed"
_INVALID: Final = "enrich.invalid"


@attrs.frozen
class Enriched:
    """
    One record after enrichment: what was filled, what was removed, what went wrong.

    Attributes:
        record: the record with its derived values (the same record when nothing changed).
        derived: the fields filled, in order.
        cleared: derived values removed because what they were derived from changed and
            the new values do not tell them.
        issues: ``enrich.failed`` (an enricher raised) and ``enrich.invalid`` (a derived
            value the field's rules refuse), as warnings naming the enricher.

    .. versionadded:: 0.2.0
    """

    record: Record
    derived: tuple[str, ...] = ()
    cleared: tuple[str, ...] = ()
    issues: tuple[Issue, ...] = ()

    @property
    def changed(self) -> bool:
        """
        Whether enrichment changed the record's values.
        """
        return bool(self.derived or self.cleared)


def _enrichers(value: object) -> tuple[Enricher, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise QualityError(
            f"enrichers is a list of enrichers or their names, got {shorten(value)}",
            parameter="enrichers",
        )
    out: list[Enricher] = []
    for item in value:
        if isinstance(item, str):
            made = BUILTIN_ENRICHERS[item]() if item in BUILTIN_ENRICHERS else enricher(item)
            out.append(made)
        elif isinstance(item, Enricher):
            out.append(item)
        else:
            raise QualityError(
                f"enrichers holds Enricher objects or their names, got {shorten(item)}",
                parameter="enrichers",
            )
    names: set[str] = set()
    for e in out:
        check_identity(e.name, e.version, e.reads, e.fills)
        if not isinstance(e.offline, bool):
            raise QualityError(
                f"enricher {e.name!r}: offline must be True or False", parameter="enrichers"
            )
        if e.name in names:
            raise QualityError(f"enricher {e.name!r} is given twice", parameter="enrichers")
        names.add(e.name)
    return tuple(out)


class Enrichment:
    """
    Enrichers applied in order to records, memoized per distinct input.

    Examples:
        >>> import datetime as dt
        >>> import recordkit as rk
        >>> from recordkit.quality import PhoneEnricher
        >>> schema = rk.Schema("lead", [rk.Field("phone", rk.Phone()),
        ...                             rk.Field("country", rk.Country()),
        ...                             rk.Field("timezone", rk.Text())])
        >>> enrichment = Enrichment([PhoneEnricher(region=None, line_type=None)])
        >>> enrichment.check(schema)
        >>> at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        >>> lead = rk.Record("l1", "lead", {"phone": "+12125550123"}, created_at=at,
        ...                  provenance={"phone": rk.Provenance("form", at, "212 555 0123")})
        >>> (out,) = enrichment.enrich([lead], rules=rk.RuleSet.for_schema(schema))
        >>> out.derived, out.record["country"], out.record.provenance["country"].source
        (('country', 'timezone'), 'US', 'derived:phone@...:phone')

    Args:
        enrichers: the enrichers, or names: a shipped one (``phone``, ``email``,
            ``subdivision``, made with its defaults) or one registered in the
            ``recordkit.enrichers`` entry-point group.
        network: allow enrichers that use the network (``offline = False``); off by
            default, so nothing leaves the machine unless asked.
        memo_size: the most distinct inputs remembered per enricher across calls.

    Raises:
        QualityError: an item is neither an `Enricher` nor a known name, a name is given
            twice, a network enricher without ``network=True``, or a bad option.

    .. versionadded:: 0.2.0
    """

    __slots__ = ("_memo", "enrichers", "memo_size", "network")

    def __init__(
        self,
        enrichers: Iterable[Enricher | str],
        *,
        network: bool = False,
        memo_size: int = 100_000,
    ) -> None:
        if not isinstance(network, bool):
            raise QualityError(
                f"network must be True or False, got {shorten(network)}", parameter="network"
            )
        if isinstance(memo_size, bool) or not isinstance(memo_size, int) or memo_size < 0:
            raise QualityError(
                f"memo_size must be a whole number from 0, got {shorten(memo_size)}",
                parameter="memo_size",
            )
        self.enrichers: tuple[Enricher, ...] = _enrichers(enrichers)
        for e in self.enrichers:
            if not e.offline and not network:
                raise QualityError(
                    f"enricher {e.name!r} uses the network: pass network=True to allow it",
                    parameter="network",
                )
        self.network = network
        self.memo_size = memo_size
        self._memo: list[dict[Any, Mapping[str, object] | str]] = [{} for _ in self.enrichers]

    def __repr__(self) -> str:
        names = ", ".join(f"{e.name}@{e.version}" for e in self.enrichers)
        return f"Enrichment([{names}]{', network' if self.network else ''})"

    def check(self, schema: Schema) -> None:
        """
        Refuse enrichers that do not fit *schema*.

        Every field an enricher reads must be in the schema, and at least one it fills;
        the fields it fills that the schema lacks are left alone.

        Raises:
            QualityError: naming the enricher and the field.
        """
        if not isinstance(schema, Schema):
            raise QualityError(
                f"schema must be a Schema, got {shorten(schema)}", parameter="schema"
            )
        for e in self.enrichers:
            for name in e.reads:
                if name not in schema:
                    raise QualityError(
                        f"enricher {e.name!r} reads {name!r}, which is no field of {schema.name!r}",
                        parameter="enrichers",
                    )
            if not any(name in schema for name in e.fills):
                raise QualityError(
                    f"enricher {e.name!r} fills none of {schema.name!r}'s fields (it fills "
                    f"{', '.join(e.fills)})",
                    parameter="enrichers",
                )

    def enrich(
        self,
        records: Sequence[Record],
        *,
        rules: RuleSet,
        before: Sequence[Record | None] | None = None,
    ) -> list[Enriched]:
        """
        Fill the missing fields of *records*, each value marked as derived.

        Args:
            records: the records (of *rules*' schema).
            rules: the rules derived values go through, as observed ones do.
            before: for records that change, each one as it was (``None``: new), so
                derived values whose inputs changed are derived again.

        Returns:
            One `Enriched` per record, in order.

        Raises:
            QualityError: *rules* is not a `RuleSet`, *records* not a list of records, or
                *before* not one record (or ``None``) per record.
        """
        if not isinstance(rules, RuleSet):
            raise QualityError(f"rules must be a RuleSet, got {shorten(rules)}", parameter="rules")
        rows = [r for r in _records("records", records, none=False) if r is not None]
        priors = [None] * len(rows) if before is None else _records("before", before)
        if len(priors) != len(rows):
            raise QualityError(
                f"before holds {len(priors)} records for {len(rows)}", parameter="before"
            )
        plans = rules.plans
        steps = [
            _Step(i, e, tuple(f for f in e.fills if f in plans), _source(e))
            for i, e in enumerate(self.enrichers)
        ]
        seen = _Seen()
        return [
            self._one(record, prior, rules, steps, seen)
            for record, prior in zip(rows, priors, strict=True)
        ]

    def _one(
        self,
        record: Record,
        prior: Record | None,
        rules: RuleSet,
        steps: Sequence[_Step],
        seen: _Seen,
    ) -> Enriched:
        values = dict(record.values)
        provenance = dict(record.provenance)
        cleared = _stale(record, prior, values, provenance)
        derived: dict[str, Enricher] = {}
        issues: list[Issue] = []
        for index, e, targets, source in steps:
            missing = [t for t in targets if values.get(t) is None]
            if not missing:
                continue
            inputs = tuple(values.get(r) for r in e.reads)
            if any(v is None for v in inputs):
                continue
            got = self._derive(index, e, inputs)
            if isinstance(got, str):
                issues.append(_failed(e, missing[0], got))
                continue
            at = _observed(record, e.reads, provenance)
            for target in missing:
                raw = got.get(target)
                if raw is None:
                    continue
                value, found = _normalize(rules, target, raw, values, seen.values)
                errors = [i for i in found if i.severity is Severity.ERROR]
                if value is None or errors:
                    issues.append(_invalid(e, target, raw, errors))
                    continue
                values[target] = value
                provenance[target] = seen.provenance(source, at, raw)
                derived[target] = e
        if derived and rules.record:
            refused = _record_errors(rules, values, derived)
            if refused:  # the record rules refuse what was derived: none of it is kept
                for name in derived:
                    values.pop(name, None)
                    provenance.pop(name, None)
                by = {e.name: (e, name) for name, e in derived.items()}
                issues += [_invalid(e, name, None, refused) for e, name in by.values()]
                derived = {}
        if not derived and not cleared:
            return Enriched(record, (), (), tuple(issues))
        again = [c for c in cleared if c not in derived]
        enriched = record.evolve(values=values, provenance=provenance)
        return Enriched(enriched, tuple(derived), tuple(again), tuple(issues))

    def _derive(
        self, index: int, e: Enricher, inputs: tuple[Any, ...]
    ) -> Mapping[str, object] | str:
        """
        What *e* derives from *inputs* (memoized); text: why it failed.
        """
        memo = self._memo[index]
        try:
            known = memo.get(inputs)
        except TypeError:  # an unhashable value: not memoized
            memo, known = {}, None
        if known is not None:
            return known
        try:
            out = e.derive(dict(zip(e.reads, inputs, strict=True)))
            if not isinstance(out, Mapping):
                raise TypeError(f"derive returned {type(out).__name__}, not a mapping")
            made: Mapping[str, object] | str = dict(out)
        except Exception as exc:  # a failing enricher never blocks the record
            made = f"{type(exc).__name__}: {shorten(str(exc), 200)}"
        if len(memo) >= self.memo_size:
            memo.clear()
        if self.memo_size:
            memo[inputs] = made
        return made


def _records(name: str, value: object, *, none: bool = True) -> list[Record | None]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise QualityError(f"{name} is a list of records, got {shorten(value)}", parameter=name)
    out = list(value)
    for item in out:
        if not (isinstance(item, Record) or (none and item is None)):
            raise QualityError(f"{name} holds records, got {shorten(item)}", parameter=name)
    return out


class _Step(NamedTuple):
    """
    One enricher as a call applies it: its memo, the schema's fields it fills, its mark.
    """

    slot: int
    enricher: Enricher
    targets: tuple[str, ...]
    source: str


def _source(e: Enricher) -> str:
    return Derivation(e.name, e.version, e.reads).source


@attrs.define
class _Seen:
    """
    What one call has worked out already: normalized values and provenance, by input.
    """

    values: dict[Any, tuple[Any, tuple[Issue, ...]]] = attrs.Factory(dict)
    marks: dict[Any, Provenance] = attrs.Factory(dict)

    def provenance(self, source: str, at: dt.datetime, raw: object) -> Provenance:
        """
        The provenance of a derived value (one shared object per distinct one).
        """
        key = (source, at, type(raw), raw)
        try:
            known = self.marks.get(key)
        except TypeError:
            return Provenance(source, at, raw)
        if known is None:
            known = self.marks[key] = Provenance(source, at, raw)
        return known


def _stale(
    record: Record,
    prior: Record | None,
    values: dict[str, Any],
    provenance: dict[str, Provenance],
) -> list[str]:
    """
    Remove the derived values whose inputs changed since *prior*; their names.
    """
    if prior is None:
        return []
    out: list[str] = []
    for name, p in record.provenance.items():
        if not p.source.startswith(DERIVED_PREFIX):
            continue
        d = Derivation.of(p)
        if d is None or any(prior.values.get(r) != record.values.get(r) for r in d.reads):
            values.pop(name, None)
            provenance.pop(name, None)
            out.append(name)
    return out


def _observed(
    record: Record, reads: Sequence[str], provenance: Mapping[str, Provenance]
) -> dt.datetime:
    """
    When the derived value was as good as observed: the latest observation it read.
    """
    seen = [p.observed_at for r in reads if (p := provenance.get(r)) is not None]
    return max(seen) if seen else record.updated_at


def _normalize(
    rules: RuleSet,
    name: str,
    raw: Any,
    values: Mapping[str, Any],
    memo: dict[Any, tuple[Any, tuple[Issue, ...]]],
) -> tuple[Any, tuple[Issue, ...]]:
    """
    *raw* through field *name*'s rules, as an observed value would go (memoized).
    """
    plan = rules.plans[name]
    context = tuple(values.get(u) for u in plan.uses)
    key: Any = (name, type(raw), raw, context)
    try:
        known = memo.get(key)
    except TypeError:
        known, key = None, None
    if known is not None:
        return known
    value, _, issues = plan.run(raw, context, defaults=False, explain=False)
    if key is not None:
        memo[key] = (value, issues)
    return value, issues


def _record_errors(
    rules: RuleSet, values: Mapping[str, Any], derived: Mapping[str, Enricher]
) -> list[Issue]:
    """
    The errors of the record rules that only the derived values bring.
    """
    names = rules.schema.field_names
    after = [i for i in rules.check_record({n: values.get(n) for n in names}) if i.blocking]
    if not after:
        return []
    without = {n: (None if n in derived else values.get(n)) for n in names}
    known = {(i.field, i.rule, i.code) for i in rules.check_record(without) if i.blocking}
    return [i for i in after if (i.field, i.rule, i.code) not in known]


def _failed(e: Enricher, field: str, why: str) -> Issue:
    return Issue(
        field=field,
        rule=f"{e.name}@{e.version}",
        code=_FAILED,
        message=f"enricher {e.name!r} failed ({why}); the record is kept without it",
        severity=Severity.WARNING,
        hint="fix or remove the enricher; the fields it fills stay missing",
    )


def _invalid(e: Enricher, field: str, raw: Any, errors: Sequence[Issue]) -> Issue:
    said = errors[0].message if errors else "the value is missing once normalized"
    return Issue(
        field=field,
        rule=f"{e.name}@{e.version}",
        code=_INVALID,
        message=f"enricher {e.name!r} derived a value the rules refuse ({said}); it is left out",
        severity=Severity.WARNING,
        value=raw,
        hint="check the enricher's data or the field's rules",
    )
