"""
Master keys: the `KeyProvider` protocol and `LocalKeyFile`, the default provider.

A provider holds master keys and wraps (encrypts) data keys under them; `LocalKeyFile`
keeps one master key in a file readable by its owner only, and a KMS plugs in as another
provider. The ``cryptography`` package is imported on first use (`aead`), so recordkit works
without it until encryption is asked for; then its absence is a `StoreError` with the
install hint.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import stat
from abc import ABC, abstractmethod
from collections.abc import Sequence
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Final

from recordkit._errors import StoreError, shorten

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "INSTALL_HINT",
    "KEY_BYTES",
    "KeyProvider",
    "LocalKeyFile",
    "aead",
    "check_bytes",
    "check_text",
    "invalid_tag",
]


INSTALL_HINT: Final = (
    "encryption at rest needs the 'cryptography' package: pip install 'recordkit[crypto]'"
)
KEY_BYTES: Final = 32
"""
AES-256: every master and data key is 32 random bytes.
"""
_NONCE: Final = 12
_FILE_HEADER: Final = "recordkit-master-key v1 "


def aead() -> type[AESGCM]:
    """
    The AES-GCM class of ``cryptography``, imported on first use.

    Raises:
        StoreError: ``cryptography`` is not installed (the message says how to install it).
    """
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as exc:
        raise StoreError(INSTALL_HINT) from exc
    return AESGCM


def invalid_tag() -> type[Exception]:
    from cryptography.exceptions import InvalidTag

    return InvalidTag


def check_text(what: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise StoreError(f"{what} must be non-empty text, got {shorten(value)}")
    return value


def check_bytes(what: str, value: object) -> bytes:
    if not isinstance(value, bytes):
        raise StoreError(f"{what} must be bytes, got {shorten(value)}")
    return value


class KeyProvider(ABC):
    """
    Where master keys live: wraps and unwraps data keys, derives keys, destroys keys.

    Subclass it to keep master keys in a KMS or an HSM; `LocalKeyFile` keeps one in a file.
    Key ids are the provider's own names for its master keys; a store keeps, beside each
    wrapped data key, the id of the key that wrapped it.

    .. versionadded:: 0.2.0
    """

    @property
    @abstractmethod
    def key_id(self) -> str:
        """
        The id of the master key new data keys are wrapped under.
        """

    @abstractmethod
    def wrap(self, key_id: str, data_key: bytes) -> bytes:
        """
        Encrypt *data_key* under the master key *key_id*.

        Raises:
            StoreError: the key is unknown or destroyed.
        """

    def wrap_many(self, key_id: str, data_keys: Sequence[bytes]) -> list[bytes]:
        """
        Each of *data_keys* wrapped under *key_id*, in order (`wrap` of each by default).

        A provider that can wrap many keys in one request (or faster in a loop) overrides it.

        Raises:
            StoreError: the key is unknown or destroyed.
        """
        return [self.wrap(key_id, k) for k in data_keys]

    @abstractmethod
    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        """
        Decrypt a data key `wrap` made under *key_id*.

        Raises:
            StoreError: the key is unknown, destroyed or not the one that wrapped it, or
                *wrapped* was altered.
        """

    @abstractmethod
    def derive(self, key_id: str, purpose: str) -> bytes:
        """
        A 32-byte key for *purpose* (such as blind indexes), derived from master key *key_id*.

        Raises:
            StoreError: the key is unknown or destroyed.
        """

    @abstractmethod
    def destroy(self, key_id: str) -> None:
        """
        Destroy master key *key_id*: every data key wrapped under it is lost for good.

        Raises:
            StoreError: the key is unknown.
        """


class LocalKeyFile(KeyProvider):
    """
    One master key in a local file readable by its owner only: the default provider.

    Examples:
        >>> import pathlib, tempfile
        >>> from recordkit.governance import LocalKeyFile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "master.key"
        >>> keys = LocalKeyFile(path, create=True)
        >>> oct(path.stat().st_mode & 0o777)
        '0o600'
        >>> LocalKeyFile(path).key_id == keys.key_id
        True

    Args:
        path: the key file.
        create: make a new master key at *path* if there is no file there (by default a
            missing file is an error: a typo in the path must not start a new key). A new
            key file's name ends in ``.key``.

    Raises:
        StoreError: the file is missing (and *create* is false, or its name does not
            end in ``.key``), cannot be read or written, is readable by others than its
            owner, or does not hold a key.

    .. versionadded:: 0.2.0
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False) -> None:
        if not isinstance(create, bool):
            raise StoreError(f"LocalKeyFile create must be true or false, got {shorten(create)}")
        if not isinstance(path, str | os.PathLike) or not str(path).strip():
            raise StoreError(f"LocalKeyFile needs the path of a key file, got {shorten(path)}")
        try:
            self._path = Path(path)
            exists = self._path.exists()
        except (OSError, ValueError, TypeError) as exc:
            raise StoreError(f"key file {shorten(str(path))}: {exc}") from None
        if not exists and not create:
            raise StoreError(
                f"no key file at {shorten(str(path))}; pass create=True to make a new master key"
            )
        if not exists and self._path.suffix != ".key":
            raise StoreError(
                f"a new key file's name ends in .key, got {shorten(str(path))} "
                "(so that no other path becomes a key file by mistake)"
            )
        self._key: bytes | None = self._read() if exists else self._create()
        self._id = "local:" + hmac.digest(self._key, b"recordkit key id", "sha256").hex()[:16]
        self._cipher: AESGCM | None = None

    def __repr__(self) -> str:
        return f"LocalKeyFile({str(self._path)!r}, key_id={self._id!r})"

    def _create(self) -> bytes:
        key = os.urandom(KEY_BYTES)
        text = _FILE_HEADER + base64.b64encode(key).decode("ascii") + "\n"
        try:
            fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot create key file {shorten(str(self._path))}: {exc}") from None
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(text)
        return key

    def _read(self) -> bytes:
        where = shorten(str(self._path))
        try:
            mode = self._path.stat().st_mode
            if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise StoreError(
                    f"key file {where} is readable by others (mode {oct(mode & 0o777)}); "
                    "make it private: chmod 600"
                )
            text = self._path.read_text(encoding="ascii")
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read key file {where}: {exc}") from None
        try:
            if not text.startswith(_FILE_HEADER):
                raise ValueError("no header")
            key = base64.b64decode(text[len(_FILE_HEADER) :].strip(), validate=True)
        except (ValueError, binascii.Error):
            raise StoreError(f"key file {where} does not hold a recordkit master key") from None
        if len(key) != KEY_BYTES:
            raise StoreError(f"key file {where} does not hold a 32-byte master key")
        return key

    def _master(self, key_id: object) -> bytes:
        check_text("key_id", key_id)
        if self._key is None:
            raise StoreError(f"master key {self._id} was destroyed")
        if key_id != self._id:
            raise StoreError(
                f"data key wrapped under master key {shorten(key_id)}, but key file "
                f"{shorten(str(self._path))} holds {self._id} (the wrong key file?)"
            )
        return self._key

    @property
    def key_id(self) -> str:
        """
        The id of this file's master key (a keyed digest of it, not the key).
        """
        return self._id

    def wrap(self, key_id: str, data_key: bytes) -> bytes:
        """
        Encrypt *data_key* under this file's master key (AES-256-GCM).

        Raises:
            StoreError: *key_id* is not this file's key, or the key was destroyed.
        """
        master = self._master(key_id)
        check_bytes("data_key", data_key)
        if self._cipher is None:
            self._cipher = aead()(master)
        nonce = os.urandom(_NONCE)
        return nonce + self._cipher.encrypt(nonce, data_key, self._id.encode())

    def wrap_many(self, key_id: str, data_keys: Sequence[bytes]) -> list[bytes]:
        """
        Each of *data_keys* encrypted under this file's master key, in order.

        Raises:
            StoreError: *key_id* is not this file's key, the key was destroyed, or a data
                key is not bytes.
        """
        master = self._master(key_id)
        if not isinstance(data_keys, list | tuple):
            raise StoreError(f"wrap_many takes a list of data keys, got {shorten(data_keys)}")
        if self._cipher is None:
            self._cipher = aead()(master)
        if not all(map(isinstance, data_keys, repeat(bytes))):
            bad = next(k for k in data_keys if not isinstance(k, bytes))
            check_bytes("data_key", bad)
        encrypt = self._cipher.encrypt
        aad = self._id.encode()
        pool = os.urandom(_NONCE * len(data_keys))
        nonces = [pool[at : at + _NONCE] for at in range(0, len(pool), _NONCE)]
        return [n + encrypt(n, k, aad) for n, k in zip(nonces, data_keys, strict=True)]

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        """
        Decrypt a data key `wrap` made.

        Raises:
            StoreError: *key_id* is not this file's key, the key was destroyed, or
                *wrapped* was altered.
        """
        master = self._master(key_id)
        check_bytes("wrapped", wrapped)
        if self._cipher is None:
            self._cipher = aead()(master)
        try:
            return self._cipher.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], self._id.encode())
        except (invalid_tag(), ValueError):
            raise StoreError(
                f"a data key wrapped under {self._id} does not open: it was altered"
            ) from None

    def derive(self, key_id: str, purpose: str) -> bytes:
        """
        A key for *purpose*: HMAC-SHA256 of it under this file's master key.

        Raises:
            StoreError: *key_id* is not this file's key, or the key was destroyed.
        """
        master = self._master(key_id)
        check_text("purpose", purpose)
        return hmac.digest(master, b"recordkit derive\x00" + purpose.encode(), "sha256")

    def destroy(self, key_id: str) -> None:
        """
        Overwrite and delete the key file: everything encrypted under it is lost for good.

        Raises:
            StoreError: *key_id* is not this file's key, or the file cannot be removed.
        """
        self._master(key_id)
        try:
            size = self._path.stat().st_size
            with self._path.open("r+b") as f:
                f.write(b"\x00" * size)
                f.flush()
                os.fsync(f.fileno())
            self._path.unlink()
        except OSError as exc:
            raise StoreError(f"cannot destroy key file {shorten(str(self._path))}: {exc}") from None
        self._key = None
        self._cipher = None
