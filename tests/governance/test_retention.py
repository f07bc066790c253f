"""Retention rules on every backend: what a run lists, what it archives and erases, and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit.governance import RecordPredicate, Retention, RetentionReport, Role
from tests.governance.conftest import MakeStore

DAY = dt.timedelta(days=1)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
DOCUMENT = """
schema: lead
fields:
  name: {type: text}
  email: {type: email}
  kind: {type: text}
governance:
  retention:
    - {name: trials, erase_after: 30d, where: {kind: trial}}
    - {name: stale, archive_after: 365d, erase_after: P2Y}
"""
SCHEMA = rk.parse_schema(DOCUMENT)
STALE = Retention("stale", archive_after=365 * DAY, erase_after=730 * DAY)
TRIALS = Retention("trials", erase_after="30d", where={"kind": "trial"})


_S = rk.Steward


class Clock:
    """A steward's clock the test sets: records get the ``updated_at`` it says."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


def steward(make_store: MakeStore, **options: object) -> tuple[_S, Clock]:
    clock = Clock()
    options.setdefault("access", rk.AllowAll())
    s = _S(SCHEMA, store=make_store(), clock=clock, **options)  # type: ignore[arg-type]
    return s, clock


def add(s: _S, clock: Clock, age: dt.timedelta, kind: str | None = None) -> rk.Record:
    """Capture a record last changed *age* before NOW."""
    clock.now = NOW - age
    record = s.capture({"name": f"n{age}", "kind": kind}, source="form")
    clock.now = NOW
    return record


def snapshot(s: _S) -> list[tuple[str, int, str | None]]:
    return [(r.id, r.version, r.state) for r in s.store.query(SCHEMA.name)]


class TestRetention:
    """Declaring rules: durations, conditions and the checks with their paths."""

    @pytest.mark.parametrize(
        ("spelled", "days"),
        [
            pytest.param("30d", 30, id="days"),
            pytest.param("12w", 84, id="weeks"),
            pytest.param("2y", 730, id="years"),
            pytest.param("P1Y", 365, id="iso-year"),
            pytest.param("P6M", 180, id="iso-months"),
            pytest.param("P2W", 14, id="iso-weeks"),
            pytest.param("p1y6m", 545, id="iso-lower"),
            pytest.param(dt.timedelta(days=3), 3, id="timedelta"),
        ],
    )
    def test_durations(self, spelled: object, days: int) -> None:
        """Every spelling of a duration gives its length in days."""
        assert dt.timedelta(days=days) == Retention("r", erase_after=spelled).erase_after

    def test_iso_times(self) -> None:
        """ISO 8601 durations with a time part count hours, minutes and seconds."""
        expected = dt.timedelta(days=1, hours=12, seconds=5)
        assert expected == Retention("r", erase_after="P1DT12H5S").erase_after

    @pytest.mark.parametrize("bad", ["30", "d", "-3d", "0d", "P", "PT", "P1H", 30, None, "3 days"])
    def test_bad_durations(self, bad: object) -> None:
        """A duration that is not one raises SchemaError, never a builtin error."""
        with pytest.raises(rk.SchemaError):
            Retention("r", archive_after=bad, erase_after=None)

    def test_a_rule_archives_or_erases(self) -> None:
        """A rule with neither duration, or erasing no later than archiving, is refused."""
        with pytest.raises(rk.SchemaError, match="archives or erases"):
            Retention("r")
        with pytest.raises(rk.SchemaError, match="erase_after must be longer"):
            Retention("r", archive_after="30d", erase_after="4w")

    def test_repr_and_where(self) -> None:
        """The repr spells the durations; a where mapping becomes a store condition."""
        assert "Retention('trials', erase_after=30d, where=…)" == repr(TRIALS)
        assert rk.Predicate("kind", "eq", "trial") == TRIALS.where

    @pytest.mark.parametrize(
        ("rule", "path", "message"),
        [
            pytest.param("{name: a, archive_after: soon}", "[0].archive_after", "duration",
                         id="duration"),
            pytest.param("{name: a, erase_after: 3d, where: {kidn: x}}", "[0].where.kidn",
                         "did you mean 'kind'", id="unknown-field"),
            pytest.param("{name: a, erase_after: 3d, where: {kind: {near: x}}}",
                         "[0].where.kind", "op one of", id="operator"),
            pytest.param("{name: a, erase_after: 3d, keep: 1}", "[0]", "unknown key 'keep'",
                         id="unknown-key"),
            pytest.param("{erase_after: 3d}", "[0].name", "non-blank", id="no-name"),
            pytest.param("{name: a, archive_after: 9d, erase_after: 3d}", "[0].erase_after",
                         "longer", id="order"),
        ],
    )  # fmt: skip
    def test_schema_section_errors_name_the_path(self, rule: str, path: str, message: str) -> None:
        """A bad rule in the governance section raises SchemaError naming where it is."""
        schema = rk.parse_schema(DOCUMENT.replace("{name: trials, erase_after: 30d, "
                                                  "where: {kind: trial}}", rule))  # fmt: skip
        for read in (Retention.from_schema, rk.Policy.from_schema):
            with pytest.raises(rk.SchemaError, match=message) as info:
                read(schema)
            assert f"governance.retention{path}" == info.value.path

    def test_duplicate_names(self) -> None:
        """Two rules of one name are refused."""
        doc = DOCUMENT.replace("name: trials", "name: stale")
        with pytest.raises(rk.SchemaError, match="declared twice"):
            Retention.from_schema(rk.parse_schema(doc))

    def test_from_schema_reads_the_section(self) -> None:
        """The schema's rules are read in order, the same as their Python declaration."""
        assert (TRIALS, STALE) == Retention.from_schema(SCHEMA)

    def test_policy_accepts_the_retention_key(self) -> None:
        """A governance section with retention rules still reads as a policy."""
        assert "Policy(roles=[], rules=0)" == repr(rk.Policy.from_schema(SCHEMA))

    def test_record_predicate_compares_times(self) -> None:
        """updated_at compares with datetimes (naive ones are UTC), and refuses text."""
        record = rk.Record("r1", "lead", {}, created_at=NOW - DAY)
        naive = (NOW - DAY).replace(tzinfo=None)
        assert RecordPredicate("updated_at", "le", naive).holds(record)
        assert not RecordPredicate("updated_at", "lt", NOW - DAY).holds(record)
        with pytest.raises(rk.StoreError, match="datetime"):
            RecordPredicate("updated_at", "le", "2026-01-01")
        with pytest.raises(rk.StoreError, match="text"):
            RecordPredicate("owner", "eq", NOW)


