"""
The in-process engine: every core, and the result a single process gives.
"""

from __future__ import annotations

import numpy as np
import pytest

from recordkit import RecordkitError
from recordkit.engines import EngineError, InProcess, RoadResult
from recordkit.match import Matcher
from recordkit.rules import RuleSet, Validators, run_batch
from tests.engines.data import AT, contact_rows, contact_rules, write_contacts
from tests.engines.killer import deadly_rules


def issue_keys(result: RoadResult) -> list[tuple[object, ...]]:
    """Every issue as a comparable tuple, in the result's order."""
    return [(i.row, i.field, i.code, i.rule, i.message, i.severity) for i in result.issues]


def weights(result: RoadResult) -> dict[tuple[str, str], float]:
    """Compared pair → match weight."""
    return {(a, b): w for a, b, w, _ in result.pairs()}


class TestInProcess:
    def test_comparing_in_workers_gives_the_single_process_result(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Pairs compared in worker processes (any count, here) score as in one process."""
        import recordkit.engines._inprocess as inprocess

        rows = contact_rows(600)
        one = InProcess(workers=1).run(rows, contact_rules(), at=AT)
        monkeypatch.setattr(inprocess, "MIN_PAIRS", 0)
        two = InProcess(workers=2, min_rows=0).run(rows, contact_rules(), at=AT, chunk_size=150)
        assert one.match.entity_of == two.match.entity_of
        w1, w2 = weights(one), weights(two)
        assert w1.keys() == w2.keys()
        assert np.allclose([w1[k] for k in w1], [w2[k] for k in w1], rtol=0, atol=1e-9)

    def test_merging_in_workers_gives_the_single_process_result(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Clusters merged in worker processes give the same golden records and merge plans."""
        import recordkit.engines._inprocess as inprocess

        rows = contact_rows(1200)
        one = InProcess(workers=1).run(rows, contact_rules(), at=AT)
        monkeypatch.setattr(inprocess, "MIN_GROUPS", 0)
        monkeypatch.setattr(inprocess, "_GROUPS_PER_TASK", 7)
        two = InProcess(workers=2, min_rows=0).run(rows, contact_rules(), at=AT, chunk_size=150)
        assert len(one.merges) > 14  # several tasks' worth of clusters
        assert [(g.id, g.values, g.provenance) for g in one.golden] == [
            (g.id, g.values, g.provenance) for g in two.golden
        ]
        assert one.golden == two.golden
        assert one.merges == two.merges

    def test_workers_give_the_single_process_result(self) -> None:
        """Two workers over small chunks give exactly what one process gives."""
        rows = contact_rows(1200)
        one = InProcess(workers=1).run(rows, contact_rules(), at=AT)
        two = InProcess(workers=2, min_rows=0).run(rows, contact_rules(), at=AT, chunk_size=150)
        assert one.outcome.columns == two.outcome.columns
        assert issue_keys(one) == issue_keys(two)
        assert [q.row for q in one.outcome.quarantine] == [q.row for q in two.outcome.quarantine]
        assert one.match.entity_of == two.match.entity_of
        w1, w2 = weights(one), weights(two)
        assert w1.keys() == w2.keys()
        assert np.allclose([w1[k] for k in w1], [w2[k] for k in w1], rtol=0, atol=1e-9)
        assert [g.values for g in one.golden] == [g.values for g in two.golden]

    def test_the_road_is_run_batch_then_dedupe(self, tmp_path: object) -> None:
        """On a CSV file the engine gives run_batch's rows and issues and dedupe's clusters."""
        from pathlib import Path

        path = write_contacts(Path(str(tmp_path)) / "contacts.csv", 1000)
        rules = contact_rules()
        got = InProcess(workers=1).run(path, rules, at=AT, chunk_size=300)
        ref = run_batch(rules, path, chunk_size=300)
        ids = [str(n) for n in ref.row_numbers]
        clusters = Matcher.for_schema(rules.schema).dedupe(ref.columns, ids=ids)
        assert ref.columns == got.outcome.columns
        assert sorted(map(repr, ref.issues)) == sorted(map(repr, got.issues))
        assert [q.raw for q in ref.quarantine] == [q.raw for q in got.outcome.quarantine]
        assert clusters.entity_of == got.match.entity_of
        assert len(clusters.clusters) == len(got.golden)

    def test_rows_in_are_rows_out_plus_quarantined(self) -> None:
        """Every row read is a normalized row or a quarantined one, never lost."""
        rows = [*contact_rows(300), {"email": "not an email"}, {"nonsense": "x"}]
        result = InProcess(workers=1).run(rows, contact_rules(), at=AT)
        assert len(rows) == result.total == len(result.ids) + result.quarantined
        assert {300, 301} <= {q.row for q in result.outcome.quarantine}
        assert "unknown_field" in {i.code for i in result.outcome.quarantine[-1].issues}

    def test_uniqueness_holds_across_chunks_and_workers(self) -> None:
        """A value repeating one from an earlier chunk is flagged the same with workers."""
        rules = RuleSet.for_schema(
            contact_rules().schema, extend={"source_id": [Validators.unique()]}
        )
        rows = contact_rows(400)
        rows[350]["source_id"] = rows[3]["source_id"]
        one = InProcess(workers=1).run(rows, rules, at=AT, chunk_size=100)
        two = InProcess(workers=2, min_rows=0).run(rows, rules, at=AT, chunk_size=100)
        ref = run_batch(rules, rows, chunk_size=100)
        for got in (one, two):
            assert sorted(map(repr, ref.issues)) == sorted(map(repr, got.issues))
            assert [q.row for q in ref.quarantine] == [q.row for q in got.outcome.quarantine]
        assert 350 in {q.row for q in one.outcome.quarantine}

    def test_a_worker_that_dies_is_a_clear_error(self) -> None:
        """A worker killed mid-job (SIGKILL) stops the run with an EngineError."""
        rows = contact_rows(200)
        rows[120]["company"] = "die"
        with pytest.raises(EngineError, match="worker process died"):
            InProcess(workers=2, min_rows=0).run(
                rows, deadly_rules(contact_rules()), at=AT, chunk_size=50
            )

    def test_small_runs_stay_in_this_process(self) -> None:
        """Below min_rows no worker starts: the deadly rule kills nothing."""
        rows = contact_rows(50)
        rows[10]["company"] = "die"
        result = InProcess(workers=2).run(rows, deadly_rules(contact_rules()), at=AT)
        assert 50 == result.total

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            pytest.param({"workers": 0}, "workers", id="no-workers"),
            pytest.param({"workers": True}, "workers", id="bool-workers"),
            pytest.param({"min_rows": -1}, "min_rows", id="negative-min-rows"),
        ],
    )
    def test_bad_options_are_refused(self, options: dict[str, object], match: str) -> None:
        """Options that are not whole numbers in range raise EngineError naming them."""
        with pytest.raises(EngineError, match=match):
            InProcess(**options)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("arguments", "match"),
        [
            pytest.param({"rules": "contact"}, "rules", id="rules"),
            pytest.param({"matcher": 3}, "matcher", id="matcher"),
            pytest.param({"policy": "x"}, "policy", id="policy"),
            pytest.param({"at": "2026-01-01"}, "at", id="naive-at"),
            pytest.param({"chunk_size": 0}, "chunk_size", id="chunk-size"),
            pytest.param({"channel": 5}, "channel", id="channel"),
            pytest.param({"source": 5}, "batch", id="source"),
        ],
    )
    def test_bad_arguments_are_refused(self, arguments: dict[str, object], match: str) -> None:
        """A wrong argument to run raises a RecordkitError naming it."""
        given: dict[str, object] = {"source": [], "rules": contact_rules(), **arguments}
        source, rules = given.pop("source"), given.pop("rules")
        with pytest.raises(RecordkitError, match=match):
            InProcess(workers=1).run(source, rules, **given)  # type: ignore[arg-type]
