"""
The Spark engine: the road on Spark gives the in-process result; bad input is clear.

Spark runs on the test run's one ``local[2]`` session (``conftest_spark``). Every result
is checked against the in-process engine's on the same rows with the one-road suite's
`assert_same`: the same normalized values, issues, quarantine, clusters, golden records
and match weights to 1e-9.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from recordkit import RecordkitError
from recordkit.engines import EngineError, InProcess, SparkEngine
from recordkit.match import Matcher
from tests.engines.conftest_spark import deadly_in_spark, spark_engine
from tests.engines.data import AT, contact_rows, contact_rules, write_contacts
from tests.engines.test_road import assert_same, reference

__all__ = ["spark_engine"]  # the session's engine, a fixture


def small() -> list[dict[str, str]]:
    """A few hundred generated contacts."""
    return contact_rows(300, seed=5)


@pytest.mark.spark
class TestTheRoadOnSpark:
    def test_rows_give_the_reference_result(self, spark_engine: SparkEngine) -> None:
        """Rows (mappings), shipped to Spark in chunks, give the one-process result."""
        got = spark_engine.run(contact_rows(), contact_rules(), at=AT, chunk_size=400)
        assert "spark" == got.engine
        assert_same(reference(), got)
        assert any(len(c) > 2 for c in got.clusters)

    def test_a_csv_file_read_by_spark_gives_the_reference_result(
        self, spark_engine: SparkEngine, tmp_path: Path
    ) -> None:
        """A CSV file read by Spark's own reader gives the same result."""
        path = write_contacts(tmp_path / "contacts.csv")
        assert_same(reference(), spark_engine.run(path, contact_rules(), at=AT))

    def test_parquet_and_arrow_give_the_reference_result(
        self, spark_engine: SparkEngine, tmp_path: Path
    ) -> None:
        """A Parquet file and an Arrow table of the same rows give the same result."""
        table = pa.Table.from_pylist(contact_rows())
        path = tmp_path / "contacts.parquet"
        pq.write_table(table, path)
        assert_same(reference(), spark_engine.run(path, contact_rules(), at=AT, chunk_size=256))
        assert_same(reference(), spark_engine.run(table, contact_rules(), at=AT))

    def test_a_spark_dataframe_of_many_partitions_gives_the_reference_result(
        self, spark_engine: SparkEngine
    ) -> None:
        """A Spark DataFrame in five partitions is numbered in order across them."""
        frame = spark_engine.spark.createDataFrame(pa.Table.from_pylist(contact_rows()))
        frame = (
            frame.coalesce(1).repartitionByRange(5, "source_id").sortWithinPartitions("source_id")
        )
        # the reference for the frame is its rows in the order Spark holds them
        rows = frame.toArrow().to_pylist()
        expected = InProcess(workers=1).run(rows, contact_rules(), at=AT)
        assert 5 == frame.rdd.getNumPartitions()
        assert_same(expected, spark_engine.run(frame, contact_rules(), at=AT, chunk_size=100))

    def test_nothing_to_read_is_an_empty_result(self, spark_engine: SparkEngine) -> None:
        """No rows: nothing passed, nothing quarantined, no clusters."""
        got = spark_engine.run([], contact_rules(), at=AT)
        assert (0, 0, (), ()) == (got.total, got.quarantined, got.clusters, got.golden)


@pytest.mark.spark
class TestModelAsData:
    def test_a_model_trained_in_process_scores_the_same_on_spark(
        self, spark_engine: SparkEngine
    ) -> None:
        """A model fitted in-process, saved as JSON and loaded, gives the same weights on Spark."""
        trained = InProcess(workers=1).run(contact_rows(), contact_rules(), at=AT).match.matcher
        assert trained.model is not None
        loaded = Matcher.from_dict(json.loads(json.dumps(trained.to_dict())))
        rows = contact_rows(600, seed=23)
        expected = InProcess(workers=1).run(rows, contact_rules(), matcher=loaded, at=AT)
        got = spark_engine.run(rows, contact_rules(), matcher=loaded, at=AT)
        assert trained.model.to_dict() == got.match.matcher.model.to_dict()  # type: ignore[union-attr]
        assert_same(expected, got)
        assert expected.summary()["matches"] > 0


