"""
Read a generated delimited file of about 1 GB with `CsvSource` and report its peak memory.

Not run by the tests (it writes 1 GB and takes minutes); run it by hand:

    .venv/bin/python scripts/check_large_import.py [--size-mb 1024] [--dir /tmp]

The file is written lazily (UTF-8 with a byte-order mark, ``;``-separated, an accented name
and a quoted cell with a delimiter in every row, one row in Latin-1 every 100,000), then read
row by row. The script prints rows read, unreadable rows, seconds, and the peak of the
process's resident memory, and exits 1 when that peak exceeds ``--bound-mb`` (default 200).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from recordkit.sources import CsvRow, CsvSource

FIELDS = ("email", "first_name", "last_name", "city", "notes")


def generate(path: Path, size: int) -> int:
    """
    Write about *size* bytes of rows to *path*; return the number of rows.
    """
    rows = 0
    with path.open("wb") as out:
        out.write("\ufeffE-Mail;First Name;Last Name;City;Notes\r\n".encode())
        written = 0
        block: list[bytes] = []
        while written < size:
            if rows % 100_000 == 99_999:
                line = f"p{rows}@example.org;Zoë;Koç;Liège;pasted\r\n".encode("latin-1")
            else:
                line = f'p{rows}@example.org;Zoë;Family {rows};Zürich;"a; b"\r\n'.encode()
            block.append(line)
            written += len(line)
            rows += 1
            if len(block) == 10_000:
                out.write(b"".join(block))
                block.clear()
        out.write(b"".join(block))
    return rows


def peak_mb() -> float:
    """
    The process's peak resident memory so far, in MiB.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / (1 << 20) if sys.platform == "darwin" else usage / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else "")
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--bound-mb", type=float, default=200.0)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    path = args.dir / "recordkit-large-import.csv"
    try:
        print(f"writing {args.size_mb} MB to {path} …", flush=True)
        written = generate(path, args.size_mb << 20)
        before = peak_mb()
        start = time.perf_counter()
        read = unreadable = 0
        for row in CsvSource(path).rows(fields=FIELDS):
            if isinstance(row, CsvRow):
                read += 1
            else:
                unreadable += 1
        seconds = time.perf_counter() - start
        peak = peak_mb()
    finally:
        if path.exists():
            os.unlink(path)
    print(f"rows written {written:,}, read {read:,}, unreadable {unreadable:,}")
    print(f"{seconds:.1f} s; peak resident memory {peak:.1f} MiB (before reading {before:.1f})")
    ok = read + unreadable == written and unreadable == written // 100_000 and peak <= args.bound_mb
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
