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

    def sealer(self, count: int) -> Callable[[DataKey, bytes, bytes], str]:
        """
        A function sealing *count* values, each under the data key given with it.

        It takes a key, the UTF-8 bytes of a text and those of its context, and gives what
        `DataKey.seal` gives of the text and context: for a caller sealing many values at
        once (a store's bulk write, the fields of many records), which holds their bytes
        already. The nonces of all *count* values are drawn at once, and a run of values
        under one key makes its cipher once. Bytes that are not UTF-8 seal, but do not open.

        The function belongs to the thread that made it: it hands out the nonces drawn
        for it without a lock, so another thread calling it is refused.

        Raises:
            StoreError: *count* is not a whole number from 0 to 100,000,000; the function
                raises it when given more than *count* values, something else than a
                `DataKey`, data that are not bytes-like (text, say), a context that is not
                bytes, or when called from another thread.
        """
        if count.__class__ is not int or not 0 <= count <= 100_000_000:
            raise StoreError(f"sealer takes a count from 0 to 100000000, got {shorten(count)}")
        nonces = _NONCES.take(_NONCE * count)
        b2a = binascii.b2a_base64
        owner = threading.get_ident()
        ident = threading.get_ident
        at = 0
        last: DataKey | None = None
        encrypt: Callable[[bytes, bytes, bytes], bytes] | None = None

        def seal(key: DataKey, data: bytes, context: bytes) -> str:
            nonlocal at, last, encrypt
            if ident() != owner:  # two threads could take the same nonce
                raise StoreError("a sealer is used by the thread that made it only")
            if key is not last or encrypt is None:
                if not isinstance(key, DataKey):
                    raise StoreError(f"a sealer seals under a DataKey, got {shorten(key)}")
                encrypt = (key._cipher or key._aead(key._secret)).encrypt  # kept by `_kept`
                last = key
            if context.__class__ is not bytes:  # None would seal the value bound to nothing
                raise StoreError(f"a sealer takes the context as bytes, got {shorten(context)}")
            end = at + _NONCE
            nonce = nonces[at:end]
            if len(nonce) != _NONCE:
                raise StoreError(f"this sealer was made for {count} values; it sealed them all")
            at = end
            try:
                sealed = encrypt(nonce, data, context)
            except TypeError:
                raise StoreError(f"a sealer seals bytes, got {shorten(data)}") from None
            # the base64 text ends in a newline, cut here: cheaper than newline=False
            return b2a(_VERSION + nonce + sealed)[:-1].decode()

        return seal

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
        fresh = self._index_state(context, "indexer")

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

    def encoded_indexer(self, context: str) -> Callable[[bytes], str]:
        """
        `indexer` taking the UTF-8 bytes of the text (for a caller that encoded it already).

        The index of ``text.encode()`` is the index `indexer` gives of ``text``.

        Raises:
            StoreError: *context* is not text, or the master key is missing; the function
                raises it when given data that are not bytes-like (text, say).
        """
        fresh = self._index_state(context, "encoded_indexer")

        def index(data: bytes) -> str:
            state = fresh()
            try:
                state.update(data)
            except TypeError:
                raise StoreError(
                    f"an encoded blind index is taken of bytes, got {shorten(data)}"
                ) from None
            return state.hexdigest()

        return index

    def _index_state(self, context: str, caller: str) -> Callable[[], hashlib.blake2b]:
        """
        A fresh keyed BLAKE2b state for *context*'s blind indexes, each call (a copy).

        The key is an HMAC of the context under the key the provider derives for blind
        indexes, made once per context; keying BLAKE2b once and copying its state per text
        costs a fraction of keying it anew.
        """
        if context.__class__ is not str:
            raise StoreError(f"{caller} takes a context (text), got {shorten(context)}")
        key = self._index_keys.get(context)
        if key is None:
            base = self.provider.derive(self.provider.key_id, "blind index")
            key = self._index_keys[context] = hmac.digest(base, context.encode(), "sha256")
        return hashlib.blake2b(key=key, digest_size=16).copy