class TestReport:
    """The report: counts, plain data and a short repr."""

    def test_to_dict_and_repr(self) -> None:
        """A report lists ids per rule and counts them; its repr is one short line."""
        report = RetentionReport(NOW, True, archive={"a": ["1"], "b": []},
                                 erase={"a": ["2", "3"], "b": ["4"]})  # fmt: skip
        assert "RetentionReport(dry_run=True, archive=1, erase=3, refused=0)" == repr(report)
        assert {"a": {"archive": 1, "erase": 2}, "b": {"archive": 0, "erase": 1}} == (
            report.counts()
        )
        assert {"a": {"archive": ["1"], "erase": ["2", "3"]},
                "b": {"archive": [], "erase": ["4"]}} == report.to_dict()["rules"]  # fmt: skip

    @pytest.mark.parametrize(
        "options",
        [
            {"now": "today", "dry_run": True},
            {"now": NOW, "dry_run": 1},
            {"now": NOW, "dry_run": True, "archive": {"a": "1"}},
            {"now": NOW, "dry_run": True, "refused": {"a": 2}},
        ],
    )
    def test_bad_values(self, options: dict[str, object]) -> None:
        """A report of the wrong values raises a recordkit error."""
        with pytest.raises(rk.RecordkitError):
            RetentionReport(**options)


AGES = {
    "fresh": 364 * DAY,
    "archive-exact": 365 * DAY,
    "archive-plus": 365 * DAY + dt.timedelta(seconds=1),
    "archive-last": 730 * DAY - dt.timedelta(seconds=1),
    "erase-exact": 730 * DAY,
    "erase-old": 900 * DAY,
}


