"""
Crypto-shredding and sealed audit values, for an encrypting `SQLStore`.

`shred` destroys records' data keys: their encrypted values, the provenance raw values of
those fields and the audit values sealed under the same keys become unreadable for good,
while the rest of each record stays. The audit trail of an encrypting store keeps the
values of encrypted fields sealed under the record's data key (`seal_audit`), so an event
holds no plaintext of them either.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager

import sqlalchemy as sa

from recordkit.store._checks import check_ids
from recordkit.store.sql._codec import RecordCodec
from recordkit.store.sql._keyring import Keyring

__all__ = ["ShredMethods"]

Changes = Mapping[str, Mapping[str, list[object]]]
Written = Mapping[str, Mapping[str, object]]


class ShredMethods(ABC):
    """
    `SQLStore.shred` and the sealing of audit values.
    """

    _keys: Keyring | None
    _codecs: dict[str, RecordCodec]

    @abstractmethod
    def _unit(self, what: str) -> AbstractContextManager[sa.Connection]:
        """
        One atomic piece of work (see `Database.unit`).
        """

    def shred(self, record_ids: Sequence[str]) -> int:
        """
        Destroy the data keys of *record_ids*: their encrypted values are unreadable for good.

        Crypto-shredding: the encrypted fields' values, the raw values of those fields in
        provenance and the audit values sealed under the same keys stay in the database
        but can never be opened again, in every copy (backups included). A shredded
        record still reads, with each encrypted field a `Masked` value of kind
        ``shredded``; writing it again is refused (`StoreError`). `erase` deletes the
        records themselves and their key rows. A store without encryption holds no keys
        and shreds nothing.

        Args:
            record_ids: the records whose data keys are destroyed.

        Returns:
            How many data keys were destroyed (records already shredded, or without
            encrypted values, do not count).

        Raises:
            StoreError: *record_ids* is not a list of ids, or the database failed.

        .. versionadded:: 0.2.0
        """
        ids = [i for i in check_ids(record_ids) if isinstance(i, str)]
        if self._keys is None or not ids:
            return 0
        keys = self._keys
        with self._unit("shredding data keys") as conn:
            return keys.shred(conn, list(dict.fromkeys(ids)))

    def _seal_audit(
        self, conn: sa.Connection, schema: str, changes: Changes, after: Written | None
    ) -> tuple[Changes, Written | None]:
        """
        An event's *changes* and *after* with the values of encrypted fields sealed.
        """
        codec = self._codecs.get(schema)
        sealer = None if codec is None else codec.sealer
        if sealer is None or self._keys is None:
            return changes, after
        ids = [*changes, *(after or {})]
        if not ids:
            return changes, after
        seal = sealer.seal_audit
        sealed = sealer.fields
        with self._keys.scope(conn, ids, create=True):
            new_changes = {
                rid: {
                    name: [seal(rid, name, v) for v in pair] if name in sealed else pair
                    for name, pair in fields.items()
                }
                for rid, fields in changes.items()
            }
            new_after = (
                None
                if after is None
                else {
                    rid: {
                        name: seal(rid, name, v) if name in sealed else v
                        for name, v in fields.items()
                    }
                    for rid, fields in after.items()
                }
            )
        return new_changes, new_after
