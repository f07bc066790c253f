"""
Reading a definition file (a schema, a lifecycle) safely, whatever the path names.

Only a regular file is read, and only up to a size limit: a FIFO, a device (``/dev/zero``),
a directory or a socket is refused before it is opened, the file is opened without
blocking, and at most *limit* + 1 bytes are read, so a path can neither hang the caller nor
fill its memory.
"""

from __future__ import annotations

import os
import stat
from typing import Final

from recordkit._errors import SchemaError, shorten

__all__ = ["not_regular", "read_definition", "source_name"]

_CHUNK: Final = 1 << 16
_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def source_name(path: object) -> str:
    """
    The path as error messages name it: its text, cut to 200 characters.
    """
    text = os.fspath(path) if isinstance(path, str | os.PathLike) else path
    if not isinstance(text, str) or not text.isprintable():
        return shorten(text, 200)  # escaped: a NUL or a lone surrogate never reaches a log
    return text if len(text) <= 200 else f"{text[:199]}…"


def read_definition(path: object, *, limit: int, what: str) -> bytes:
    """
    Return the bytes of the regular file at *path*, at most *limit* of them.

    Args:
        path: a file path (text or path-like).
        limit: the largest file accepted, in bytes.
        what: what the file holds, for messages (``"schema"``).

    Raises:
        SchemaError: *path* is not a path, names no regular file (a directory, a FIFO, a
            device), cannot be read, or holds more than *limit* bytes; the message names
            the path.
    """
    if not isinstance(path, str | os.PathLike) or not isinstance(os.fspath(path), str):
        raise SchemaError(f"expected a {what} file path (text), got {shorten(path)}")
    source = source_name(path)
    try:
        info = os.stat(path)
        _check_kind(info, source)
        if info.st_size > limit:
            raise _too_large(limit, source)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
    except SchemaError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SchemaError(f"cannot read the {what} file: {reason[:200]}", source=source) from None
    try:
        _check_kind(os.fstat(fd), source)  # the path may have been swapped since stat()
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise SchemaError(
            f"cannot read the {what} file: {exc.strerror or exc}", source=source
        ) from None
    finally:
        os.close(fd)
    if size > limit:
        raise _too_large(limit, source)
    return b"".join(chunks)


def not_regular(info: os.stat_result) -> str | None:
    """
    Why a file with status *info* is not a regular file, or ``None`` when it is one.
    """
    for test, kind in _KINDS:
        if test(info.st_mode):
            return f"not a regular file but {kind}"
    return None if stat.S_ISREG(info.st_mode) else "not a regular file"


def _check_kind(info: os.stat_result, source: str) -> None:
    if (why := not_regular(info)) is not None:
        raise SchemaError(why, source=source)


def _too_large(limit: int, source: str) -> SchemaError:
    return SchemaError(f"file too large (over {limit} bytes)", source=source)
