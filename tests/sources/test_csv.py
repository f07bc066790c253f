"""CsvSource reads delimited files as people have them: byte-order marks, legacy encodings,
other delimiters, renamed and folded headers, unknown columns by policy, and bad rows that
cost only themselves."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from recordkit import RecordkitError
from recordkit.sources import CsvRow, CsvSource, SourceError, UnreadableRow

FIELDS = ("email", "first_name", "last_name", "city")

PEOPLE = [
    ("ada@example.org", "Adèle", "Straße", "Zürich"),
    ("bob@example.org", "José", "Muñoz", "Sevilla"),
    ("cy@example.org", "Renée", "Çelik", "Montréal"),
    ("di@example.org", "Åsa", "Grünewald", "Köln"),
] * 25
"""Accented Western names: enough text for an encoding detector to be sure."""


def write(path: Path, lines: list[str], encoding: str, newline: str = "\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def table(delimiter: str = ",", header: str | None = None) -> list[str]:
    head = header or delimiter.join(FIELDS)
    return [head, *(delimiter.join(p) for p in PEOPLE)]


def read(source: CsvSource, fields: tuple[str, ...] | None = FIELDS) -> list[CsvRow]:
    rows = list(source.rows(fields=fields))
    assert all(isinstance(r, CsvRow) for r in rows), rows
    return [r for r in rows if isinstance(r, CsvRow)]


def values(rows: list[CsvRow]) -> list[tuple[str, ...]]:
    return [tuple(r.values[f] for f in FIELDS) for r in rows]


class TestEncodings:
    @pytest.mark.parametrize(
        ("encoding", "chosen"),
        [
            ("utf-8-sig", "utf-8"),
            ("utf-16", "utf-16-le"),
            ("utf-16-be", "utf-16-be"),
        ],
    )
    def test_a_byte_order_mark_is_honoured_and_stripped(
        self, tmp_path: Path, encoding: str, chosen: str
    ) -> None:
        """An Excel "CSV UTF-8" or UTF-16 file reads whole: the first header is a field."""
        lines = table()
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + "\n".join(lines).encode(encoding)
            path = tmp_path / "be.csv"
            path.write_bytes(data)
        else:
            path = write(tmp_path / "bom.csv", lines, encoding)
        source = CsvSource(path)
        assert PEOPLE == values(read(source))
        assert source.layout is not None
        assert (chosen, "bom") == (source.layout.encoding, source.layout.encoding_from)
        assert "email" == source.layout.columns["email"]

    @pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
    def test_a_legacy_encoding_is_detected(self, tmp_path: Path, encoding: str) -> None:
        """Latin-1 and cp1252 files (é, ß, € where the encoding has it) read back equal."""
        people = PEOPLE
        if encoding == "cp1252":  # a price on some rows: € is 0x80 in cp1252, absent in Latin-1
            people = [(*p[:3], f"{p[3]} 5 €" if i % 5 == 0 else p[3]) for i, p in enumerate(PEOPLE)]
        lines = [",".join(FIELDS), *(",".join(p) for p in people)]
        source = CsvSource(write(tmp_path / "legacy.csv", lines, encoding))
        assert people == values(read(source))
        assert source.layout is not None
        assert "detected" == source.layout.encoding_from
        assert source.layout.encoding in ("cp1252", "latin-1", "iso8859-15")

    def test_a_declared_encoding_wins(self, tmp_path: Path) -> None:
        """encoding= is used as given, and reported as declared."""
        path = write(tmp_path / "x.csv", table(), "cp1252")
        source = CsvSource(path, encoding="latin-1")
        assert PEOPLE == values(read(source))
        assert source.layout is not None
        assert ("iso8859-1", "declared") == (source.layout.encoding, source.layout.encoding_from)

    def test_a_row_in_another_encoding_is_quarantined_alone(self, tmp_path: Path) -> None:
        """One Latin-1 row in a UTF-8 file is unreadable, named by line and column; its
        neighbours read."""
        good = [",".join(FIELDS), *(",".join(p) for p in PEOPLE[:10])]
        data = "\n".join(good).encode("utf-8") + b"\n"
        data += "zed@example.org,Zoë,Koç,Liège\n".encode("latin-1")
        data += "eve@example.org,Ève,Lévy,Genève\n".encode()
        path = tmp_path / "mixed.csv"
        path.write_bytes(data)
        rows = list(CsvSource(path).rows(fields=FIELDS))
        bad = [r for r in rows if isinstance(r, UnreadableRow)]
        assert 12 == len(rows)
        assert 1 == len(bad)
        assert (12, "first_name", "encoding") == (bad[0].line, bad[0].column, bad[0].kind)
        assert "\\xeb" in bad[0].raw  # the raw bytes' repr: ë in Latin-1
        assert "utf-8" in bad[0].reason
        last = rows[-1]
        assert isinstance(last, CsvRow)
        assert (13, "Ève") == (last.line, last.values["first_name"])

    def test_without_the_detector_a_legacy_file_names_the_install(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without charset-normalizer a file that is not UTF-8 is refused, naming the extra;
        UTF-8 still reads."""
        import sys

        monkeypatch.setitem(sys.modules, "charset_normalizer", None)  # import fails
        legacy = CsvSource(write(tmp_path / "l.csv", table(), "cp1252"))
        with pytest.raises(SourceError, match=r"pip install 'recordkit\[import\]'"):
            list(legacy.rows(fields=FIELDS))
        assert PEOPLE == values(read(CsvSource(write(tmp_path / "u.csv", table(), "utf-8"))))

    def test_an_unknown_encoding_is_refused(self, tmp_path: Path) -> None:
        """An encoding Python does not know is a SourceError naming it."""
        source = CsvSource(write(tmp_path / "x.csv", table(), "utf-8"), encoding="klingon")
        with pytest.raises(SourceError, match="klingon"):
            list(source.rows())


