"""
Enrichment on the one commit path: every record created or updated is enriched there.

`Steward._commit` hands each change to `enrich_change` before anything else, so single
captures, `capture_many` chunks, updates and applied revalidations all get the same
enrichment, and the access check, the audit event, the health score and the duplicate
index all see the record as it is stored. Each owner's records are enriched together (one
`Enrichment.enrich` call per change, memoized per distinct input). A steward without
enrichers costs nothing: the commit does not call this module.

What enrichment never does: block a write. An enricher that raises, a derived value the
rules refuse, or derived fields the actor may not write leave the record as it would be
without that enrichment, and say so as issues (``enrich.failed``, ``enrich.invalid``,
``enrich.refused``), returned to the caller and counted in the audit event.

Merges, unmerges and lifecycle moves are not enriched: they move values that were already
enriched when they were written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from recordkit._errors import AccessDenied, shorten
from recordkit._steward_change import Change, Event, Owner, Write
from recordkit.governance import Action
from recordkit.quality import Enriched, Enricher, Enrichment
from recordkit.rules import Issue, Severity
from recordkit.schema import Schema

__all__ = ["enrich_change", "enrichment_of"]

_ENRICHED = (Action.CREATE, Action.UPDATE)

Found = dict[tuple[str, str], tuple[Issue, ...]]
"""
(schema name, record id) → the enrichment issues of that record.
"""


def enrichment_of(
    schema: Schema, enrichers: Enrichment | Iterable[Enricher | str] | None
) -> Enrichment | None:
    """
    The `Enrichment` a steward of *schema* applies, checked against the schema.

    Raises:
        QualityError: an enricher does not fit the schema, or *enrichers* is not a list
            of enrichers (or their names) nor an `Enrichment`.
    """
    if enrichers is None:
        return None
    made = enrichers if isinstance(enrichers, Enrichment) else Enrichment(enrichers)
    if not made.enrichers:
        return None
    made.check(schema)
    return made


def enrich_change(change: Change) -> tuple[Change, Found]:
    """
    *change* with its created and updated records enriched, and the issues found.

    The writes that enrichment changes also write the derived fields (the access check
    sees them) and leave their issues to the commit to find again for the health score
    (the derived values may have changed them).
    """
    if change.merge is not None or change.unmerge is not None:
        return change, {}
    groups: dict[int, tuple[Owner, list[int]]] = {}
    for i, write in enumerate(change.writes):
        owner = write.owner
        if write.action in _ENRICHED and getattr(owner, "enrichment", None) is not None:
            groups.setdefault(id(owner), (owner, []))[1].append(i)
    if not groups:
        return change, {}
    writes = list(change.writes)
    found: Found = {}
    changed: dict[tuple[str, str], Enriched] = {}
    for owner, indexes in groups.values():
        enrichment = owner.enrichment
        assert enrichment is not None  # grouped above
        results = enrichment.enrich(
            [writes[i].after for i in indexes],
            rules=owner.rules,
            before=[writes[i].before for i in indexes],
        )
        for i, out in zip(indexes, results, strict=True):
            key = (owner.schema.name, writes[i].after.id)
            issues = list(out.issues)
            if out.changed:
                allowed = _permitted(change, writes[i], out, issues)
                if allowed is not None:
                    writes[i] = allowed
                    changed[key] = out
            if issues:
                found[key] = tuple(issues)
    if not changed and not found:
        return change, {}
    return attrs.evolve(change, writes=writes, events=_events(change, changed, found)), found


def _permitted(change: Change, write: Write, out: Enriched, issues: list[Issue]) -> Write | None:
    """
    *write* with the enriched record, unless the actor may not write the derived fields.
    """
    owner = write.owner
    touched = (*out.derived, *out.cleared)
    try:
        owner.access.check(
            change.actor, write.action, owner.schema, write.before, touched, after=out.record
        )
    except AccessDenied as exc:
        issues.append(
            Issue(
                field=touched[0],
                rule="enrichment",
                code="enrich.refused",
                message=f"the derived values are not written: {shorten(str(exc), 200)}",
                severity=Severity.WARNING,
                hint="let the actor write the fields the enrichers fill",
            )
        )
        return None
    fields = tuple(dict.fromkeys((*write.fields, *touched)))
    return attrs.evolve(write, after=out.record, fields=fields, issues=None)


def _events(change: Change, changed: Mapping[tuple[str, str], Enriched], found: Found) -> Any:
    """
    The change's events, each saying what enrichment did to its records.

    An event's detail gains ``enrichment``: ``derived`` (field → records filled),
    ``cleared`` (field → stale derived values removed) and ``issues`` (``code rule`` →
    count); its fields gain the derived ones.
    """
    made = change.events

    def events(written: Sequence[Write]) -> list[Event]:
        out: list[Event] = []
        for event in made(written):
            if not event.values:
                out.append(event)
                continue
            schema = event.owner.schema.name
            derived: Counter[str] = Counter()
            cleared: Counter[str] = Counter()
            issues: Counter[str] = Counter()
            for rid in event.record_ids:
                done = changed.get((schema, rid))
                if done is not None:
                    derived.update(done.derived)
                    cleared.update(done.cleared)
                issues.update(f"{i.code} {i.rule}" for i in found.get((schema, rid), ()))
            if not (derived or cleared or issues):
                out.append(event)
                continue
            summary = {
                k: dict(sorted(v.items()))
                for k, v in (("derived", derived), ("cleared", cleared), ("issues", issues))
                if v
            }
            fields = tuple(dict.fromkeys((*event.fields, *derived, *cleared)))
            detail = {**event.detail, "enrichment": summary}
            out.append(attrs.evolve(event, fields=fields, detail=detail))
        return out

    return events
