"""Survivorship can prefer the healthier record's value (`Survive.healthiest`)."""

from __future__ import annotations

import pytest

import recordkit as rk
from recordkit.match import plan_merge
from recordkit.quality import HealthModel

SCHEMA = rk.bundled_schema("contact")


def _steward(store: rk.Store | None = None) -> rk.Steward:
    return rk.Steward(SCHEMA, store=store, health=HealthModel())


def test_the_healthier_record_gives_the_value() -> None:
    steward = _steward()
    poor = steward.capture(
        {"first_name": "Ada", "last_name": "Lovelace", "job_title": "Engineer"}, source="crm"
    )
    rich = steward.capture(
        {"first_name": "Ada", "last_name": "Lovelace", "job_title": "Chief Engineer",
         "email": "ada@example.com", "phone": "+442079460958", "company": "Analytical",
         "country": "GB"},
        source="web",
    )  # fmt: skip
    scores = {r.id: steward.health(r.id).score for r in (poor, rich)}
    assert scores[rich.id] > scores[poor.id]
    policy = rk.MergePolicy(fields={"job_title": rk.Survive.healthiest()})
    plan = steward.merge([poor.id, rich.id], policy=policy, dry_run=True)
    assert isinstance(plan, rk.match.MergePlan)
    assert plan.survivor["job_title"] == "Chief Engineer"
    cell = next(c for c in plan.lineage if c.field == "job_title")
    assert cell.record_ids == (rich.id,)
    assert "healthiest" in cell.reason


def test_without_scores_the_most_recent_value_wins() -> None:
    steward = rk.Steward(SCHEMA)
    a = steward.capture({"first_name": "Ada", "last_name": "L", "job_title": "Old"}, source="x")
    b = steward.capture({"first_name": "Ada", "last_name": "L", "job_title": "New"}, source="x")
    policy = rk.MergePolicy(fields={"job_title": "healthiest"})
    plan = steward.merge([a.id, b.id], policy=policy, dry_run=True)
    assert isinstance(plan, rk.match.MergePlan)
    assert plan.survivor["job_title"] == "New"


def test_plain_data_and_bad_scores() -> None:
    assert rk.Survive.healthiest().to_data() == "healthiest"
    steward = rk.Steward(SCHEMA)
    a = steward.capture({"first_name": "Ada", "last_name": "L"}, source="x")
    b = steward.capture({"first_name": "Ada", "last_name": "L"}, source="x")
    at = a.created_at
    with pytest.raises(rk.RecordkitError):
        plan_merge(SCHEMA, [a, b], merge_id="m", at=at, health={a.id: 101})
    with pytest.raises(rk.RecordkitError):
        plan_merge(SCHEMA, [a, b], merge_id="m", at=at, health=["x"])  # type: ignore[arg-type]