class TestDelimiters:
    @pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
    def test_each_delimiter_is_detected(self, tmp_path: Path, delimiter: str) -> None:
        """Comma, semicolon, tab and pipe files are told apart."""
        source = CsvSource(write(tmp_path / "d.csv", table(delimiter), "utf-8"))
        assert PEOPLE == values(read(source))
        assert source.layout is not None
        assert (delimiter, "detected") == (
            source.layout.delimiter,
            source.layout.delimiter_from,
        )

    def test_a_quoted_delimiter_does_not_fool_detection(self) -> None:
        """Commas inside quoted cells of a ;-file count for nothing."""
        lines = ["email;city", *(f'"a{i}@x.org";"Paris, France, {i}"' for i in range(20))]
        source = CsvSource(io.StringIO("\n".join(lines)))
        rows = read(source, ("email", "city"))
        assert ";" == (source.layout.delimiter if source.layout else None)
        assert "Paris, France, 3" == rows[3].values["city"]

    def test_an_excel_sep_line_is_obeyed(self) -> None:
        """A "sep=|" first line declares the delimiter and is not the header."""
        source = CsvSource(io.BytesIO(b"sep=|\nemail|city\na@x.org|Rome, IT\n"))
        rows = read(source, ("email", "city"))
        assert [{"email": "a@x.org", "city": "Rome, IT"}] == [r.values for r in rows]
        assert source.layout is not None
        assert ("|", "file", 2) == (
            source.layout.delimiter,
            source.layout.delimiter_from,
            rows[0].line - 1,
        )

    def test_a_declared_delimiter_wins(self) -> None:
        """delimiter= is used even where another would split more."""
        source = CsvSource(io.BytesIO(b"a;b,c\n1;2,3\n"), delimiter=",")
        assert [{"a;b": "1;2", "c": "3"}] == [r.values for r in read(source, None)]

    def test_a_one_column_file(self) -> None:
        """A file with one column reads with the default delimiter."""
        source = CsvSource(io.BytesIO(b"email\na@x.org\nb@x.org\n"))
        assert ["a@x.org", "b@x.org"] == [r.values["email"] for r in read(source, ("email",))]
        assert source.layout is not None
        assert (",", "default") == (source.layout.delimiter, source.layout.delimiter_from)


