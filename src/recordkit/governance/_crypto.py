"""
Encryption at rest: per-subject data keys, sealed values and blind indexes.

A `FieldEncryption` says which fields are encrypted and makes the pieces a store needs: a
fresh `DataKey` per subject (a record), wrapped by a `KeyProvider` so the store can keep it
beside the record; the same key unwrapped again to read; and keyed blind indexes, so an
exact-match query finds an encrypted value without decrypting the column. Values are sealed
with AES-256-GCM, a random 96-bit nonce each, and associated data the store chooses (table,
record id and field), so a ciphertext copied to another cell does not open there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Final

from recordkit._errors import SchemaError, StoreError, shorten
from recordkit.governance._keys import (
    KEY_BYTES,
    KeyProvider,
    aead,
    check_bytes,
    check_text,
    invalid_tag,
)
from recordkit.schema import Schema

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["DataKey", "FieldEncryption"]

_NONCE: Final = 12
_VERSION: Final = b"\x01"
"""
The first byte of every sealed value: the format, so a later one can be told apart.
"""


_POOL: Final = 12 * 4096
"""
Bytes of randomness drawn from the system at once for nonces (a block serves many seals).
"""


class _Nonces:
    """
    Random nonces, drawn from ``os.urandom`` a block at a time: one system call per 4,096.

    Every nonce is fresh randomness handed out once (under a lock, so threads never share
    one); a child process forgets the parent's block (``os.register_at_fork``), so it
    never hands out what its parent does.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool = b""
        self._at = 0

    def take(self, size: int) -> bytes:
        """
        *size* random bytes never handed out before.
        """
        with self._lock:
            at = self._at
            end = at + size
            if end > len(self._pool):
                self._pool = os.urandom(max(_POOL, size))
                at, end = 0, size
            self._at = end
            return self._pool[at:end]

    def forget(self) -> None:
        """
        Drop the block at hand (in a child process after a fork).
        """
        self._lock = threading.Lock()
        self._pool = b""
        self._at = 0


_NONCES: Final = _Nonces()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_NONCES.forget)


class DataKey:
    """
    One subject's data key, unwrapped: seals and opens that subject's values.

    Made by `FieldEncryption.new_key` and `FieldEncryption.open_key`; its repr never shows
    the key.

    Attributes:
        key_id: the master key that wrapped it.
        wrapped: the data key encrypted under that master key (what a store keeps).

    .. versionadded:: 0.2.0
    """

    __slots__ = ("_aead", "_cipher", "_secret", "key_id", "wrapped")

    key_id: str
    wrapped: bytes
    _secret: bytes
    _aead: type[AESGCM]
    _cipher: AESGCM | None

    def __init__(self) -> None:
        raise StoreError("a DataKey is made by FieldEncryption.new_key or open_key")

    @classmethod
    def _made(cls, key_id: str, wrapped: bytes, secret: bytes, aead: type[AESGCM]) -> DataKey:
        # The cipher is made on first use: an AES-GCM object holds OpenSSL contexts (over
        # a KiB), and a bulk write's keys seal once each (`seal_many` keeps none).
        key = object.__new__(cls)
        key.key_id = key_id
        key.wrapped = wrapped
        key._secret = secret
        key._aead = aead
        key._cipher = None
        return key

    def _kept(self) -> AESGCM:
        """
        The key's cipher, made once and kept (for a key that seals or opens many values).
        """
        cipher = self._cipher
        if cipher is None:
            cipher = self._cipher = self._aead(self._secret)
        return cipher

    def __repr__(self) -> str:
        return f"DataKey(key_id={self.key_id!r})"

    def seal(self, text: str, context: str) -> str:
        """
        *text* encrypted (AES-256-GCM, a fresh nonce), bound to *context*, as base64 text.

        Raises:
            StoreError: *text* or *context* is not text, or cannot be encoded as UTF-8.
        """
        if text.__class__ is not str or context.__class__ is not str:
            raise StoreError(f"seal takes text and a context, got {shorten(text)}")
        try:
            data = text.encode()
            aad = context.encode()
        except UnicodeEncodeError:
            raise StoreError("seal: the text or context is not valid Unicode") from None
        nonce = _NONCES.take(_NONCE)
        sealed = _VERSION + nonce + self._kept().encrypt(nonce, data, aad)
        return binascii.b2a_base64(sealed, newline=False).decode("ascii")

    def seal_many(self, items: Sequence[tuple[str, str]]) -> list[str]:
        """
        Each ``(text, context)`` of *items* sealed as `seal` does, in order.

        Raises:
            StoreError: an item is not a pair of texts, or not valid Unicode.
        """
        if not isinstance(items, list | tuple):
            raise StoreError(
                f"seal_many takes a list of (text, context) pairs, got {shorten(items)}"
            )
        nonces = _NONCES.take(_NONCE * len(items))
        encrypt = (self._cipher or self._aead(self._secret)).encrypt  # kept by none but `_kept`
        b2a = binascii.b2a_base64
        out: list[str] = []
        at = 0
        for item in items:
            try:
                text, context = item
                data = text.encode()
                aad = context.encode()
            except (TypeError, ValueError, AttributeError):
                raise StoreError(
                    f"seal_many takes (text, context) pairs of text, got {shorten(item)}"
                ) from None
            nonce = nonces[at : at + _NONCE]
            at += _NONCE
            out.append(b2a(_VERSION + nonce + encrypt(nonce, data, aad), newline=False).decode())
        return out

    def open(self, token: str, context: str) -> str:
        """
        The text `seal` encrypted into *token* under the same *context*.

        Raises:
            StoreError: *token* is not a sealed value, was altered, was sealed under
                another key, or under another context (moved to another record or field).
        """
        if not isinstance(token, str) or not isinstance(context, str):
            raise StoreError(f"open takes a sealed value and a context, got {shorten(token)}")
        try:
            raw = base64.b64decode(token, validate=True)
            if raw[:1] != _VERSION or len(raw) < 1 + _NONCE + 16:
                raise ValueError("not a sealed value")
            cipher = self._kept()
            data = cipher.decrypt(raw[1 : 1 + _NONCE], raw[1 + _NONCE :], context.encode())
            return data.decode()
        except (invalid_tag(), ValueError, binascii.Error, UnicodeError):
            raise StoreError(
                "an encrypted value does not open: it was altered, moved from another "
                "record or field, or sealed under another key"
            ) from None


