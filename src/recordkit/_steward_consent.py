"""
Consent: decisions recorded through the commit path, and the status in force for a person.

A decision (`ConsentEntry`) covers a purpose on a channel, under a lawful basis, until it
expires. The status a person has is read across every record she is (the record and the
records merged with it): after their last merge, the latest decision wins; before it, the
most restrictive one does (a merge never turns a withdrawal into a grant). Stages can be
guarded by it: ``Steward(consent_for={"mql": "email_marketing"})`` refuses moving a record
to ``mql`` without a grant in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import attrs

from recordkit._errors import RecordkitError, shorten
from recordkit._steward_change import Change, Event, Write
from recordkit._steward_core import SYSTEM
from recordkit._steward_index import _IndexKeeping
from recordkit._steward_unmerge import merged_with
from recordkit.governance import Action, Actor
from recordkit.lifecycle import Guard, Machine, guard
from recordkit.schema import Record
from recordkit.store import ConsentEntry

__all__ = ["ANY_CHANNEL", "Consent"]

ANY_CHANNEL: Final = "any"
"""
The channel of a decision that covers every channel.
"""


@attrs.frozen
class Consent:
    """
    The consent status in force for a person, a purpose and a channel.

    Attributes:
        purpose: what it is for.
        channel: the channel asked about.
        status: ``granted``, ``withdrawn``, ``expired`` or ``unknown`` (no decision).
        entries: the decisions it was read from, newest first (one per record before the
            person's last merge, the latest after it).

    .. versionadded:: 0.2.0
    """

    purpose: str
    channel: str
    status: str
    entries: tuple[ConsentEntry, ...] = ()

    def __bool__(self) -> bool:
        return self.status == "granted"

    @property
    def basis(self) -> str | None:
        """
        The lawful basis of the decision in force (``None`` when there is none).
        """
        return self.entries[0].basis if self.entries else None


class _ConsentVerbs(_IndexKeeping):
    """
    Consent decisions and the status in force.
    """

    def record_consent(
        self,
        record_id: str,
        purpose: str,
        *,
        granted: bool,
        source: str,
        actor: Actor = SYSTEM,
        channel: str = ANY_CHANNEL,
        basis: str = "consent",
        expires_at: dt.datetime | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> ConsentEntry:
        """
        Record a consent decision for a record, through the one commit path.

        The decision and its ``consent`` audit event commit together; the actor needs
        ``update`` on the record.

        Args:
            record_id: the person's record.
            purpose: what it is for (``email_marketing``).
            granted: granted or withdrawn.
            source: where it was captured (``web_form``, ``call_center``).
            actor: who records it.
            channel: the channel it covers (``any``: all).
            basis: the lawful basis (see `ConsentEntry`).
            expires_at: when a grant lapses.
            detail: plain data (the wording shown, a proof reference).

        Raises:
            NotFound: no such record.
            AccessDenied: *actor* may not update the record.
            StoreError: an argument is not what a consent entry holds (named).

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        self._check_source(source)
        record = self._own(record_id)
        now = self._now()
        entry = ConsentEntry(
            record.id,
            purpose,
            granted,
            now,
            source,
            actor.id,
            {} if detail is None else detail,
            channel=channel,
            basis=basis,
            expires_at=expires_at,
        )
        event = Event(
            self,
            "consent",
            [record.id],
            (),
            {
                "purpose": entry.purpose,
                "channel": entry.channel,
                "granted": entry.granted,
                "basis": entry.basis,
                "source": entry.source,
                "expires_at": None if entry.expires_at is None else entry.expires_at.isoformat(),
            },
            values=False,
        )
        check = Write(self, record, record, Action.UPDATE, ())
        self._commit(Change(actor, now, [], lambda _: [event], consents=[entry], checks=[check]))
        return entry

    def consent(
        self,
        record_id: str,
        purpose: str,
        *,
        channel: str = ANY_CHANNEL,
        at: dt.datetime | None = None,
        actor: Actor = SYSTEM,
    ) -> Consent:
        """
        The consent in force for the person of *record_id*, for *purpose* on *channel*.

        A decision for the channel itself or for ``any`` channel counts. Read across the
        record and the records merged with it: after their last merge the latest
        decision wins; before it the most restrictive one does.

        Args:
            record_id: the person's record (a merged-away id leads to its survivor).
            purpose: what it is for.
            channel: the channel asked about.
            at: the time to judge at (default: now), for expiries.
            actor: who asks; needs ``read`` on the record.

        Raises:
            NotFound: no such record.
            AccessDenied: *actor* may not read it.

        .. versionadded:: 0.2.0
        """
        record = self.get(record_id, actor=actor)
        if not isinstance(purpose, str) or not isinstance(channel, str):
            raise RecordkitError(
                f"purpose and channel are text, got {shorten(purpose)} and {shorten(channel)}"
            )
        when = self._check_time("at", at) or self._now()
        return self._consent(record, purpose, channel, when)

    def _consent(self, record: Record, purpose: str, channel: str, at: dt.datetime) -> Consent:
        group, merged_at = merged_with(self.store, [record.id], undone=False)
        relevant = [
            e
            for rid in group
            for e in self.store.consents(rid)
            if e.purpose == purpose and e.channel in (channel, ANY_CHANNEL) and e.at <= at
        ]
        if not relevant:
            return Consent(purpose, channel, "unknown")
        relevant.sort(key=lambda e: e.at, reverse=True)
        after = [e for e in relevant if merged_at is not None and e.at > merged_at]
        if after or merged_at is None:
            latest = (after or relevant)[0]
            return Consent(purpose, channel, _status(latest, at), (latest,))
        per_record: dict[str, ConsentEntry] = {}
        for e in relevant:  # newest first: the first seen per record is its latest
            per_record.setdefault(e.record_id, e)
        chosen = sorted(per_record.values(), key=lambda e: e.at, reverse=True)
        statuses = [_status(e, at) for e in chosen]
        for worst in ("withdrawn", "expired"):
            if worst in statuses:
                return Consent(purpose, channel, worst, tuple(chosen))
        return Consent(purpose, channel, "granted", tuple(chosen))

    def _guard_consent(self, consent_for: object) -> None:
        """
        Guard the states and stages *consent_for* names with the consent they need.

        Raises:
            RecordkitError: *consent_for* is not a mapping of state or stage names to
                purposes, or names an unknown one.
        """
        if consent_for is None:
            return
        if not isinstance(consent_for, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in consent_for.items()
        ):
            raise RecordkitError(
                f"consent_for maps state or stage names to purposes, got {shorten(consent_for)}"
            )
        machines = self.lifecycles.machines
        for name, purpose in consent_for.items():
            attribute = self.lifecycles.attribute_for(name)
            machine = machines[attribute]
            guarded = machine.lifecycle.with_guards(name, self._consent_guard(purpose))
            machines[attribute] = Machine(guarded, self.schema, rules=self.rules)

    def _consent_guard(self, purpose: str, channel: str = ANY_CHANNEL) -> Guard:
        """
        A lifecycle guard: entering the state needs a grant in force for *purpose*.
        """

        def consented(record: Record) -> list[str]:
            if self._consent(record, purpose, channel, self._now()):
                return []
            return [f"no consent in force for {purpose!r} on {channel!r}"]

        return guard(consented, name=f"consent:{purpose}")


def _status(entry: ConsentEntry, at: dt.datetime) -> str:
    if not entry.granted:
        return "withdrawn"
    return "granted" if entry.in_force(at) else "expired"
