"""
Verifying an audit trail: `VerifyReport`, signed `Checkpoint` heads, and the chain walk.

A hash chain alone proves that no stored event was edited in place, but not that the last
events are all there, nor that someone with write access did not recompute the whole
chain with the public hash function. A checkpoint closes both gaps: the log's head (its
identity, last sequence number and hash) signed with HMAC-SHA256 under a key the database
does not hold. Keep checkpoints outside the database; `AuditLog.verify` given one proves
the log still holds that head, unchanged, with every event before it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Final

import attrs

from recordkit._errors import ValidationError, shorten
from recordkit.governance._audit_event import GENESIS

__all__ = ["Chain", "Checkpoint", "VerifyReport", "check_checkpoint", "check_key", "sign"]

_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_LOG_ID: Final = re.compile(r"[0-9a-zA-Z_-]{1,64}")


def check_key(key: object) -> bytes:
    """
    *key* when it is bytes of at least 16; else `ValidationError`.
    """
    if not isinstance(key, bytes | bytearray) or len(key) < 16:
        raise ValidationError(
            f"key must be bytes, at least 16 of them (kept outside the database), "
            f"got {shorten(type(key).__name__ if not isinstance(key, bytes) else '<short key>')}"
        )
    return bytes(key)


def sign(key: bytes, log_id: str, seq: int, head_hash: str) -> str:
    """
    The HMAC-SHA256 (hex) of a log head under *key*.
    """
    message = f"recordkit-audit-checkpoint\n{log_id}\n{seq}\n{head_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _log_id(instance: object, attribute: object, value: str) -> None:
    if not isinstance(value, str) or not _LOG_ID.fullmatch(value):
        raise ValidationError(f"log_id must be a log's id (letters, digits), got {shorten(value)}")


def _seq(instance: object, attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"seq must be a whole number from 0, got {shorten(value)}")


def _hex(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise ValidationError(
            f"{attribute.name} must be 64 lowercase hex digits, got {shorten(value)}"
        )


@attrs.frozen
class Checkpoint:
    """
    A signed head of an audit log: keep it outside the database, verify against it later.

    Args:
        log_id: the log's identity (made once, when the log was created).
        seq: the last event's sequence number (0: empty log).
        hash: the last event's hash.
        mac: HMAC-SHA256 (hex) over the three, under the caller's key.

    .. versionadded:: 0.2.0
    """

    log_id: str = attrs.field(validator=_log_id)
    seq: int = attrs.field(validator=_seq)
    hash: str = attrs.field(validator=_hex)
    mac: str = attrs.field(validator=_hex)


@attrs.frozen(eq=False)
class VerifyReport:
    """
    What `AuditLog.verify` found; true when the log is intact.

    It compares equal to ``True`` or ``False`` as ``ok`` does (``verify`` returned a bool
    before 0.2), and to another report with the same fields.

    Args:
        ok: every check passed.
        checked: events checked.
        first_bad: sequence number of the first event found wrong (or where the missing
            ones start), ``None`` when intact or when the fault is not an event's.
        problem: what is wrong, in words (``None`` when intact).

    .. versionadded:: 0.2.0
    """

    ok: bool
    checked: int
    first_bad: int | None = None
    problem: str | None = None

    def __bool__(self) -> bool:
        return self.ok

    def __eq__(self, other: object) -> bool:
        if isinstance(other, bool):
            return self.ok is other
        if isinstance(other, VerifyReport):
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[bool, int, int | None, str | None]:
        return (self.ok, self.checked, self.first_bad, self.problem)


class Chain:
    """
    The walk over a log's events, oldest first, that `verify` runs on every store.

    Call `step` per event until it returns false, then `finish` with the head row.
    """

    def __init__(self, checkpoint: Checkpoint | None) -> None:
        self.prev = GENESIS
        self.seq = 0
        self.checked = 0
        self.first_bad: int | None = None
        self.problem: str | None = None
        self.checkpoint = checkpoint

    def fail(self, seq: int | None, problem: str) -> bool:
        """
        Note the first problem; returns false (stop walking).
        """
        if self.problem is None:
            self.first_bad, self.problem = seq, problem
        return False

    def step(
        self, seq: int, prev_hash: str, stored: str, computed: str, problem: str | None
    ) -> bool:
        """
        Check one event; false when the walk should stop (a problem was found).
        """
        expected = self.seq + 1
        if seq < 0 and problem is not None:  # the row's seq itself cannot be read
            return self.fail(expected, problem)
        if seq != expected:
            if seq > expected:
                return self.fail(expected, f"gap in seq: event {expected} is missing (next: {seq})")
            return self.fail(seq, f"event {seq} is out of order or repeated after {self.seq}")
        if problem is not None:
            return self.fail(seq, problem)
        if prev_hash != self.prev:
            return self.fail(
                seq, f"broken link: event {seq} does not point to event {seq - 1}'s hash"
            )
        if computed != stored:
            return self.fail(seq, f"hash mismatch: event {seq} was altered")
        cp = self.checkpoint
        if cp is not None and seq == cp.seq and stored != cp.hash:
            return self.fail(
                seq,
                f"event {seq} differs from the checkpoint: the chain up to it was rewritten "
                "(re-chained) or replaced",
            )
        self.checked += 1
        self.seq, self.prev = seq, stored
        return True

    def walk(self, entries: Iterable[tuple[int, str, str, str, str | None]]) -> bool:
        """
        Check *entries* in order, as `step` checks each; false when a problem stops the walk.

        An event that passes every check only moves the walk on (without a call of
        `step`); any other goes through `step`, which names what is wrong.
        """
        seq, prev, checked = self.seq, self.prev, self.checked
        mark = -1 if self.checkpoint is None else self.checkpoint.seq
        for entry in entries:
            at, link, stored, computed, problem = entry
            if (
                problem is None
                and at == seq + 1
                and link == prev
                and computed == stored
                and at != mark
                and at.__class__ is int
            ):
                seq, prev, checked = at, stored, checked + 1
                continue
            self.seq, self.prev, self.checked = seq, prev, checked
            if not self.step(*entry):
                return False
            seq, prev, checked = self.seq, self.prev, self.checked
        self.seq, self.prev, self.checked = seq, prev, checked
        return True

    def leap(self, seq: int, head_hash: str, count: int) -> None:
        """
        Move on over *count* events the caller checked in bulk, as `step` checks each.

        The last of them is number *seq*, with hash *head_hash*.
        """
        self.seq, self.prev = seq, head_hash
        self.checked += count

    def finish(self, head_seq: int, head_hash: str) -> VerifyReport:
        """
        Compare the head row with the last event and the checkpoint; the report.
        """
        if self.problem is None and (head_seq, head_hash) != (self.seq, self.prev):
            at = min(head_seq, self.seq) + 1 if head_seq != self.seq else self.seq
            self.fail(
                at,
                f"head row disagrees with the last event: the head says event {head_seq}, "
                f"the log ends at event {self.seq}"
                + (" (events were deleted from the end)" if head_seq > self.seq else ""),
            )
        cp = self.checkpoint
        if self.problem is None and cp is not None and cp.seq > self.seq:
            self.fail(
                self.seq + 1,
                f"events missing before the checkpoint: it covers events up to {cp.seq}, "
                f"the log ends at {self.seq} (truncated or deleted)",
            )
        ok = self.problem is None
        return VerifyReport(ok, self.checked, self.first_bad, self.problem)


def check_checkpoint(
    checkpoint: object, key: object, log_id: str
) -> tuple[Checkpoint | None, VerifyReport | None]:
    """
    The checkpoint to walk with, or the failed report when it is foreign or forged.

    Raises:
        ValidationError: *checkpoint* is not a `Checkpoint`, or *key* is missing or short.
    """
    if checkpoint is None:
        if key is not None:
            check_key(key)
        return None, None
    if not isinstance(checkpoint, Checkpoint):
        raise ValidationError(f"checkpoint must be a Checkpoint, got {shorten(checkpoint)}")
    if key is None:
        raise ValidationError("verify needs the key the checkpoint was signed with")
    secret = check_key(key)
    expected = sign(secret, checkpoint.log_id, checkpoint.seq, checkpoint.hash)
    if not hmac.compare_digest(expected, checkpoint.mac):
        return None, VerifyReport(
            False, 0, None, "bad checkpoint signature: wrong key, or the checkpoint was altered"
        )
    if checkpoint.log_id != log_id:
        return None, VerifyReport(
            False,
            0,
            None,
            f"checkpoint from another log ({checkpoint.log_id}); this log is {log_id}",
        )
    return checkpoint, None
