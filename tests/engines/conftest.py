"""
The engine tests' marker: ``spark`` for the tests that start Apache Spark.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``spark`` marker (harmless when pyproject.toml lists it too)."""
    config.addinivalue_line(
        "markers", "spark: needs Apache Spark (pyspark and Java; one local[2] session)"
    )