class TestColumns:
    def test_headers_are_matched_folded(self) -> None:
        """Case, spaces and punctuation are ignored: E-Mail, FIRST NAME, last_name."""
        data = "E-Mail,FIRST NAME,Last.Name,  city \nada@x.org,Ada,L,Rome\n"
        source = CsvSource(io.StringIO(data))
        assert [{"email": "ada@x.org", "first_name": "Ada", "last_name": "L", "city": "Rome"}] == [
            r.values for r in read(source)
        ]

    def test_columns_rename_and_drop(self) -> None:
        """columns= maps a header to a field, or leaves it out with None."""
        data = "Mail,Given,Internal ID\nada@x.org,Ada,17\n"
        source = CsvSource(
            io.StringIO(data), columns={"Mail": "email", "Given": "first_name", "Internal ID": None}
        )
        assert [{"email": "ada@x.org", "first_name": "Ada"}] == [r.values for r in read(source)]
        assert source.layout is not None
        assert ("Internal ID",) == source.layout.ignored

    def test_a_wrong_header_is_refused_with_suggestions(self) -> None:
        """Near misses are suggested, never guessed, and the ways out are named."""
        source = CsvSource(io.StringIO("Email Address,Frist Name\na@x.org,Ada\n"))
        with pytest.raises(SourceError) as caught:
            list(source.rows(fields=FIELDS))
        message = str(caught.value)
        assert "'Email Address' (did you mean 'email'?)" in message
        assert "'Frist Name' (did you mean 'first_name'" in message
        assert "unknown='ignore'" in message
        assert "columns=" in message
        assert 1 == caught.value.line

    def test_a_columns_key_the_file_lacks_is_refused(self) -> None:
        """A typo in columns= is an error, not a silent no-op."""
        source = CsvSource(io.StringIO("E-mail\na@x.org\n"), columns={"Mail": "email"})
        with pytest.raises(SourceError, match="matches no column"):
            list(source.rows(fields=FIELDS))

    def test_a_columns_value_must_be_a_field(self) -> None:
        """columns= naming no field is refused with a suggestion."""
        source = CsvSource(io.StringIO("Mail\na@x.org\n"), columns={"Mail": "emial"})
        with pytest.raises(SourceError, match="did you mean 'email'"):
            list(source.rows(fields=FIELDS))

    def test_unknown_columns_ignored(self) -> None:
        """unknown="ignore" reads the fields and leaves the rest."""
        source = CsvSource(io.StringIO("email,Notes\na@x.org,vip\n"), unknown="ignore")
        rows = read(source)
        assert [({"email": "a@x.org"}, {})] == [(r.values, dict(r.extras)) for r in rows]
        assert source.layout is not None
        assert ("Notes",) == source.layout.ignored

    def test_unknown_columns_kept(self) -> None:
        """unknown="keep" carries them beside the values, and in the row as given."""
        source = CsvSource(io.StringIO("email,Notes\na@x.org,vip\n"), unknown="keep")
        (row,) = read(source)
        assert ({"email": "a@x.org"}, {"Notes": "vip"}) == (row.values, dict(row.extras))
        assert {"email": "a@x.org", "Notes": "vip", "<line>": 2} == row.as_given()

    @pytest.mark.parametrize(
        ("header", "pattern"),
        [
            ("email,city,email", "names 'email' twice"),
            ("Email,E-mail", "both read as 'email'"),
        ],
    )
    def test_duplicate_headers_are_refused(self, header: str, pattern: str) -> None:
        """Two columns read as one field are an error naming them."""
        source = CsvSource(io.StringIO(f"{header}\n" + ",".join("x" * header.count(",")) + "x\n"))
        with pytest.raises(SourceError, match=pattern):
            list(source.rows(fields=FIELDS))

    def test_without_fields_duplicates_are_refused_too(self) -> None:
        """Even without a schema, a header that names a column twice would lose a value."""
        with pytest.raises(SourceError, match="twice"):
            list(CsvSource(io.StringIO("a,a\n1,2\n")).rows())


class TestBadRows:
    def test_ragged_rows_are_unreadable_and_neighbours_read(self) -> None:
        """Too many and too few cells: that row, with its cells; line numbers as in the file."""
        data = "email,city\na@x.org,Rome\nb@x.org,Rome,extra\nc@x.org\n\nd@x.org,Oslo\n"
        rows = list(CsvSource(io.StringIO(data)).rows(fields=FIELDS))
        kinds = [(r.line, type(r).__name__) for r in rows]
        assert [(2, "CsvRow"), (3, "UnreadableRow"), (4, "UnreadableRow"), (6, "CsvRow")] == kinds
        too_many = rows[1]
        assert isinstance(too_many, UnreadableRow)
        assert "3 cells where the header has 2" == too_many.reason
        assert "'extra'" in too_many.raw

    def test_multi_line_cells_keep_line_numbers(self) -> None:
        """A quoted cell with line breaks spans lines; the next row's line is right."""
        data = 'email,city\n"a@x.org","Rome\nItaly"\nb@x.org,Oslo\n'
        rows = read(CsvSource(io.StringIO(data)), ("email", "city"))
        assert [(2, "Rome\nItaly"), (4, "Oslo")] == [(r.line, r.values["city"]) for r in rows]

    def test_header_only_is_zero_rows(self) -> None:
        """A header and nothing else: no rows, no error, the layout set."""
        source = CsvSource(io.BytesIO(b"email;city\r\n"))
        assert [] == list(source.rows(fields=FIELDS))
        assert source.layout is not None
        assert ";" == source.layout.delimiter

    @pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n  \n", b",,\r\n"])
    def test_an_empty_file_is_refused(self, data: bytes) -> None:
        """No header row at all is a SourceError."""
        with pytest.raises(SourceError, match="empty: it has no header row"):
            list(CsvSource(io.BytesIO(data)).rows())

    def test_a_directory_and_a_fifo_are_refused(self, tmp_path: Path) -> None:
        """A path to anything but a regular file is refused when the source is made."""
        with pytest.raises(SourceError, match="directory"):
            CsvSource(tmp_path)
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        with pytest.raises(SourceError, match="FIFO"):
            CsvSource(fifo)
        with pytest.raises(SourceError, match="cannot read"):
            CsvSource(tmp_path / "missing.csv")

    def test_a_text_file_that_cannot_decode_says_how(self, tmp_path: Path) -> None:
        """A text file opened with the wrong encoding fails, saying to open it with 'rb'."""
        path = write(tmp_path / "x.csv", ["email", "zoë@x.org"], "latin-1")
        with path.open(encoding="utf-8") as handle, pytest.raises(SourceError) as caught:
            list(CsvSource(handle).rows())
        assert "'rb'" in str(caught.value)

    def test_old_mac_line_breaks(self) -> None:
        """A file with carriage returns only reads line by line."""
        rows = read(CsvSource(io.BytesIO(b"email,city\ra@x.org,Rome\rb@x.org,Oslo\r")), None)
        assert [(2, "Rome"), (3, "Oslo")] == [(r.line, r.values["city"]) for r in rows]


