"""
The ``recordkit`` command tried as a new user would: every subcommand, bad input, pipes.

Most tests run the command in this process (`recordkit.cli.main`, output captured); the ones
about pipes, closed streams and memory run it as a real process.
"""

from __future__ import annotations

import csv
import importlib.resources
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recordkit.cli import EXIT_PIPE, main

BUNDLED = Path(str(importlib.resources.files("recordkit") / "data" / "contacts.csv"))
TRUTH = Path(str(importlib.resources.files("recordkit") / "data" / "contacts_truth.csv"))
ROWS = 2400


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def as_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, object]:
    status, out, _ = run(capsys, "--format", "json", "--quiet", *args)
    return status, json.loads(out)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def spawn(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recordkit", *map(str, args)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


class TestBasics:
    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        from importlib.metadata import version

        status, out, _ = run(capsys, "--version")
        assert (0, f"recordkit {version('recordkit')}\n") == (status, out)

    def test_no_command_teaches(self, capsys: pytest.CaptureFixture[str]) -> None:
        status, out, err = run(capsys)
        shown = out + err
        assert status == 2
        for command in ("profile", "validate", "clean", "dedupe", "merge", "review", "report",
                        "export", "erase", "demo"):  # fmt: skip
            assert command in shown
        assert "Examples" in shown

    def test_unknown_option_is_a_usage_error_on_stderr(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        status, out, err = run(capsys, "validate", BUNDLED, "--no-such-option")
        assert (2, "") == (status, out)
        assert "No such option" in err


class TestCommandsOnTheBundledFile:
    def test_profile(self, capsys: pytest.CaptureFixture[str]) -> None:
        status, data = as_json(capsys, "profile", BUNDLED)
        assert isinstance(data, dict)
        assert (0, ROWS, 0) == (status, data["rows"], data["unreadable_rows"])
        names = [f["name"] for f in data["fields"]]
        assert {"email", "phone", "state"} <= set(names)

    def test_profile_text_table(self, capsys: pytest.CaptureFixture[str]) -> None:
        status, out, _ = run(capsys, "profile", BUNDLED)
        assert status == 0
        assert f"{ROWS} rows" in out
        assert "email" in out

    def test_validate_counts_and_rejects(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        rejects = tmp_path / "rejects.csv"
        status, data = as_json(capsys, "validate", BUNDLED, "--rejects", rejects)
        assert isinstance(data, dict)
        rejected = read_csv(rejects)
        assert status == 1
        assert data["rows"] == data["passed"] + data["rejected"] == ROWS
        assert len(rejected) == data["rejected"] > 0
        source = read_csv(BUNDLED)
        for row in rejected:  # each reject names its line and holds the row as given
            original = source[int(row["line"]) - 2]
            assert row["source_id"] == original["source_id"]
            assert row["reasons"]
            assert "row " not in row["reasons"].split(":")[0]

    def test_clean_writes_rows_that_validate(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        out, rejects = tmp_path / "clean.csv", tmp_path / "rejects.csv"
        status, data = as_json(capsys, "clean", BUNDLED, "--out", out, "--rejects", rejects)
        assert isinstance(data, dict)
        cleaned = read_csv(out)
        assert status == 1
        assert len(cleaned) + len(read_csv(rejects)) == ROWS
        assert all(r["phone"] == "" or r["phone"].startswith("+") for r in cleaned)
        again, figures = as_json(
            capsys, "validate", out, "--unknown", "ignore", "--rejects", tmp_path / "r2.csv"
        )
        assert isinstance(figures, dict)
        assert (0, len(cleaned), 0) == (again, figures["passed"], figures["rejected"])

    def test_clean_to_parquet_equals_csv(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        pq = pytest.importorskip("pyarrow.parquet")
        run(capsys, "clean", BUNDLED, "--out", tmp_path / "c.csv")
        run(capsys, "clean", BUNDLED, "--out", tmp_path / "c.parquet")
        table = pq.read_table(tmp_path / "c.parquet").to_pylist()
        from_csv = read_csv(tmp_path / "c.csv")
        assert [r["email"] or None for r in from_csv] == [r["email"] for r in table]

    def test_dedupe_with_truth(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        out = tmp_path / "entities.csv"
        status, data = as_json(capsys, "dedupe", BUNDLED, "--out", out, "--truth", TRUTH)
        assert isinstance(data, dict)
        rows = read_csv(out)
        assert status == 1
        assert data["precision"] > 0.95
        assert data["recall"] > 0.95
        assert len(rows) == data["clean_rows"]
        entities = {r["entity_id"] for r in rows}
        assert len(entities) == data["clusters"]
        assert data["duplicate_rows"] == len(rows) - len(entities)

    def test_merge_export_review_erase(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        db = tmp_path / "crm.db"
        status, merged = as_json(capsys, "merge", BUNDLED, "--out", db)
        assert isinstance(merged, dict)
        assert status == 1  # rows were rejected
        assert merged["clusters_merged"] > 100
        status, exported = as_json(capsys, "export", db, "--out", tmp_path / "all.csv")
        records = read_csv(tmp_path / "all.csv")
        assert isinstance(exported, dict)
        assert (0, len(records)) == (status, exported["exported"])
        live = [r for r in records if r["email"]]
        status, fixes = as_json(capsys, "export", db, "--quarantine", "--out", tmp_path / "q.csv")
        assert isinstance(fixes, dict)
        assert fixes["exported"] == len(read_csv(tmp_path / "q.csv")) > 0
        status, reviews = as_json(capsys, "review", db)
        assert (0, []) == (status, reviews)
        email = live[0]["email"]
        status, receipt = as_json(capsys, "erase", db, f"email={email}", "--reason", "request")
        assert isinstance(receipt, dict)
        assert status == 0
        assert receipt["record_ids"]
        as_json(capsys, "export", db, "--out", tmp_path / "after.csv")
        assert email not in (tmp_path / "after.csv").read_text(encoding="utf-8")

    def test_merge_to_csv_writes_golden_records(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        status, data = as_json(capsys, "merge", BUNDLED, "--out", tmp_path / "golden.csv")
        assert isinstance(data, dict)
        golden = read_csv(tmp_path / "golden.csv")
        assert (1, data["golden_records"]) == (status, len(golden))
        assert len({r["id"] for r in golden}) == len(golden)

    def test_report_html_json_and_trend(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        first, page = tmp_path / "first.json", tmp_path / "report.html"
        status, _, _ = run(capsys, "report", BUNDLED, "-o", tmp_path / "a.html", "--json", first)
        assert status == 0
        figures = json.loads(first.read_text(encoding="utf-8"))
        assert figures["summary"]["rows"] == ROWS
        status, data = as_json(capsys, "report", BUNDLED, "-o", page, "--history", first)
        assert isinstance(data, dict)
        html = page.read_text(encoding="utf-8")
        assert status == 0
        assert 10_000 < len(html) < 5_000_000
        assert "<script src=" not in html
        assert data["html"] == str(page)

    def test_demo_tells_the_story(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        db, page = tmp_path / "demo.db", tmp_path / "demo.html"
        status, out, _ = run(capsys, "demo", "--db", db, "--report", page)
        assert status == 0
        for step in ("Profile", "Clean", "Dedupe", "Merge", "precision", "recall"):
            assert step in out
        assert str(page.resolve()) in out
        assert page.stat().st_size > 10_000


class TestBadInput:
    def test_empty_file(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        empty = tmp_path / "empty.csv"
        empty.write_bytes(b"")
        status, out, err = run(capsys, "validate", empty)
        assert (2, "") == (status, out)
        assert "empty" in err
        assert "Traceback" not in err

    def test_header_only(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        path = tmp_path / "header.csv"
        path.write_text("first_name,last_name,email\n", encoding="utf-8")
        status, data = as_json(capsys, "validate", path)
        assert isinstance(data, dict)
        assert (0, 0) == (status, data["rows"])

    def test_wrong_header_names_the_column(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        path = tmp_path / "wrong.csv"
        path.write_text("first_name,lsat_name,emial\nAda,Lovelace,a@b.io\n", encoding="utf-8")
        status, out, err = run(capsys, "validate", path)
        assert (2, "") == (status, out)
        assert "lsat_name" in err
        assert "last_name" in err

    def test_rename_and_ignore_columns(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        path = tmp_path / "renamed.csv"
        path.write_text("Given,Family,Notes\nAda,Lovelace,x\n", encoding="utf-8")
        status, data = as_json(
            capsys, "validate", path, "-c", "Given=first_name", "-c", "Family=last_name",
            "-c", "Notes=",
        )  # fmt: skip
        assert isinstance(data, dict)
        assert (0, 1) == (status, data["passed"])

    def test_missing_schema_field_is_a_rule_matter(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        path = tmp_path / "no_last.csv"
        path.write_text("first_name,email\nAda,ada@example.org\n", encoding="utf-8")
        status, data = as_json(capsys, "validate", path)
        assert isinstance(data, dict)
        assert (1, {"required": 1}) == (status, data["errors_by_code"])

    def test_latin_1_input(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        path = tmp_path / "latin1.csv"
        text = "first_name,last_name,city\n" + "José,Müller,Zürich\nRenée,Größe,Besançon\n" * 20
        path.write_bytes(text.encode("latin-1"))
        out = tmp_path / "clean.csv"
        status, data = as_json(capsys, "clean", path, "--out", out)
        assert isinstance(data, dict)
        assert (0, 40) == (status, data["passed"])
        assert read_csv(out)[0]["first_name"] == "José"

    def test_ragged_rows_go_to_the_rejects_file(
        self, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        path = tmp_path / "ragged.csv"
        path.write_text(
            "first_name,last_name\nAda,Lovelace\nGrace,Hopper,extra,cells\nAlan,Turing\n",
            encoding="utf-8",
        )
        rejects = tmp_path / "rejects.csv"
        status, data = as_json(capsys, "validate", path, "--rejects", rejects)
        assert isinstance(data, dict)
        bad = read_csv(rejects)
        assert (1, 2, 1, 1) == (status, data["passed"], data["unreadable"], len(bad))
        assert bad[0]["line"] == "3"
        assert "Grace" in bad[0]["<raw>"]

    def test_unknown_schema(self, capsys: pytest.CaptureFixture[str]) -> None:
        status, out, err = run(capsys, "validate", BUNDLED, "--schema", "lead")
        assert (2, "") == (status, out)
        assert "contact" in err  # the bundled names are listed

    def test_unwritable_output(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        status, out, err = run(capsys, "clean", BUNDLED, "--out", tmp_path / "no" / "x.csv")
        assert (2, "") == (status, out)
        assert "does not exist" in err
        status, _, err = run(capsys, "clean", BUNDLED, "--out", tmp_path)
        assert status == 2
        assert "folder" in err

    def test_malformed_parquet(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        pytest.importorskip("pyarrow")
        path = tmp_path / "broken.parquet"
        path.write_bytes(b"PAR1 this is not parquet")
        status, out, err = run(capsys, "validate", path)
        assert (2, "") == (status, out)
        assert "Parquet" in err

    def test_missing_store(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        status, _, err = run(capsys, "export", tmp_path / "none.db", "--out", tmp_path / "x.csv")
        assert status == 2
        assert "no such SQLite file" in err


class TestProcesses:
    def test_head_closes_the_pipe_quietly(self, tmp_path: Path) -> None:
        big = tmp_path / "big.csv"
        _grow(big, copies=4)
        done = subprocess.run(
            f"{sys.executable} -m recordkit dedupe {big} --out {tmp_path / 'e.csv'} | head -1",
            shell=True, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert "Traceback" not in done.stderr
        assert "BrokenPipe" not in done.stderr
        assert done.stdout.count("\n") == 1

    def test_closed_stdout(self, tmp_path: Path) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "recordkit", "profile", str(BUNDLED)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=300,
            check=False, pass_fds=(),
        )  # fmt: skip
        assert (0, "") == (done.returncode, done.stderr)
        closed = subprocess.run(
            f"{sys.executable} -m recordkit profile {BUNDLED} >&-",
            shell=True, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert "Traceback" not in closed.stderr
        assert closed.returncode in (0, EXIT_PIPE)

    def test_progress_bar_on_a_terminal_only(self, tmp_path: Path) -> None:
        base = [sys.executable, "-m", "recordkit", "validate", str(BUNDLED)]
        env = {**os.environ, "TTY_COMPATIBLE": "1"}  # rich: treat stderr as a terminal
        shown = subprocess.run(base, capture_output=True, text=True, timeout=300, env=env)
        hidden = subprocess.run(base, capture_output=True, text=True, timeout=300)
        quiet = subprocess.run([*base, "-q"], capture_output=True, text=True, env=env)
        assert (1, 1, 1) == (shown.returncode, hidden.returncode, quiet.returncode)
        assert "validating contacts.csv" in shown.stderr
        assert "kB" in shown.stderr
        assert "" == hidden.stderr == quiet.stderr
        assert f"{ROWS} rows" in hidden.stdout

    def test_errors_on_stderr_and_status_2(self, tmp_path: Path) -> None:
        done = spawn("validate", tmp_path / "missing.csv")
        assert (2, "") == (done.returncode, done.stdout)
        assert "missing.csv" in done.stderr
        assert "Traceback" not in done.stderr

    def test_memory_stays_bounded_as_the_file_grows(self, tmp_path: Path) -> None:
        small, large = tmp_path / "small.csv", tmp_path / "large.csv"
        _grow(small, copies=2)
        _grow(large, copies=24)
        peaks = []
        for path in (small, large):
            done = subprocess.run(
                [sys.executable, "-c", _PEAK, "validate", str(path), "--rejects",
                 str(tmp_path / "r.csv")],
                capture_output=True, text=True, timeout=600, check=False,
            )  # fmt: skip
            assert done.returncode == 1, done.stderr
            peaks.append(int(done.stderr.strip().splitlines()[-1]))
        assert large.stat().st_size > 10 * small.stat().st_size
        assert peaks[1] - peaks[0] < 60 * 1024  # KiB: one chunk, not the file


_PEAK = """
import resource, sys
from recordkit.cli import main
status = main(["--quiet", *sys.argv[1:]])
sys.stderr.write(f"\\n{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n")
raise SystemExit(status)
"""


def _grow(path: Path, *, copies: int) -> None:
    """The bundled file *copies* times over, with fresh source ids."""
    rows = read_csv(BUNDLED)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for copy in range(copies):
            for row in rows:
                writer.writerow({**row, "source_id": f"{row['source_id']}-{copy}"})
