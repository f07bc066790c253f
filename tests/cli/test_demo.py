"""``recordkit demo``: the whole story on a small contacts file, and its refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recordkit import bundled_schema
from recordkit.cli import main
from recordkit.store import SQLStore

CSV = """source_id,first_name,last_name,email,phone,country,state,birth_date,email_opt_in
a1,Ada,Lovelace,ADA@example.com,415-338-9495,USA,CA,07/07/1956,Yes
a2,Grace,Hopper,grace@example.com,not a phone,USA,NY,1906-12-09,no
a3,Alan,Turing,,+44 20 7946 0958,United Kingdom,,1912-06-23,
a4,Ada,Lovelace,ada@example.com,(415) 338 9495,US,California,1956-07-07,y
"""


@pytest.fixture
def csv_path(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_summary_database_and_merge(
    tmp_path: Path, csv_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    status = main(["demo", "--db", str(db), "--csv", str(csv_path)])
    text = capsys.readouterr().out
    with SQLStore(f"sqlite:///{db}") as reopened:
        reopened.register(bundled_schema("contact"))
        stored = reopened.count("contact")
        quarantined = len(reopened.quarantined("contact"))
    assert (0, stored + quarantined) == (status, 4)
    assert f"stored {stored} records, quarantined {quarantined} rows" in text
    assert "1 people appear more than once" in text
    assert str(db.resolve()) in text
    assert "415-338-9495" in text  # a raw value shown beside what was stored


def test_refuses_an_existing_file(
    tmp_path: Path, csv_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "taken.db"
    db.write_bytes(b"precious")
    assert 2 == main(["demo", "--db", str(db), "--csv", str(csv_path)])
    assert (b"precious", True) == (db.read_bytes(), "exists already" in capsys.readouterr().err)


def test_missing_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["demo", "--db", str(tmp_path / "x.db"), "--csv", str(tmp_path / "no.csv")])
    assert "no.csv" in capsys.readouterr().err


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "recordkit", "demo", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (0, True) == (done.returncode, "--db" in done.stdout)
