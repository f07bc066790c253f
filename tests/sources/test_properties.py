"""Properties of CsvSource: any table Python's csv module writes, in any supported
delimiter and encoding, reads back equal; detection finds what was written."""

from __future__ import annotations

import csv
import io

from hypothesis import assume, given
from hypothesis import strategies as st

from recordkit.sources import CsvRow, CsvSource

DELIMITERS = (",", ";", "\t", "|")
DETECTED = ("utf-8", "utf-8-sig", "utf-16")
"""Encodings read without being declared: UTF-8, or a byte-order mark."""
DECLARED = ("latin-1", "cp1252")


def cells(codec: str | None, exclude: str = "") -> st.SearchStrategy[str]:
    chars = st.characters(
        codec=codec,
        exclude_categories=["Cs"],
        exclude_characters="\ufeff" + exclude,
    )
    return st.text(chars, max_size=12)


@st.composite
def tables(
    draw: st.DrawFn, codec: str | None = None, exclude: str = "", min_columns: int = 1
) -> tuple[list[str], list[list[str]]]:
    width = draw(st.integers(min_columns, 5))
    header = draw(st.lists(cells(codec, exclude), min_size=width, max_size=width, unique=True))
    assume(not (width == 1 and header[0].startswith("sep=")))
    assume(any(name.strip() for name in header))  # a header of blank names is no header
    rows = draw(st.lists(st.lists(cells(codec, exclude), min_size=width, max_size=width),
                         max_size=8))  # fmt: skip
    return header, rows


def written(header: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def read_back(source: CsvSource) -> list[list[str]]:
    out = []
    for row in source.rows():
        assert isinstance(row, CsvRow), row
        out.append(list(row.values.values()))
    return out


@given(data=st.data(), delimiter=st.sampled_from(DELIMITERS), encoding=st.sampled_from(DETECTED))
def test_unicode_tables_read_back_equal(data: st.DataObject, delimiter: str, encoding: str) -> None:
    """UTF-8 (with or without a mark) and UTF-16 tables read back equal, undeclared."""
    header, rows = data.draw(tables())
    source = CsvSource(io.BytesIO(written(header, rows, delimiter).encode(encoding)),
                       delimiter=delimiter)  # fmt: skip
    assert rows == read_back(source)
    assert source.layout is not None
    assert tuple(header) == source.layout.header


@given(data=st.data(), delimiter=st.sampled_from(DELIMITERS), encoding=st.sampled_from(DECLARED))
def test_legacy_tables_read_back_equal(data: st.DataObject, delimiter: str, encoding: str) -> None:
    """Latin-1 and cp1252 tables read back equal when their encoding is declared."""
    header, rows = data.draw(tables(codec=encoding))
    raw = written(header, rows, delimiter).encode(encoding)
    source = CsvSource(io.BytesIO(raw), delimiter=delimiter, encoding=encoding)
    assert rows == read_back(source)


@given(data=st.data(), delimiter=st.sampled_from(DELIMITERS), encoding=st.sampled_from(DETECTED))
def test_the_delimiter_is_detected(data: st.DataObject, delimiter: str, encoding: str) -> None:
    """With two columns or more, and no other candidate delimiter in the cells, the one the
    file was written with is found, quoted delimiters and line breaks in cells included."""
    others = "".join(d for d in DELIMITERS if d != delimiter)
    header, rows = data.draw(tables(exclude=others, min_columns=2))
    assume(all(h.strip() or len(header) > 1 for h in header))
    source = CsvSource(io.BytesIO(written(header, rows, delimiter).encode(encoding)))
    assert rows == read_back(source)
    assert source.layout is not None
    assert delimiter == source.layout.delimiter