def _names(what: str, value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, bytes) or not isinstance(value, Iterable):
        raise SchemaError(f"FieldEncryption {what} must be a list of names, got {shorten(value)}")
    out = tuple(value)
    for name in out:
        if not isinstance(name, str) or not name:
            raise SchemaError(f"FieldEncryption {what} must be names, got {shorten(name)}")
    return frozenset(out)


class FieldEncryption:
    """
    Which fields a store keeps encrypted, and the keys it encrypts them with.

    Each subject (record) gets its own random data key, wrapped by *provider* and kept
    beside the record; each value is sealed with AES-256-GCM under it. Destroying a
    subject's data key (`SQLStore.shred`) makes its values unreadable for good
    (crypto-shredding). Exact-match queries use blind indexes: keyed BLAKE2b (128 bits) of
    the value under a key *provider* derives, one per table and field.

    Examples:
        >>> import pathlib, tempfile
        >>> from recordkit.governance import FieldEncryption, LocalKeyFile
        >>> keys = LocalKeyFile(pathlib.Path(tempfile.mkdtemp()) / "master.key", create=True)
        >>> encryption = FieldEncryption(keys, fields=["email"])
        >>> key = encryption.new_key()
        >>> token = key.seal("ada@example.com", "contact/c1/email")
        >>> encryption.open_key(key.key_id, key.wrapped).open(token, "contact/c1/email")
        'ada@example.com'

    Args:
        provider: holds the master key (`LocalKeyFile`, or a KMS provider).
        fields: fields encrypted by name (in every schema that has them).
        tags: fields encrypted by tag (``sensitive`` by default).

    Raises:
        SchemaError: *provider* is not a `KeyProvider`, or *fields* or *tags* are not names.
        StoreError: ``cryptography`` is not installed (with the install hint).

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        provider: KeyProvider,
        *,
        fields: Iterable[str] | None = None,
        tags: Iterable[str] = ("sensitive",),
    ) -> None:
        if not isinstance(provider, KeyProvider):
            raise SchemaError(
                f"FieldEncryption needs a KeyProvider (such as LocalKeyFile), got "
                f"{shorten(provider)}"
            )
        self.provider = provider
        self.fields = frozenset() if fields is None else _names("fields", fields)
        self.tags = _names("tags", tags)
        self._aead = aead()
        self._index_keys: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return (
            f"FieldEncryption({self.provider!r}, fields={sorted(self.fields)}, "
            f"tags={sorted(self.tags)})"
        )

    def fields_for(self, schema: Schema) -> tuple[str, ...]:
        """
        The fields of *schema* that are encrypted: named, or carrying one of the tags.

        Raises:
            SchemaError: *schema* is not a `Schema`.
        """
        if not isinstance(schema, Schema):
            raise SchemaError(f"fields_for takes a Schema, got {shorten(schema)}")
        return tuple(f.name for f in schema.fields if f.name in self.fields or f.tags & self.tags)

    def new_key(self) -> DataKey:
        """
        A fresh random data key, wrapped under the provider's current master key.

        Raises:
            StoreError: the provider cannot wrap it.
        """
        key_id = self.provider.key_id
        data_key = os.urandom(KEY_BYTES)
        return DataKey._made(key_id, self.provider.wrap(key_id, data_key), data_key, self._aead)

    def new_keys(self, count: int) -> list[DataKey]:
        """
        *count* fresh data keys (`new_key`, many at once).

        Raises:
            StoreError: *count* is not a whole number from 0 to 1,000,000, or the provider
                cannot wrap them.
        """
        if count.__class__ is not int or not 0 <= count <= 1_000_000:
            raise StoreError(f"new_keys takes a count from 0 to 1000000, got {shorten(count)}")
        key_id = self.provider.key_id
        pool = os.urandom(KEY_BYTES * count)
        data_keys = [pool[at : at + KEY_BYTES] for at in range(0, KEY_BYTES * count, KEY_BYTES)]
        wrapped = self.provider.wrap_many(key_id, data_keys)
        if len(wrapped) != count:
            raise StoreError(f"the key provider wrapped {len(wrapped)} of {count} data keys")
        aead = self._aead
        made = DataKey._made
        return [made(key_id, w, k, aead) for k, w in zip(data_keys, wrapped, strict=True)]

    def open_key(self, key_id: str, wrapped: bytes) -> DataKey:
        """
        The data key *wrapped* under master key *key_id*, unwrapped.

        Raises:
            StoreError: the provider does not hold *key_id* (a wrong or destroyed master
                key), or *wrapped* was altered.
        """
        check_text("key_id", key_id)
        data_key = self.provider.unwrap(key_id, check_bytes("wrapped", wrapped))
        if not isinstance(data_key, bytes) or len(data_key) != KEY_BYTES:
            raise StoreError(f"a data key unwrapped under {shorten(key_id)} is not 32 bytes")
        return DataKey._made(key_id, wrapped, data_key, self._aead)

    def blind_index(self, context: str, text: str) -> str:
        """
        The blind index of *text* in *context* (a table and field): keyed, not reversible.

        Equal texts in one context give equal indexes; the key is derived from the
        provider's current master key, so the indexes hold no value and cannot be
        recomputed without it.

        Raises:
            StoreError: *context* or *text* is not text, or the master key is missing.
        """
        return self.indexer(context)(text)

    def indexer(self, context: str) -> Callable[[str], str]:
        """
        `blind_index` for one *context*, as a function of the text (for many values).

        Raises:
            StoreError: *context* is not text, or the master key is missing.
        """
        if context.__class__ is not str:
            raise StoreError(f"indexer takes a context (text), got {shorten(context)}")
        key = self._index_keys.get(context)
        if key is None:
            base = self.provider.derive(self.provider.key_id, "blind index")
            key = self._index_keys[context] = hmac.digest(base, context.encode(), "sha256")
        fresh = hashlib.blake2b(key=key, digest_size=16).copy  # keyed once, copied per text

        def index(text: str) -> str:
            if text.__class__ is not str:
                raise StoreError(f"a blind index is taken of text, got {shorten(text)}")
            try:
                data = text.encode()
            except UnicodeEncodeError:
                raise StoreError("a blind index is taken of valid Unicode only") from None
            state = fresh()
            state.update(data)
            return state.hexdigest()

        return index
