"""The batch road's result and a record's health breakdown, as tables and in a notebook."""

from __future__ import annotations

import pytest

import recordkit as rk
from recordkit.engines import InProcess, RoadResult
from recordkit.quality import HealthModel

ROWS = [
    {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
    {"first_name": "ada", "last_name": "LOVELACE", "email": "ADA@example.com"},
    {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"},
    {"first_name": "<script>", "last_name": "", "email": "nope"},
]


@pytest.fixture(scope="module")
def road() -> RoadResult:
    rules = rk.RuleSet.for_schema(rk.bundled_schema("contact"))
    return InProcess(workers=1).run(ROWS, rules)


def test_golden_records_as_a_table(road: RoadResult) -> None:
    frame = road.to_pandas()
    assert list(frame["_id"]) == [r.id for r in road.golden]
    assert len(frame) == len(road.golden) == 2  # Ada twice is one entity
    assert sorted(frame["email"]) == ["ada@example.com", "grace@example.com"]


def test_every_part(road: RoadResult) -> None:
    assert len(road.to_pandas(part="rows")) == len(road.ids) == 3
    assert list(road.to_pandas(part="quarantine")["_row"]) == [3]
    assert len(road.to_polars(part="clusters")) == 3
    assert road.to_arrow(part="issues").num_rows == len(road.issues)
    assert road.to_arrow(part="pairs").num_rows == len(road.pairs())
    with pytest.raises(rk.RecordkitError):
        road.to_pandas(part="everything")


def test_notebook_views_escape_and_stay_short(road: RoadResult) -> None:
    page = road._repr_html_()
    assert "entities" in page
    assert "<script>" not in page
    assert len(repr(road)) < 200


def test_health_breakdown_in_a_notebook() -> None:
    steward = rk.Steward(rk.bundled_schema("contact"), health=HealthModel())
    record = steward.capture({"first_name": "Ada", "last_name": "Lovelace"}, source="form")
    score = steward.health(record.id)
    page = score._repr_html_()
    for name in score.names:
        assert name in page
    assert f"{score.score}/100" in page
    assert page.count("<tr>") == len(score.names) + 1
