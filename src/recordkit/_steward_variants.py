"""
Variant clusters applied to stored data: `Steward.find_variants` and `apply_variants`.

As in OpenRefine's cluster-and-edit dialog: `find_variants` clusters the stored values of
one field (`recordkit.quality.variant_clusters`), a person accepts some clusters (choosing
their canonical values), and `apply_variants` rewrites every stored value that is a
variant of an accepted cluster to its canonical value — a dry run first, which says
exactly what would change, then the same edits as one audited batch through the one
commit path. Run `find_variants` again to see what is left ("merge and re-cluster").

For a picklist field the accepted clusters also become the field's synonyms in a new
schema version (`recordkit.quality.with_synonyms`): the steward adopts rules built for it,
so new captures normalize the same way, and `revalidate` sees what they change.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from typing import Final

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._notebook import cell, html_block, html_table
from recordkit._steward_change import Change, Event, Write
from recordkit._steward_core import SYSTEM, _StewardCore, _validation_error
from recordkit.governance import Action, Actor
from recordkit.match import MERGED
from recordkit.quality import (
    NearestNeighbours,
    VariantCluster,
    fingerprint_key,
    to_synonyms,
    variant_clusters,
    with_synonyms,
)
from recordkit.rules import RuleSet
from recordkit.schema import JSONObject, Picklist, Provenance, Record, Schema

__all__ = ["VariantEdit", "VariantEdits"]

Keyer = Callable[[str], str]

_RULE: Final = "variants"
"""
The provenance source of a value a variant cluster rewrote: ``variants:<field>@<tag>``.
"""


@attrs.frozen
class VariantEdit:
    """
    One stored value a variant cluster rewrites: the record, the field, before and after.

    .. versionadded:: 0.2.0
    """

    record_id: str
    field: str
    before: str
    after: str

    def to_dict(self) -> JSONObject:
        """
        Plain JSON data: record id, field, before and after.

        .. versionadded:: 0.2.0
        """
        return {"record_id": self.record_id, "field": self.field, "before": self.before,
                "after": self.after}  # fmt: skip


@attrs.frozen(repr=False)
class VariantEdits:
    """
    What `Steward.apply_variants` changed, or in a dry run would change.

    Attributes:
        field: the field rewritten.
        rule: the rule the edits are made by, as their provenance names it
            (``variants:city@2`` for a picklist's new rules version, else
            ``variants:city#<digest of the replacements>``).
        replacements: each accepted variant → its canonical value (as stored).
        edits: one `VariantEdit` per record, in record id order within each batch read.
        checked: the live records read.
        dry_run: nothing was written.
        schema: for a picklist field, the new schema version whose picklist holds the
            clusters as synonyms (``None`` for other fields).
        rules_version: the version of the rules the steward adopts (or would) for it.

    .. versionadded:: 0.2.0
    """

    field: str
    rule: str
    replacements: Mapping[str, str]
    edits: tuple[VariantEdit, ...]
    checked: int
    dry_run: bool
    schema: Schema | None = None
    rules_version: int | None = None

    def __repr__(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        return (f"VariantEdits({self.field!r} {verb} {len(self.edits)} of {self.checked} "
                f"records, rule={self.rule!r})")  # fmt: skip

    def _repr_html_(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        facts = [("rule", self.rule), ("records read", f"{self.checked:,}"),
                 (verb, f"{len(self.edits):,}")]  # fmt: skip
        rows = ((v, self.replacements[v], n) for v, n in self.counts.items())
        table = html_table(("before", "after", "records"), rows, total=len(self.counts))
        return html_block(f"Variant edits of {cell(self.field)}", facts, table)

    @property
    def counts(self) -> dict[str, int]:
        """
        Each variant rewritten → how many records held it, most first (then by value).
        """
        found = Counter(e.before for e in self.edits)
        return dict(sorted(found.items(), key=lambda p: (-p[1], p[0])))

    @property
    def record_ids(self) -> tuple[str, ...]:
        """
        The records rewritten.
        """
        return tuple(e.record_id for e in self.edits)

    def to_dict(self) -> JSONObject:
        """
        Plain JSON data: field, rule, counts, every edit, and the schema version made.

        .. versionadded:: 0.2.0
        """
        counts: JSONObject = dict(self.counts)
        replacements: JSONObject = dict(self.replacements)
        return {
            "field": self.field,
            "rule": self.rule,
            "dry_run": self.dry_run,
            "checked": self.checked,
            "changed": len(self.edits),
            "counts": counts,
            "replacements": replacements,
            "edits": [e.to_dict() for e in self.edits],
            "schema_version": None if self.schema is None else self.schema.version,
            "rules_version": self.rules_version,
        }


class _VariantVerbs(_StewardCore):
    """
    `find_variants` and `apply_variants`: OpenRefine's cluster and edit, on stored data.
    """

    def find_variants(
        self,
        field: str,
        *,
        method: Keyer | NearestNeighbours = fingerprint_key,
        min_count: int = 1,
        actor: Actor = SYSTEM,
        batch_size: int = 10_000,
    ) -> tuple[VariantCluster, ...]:
        """
        Cluster the stored values of *field*: spellings that *method* says are one thing.

        Reads every live record of the schema (not those merged away), counting each text
        value, and clusters the counts with `recordkit.quality.variant_clusters`.

        Examples:
            >>> from recordkit import Field, Schema, Steward, Text
            >>> leads = Steward(Schema("lead", [Field("city", Text())]))
            >>> _ = leads.capture_many([{"city": c} for c in ("Paris", "paris", "Paris")],
            ...                        source="fair")
            >>> [(c.canonical, c.variants) for c in leads.find_variants("city")]
            [('Paris', ('paris',))]

        Args:
            field: the field whose values are clustered.
            method: a keyer (`recordkit.quality.fingerprint_key`, the default,
                ``ngram_key``, ``metaphone_key``, ``soundex_key`` or your own) or a
                `recordkit.quality.NearestNeighbours`.
            min_count: leave out values held by fewer records.
            actor: who asks; they must read every record in clear.
            batch_size: records read at a time.

        Returns:
            The clusters, largest first, each with its counts and suggested canonical value.

        Raises:
            RecordkitError: *field* is not a field of the schema, or an argument is wrong.
            AccessDenied: *actor* may read only some records, or some fields masked.

        .. versionadded:: 0.2.0
        """
        self._variant_field(field)
        _check_batch_size(batch_size)
        self._check_reads_all(actor, "find_variants")
        counts: Counter[str] = Counter()
        for page in self.store.scan(self.schema.name, batch_size=batch_size):
            for r in page:
                value = r.values.get(field)
                if r.state != MERGED and isinstance(value, str):
                    counts[value] += 1
        return variant_clusters(counts, method=method, min_count=min_count)

    def apply_variants(
        self,
        field: str,
        clusters: Iterable[VariantCluster] | VariantCluster,
        *,
        dry_run: bool = True,
        actor: Actor = SYSTEM,
        batch_size: int = 10_000,
    ) -> VariantEdits:
        """
        Rewrite every stored variant of the accepted *clusters* to its canonical value.

        A dry run by default: the result lists exactly the edits a real run makes (record,
        field, before, after) and nothing is written. With ``dry_run=False`` the same edits
        are stored as new versions of their records, batch by batch through the one commit
        path (the policy checks each update with its new value; one ``update`` audit event
        per batch holds every value before and after, and names the rule and the run) —
        all the batches in one store transaction, so the run lands whole or not at all.
        Each rewritten value's provenance names the rule (`VariantEdits.rule`) and keeps
        the raw value and the observation time the source gave. Only values equal to a
        cluster's variant are touched; anything else a person typed stays as it is, and
        so do records in a final state (retired, merged away).

        For a picklist field, the clusters also become the field's synonyms in a new
        schema version (`recordkit.quality.with_synonyms`): a real run makes the steward
        adopt rules built for it (the field's rules become those of the new version, one
        rules version up), so new captures normalize the variants the same way, and
        ``revalidate(RuleSet.for_schema(edits.schema))`` reports the same edits.

        Examples:
            >>> from recordkit import Field, Schema, Steward, Text
            >>> leads = Steward(Schema("lead", [Field("city", Text())]))
            >>> _ = leads.capture_many([{"city": c} for c in ("Paris", "paris", "Paris")],
            ...                        source="fair")
            >>> accepted = leads.find_variants("city")
            >>> preview = leads.apply_variants("city", accepted)
            >>> preview.counts, preview.dry_run
            ({'paris': 1}, True)
            >>> done = leads.apply_variants("city", accepted, dry_run=False)
            >>> done.edits == preview.edits, leads.find_variants("city")
            (True, ())

        Args:
            field: the field to rewrite.
            clusters: the accepted `VariantCluster` values (``with_canonical`` picks
                another canonical value than the suggestion).
            dry_run: only say what would change.
            actor: who makes the change; they must read every record in clear, and the
                policy must let them update each changed record.
            batch_size: records read and written at a time.

        Returns:
            The `VariantEdits`.

        Raises:
            RecordkitError: *field* is not a field of the schema, *clusters* are not
                `VariantCluster` values or conflict (a value a variant of two canonical
                values), or an argument is wrong.
            QualityError: for a picklist, a canonical value is not one of its values.
            ValidationError: a canonical value is not a valid value of the field.
            AccessDenied: *actor* may not read every record, or update one (nothing is
                written).
            ConflictError: a record changed while the run read it (nothing is written).

        .. versionadded:: 0.2.0
        """
        kind = self._variant_field(field)
        accepted = _accepted(clusters)
        synonyms = to_synonyms(accepted)
        if not isinstance(dry_run, bool):
            raise RecordkitError(f"dry_run must be True or False, got {shorten(dry_run)}")
        _check_batch_size(batch_size)
        self._check_actor(actor)
        self._check_reads_all(actor, "apply_variants")
        schema: Schema | None = None
        rules = self.rules
        if kind == "picklist":
            schema = with_synonyms(self.rules.schema, field, accepted)
            rules = _rules_for(self.rules, schema, field)
        replacements = {
            v: self._canonical(rules, field, canonical)
            for canonical, variants in synonyms.items()
            for v in variants
        }
        tag = f"@{rules.version}" if schema is not None else f"#{_digest(replacements)}"
        rule = f"{_RULE}:{field}{tag}"
        edits: list[VariantEdit] = []
        checked = 0
        run = uuid.uuid4().hex
        with nullcontext() if dry_run else self.store.transaction():
            for page in self.store.scan(self.schema.name, batch_size=batch_size):
                live = [r for r in page if r.state != MERGED and not self.lifecycles.closed(r)]
                checked += len(live)
                found = [(r, _replaced(r, field, replacements)) for r in live]
                changing = [(r, after) for r, after in found if after is not None]
                edits += [VariantEdit(r.id, field, r.values[field], a) for r, a in changing]
                if not dry_run and changing:
                    self._rewrite(changing, field, rule, run, actor, len(accepted))
        if not dry_run and schema is not None:
            self.rules = rules
        return VariantEdits(
            field,
            rule,
            replacements,
            tuple(edits),
            checked,
            dry_run,
            schema=schema,
            rules_version=rules.version if schema is not None else None,
        )

    def _rewrite(
        self,
        changing: Sequence[tuple[Record, str]],
        field: str,
        rule: str,
        run: str,
        actor: Actor,
        clusters: int,
    ) -> None:
        """
        Store one batch of rewritten values through the one commit path.
        """
        now = self._now()
        writes: list[Write] = []
        for current, after in changing:
            values = {**current.values, field: after}
            old = current.provenance.get(field)
            seen = now if old is None else old.observed_at
            raw = current.values[field] if old is None else old.raw
            updated = current.evolve(
                values=values,
                provenance={**current.provenance, field: Provenance(rule, seen, raw)},
                version=current.version + 1,
                owner=self._owner(values, current.owner),
                updated_at=now,
            )
            writes.append(Write(self, updated, current, Action.UPDATE, (field,)))
        detail = {"variants": rule, "run": run, "clusters": clusters, "count": len(writes)}

        def events(done: Sequence[Write]) -> list[Event]:
            return [Event(self, Action.UPDATE, [w.after.id for w in done], [field], detail)]

        self._commit(Change(actor, now, writes, events))

    def _variant_field(self, field: object) -> str:
        """
        Check *field* names a field of the schema; return its type's kind.
        """
        if not isinstance(field, str) or field not in self.schema:
            raise RecordkitError(
                f"field must name a field of schema {self.schema.name!r}, got {shorten(field)}"
            )
        kind = self.rules.schema.field(field).type
        return "picklist" if isinstance(kind, Picklist) else kind.kind

    def _canonical(self, rules: RuleSet, field: str, value: str) -> str:
        """
        *value* as the field's rules store it; refused when they find an error in it.
        """
        checked = rules.run({field: value}, defaults=False)
        errors = [e for e in checked.errors if e.field == field]  # the value's own
        if errors:
            raise _validation_error(errors, None)
        stored = checked.values.get(field)
        if not isinstance(stored, str):
            raise RecordkitError(
                f"canonical value {shorten(value)} of {field!r} is not stored as text"
            )
        return stored


def _accepted(clusters: object) -> list[VariantCluster]:
    """
    *clusters* read once into a list (`to_synonyms` then checks what they hold).
    """
    if isinstance(clusters, VariantCluster):
        return [clusters]
    if isinstance(clusters, str | bytes | Mapping) or not isinstance(clusters, Iterable):
        raise RecordkitError(f"clusters must be VariantClusters, got {shorten(clusters)}")
    return list(clusters)


def _replaced(record: Record, field: str, replacements: Mapping[str, str]) -> str | None:
    """
    The value *record*'s *field* becomes, or ``None`` when it stays as it is.
    """
    value = record.values.get(field)
    if not isinstance(value, str):
        return None
    after = replacements.get(value)
    return None if after is None or after == value else after


def _rules_for(current: RuleSet, schema: Schema, field: str) -> RuleSet:
    """
    *current* with the rules *schema* gives *field*, one version up, bound to *schema*.
    """
    fresh = RuleSet.for_schema(schema)
    plans = {**current.plans, field: fresh.plans[field]}
    version = max(current.version + 1, schema.version)
    return attrs.evolve(current, schema=schema, plans=plans, version=version)


def _digest(replacements: Mapping[str, str]) -> str:
    text = json.dumps(sorted(replacements.items()), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _check_batch_size(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 10**9:
        raise RecordkitError(
            f"batch_size must be a whole number from 1 to 10**9, got {shorten(value)}"
        )