class TestApplyRetention:
    """The steward's retention run, the same on memory, SQLite and PostgreSQL."""

    def test_dry_run_lists_exactly_and_changes_nothing(self, make_store: MakeStore) -> None:
        """Exactly N days without a change is due; a second less is not; nothing moves."""
        s, clock = steward(make_store)
        ids = {name: add(s, clock, age).id for name, age in AGES.items()}
        before, events = snapshot(s), len(list(s.audit.events()))
        report = s.apply_retention(NOW, rules=[STALE])
        assert {ids["archive-exact"], ids["archive-plus"], ids["archive-last"]} == set(
            report.archive["stale"]
        )
        assert {ids["erase-exact"], ids["erase-old"]} == set(report.erase["stale"])
        assert (before, events) == (snapshot(s), len(list(s.audit.events())))
        assert (True, {}) == (report.dry_run, report.erasures)

    def test_apply_archives_and_erases(self, make_store: MakeStore) -> None:
        """Applying retires and erases the listed records, each event naming the rule."""
        s, clock = steward(make_store)
        ids = {name: add(s, clock, age).id for name, age in AGES.items()}
        report = s.apply_retention(NOW, dry_run=False, rules=[STALE])
        for name in ("archive-exact", "archive-plus", "archive-last"):
            record = s.get(ids[name])
            assert "retired" == record.state
            event = list(s.audit.events(ids[name]))[-1]
            assert ("transition", "retention rule 'stale': archive after inactivity") == (
                event.action,
                event.detail["reason"],
            )
        for name in ("erase-exact", "erase-old"):
            with pytest.raises(rk.NotFound):
                s.get(ids[name])
            event = list(s.audit.events(ids[name]))[-1]
            assert ("erase", report.erasures[ids[name]]) == (event.action, event.detail["erasure"])
            assert "stale" in event.detail["reason"]
        assert ("retired", {}) != (s.get(ids["fresh"]).state, report.refused)
        assert {} == report.refused
        assert s.audit.verify().ok
        again = s.apply_retention(NOW, dry_run=False, rules=[STALE])
        assert (0, 0) == (again.archived_count, again.erased_count)

    def test_archiving_keeps_the_inactivity_clock(self, make_store: MakeStore) -> None:
        """A retired record is erased when it has gone erase_after without a change."""
        s, clock = steward(make_store)
        record = add(s, clock, 400 * DAY)
        s.apply_retention(NOW, dry_run=False, rules=[STALE])
        later = NOW + 329 * DAY
        assert 0 == s.apply_retention(later, rules=[STALE]).erased_count
        report = s.apply_retention(later + DAY, dry_run=False, rules=[STALE])
        assert [record.id] == list(report.erasures)

    def test_where_limits_a_rule(self, make_store: MakeStore) -> None:
        """A rule's where selects its records; the first rule to claim a record keeps it."""
        s, clock = steward(make_store)
        trial = add(s, clock, 31 * DAY, kind="trial")
        young = add(s, clock, 29 * DAY, kind="trial")
        other = add(s, clock, 31 * DAY, kind="paid")
        old_trial = add(s, clock, 800 * DAY, kind="trial")
        report = s.apply_retention(NOW)  # the schema's rules: trials, then stale
        assert {trial.id, old_trial.id} == set(report.erase["trials"])
        assert ((), ()) == (report.erase["stale"], report.archive["stale"])
        assert {young.id, other.id}.isdisjoint(report.erase["trials"])

    def test_record_columns_in_where(self, make_store: MakeStore) -> None:
        """A bare stage (no field of that name) tests the record's stage."""
        s, clock = steward(make_store)
        lead = add(s, clock, 40 * DAY)
        s.advance(lead.id, "lead", actor=rk.Actor("system", roles={"system"}))
        subscriber = add(s, clock, 40 * DAY)
        rule = {"name": "leads", "erase_after": "30d", "where": {"stage": "lead"}}
        clock.now = NOW
        report = s.apply_retention(NOW + 40 * DAY, rules=[rule])
        assert [lead.id] == list(report.erase["leads"])
        assert subscriber.id not in report.erase["leads"]

    def test_merged_records_go_with_their_survivor(self, make_store: MakeStore) -> None:
        """A merged-away record is never listed; erasing its survivor erases it too."""
        s, clock = steward(make_store)
        a, b = add(s, clock, 800 * DAY), add(s, clock, 800 * DAY)
        clock.now = NOW - 800 * DAY
        merge = s.merge([a.id, b.id])
        clock.now = NOW
        assert [merge.survivor_id] == list(s.apply_retention(NOW, rules=[STALE]).erase["stale"])
        report = s.apply_retention(NOW, dry_run=False, rules=[STALE])
        assert {a.id, b.id, merge.survivor_id} == set(report.erasures)
        assert [] == s.store.query(SCHEMA.name)

    def test_a_refused_erasure_is_reported(self, make_store: MakeStore) -> None:
        """An actor without the erase permission erases nothing; the records say why."""
        policy = rk.Policy(roles=[Role("system", actions=["read", "create", "transition"],
                                       default="write")], schema=SCHEMA)  # fmt: skip
        s, clock = steward(make_store, access=policy)
        old = add(s, clock, 800 * DAY)
        stale = add(s, clock, 400 * DAY)
        report = s.apply_retention(NOW, dry_run=False, rules=[STALE])
        assert [old.id] == list(report.refused)
        assert "erase" in report.refused[old.id]
        assert (old.version, "retired") == (s.get(old.id).version, s.get(stale.id).state)

    def test_sweep_applies_the_schema_rules(self, make_store: MakeStore) -> None:
        """sweep(now) takes the timed moves, then archives and erases by the schema's rules."""
        s, clock = steward(make_store)
        assert (TRIALS, STALE) == s.retention
        stale, gone = add(s, clock, 400 * DAY), add(s, clock, 40 * DAY, kind="trial")
        result = s.sweep(NOW)
        assert "retired" == result.moved[stale.id][-1].target
        assert "retired" == s.get(stale.id).state
        with pytest.raises(rk.NotFound):
            s.get(gone.id)

    def test_archiving_needs_a_state_lifecycle(self, make_store: MakeStore) -> None:
        """A rule that archives, on a steward without a state lifecycle, is refused up front."""
        s, clock = steward(make_store, lifecycle=None)
        add(s, clock, 400 * DAY)
        with pytest.raises(rk.TransitionError):
            s.apply_retention(NOW, rules=[STALE])
        assert 0 == s.apply_retention(NOW, rules=[TRIALS]).erased_count

    @pytest.mark.parametrize(
        ("options", "error"),
        [
            ({"now": "2026-01-01"}, rk.ValidationError),
            ({"now": NOW, "dry_run": "no"}, rk.ValidationError),
            ({"now": NOW, "rules": "stale"}, rk.SchemaError),
            ({"now": NOW, "rules": [{"name": "x"}]}, rk.SchemaError),
            ({"now": NOW, "rules": [STALE, STALE]}, rk.SchemaError),
            ({"now": NOW, "rules": [Retention("x", erase_after="1d", where={"nope": 1})]},
             rk.SchemaError),
            ({"now": NOW, "actor": "root"}, rk.RecordkitError),
        ],
    )  # fmt: skip
    def test_bad_arguments(
        self, make_store: MakeStore, options: dict[str, object], error: type[Exception]
    ) -> None:
        """Wrong arguments raise recordkit errors before anything is read."""
        s, _ = steward(make_store)
        with pytest.raises(error):
            s.apply_retention(**options)  # type: ignore[arg-type]


