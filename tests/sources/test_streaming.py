"""CsvSource streams: the memory a reading needs does not grow with the file.

The 1 GB check is `scripts/check_large_import.py` (not run by the tests: it takes minutes).
"""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

from recordkit.sources import CsvRow, CsvSource

FIELDS = ("email", "first_name", "last_name", "city")
BOUND = 8 << 20
"""Peak bytes a reading may allocate, whatever the file's size: the 1 MiB head read for
detection, its decoded sample, a 64 KiB block and its lines, with room to spare."""


def generate(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["E-Mail", "First Name", "Last Name", "City"])
        for i in range(rows):
            writer.writerow([f"p{i}@example.org", "Zoë", f"Family {i}", "Zürich, CH"])
    return path


def peak(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = 0
        for row in CsvSource(path).rows(fields=FIELDS):
            assert isinstance(row, CsvRow)
            count += 1
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Reading 20,000 or 100,000 rows (1 MB, 5 MB) peaks at about the same memory, under
    `BOUND`."""
    small = generate(tmp_path / "small.csv", 20_000)
    large = generate(tmp_path / "large.csv", 100_000)
    assert large.stat().st_size > 4 * (1 << 20)
    small_rows, small_peak = peak(small)
    large_rows, large_peak = peak(large)
    assert (20_000, 100_000) == (small_rows, large_rows)
    assert large_peak < BOUND
    assert large_peak < small_peak * 1.5
