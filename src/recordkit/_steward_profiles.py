"""
Profiles kept per import: what each `capture_many` run read, kept in the store for trends.

A steward opened with ``keep_profiles=True`` profiles the rows of every ``capture_many``
run that completes (`recordkit.quality.profile` over the rows as the source gave them, with
the invalid counts the run's rules found: the rules do not run twice) and keeps the
`Profile` in its store as a `ProfileEntry`. `Steward.profiles` lists them newest first;
``compare_profiles(older.profile, newer.profile)`` says what got better. A kept profile
holds no values of fields tagged ``pii``: for them it keeps the counts, the distinct count
and the shapes only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Final

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._steward_batch import _BatchVerbs
from recordkit._steward_core import SYSTEM
from recordkit._steward_rows import BatchResult
from recordkit._steward_views import Where
from recordkit.governance import Actor
from recordkit.quality import Profile, profile
from recordkit.rules import RuleSet, Severity
from recordkit.store import ProfileEntry

__all__: list[str] = []

_PERSONAL: Final = "pii"
_KEPT_FOR_PERSONAL: Final = frozenset({"distinct", "shapes"})
"""
The sketches a kept profile holds for a ``pii`` field: no values, only their hashes and shapes.
"""


class _ProfileVerbs(_BatchVerbs):
    """
    `capture_many` keeping the profile of each run, and `profiles`.
    """

    keep_profiles: bool

    def _imported(self, result: BatchResult, source: str, actor: Actor) -> None:
        if self.keep_profiles:
            self._keep_profile(result, source, actor)

    def profiles(
        self, *, source: str | None = None, limit: int | None = None, actor: Actor = SYSTEM
    ) -> list[ProfileEntry]:
        """
        The profiles kept of this schema's imports, newest first.

        Examples:
            >>> from recordkit import Steward, bundled_schema
            >>> from recordkit.quality import compare_profiles
            >>> contacts = Steward(bundled_schema("contact"), keep_profiles=True)
            >>> _ = contacts.capture_many([{"email": "ada@example"}], source="fair")
            >>> _ = contacts.capture_many([{"email": "grace@example.com"}], source="fair")
            >>> newer, older = contacts.profiles()
            >>> compare_profiles(older.profile, newer.profile).field("email").improved
            True

        Args:
            source: only the imports from this source.
            limit: at most this many (``None``: all).
            actor: who reads; they must read every record of the schema in clear (a
                profile holds values).

        Raises:
            RecordkitError: an argument is wrong.
            AccessDenied: *actor* may read only some records, or some fields masked.

        .. versionadded:: 0.2.0
        """
        if source is not None and not isinstance(source, str):
            raise RecordkitError(f"source must be text or None, got {shorten(source)}")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or limit < 0):  # fmt: skip
            raise RecordkitError(f"limit must be a whole number or None, got {shorten(limit)}")
        self._check_reads_all(actor, "profiles")
        return self.store.profiles(self.schema.name, source=source, limit=limit)

    def profile(
        self,
        where: Where = (),
        *,
        state: str | None = None,
        actor: Actor = SYSTEM,
        batch_size: int = 10_000,
    ) -> Profile:
        """
        Profile the stored records (those meeting *where*), read batch by batch.

        Each field's fill rate, distinct count, top values, shapes and quantiles are those
        of the stored values, and its invalid count the records the steward's rules now
        find an error in (rules changed since the records were stored show here first);
        memory stays bounded by a batch and the sketches.

        Examples:
            >>> from recordkit import Steward, bundled_schema
            >>> contacts = Steward(bundled_schema("contact"))
            >>> _ = contacts.capture({"first_name": "Ada", "last_name": "Lovelace"}, source="x")
            >>> contacts.profile().field("first_name").fill_rate
            1.0

        Args:
            where: a store condition (as `query` takes it).
            state: only records in this lifecycle state.
            actor: who reads; they must read every record of the schema in clear.
            batch_size: records read at a time.

        Raises:
            RecordkitError: an argument is wrong.
            AccessDenied: *actor* may read only some records, or some fields masked.

        .. versionadded:: 0.2.0
        """
        self._check_reads_all(actor, "profile")
        names = self.schema.field_names
        batches = self.store.iterate(
            self.schema.name, where=where, state=state, batch_size=batch_size
        )
        rows = ({n: record.values.get(n) for n in names} for batch in batches for record in batch)
        return profile(rows, rules=self.rules, fields=names, chunk_size=batch_size)

    def _keep_profile(self, result: BatchResult, source: str, actor: Actor) -> None:
        """
        Profile what a run read and keep it in the store.

        A stored record's value counts when the run's source gave it (not a default, nor
        a value derived from others).
        """
        # what the importing actor reads in clear (the result is as they may see it)
        shown = self._sight(actor).values(dict.fromkeys(self.schema.field_names, ""))
        names = [n for n in self.schema.field_names if shown.get(n) == ""]
        if not names:
            return
        columns: dict[str, list[object]] = {n: [] for n in names}
        for record in result.records:
            provenance = record.provenance
            for name in names:
                p = provenance.get(name)
                columns[name].append(None if p is None or p.source != source else p.raw)
        for q in result.quarantined:
            row = q.row
            for name in names:
                columns[name].append(row.get(name))
        made = _with_validity(profile(columns, fields=names), result, self.rules)
        entry = ProfileEntry(
            uuid.uuid4().hex,
            self.schema.name,
            self._now(),
            source,
            actor.id,
            _without_personal_values(made, self.schema.tagged(_PERSONAL)),
        )
        self.store.put_profile(entry)


def _with_validity(made: Profile, result: BatchResult, rules: RuleSet) -> Profile:
    """
    *made* with the invalid counts the run's own rules found (not run a second time).

    A field's invalid count is the rows with an error on it; the valid rows are those with
    no error at all (a row refused for another reason, such as the policy, is not valid).
    """
    bad: dict[str | None, set[int]] = {}
    for q in result.quarantined:
        for issue in q.errors:
            bad.setdefault(issue.field, set()).add(q.index)
    for issue in result.issues:
        if issue.severity is Severity.ERROR and issue.row is not None:
            bad.setdefault(issue.field, set()).add(issue.row)
    known = set(rules.plans)
    fields = [
        attrs.evolve(f, invalid=len(bad.get(f.name, ()))) if f.name in known else f
        for f in made.fields
    ]
    invalid_rows = set().union(*bad.values()) if bad else set()
    return attrs.evolve(
        made,
        fields=fields,
        valid_rows=made.rows - len(invalid_rows),
        rules=f"{rules.name}@{rules.version}",
    )


def _without_personal_values(made: Profile, personal: Sequence[Any]) -> Profile:
    """
    *made* without the sketches that hold values of *personal* fields.
    """
    names = {f.name for f in personal}
    if not names & set(made.field_names):
        return made
    fields = [
        attrs.evolve(f, sketches={k: v for k, v in f.sketches.items() if k in _KEPT_FOR_PERSONAL})
        if f.name in names
        else f
        for f in made.fields
    ]
    return attrs.evolve(made, fields=fields)
