"""
One Spark session for the whole test run, and a rule that kills the Spark worker running it.

The session runs ``local[2]`` with two shuffle partitions and no UI. Without pyspark or
Java the Spark tests skip with what to install, except under ``CI=true``, where that is a
failure.
"""

from __future__ import annotations

import importlib.util
import os
import signal
from collections.abc import Iterator

import pytest

from recordkit.engines._spark import SparkEngine, java_found
from recordkit.rules import RuleSet, normalizer

SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
"""The test session's settings: small, quiet, on loopback."""


def spark_missing() -> str | None:
    """What keeps Spark from running here (pyspark or Java missing), or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed: pip install 'recordkit[spark]'"
    if java_found() is None:
        return "Java is missing: install openjdk-17-jre-headless or set JAVA_HOME"
    return None


def need_spark() -> None:
    """Skip without pyspark or Java; under CI=true, fail instead."""
    reason = spark_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the Spark tests cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[SparkEngine]:
    """A SparkEngine on the run's one local[2] session, stopped at the end."""
    need_spark()
    engine = SparkEngine(master="local[2]", config=SETTINGS)
    engine.spark.sparkContext.setLogLevel("ERROR")
    yield engine
    engine.spark.stop()


def die_in_spark_task(value: object) -> object:
    """Kill this process with SIGKILL on the value ``"die"`` inside a Spark task."""
    from pyspark import TaskContext

    if value == "die" and TaskContext.get() is not None:
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def deadly_in_spark(base: RuleSet) -> RuleSet:
    """*base*'s rules with `die_in_spark_task` added to the company field."""
    rule = normalizer(die_in_spark_task, id="test.die_in_spark_task")
    return RuleSet.for_schema(base.schema, extend={"company": [rule]})
