"""The command line: ``recordkit demo`` captures contacts into SQLite and says what happened."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from recordkit.cli import main
from recordkit.cli._demo import demo
from recordkit.store import SQLStore

CSV = """source_id,first_name,last_name,email,phone,country,state,birth_date,email_opt_in
a1,Ada,Lovelace,ADA@example.com,415-338-9495,USA,CA,07/07/1956,Yes
a2,Grace,Hopper,grace@example.com,not a phone,USA,NY,1906-12-09,no
a3,Alan,Turing,,+44 20 7946 0958,United Kingdom,,1912-06-23,
"""


class TestDemo:
    @pytest.fixture
    def csv_path(self, tmp_path: Path) -> Path:
        path = tmp_path / "contacts.csv"
        path.write_text(CSV, encoding="utf-8")
        return path

    def test_summary_and_database(self, tmp_path: Path, csv_path: Path) -> None:
        out = io.StringIO()
        db = tmp_path / "demo.db"
        status = demo(db=db, csv_path=csv_path, out=out)
        text = out.getvalue()
        with SQLStore(f"sqlite:///{db}") as reopened:
            from recordkit import bundled_schema

            reopened.register(bundled_schema("contact"))
            stored = reopened.count("contact")
            quarantined = len(reopened.quarantined("contact"))
        assert (0, stored + quarantined) == (status, 3)
        assert f"Stored {stored} records; quarantined {quarantined} rows." in text
        assert str(db.resolve()) in text
        assert "'415-338-9495'" in text  # a raw value shown beside what was stored

    def test_refuses_an_existing_file(self, tmp_path: Path, csv_path: Path) -> None:
        db = tmp_path / "taken.db"
        db.write_bytes(b"precious")
        out = io.StringIO()
        assert 1 == demo(db=db, csv_path=csv_path, out=out)
        assert (b"precious", True) == (db.read_bytes(), "exists already" in out.getvalue())

    def test_missing_csv(self, tmp_path: Path) -> None:
        out = io.StringIO()
        assert 1 == demo(db=tmp_path / "x.db", csv_path=tmp_path / "none.csv", out=out)


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main([])
    assert "demo" in capsys.readouterr().out


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "recordkit", "demo", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (0, True) == (done.returncode, "--db" in done.stdout)