def _expected(
    records: list[rk.Record], rules: list[Retention], now: dt.datetime
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The report's sets, computed record by record."""
    archive: dict[str, set[str]] = {r.name: set() for r in rules}
    erase: dict[str, set[str]] = {r.name: set() for r in rules}
    for record in records:
        if record.state == "merged":
            continue
        age = now - record.updated_at
        for rule in rules:
            if rule.where is not None and not rule.where.holds(record):
                continue
            if rule.erase_after is not None and age >= rule.erase_after:
                erase[rule.name].add(record.id)
                break
            due = rule.archive_after is not None and age >= rule.archive_after
            if due and record.state not in ("retired", "merged"):
                archive[rule.name].add(record.id)
                break
    return archive, erase


SECONDS: Callable[[int], st.SearchStrategy[int]] = lambda days: st.integers(0, days * 86_400)  # noqa: E731


def test_the_report_is_the_brute_force_answer(make_store: MakeStore) -> None:
    """Over random ages and kinds, the dry run's sets are those computed one by one."""
    s, clock = steward(make_store)
    rules = [TRIALS, STALE]
    # the exact boundaries of both rules, beside random ages
    edges = st.sampled_from([30 * 86_400, 365 * 86_400, 730 * 86_400])

    @settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(
            st.tuples(st.one_of(SECONDS(900), edges), st.sampled_from([None, "trial", "paid"])),
            max_size=6,
        ),
        st.integers(0, 30 * 86_400),
    )
    def check(rows: list[tuple[int, str | None]], later: int) -> None:
        for age, kind in rows:
            add(s, clock, dt.timedelta(seconds=age), kind=kind)
        now = NOW + dt.timedelta(seconds=later) if later % 2 else NOW
        report = s.apply_retention(now, rules=rules)
        archive, erase = _expected(s.store.query(SCHEMA.name), rules, now)
        assert archive == {k: set(v) for k, v in report.archive.items()}
        assert erase == {k: set(v) for k, v in report.erase.items()}

    check()
