"""Files as people have them, end to end: a steward captures an Excel export and a batch of
rules runs over one, every readable row stored and every other quarantined, counted, with
its line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import recordkit as rk
from recordkit.rules import RuleSet, chunks_of, run_batch
from recordkit.sources import CsvSource, SourceError, UnreadableRow

HEADER = "First Name;Last Name;E-Mail;City;Notes"
PEOPLE = [
    "Adèle;Straße;adele@example.org;Zürich;vip",
    "José;Muñoz;jose@example.org;Sevilla;",
    "Renée;Çelik;renee@example.org;Montréal;called twice",
    "Åsa;Grünewald;asa@example.org;Köln;",
]


def excel_export(path: Path, lines: list[str]) -> Path:
    """What Excel writes as "CSV UTF-8" in a locale with a decimal comma: a byte-order
    mark, semicolons, CRLF."""
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


@pytest.fixture
def steward() -> rk.Steward:
    return rk.Steward(rk.bundled_schema("contact"))


class TestCaptureMany:
    def test_an_excel_export_stores_every_good_row(
        self, steward: rk.Steward, tmp_path: Path
    ) -> None:
        """BOM + ';' + folded headers + an unknown column ignored: all rows stored."""
        path = excel_export(tmp_path / "contacts.csv", [HEADER, *PEOPLE])
        source = CsvSource(path, unknown="ignore")
        result = steward.capture_many(source, source="excel")
        assert [] == result.quarantined
        emails = sorted(r.values["email"] for r in result.records)
        assert ["adele@example.org", "asa@example.org", "jose@example.org",
                "renee@example.org"] == emails  # fmt: skip
        assert {"Zürich", "Sevilla", "Montréal", "Köln"} == {
            r.values["city"] for r in result.records
        }
        assert source.layout is not None
        assert ("utf-8", "bom", ";") == (
            source.layout.encoding,
            source.layout.encoding_from,
            source.layout.delimiter,
        )
        assert ("Notes",) == source.layout.ignored

    def test_a_plain_path_is_read_as_a_source(self, steward: rk.Steward, tmp_path: Path) -> None:
        """A path is CsvSource(path): its unknown column is refused up front, naming it and
        the way out; nothing is stored."""
        path = excel_export(tmp_path / "contacts.csv", [HEADER, *PEOPLE])
        with pytest.raises(SourceError, match=r"'Notes'.*unknown='ignore'"):
            steward.capture_many(path, source="excel")
        assert 0 == sum(len(page) for page in steward.store.scan("contact"))

    def test_bad_rows_are_quarantined_with_their_lines(
        self, steward: rk.Steward, tmp_path: Path
    ) -> None:
        """A ragged row and a row in Latin-1 are quarantined as row.unreadable with their
        line and raw data; kept extras travel with quarantined rows; the rest is stored."""
        data = ("\r\n".join([HEADER, PEOPLE[0], "Bob;Jones;bob@example.org;Oslo;x;extra",
                             PEOPLE[1]]) + "\r\n").encode("utf-8-sig")  # fmt: skip
        data += "Zoë;Koç;zoe@example.org;Liège;\r\n".encode("latin-1")
        data += ("Cy;Young;not-an-email;Rome;keep me\r\n" + PEOPLE[2] + "\r\n").encode("utf-8")
        source = CsvSource(io.BytesIO(data), unknown="keep")
        result = steward.capture_many(source, source="excel", chunk_size=2)
        assert 3 == len(result.records)
        assert 6 == result.total
        by_index = {q.index: q for q in result.quarantined}
        assert [1, 3, 4] == sorted(by_index)
        ragged, latin, invalid = by_index[1], by_index[3], by_index[4]
        assert ["row.unreadable"] == [e.code for e in ragged.errors]
        assert 3 == ragged.row["<line>"]
        assert "'extra'" in str(ragged.row["<raw>"])
        assert ["row.unreadable"] == [e.code for e in latin.errors]
        assert 5 == latin.row["<line>"]
        assert "\\xeb" in str(latin.row["<raw>"])
        assert "column 'First Name'" in latin.errors[0].message
        assert {"email.invalid"} <= {e.code for e in invalid.errors}
        assert "keep me" == invalid.row["Notes"]
        assert 6 == invalid.row["<line>"]
        stored = {e.index or 0: e for e in steward.store.quarantined("contact")}
        assert [1, 3, 4] == sorted(stored)
        assert 5 == stored[3].row["<line>"]
        assert "cannot read the row: line 5" in stored[3].reasons[0][1]

    def test_a_dataframe(self, steward: rk.Steward) -> None:
        """A pandas DataFrame is rows, its NaN read as missing."""
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame(
            {
                "first_name": ["Ada", "Bob"],
                "last_name": ["L", "J"],
                "email": ["ada@example.org", float("nan")],
            }
        )
        result = steward.capture_many(frame, source="frame")
        assert 2 == len(result.records)
        assert [] == result.quarantined

    def test_still_refuses_what_is_not_rows(self, steward: rk.Steward) -> None:
        """A mapping, a number or bytes is refused at once."""
        for rows in ({"a": 1}, 42, b"rows"):
            with pytest.raises(rk.RecordkitError):
                steward.capture_many(rows, source="x")


class TestRunBatch:
    def test_unreadable_rows_are_quarantined_in_place(self, tmp_path: Path) -> None:
        """run_batch keeps row numbers aligned around unreadable rows and counts them."""
        rules = RuleSet.for_schema(rk.bundled_schema("contact"))
        data = "\r\n".join([HEADER, PEOPLE[0], "Bob;Jones", PEOPLE[1], PEOPLE[2]]) + "\r\n"
        source = CsvSource(io.BytesIO(data.encode("utf-8-sig")), unknown="ignore")
        out = run_batch(rules, source, chunk_size=3)
        assert [0, 2, 3] == out.row_numbers
        assert [1] == [q.row for q in out.quarantine]
        (bad,) = out.quarantine
        assert ["row.unreadable"] == [i.code for i in bad.issues]
        assert {"<line>": 3, "<raw>": "['Bob', 'Jones']"} == dict(bad.raw)
        assert 4 == out.total == out.summary()["rows"]
        assert 1 == out.summary()["quarantined"]

    def test_a_quarantined_row_of_a_file_keeps_its_line(self) -> None:
        """A rule's quarantine of a file row names its line in the raw data."""
        rules = RuleSet.for_schema(rk.bundled_schema("contact"))
        data = "first_name,last_name,email\nAda,L,ada@example.org\nBob,J,nope\n"
        out = run_batch(rules, io.StringIO(data))
        (bad,) = out.quarantine
        assert (1, 3, "nope") == (bad.row, bad.raw["<line>"], bad.raw["email"])

    def test_chunks_of_marks_unreadable_rows(self) -> None:
        """chunks_of keeps an unreadable row in place, in the '<unreadable>' column."""
        chunks = list(chunks_of(io.StringIO("a,b\n1,2\n3\n4,5\n"), 10))
        ((columns, length),) = chunks
        assert 3 == length
        assert ["1", None, "4"] == columns["a"]
        marker = columns["<unreadable>"][1]
        assert isinstance(marker, UnreadableRow)
        assert 3 == marker.line
        assert [None, None] == [columns["<unreadable>"][0], columns["<unreadable>"][2]]