class TestArguments:
    @pytest.mark.parametrize(
        "kwargs",
        [
            {"encoding": 5},
            {"delimiter": ";;"},
            {"delimiter": '"'},
            {"columns": ["email"]},
            {"columns": {"a": 1}},
            {"unknown": "drop"},
        ],
    )
    def test_bad_options_are_refused(self, kwargs: dict[str, object]) -> None:
        """Every option is checked when the source is made, with a RecordkitError."""
        with pytest.raises(SourceError):
            CsvSource(io.BytesIO(b"a\n1\n"), **kwargs)  # type: ignore[arg-type]

    @pytest.mark.parametrize("file", [42, None, b"a,b", ["a"]])
    def test_what_is_not_a_file_is_refused(self, file: object) -> None:
        """Only paths and open files are sources."""
        with pytest.raises(RecordkitError):
            CsvSource(file)  # type: ignore[arg-type]

    def test_encoding_is_not_for_text_files(self) -> None:
        """A text file is decoded already: encoding= is refused, saying so."""
        with pytest.raises(SourceError, match="decoded already"):
            CsvSource(io.StringIO("a\n"), encoding="latin-1")

    @pytest.mark.parametrize("fields", ["email", [1], {"email": 1}])
    def test_bad_fields_are_refused(self, fields: object) -> None:
        """rows(fields=) takes a collection of names."""
        with pytest.raises(SourceError):
            CsvSource(io.StringIO("a\n")).rows(fields=fields)  # type: ignore[arg-type]


class TestLimits:
    def test_an_unclosed_quote_costs_its_rows_not_the_file(self) -> None:
        """A quote left open swallows lines until the csv field limit: that stretch is one
        unparsable row, and reading goes on after it."""
        filler = "x,y\n" * 40_000  # 160,000 characters: past the csv module's field limit
        data = f'a,b\n1,2\n3,"oops\n{filler}'.encode()
        rows = list(CsvSource(io.BytesIO(data)).rows())
        assert isinstance(rows[0], CsvRow)
        bad = rows[1]
        assert isinstance(bad, UnreadableRow)
        assert (3, "parse") == (bad.line, bad.kind)
        assert "field" in bad.reason
        assert isinstance(rows[-1], CsvRow)
        assert {"a": "x", "b": "y"} == rows[-1].values

    def test_a_line_too_long_is_unreadable_without_being_held(self) -> None:
        """A line over 4 MiB is an unreadable row; the lines after it read, numbered right."""
        data = b"a,b\n1,2\n" + b"z" * (5 << 20) + b",w\n3,4\n"
        rows = list(CsvSource(io.BytesIO(data)).rows())
        assert [2, 3, 4] == [r.line for r in rows]
        bad = rows[1]
        assert isinstance(bad, UnreadableRow)
        assert "longer than" in bad.reason
        assert len(bad.raw) <= 1_000
        assert isinstance(rows[2], CsvRow)
        assert {"a": "3", "b": "4"} == rows[2].values

    def test_an_object_that_only_looks_like_a_file(self) -> None:
        """Something with read and readline that cannot read is refused, not a TypeError."""

        class Fake:
            read = 5
            readline = 6

        with pytest.raises(SourceError):
            CsvSource(Fake())  # type: ignore[arg-type]
