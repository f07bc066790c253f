"""
Erasure in a store: what it removes, how it finds copies, and suppression entries.

`Store.erase` removes every copy a store holds of some records: the records, the merge
lineage that names them (its originals are full copies), their consent entries, the
quarantined rows that hold their values (a row refused at import was never a record, so it
is found by value), and the payloads of the audit events that name them (the events stay,
with their digests, so the chain still verifies). A `Suppression` entry keeps a keyed hash
of an erased identity value, never the value, so a later import of the same person can be
recognized without anything of hers being held.

`ErasureMethods` is the part of the `Store` port that does this; it lives here, beside the
values it returns, so the port's main module stays about records.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import attrs

from recordkit._errors import StoreError, shorten
from recordkit.governance import AuditLog
from recordkit.store._checks import check_ids, check_name

__all__ = [
    "ERASE_ACTION",
    "PLACES",
    "Erased",
    "ErasureMethods",
    "Suppression",
    "ValueFinder",
    "check_digests",
    "check_erase",
    "check_suppressions",
    "log_erase",
]

PLACES: Final = ("records", "lineage", "consents", "quarantine", "audit")
"""
The places `Store.erase` reaches, in the order its counts list them.
"""

ERASE_ACTION: Final = "store.erase"
"""
The action of the event an erase made straight on a store appends.
"""

_DIGITS = re.compile(r"\d")
_PHONE = re.compile(r"[\d\s+().\-/]+")
"""
Text made only of digits and the punctuation phone numbers are written with.
"""
_HEX = re.compile(r"[0-9a-f]{64}")


def _count(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StoreError(
            f"Erased.{attribute.name} must be a whole number from 0, got {shorten(value)}"
        )


@attrs.frozen
class Erased:
    """
    What one `Store.erase` removed, counted per place.

    Attributes:
        records: records deleted.
        lineage: merge lineage entries deleted (their originals held the values).
        consents: consent entries deleted.
        quarantine: quarantined rows deleted because they held an erased value.
        audit: audit events whose payload was redacted (their headers stay).

    .. versionadded:: 0.2.0
    """

    records: int = attrs.field(default=0, validator=_count)
    lineage: int = attrs.field(default=0, validator=_count)
    consents: int = attrs.field(default=0, validator=_count)
    quarantine: int = attrs.field(default=0, validator=_count)
    audit: int = attrs.field(default=0, validator=_count)

    @property
    def total(self) -> int:
        """
        Everything removed or redacted, all places together.
        """
        return sum(self.to_dict().values())

    def to_dict(self) -> dict[str, int]:
        """
        The counts as ``{place: count}``, places in the order of `PLACES`.
        """
        return {place: getattr(self, place) for place in PLACES}


def _digest(value: object) -> str:
    if not isinstance(value, str) or not _HEX.fullmatch(value.lower()):
        raise StoreError(f"Suppression.digest must be 64 hex digits, got {shorten(value)}")
    return value.lower()


def _name(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_name(f"Suppression.{attribute.name}", value)


def _utc(value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise StoreError(f"Suppression.at must be an aware datetime, got {shorten(value)}")
    return value.astimezone(dt.UTC)


@attrs.frozen
class Suppression:
    """
    A keyed hash of one identity value of an erased person.

    The store keeps the digest, never the value: whoever holds the key can tell that a
    new value is the erased one (and refuse or flag the import), nobody can read it back.

    Attributes:
        schema: the record type the person was erased from.
        key: which identity value it is (a field name, or names joined by ``+``).
        digest: HMAC-SHA256 of the normalized value under the steward's key (hex; upper
            case is stored in lower case).
        at: when the person was erased (an aware datetime, kept in UTC).
        erasure: the id of the erasure (its audit event), so a suppression can be traced
            to the request that made it.

    Raises:
        StoreError: an attribute is not what it holds (named).

    .. versionadded:: 0.2.0
    """

    schema: str = attrs.field(validator=_name)
    key: str = attrs.field(validator=_name)
    digest: str = attrs.field(converter=_digest)
    at: dt.datetime = attrs.field(converter=_utc)
    erasure: str = attrs.field(validator=_name)


def _listed(what: str, value: object) -> list[object]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise StoreError(f"erase: {what} must be a list, got {shorten(value)}")
    return list(value)


def check_erase(record_ids: object, values: object) -> tuple[list[str], ValueFinder]:
    """
    The arguments of `Store.erase`, checked: the ids once each, and a finder for *values*.

    Raises:
        StoreError: *record_ids* is not a list of ids, or *values* not a list of texts.
    """
    ids = [
        check_name(f"erase: record_ids[{i}]", rid)
        for i, rid in enumerate(_listed("record_ids", record_ids))
    ]
    texts: list[str] = []
    for i, value in enumerate(_listed("values", values)):
        if not isinstance(value, str):
            raise StoreError(f"erase: values[{i}] must be text, got {shorten(value)}")
        texts.append(value)
    return list(dict.fromkeys(ids)), ValueFinder(texts)


def check_suppressions(entries: object) -> list[Suppression]:
    """
    The entries of `Store.put_suppressions`, checked.

    Raises:
        StoreError: *entries* is not a list of `Suppression`.
    """
    if isinstance(entries, str | bytes | Mapping) or not isinstance(entries, Iterable):
        raise StoreError(f"put_suppressions: entries must be a list, got {shorten(entries)}")
    out = list(entries)
    for i, entry in enumerate(out):
        if not isinstance(entry, Suppression):
            raise StoreError(
                f"put_suppressions: entries[{i}] must be a Suppression, got {shorten(entry)}"
            )
    return out


def check_digests(schema: object, key: object, digests: object) -> list[str]:
    """
    The arguments of `Store.suppressions`, checked; the digests once each, in lower case.

    Raises:
        StoreError: *schema* or *key* is not a name, or *digests* not a list of hex digests.
    """
    check_name("suppressions: schema", schema)
    check_name("suppressions: key", key)
    if isinstance(digests, str | bytes | Mapping) or not isinstance(digests, Iterable):
        raise StoreError(f"suppressions: digests must be a list, got {shorten(digests)}")
    out: list[str] = []
    for i, digest in enumerate(digests):
        if not isinstance(digest, str) or not _HEX.fullmatch(digest.lower()):
            raise StoreError(
                f"suppressions: digests[{i}] must be 64 hex digits, got {shorten(digest)}"
            )
        out.append(digest.lower())
    return list(dict.fromkeys(out))


def log_erase(
    log: AuditLog, schemas: Iterable[str], record_ids: Sequence[str], erased: Erased
) -> None:
    """
    Append the ``store.erase`` event: the record ids and the counts, never a value.

    Its schema is the record type erased (several joined by ``+``; ``*`` when no record
    was stored under the ids).
    """
    log.append(
        at=dt.datetime.now(dt.UTC),
        actor="store",
        action=ERASE_ACTION,
        schema="+".join(sorted(set(schemas))) or "*",
        record_ids=list(record_ids),
        detail={"erased": erased.to_dict()},
    )


class ValueFinder:
    """
    Finds erased values inside plain data (a quarantined row, a lineage payload).

    A value matches a cell when their folded forms are equal (Unicode compatibility form,
    case, surrounding space and inner runs of space ignored). A value written like a phone
    number (digits and ``+ ( ) - . /`` only) with at least seven digits also matches a
    cell written like one whose digits end with the value's last seven to nine digits, so
    ``(415) 555-0100`` is found for ``+14155550100``. Values of fewer than two characters
    are ignored (they would match unrelated cells). Cells are found anywhere in nested
    lists and mappings.
    """

    def __init__(self, values: Iterable[str]) -> None:
        self._texts: set[str] = set()
        self._digits: set[str] = set()
        for value in values:
            folded = _fold(value)
            if len(folded) >= 2:
                self._texts.add(folded)
            digits = _phone_digits(value)
            if len(digits) >= 7:
                self._digits.add(digits[-9:])

    def __bool__(self) -> bool:
        return bool(self._texts or self._digits)

    def holds(self, data: object, _depth: int = 0) -> bool:
        """
        Whether *data* holds one of the values, at any depth.
        """
        if _depth > 100:
            return False  # deeper than any stored plain data (json_safe stops at 50)
        if isinstance(data, Mapping):
            return any(self.holds(v, _depth + 1) for v in data.values())
        if isinstance(data, list | tuple):
            return any(self.holds(v, _depth + 1) for v in data)
        if data is None or isinstance(data, bool):
            return False
        text = str(data)
        if _fold(text) in self._texts:
            return True
        if self._digits:
            digits = _phone_digits(text)
            return len(digits) >= 7 and any(digits.endswith(d) for d in self._digits)
        return False


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _phone_digits(text: str) -> str:
    """
    The digits of *text* when it is written like a phone number, else ``""``.
    """
    text = text.strip()
    if not _PHONE.fullmatch(text):
        return ""
    return "".join(_DIGITS.findall(text))


class ErasureMethods(ABC):
    """
    The erasure part of the `Store` port: `erase`, and the suppression entries.
    """

    @abstractmethod
    def erase(self, record_ids: Sequence[str], *, values: Sequence[str] = ()) -> Erased:
        """
        Remove every copy this store holds of the records *record_ids*, in one transaction.

        Deletes the records (whatever their version), the merge lineage entries naming
        any of them (their originals are full copies), their consent entries and the
        quarantined rows (of any schema) holding one of *values* (see `ValueFinder`: a
        refused row never became a record, so it is found by value), and redacts the
        payloads of the audit events naming them (`AuditLog.redact`; the chain still
        verifies). Outside `Store.audited`, it appends one ``store.erase`` event holding
        the record ids and the counts, never a value. Ids that are not stored count 0.

        Runs in the store's `transaction` (joining the caller's): if anything fails,
        nothing is erased. A SQLite store deletes with ``secure_delete`` on (freed pages
        are zeroed) and, once the outermost transaction has committed, checkpoints the
        write-ahead log and truncates it, so the file and its WAL hold no copy.

        Examples:
            >>> store.erase(["lead-1", "lead-7"], values=["ada@example.com"])  # doctest: +SKIP
            Erased(records=2, lineage=1, consents=0, quarantine=1, audit=5)

        Args:
            record_ids: the records of the person to erase.
            values: the person's identity values (emails, phones, names) to find in
                quarantined rows.

        Returns:
            What was removed, counted per place.

        Raises:
            StoreError: an argument is not what it should be (named), or the database
                failed (nothing is erased).

        .. versionadded:: 0.2.0
        """

    def shred(self, record_ids: Sequence[str]) -> int:
        """
        Destroy the data keys of *record_ids*: their encrypted values are unreadable for good.

        Crypto-shredding, for a store that keeps fields encrypted (`SQLStore` with
        ``encryption=``); a store without encryption holds no keys and shreds nothing.

        Returns:
            How many data keys were destroyed.

        Raises:
            StoreError: *record_ids* is not a list of ids.

        .. versionadded:: 0.2.0
        """
        check_ids(record_ids)
        return 0

    @abstractmethod
    def put_suppressions(self, entries: Sequence[Suppression]) -> int:
        """
        Keep suppression entries, all or none; an entry already kept is left as it was.

        An entry is known by its schema, key and digest: the first one kept stays (its
        time and erasure id), so suppressing a person twice changes nothing.

        Returns:
            How many entries were new.

        Raises:
            StoreError: *entries* is not a list of `Suppression`, or the database failed.

        .. versionadded:: 0.2.0
        """

    @abstractmethod
    def suppressions(self, schema: str, key: str, digests: Sequence[str]) -> dict[str, Suppression]:
        """
        The suppression entries kept for *digests* (of *schema* and *key*), by digest.

        One indexed lookup for a whole import's values: digests with no entry are absent
        from the result.

        Raises:
            StoreError: *schema* or *key* is not a name, or *digests* not a list of
                64-hex-digit digests.

        .. versionadded:: 0.2.0
        """

    def suppressed(self, schema: str, key: str, digest: str) -> Suppression | None:
        """
        The suppression entry for *digest* of *schema* and *key*, or ``None``.

        Raises:
            StoreError: an argument is not what it should be (named).

        .. versionadded:: 0.2.0
        """
        if not isinstance(digest, str):
            raise StoreError(f"suppressed: digest must be 64 hex digits, got {shorten(digest)}")
        return self.suppressions(schema, key, [digest]).get(digest.lower())
