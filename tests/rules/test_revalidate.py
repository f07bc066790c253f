"""Re-validation: a new rule set version re-checks stored records, dry run by default."""

from __future__ import annotations

import pytest

import recordkit as rk
from recordkit.rules import RuleSet, Validators, revalidate

NAMED = {"first_name": "Ada", "last_name": "Byron"}
"""
The contact's required fields (a missing one is an error that would block each capture).
"""


@pytest.fixture(scope="module")
def stored() -> list[rk.Record]:
    schema = rk.bundled_schema("contact")
    steward = rk.Steward(schema, rules=RuleSet.for_schema(schema, version=1))
    return [
        steward.capture({**NAMED, "city": "NY"}, source="s"),
        steward.capture({**NAMED, "city": "Oslo", "job_title": "cto"}, source="s"),
        steward.capture(
            {**NAMED, "city": "Paris", "job_title": "Chief " * 7}, source="s", mode="warn"
        ),
    ]


def versions() -> tuple[RuleSet, RuleSet]:
    schema = rk.bundled_schema("contact")
    old = RuleSet.for_schema(
        schema, version=1, extend={"job_title": [Validators.length(max=30)]}
    )
    new = RuleSet.for_schema(
        schema,
        version=2,
        fields={"job_title": [{"case": "upper"}]},
        extend={"city": [Validators.length(min=3)]},
    )
    return old, new


class TestRevalidate:
    def test_reports_what_now_fails_and_now_passes(self, stored: list[rk.Record]) -> None:
        old, new = versions()
        report = revalidate(stored, old=old, new=new)
        assert [stored[0].id] == [d.record_id for d in report.now_failing]
        assert [stored[2].id] == [d.record_id for d in report.now_passing]
        assert (1, 2, 3) == (report.old_version, report.new_version, report.checked)

    def test_dry_run_by_default(self, stored: list[rk.Record]) -> None:
        old, new = versions()
        report = revalidate(stored, old=old, new=new)
        assert (False, []) == (report.applied, report.updated)
        assert {stored[1].id, stored[2].id} == {d.record_id for d in report.changed}

    def test_apply_returns_new_versions(self, stored: list[rk.Record]) -> None:
        old, new = versions()
        report = revalidate(stored, old=old, new=new, apply=True)
        updated = {r.id: r for r in report.updated}
        assert "CTO" == updated[stored[1].id]["job_title"]
        assert stored[1].version + 1 == updated[stored[1].id].version
        assert stored[1].provenance == updated[stored[1].id].provenance

    def test_summary(self, stored: list[rk.Record]) -> None:
        old, new = versions()
        summary = revalidate(stored, old=old, new=new).summary()
        assert (1, 1, 2) == (summary["now_failing"], summary["now_passing"], summary["changed"])

    def test_refuses_rules_of_different_schemas(self, stored: list[rk.Record]) -> None:
        deal = RuleSet.for_schema(rk.bundled_schema("deal"))
        with pytest.raises(rk.RecordkitError):
            revalidate(stored, old=deal, new=versions()[1])


class TestStewardRevalidate:
    def make(self) -> tuple[rk.Steward, list[rk.Record]]:
        old, _ = versions()
        steward = rk.Steward(rk.bundled_schema("contact"), rules=old)
        records = [
            steward.capture({**NAMED, "city": "NY"}, source="s"),
            steward.capture({**NAMED, "city": "Oslo", "job_title": "cto"}, source="s"),
        ]
        return steward, records

    def test_dry_run_changes_nothing(self) -> None:
        steward, records = self.make()
        report = steward.revalidate(versions()[1])
        assert [records[0].id] == [d.record_id for d in report.now_failing]
        assert "cto" == steward.get(records[1].id)["job_title"]
        assert 1 == steward.rules.version

    def test_apply_stores_new_versions_and_adopts_the_rules(self) -> None:
        steward, records = self.make()
        steward.revalidate(versions()[1], apply=True)
        updated = steward.get(records[1].id)
        assert ("CTO", 2, "cto") == (
            updated["job_title"], updated.version, updated.provenance["job_title"].raw
        )
        assert 2 == steward.rules.version
        assert steward.audit.verify()
        assert [e.detail.get("rules_version") for e in steward.audit.events(records[1].id)] == [
            None, 2
        ]
