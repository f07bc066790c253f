"""
The road on a real standalone Spark cluster: a master and a worker on loopback.

The master and the worker are started once, as processes of their own
(``spark-class org.apache.spark.deploy.master.Master`` and ``…worker.Worker`` from the
pyspark package), and stopped at the end. A Python process holds one SparkContext, so
the run's local session is stopped first: this file runs after the other Spark tests.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from recordkit.engines import InProcess, SparkEngine
from tests.engines.conftest_spark import SETTINGS, need_spark
from tests.engines.data import AT, contact_rows, contact_rules, write_contacts
from tests.engines.test_road import assert_same


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(spark_home: Path, logs: Path, name: str, *arguments: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SPARK_HOME": str(spark_home), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_NO_DAEMONIZE": "1"}  # fmt: skip
    with (logs / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [str(spark_home / "bin" / "spark-class"), *arguments],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _alive_workers(ui: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2) as answer:
            return int(json.load(answer).get("aliveworkers", 0))
    except OSError:
        return 0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A standalone master with one worker (2 cores, 1 GiB) on loopback: its URL."""
    need_spark()
    import pyspark
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()  # one SparkContext per process: the local one goes first
    home = Path(pyspark.__file__).parent
    root = tmp_path_factory.mktemp("spark-cluster")
    port, ui, worker_ui = _free_port(), _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    master = _start(home, root, "master", "org.apache.spark.deploy.master.Master", "--host",
                    "127.0.0.1", "--port", str(port), "--webui-port", str(ui))  # fmt: skip
    worker = _start(home, root, "worker", "org.apache.spark.deploy.worker.Worker", url,
                    "--host", "127.0.0.1", "--cores", "2", "--memory", "1g",
                    "--webui-port", str(worker_ui), "--work-dir", str(root / "work"))  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _alive_workers(ui) < 1:
            if time.monotonic() > deadline or master.poll() is not None:
                logs = "".join(p.read_text()[-2000:] for p in root.glob("*.log"))
                pytest.fail(f"the standalone cluster did not start:\n{logs}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(worker)
        _stop(master)


@pytest.mark.spark
def test_the_road_runs_on_a_standalone_cluster(cluster: str, tmp_path: Path) -> None:
    """A CSV file read and cleaned by a real cluster's executor gives the in-process result."""
    settings = {**SETTINGS, "spark.executor.memory": "512m", "spark.executor.cores": "2",
                "spark.cores.max": "2"}  # fmt: skip
    engine = SparkEngine(master=cluster, config=settings)
    try:
        engine.spark.sparkContext.setLogLevel("ERROR")
        assert cluster == engine.spark.sparkContext.master
        rows = contact_rows(600, seed=3)
        expected = InProcess(workers=1).run(rows, contact_rules(), at=AT)
        path = write_contacts(tmp_path / "contacts.csv", 600, seed=3)
        assert_same(expected, engine.run(path, contact_rules(), at=AT))
        executors = engine.spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
        assert executors >= 2  # the driver and the cluster's executor
    finally:
        engine.spark.stop()
