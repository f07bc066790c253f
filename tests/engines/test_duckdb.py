"""
The DuckDB engine's own inputs, settings and bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from recordkit.engines import DuckDBEngine, EngineError, InProcess
from tests.engines.data import AT, contact_rows, contact_rules


def rows() -> list[dict[str, str]]:
    """A few hundred generated contacts."""
    return contact_rows(400, seed=5)


class TestInputs:
    def test_parquet_and_a_table_of_the_database_give_the_rows_result(self, tmp_path: Path) -> None:
        """A Parquet file and a DuckDB table of the same rows give what the rows give."""
        expected = InProcess(workers=1).run(rows(), contact_rules(), at=AT)
        path = tmp_path / "contacts.parquet"
        pq.write_table(pa.Table.from_pylist(rows()), path)
        engine = DuckDBEngine(database=tmp_path / "crm.duckdb")
        engine.connection.execute(f"CREATE TABLE contacts AS SELECT * FROM '{path}'")
        for source in (path, engine.connection.table("contacts")):
            got = engine.run(source, contact_rules(), at=AT, chunk_size=128)
            assert expected.outcome.columns == got.outcome.columns
            assert [repr(i) for i in expected.issues] == [repr(i) for i in got.issues]
            assert expected.match.entity_of == got.match.entity_of

    def test_spilling_settings_reach_duckdb(self, tmp_path: Path) -> None:
        """memory_limit and temp_directory are DuckDB's settings, and the road runs under them."""
        spill = tmp_path / "spill"
        engine = DuckDBEngine(memory_limit="200MB", temp_directory=spill, threads=1)
        settings = engine.connection.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()[0]
        assert str(spill) == settings[1]
        assert settings[0].startswith("190") or "MiB" in settings[0] or "MB" in settings[0]
        assert 400 == engine.run(rows(), contact_rules(), at=AT).total


class TestBadInput:
    def test_malformed_parquet_is_a_clear_error(self, tmp_path: Path) -> None:
        """A file that is not Parquet raises EngineError naming it."""
        path = tmp_path / "broken.parquet"
        path.write_bytes(b"PAR1 this is not parquet at all")
        with pytest.raises(EngineError, match=r"broken\.parquet.*parquet"):
            DuckDBEngine().run(path, contact_rules(), at=AT)

    def test_a_column_the_schema_does_not_know_is_named(self, tmp_path: Path) -> None:
        """A file column no field matches raises EngineError naming it, with a suggestion."""
        path = tmp_path / "contacts.csv"
        path.write_text("first_name,last_name,emial\nAda,Lovelace,ada@example.com\n")
        with pytest.raises(EngineError, match="'emial' \\(did you mean 'email'\\?\\)"):
            DuckDBEngine().run(path, contact_rules(), at=AT)

    def test_an_unknown_kind_of_file_is_refused(self, tmp_path: Path) -> None:
        """A path that is neither CSV nor Parquet by name is refused."""
        with pytest.raises(EngineError, match="kind of file"):
            DuckDBEngine().run(tmp_path / "contacts.xlsx", contact_rules(), at=AT)

    def test_a_missing_file_is_refused(self, tmp_path: Path) -> None:
        """A path to no file is refused, naming it."""
        with pytest.raises(EngineError, match="no such file"):
            DuckDBEngine().run(tmp_path / "gone.csv", contact_rules(), at=AT)

    def test_without_duckdb_the_error_names_the_extra(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without duckdb installed, the engine says which extra to install."""
        monkeypatch.setitem(sys.modules, "duckdb", None)
        with pytest.raises(EngineError, match=r"pip install 'recordkit\[duckdb\]'"):
            DuckDBEngine()

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            pytest.param({"database": 3}, "database", id="database"),
            pytest.param({"memory_limit": 4}, "memory_limit", id="memory-limit-type"),
            pytest.param({"memory_limit": "lots"}, "settings", id="memory-limit-text"),
            pytest.param({"temp_directory": ""}, "temp_directory", id="temp-directory"),
            pytest.param({"threads": 0}, "threads", id="threads"),
        ],
    )
    def test_bad_options_are_refused(self, options: dict[str, object], match: str) -> None:
        """An option that is not what it should be raises EngineError naming it."""
        with pytest.raises(EngineError, match=match):
            DuckDBEngine(**options)  # type: ignore[arg-type]