@pytest.mark.spark
class TestBadInputOnSpark:
    def test_a_partition_whose_rows_all_fail_is_quarantined(
        self, spark_engine: SparkEngine
    ) -> None:
        """Every row of a partition of bad rows is held with reasons; none is lost."""
        good = [{"first_name": r["first_name"], "last_name": r["last_name"],
                 "email": r["email"]} for r in small()[:40]]  # fmt: skip
        bad = [{"first_name": "Ada", "last_name": "", "email": "not an email"}] * 20
        rows = [*good[:20], *bad, *good[20:]]
        cells = [(r["first_name"], r["last_name"], r["email"]) for r in rows]
        frame = spark_engine.spark.createDataFrame(
            spark_engine.spark.sparkContext.parallelize(cells, 3),
            "first_name string, last_name string, email string",
        )
        assert 3 == frame.rdd.getNumPartitions()
        got = spark_engine.run(frame, contact_rules(), at=AT, chunk_size=8)
        assert_same(InProcess(workers=1).run(rows, contact_rules(), at=AT), got)
        held = {q.row for q in got.outcome.quarantine}
        assert set(range(20, 40)) <= held
        assert all(q.reasons for q in got.outcome.quarantine)
        assert 60 == got.total == len(got.ids) + got.quarantined

    def test_rows_that_all_fail_are_all_quarantined(self, spark_engine: SparkEngine) -> None:
        """A batch whose every row fails comes back whole, in the quarantine."""
        rows = [{"email": "not an email", "last_name": ""} for _ in range(30)]
        got = spark_engine.run(rows, contact_rules(), at=AT, chunk_size=7)
        assert (30, 30, ()) == (got.total, got.quarantined, got.clusters)

    def test_a_csv_row_with_too_many_cells_is_quarantined(
        self, spark_engine: SparkEngine, tmp_path: Path
    ) -> None:
        """A row Spark's CSV reader cannot fit to the header is quarantined, not dropped."""
        path = tmp_path / "contacts.csv"
        path.write_text(
            "first_name,last_name,email\nAda,Lovelace,ada@example.com\n"
            "Grace,Hopper,grace@example.com,extra\nAlan,Turing,alan@example.com\n"
        )
        got = spark_engine.run(path, contact_rules(), at=AT)
        assert 3 == got.total
        assert [1] == [q.row for q in got.outcome.quarantine]
        assert "row.unreadable" == got.outcome.quarantine[0].issues[0].code

    def test_malformed_parquet_is_a_clear_error(
        self, spark_engine: SparkEngine, tmp_path: Path
    ) -> None:
        """A file that is not Parquet raises EngineError naming it."""
        path = tmp_path / "broken.parquet"
        path.write_bytes(b"PAR1 this is not parquet at all")
        with pytest.raises(EngineError, match=r"broken\.parquet.* as parquet: .*footer"):
            spark_engine.run(path, contact_rules(), at=AT)

    def test_a_column_the_schema_does_not_know_is_named(
        self, spark_engine: SparkEngine, tmp_path: Path
    ) -> None:
        """A file column no field matches raises EngineError naming it, with a suggestion."""
        path = tmp_path / "contacts.csv"
        path.write_text("first_name,last_name,emial\nAda,Lovelace,ada@example.com\n")
        with pytest.raises(EngineError, match="'emial' \\(did you mean 'email'\\?\\)"):
            spark_engine.run(path, contact_rules(), at=AT)

    def test_a_worker_that_dies_is_a_clear_error(self, spark_engine: SparkEngine) -> None:
        """A Python worker killed mid-job (SIGKILL) is an EngineError; the session lives on."""
        rows = small()
        rows[120]["company"] = "die"
        with pytest.raises(EngineError, match="Spark worker died") as caught:
            spark_engine.run(rows, deadly_in_spark(contact_rules()), at=AT, chunk_size=50)
        assert "Py4J" not in str(caught.value)
        assert 300 == spark_engine.run(small(), contact_rules(), at=AT).total

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            pytest.param({"partitions": 0}, "partitions", id="partitions"),
            pytest.param({"master": ""}, "master", id="master"),
            pytest.param({"config": {"spark.x": 1}}, "config", id="config"),
            pytest.param({"spark": "local"}, "SparkSession", id="spark"),
        ],
    )
    def test_bad_options_are_refused(
        self, spark_engine: SparkEngine, options: dict[str, object], match: str
    ) -> None:
        """An option that is not what it should be raises EngineError naming it."""
        with pytest.raises(EngineError, match=match):
            SparkEngine(**options)  # type: ignore[arg-type]

    def test_a_wrong_argument_to_run_is_refused(self, spark_engine: SparkEngine) -> None:
        """run checks its arguments as every engine does."""
        with pytest.raises(RecordkitError, match="chunk_size"):
            spark_engine.run([], contact_rules(), chunk_size=0)


class TestWithoutSpark:
    def test_without_pyspark_the_error_names_the_extra(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without pyspark installed, the engine says which extra to install."""
        monkeypatch.setitem(sys.modules, "pyspark.sql", None)
        with pytest.raises(EngineError, match=r"pip install 'recordkit\[spark\]'"):
            SparkEngine()

    def test_without_java_the_error_says_what_to_install(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """With no JAVA_HOME and no java on PATH, a new session is refused before starting."""
        pytest.importorskip("pyspark")
        monkeypatch.delenv("JAVA_HOME", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))
        with pytest.raises(EngineError, match="openjdk-17-jre-headless"):
            SparkEngine(master="local[1]")
