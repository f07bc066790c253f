"""Profiles kept per import: in the store beside the records, listed newest first, for trends."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

import recordkit as rk
from recordkit import StoreError
from recordkit.quality import Profile, compare_profiles, profile
from recordkit.store import ProfileEntry
from tests.store.conftest import MakeStore
from tests.store.examples import LEAD, T0

PERSON = rk.Schema(
    "person",
    [
        rk.Field("name", rk.Text()),
        rk.Field("email", rk.Email(), tags={"pii"}),
        rk.Field("city", rk.Text()),
        rk.Field("visits", rk.Integer()),
    ],
)
MONDAY = [
    {"name": "Ada", "email": "ada@example", "city": "NY", "visits": "3"},
    {"name": "Grace", "email": "grace@example.com", "city": "New York", "visits": "x"},
    {"name": "Alan", "city": "N.Y."},
]
TUESDAY = [
    {"name": "Edsger", "email": "edsger@example.com", "city": "New York", "visits": "1"},
    {"name": "Barbara", "email": "barbara@example.com", "city": "Boston", "visits": "2"},
]


def entry(id: str, at: dt.datetime, *, source: str = "crm", schema: str = "lead") -> ProfileEntry:
    return ProfileEntry(id, schema, at, source, "kim", profile({"city": ["NY", "Boston", None]}))


def steward(store: rk.Store, **options: object) -> rk.Steward:
    ticks = itertools.count()
    return rk.Steward(
        PERSON,
        store=store,
        clock=lambda: T0 + dt.timedelta(minutes=next(ticks)),
        **options,  # type: ignore[arg-type]
    )


class TestStoreKeepsProfiles:
    def test_a_profile_reads_back_as_kept(self, make_store: MakeStore) -> None:
        """The entry and its profile come back equal, as plain data."""
        store = make_store()
        kept = entry("run-1", T0)
        store.put_profile(kept)
        [back] = store.profiles("lead")
        assert kept == back
        assert kept.profile.to_dict() == back.profile.to_dict()

    def test_newest_first_with_limit_and_source(self, make_store: MakeStore) -> None:
        """Listed newest first (ties by id), per schema, filtered by source, capped."""
        store = make_store()
        for i, source in enumerate(["crm", "web", "crm", "crm"]):
            store.put_profile(entry(f"run-{i}", T0 + dt.timedelta(days=i), source=source))
        store.put_profile(entry("other", T0, schema="company"))
        assert ["run-3", "run-2", "run-1", "run-0"] == [e.id for e in store.profiles("lead")]
        assert ["run-3", "run-2"] == [e.id for e in store.profiles("lead", source="crm", limit=2)]
        assert ["other"] == [e.id for e in store.profiles("company")]
        assert [] == store.profiles("lead", limit=0)

    def test_the_same_id_replaces(self, make_store: MakeStore) -> None:
        """Keeping an entry again under its id replaces it."""
        store = make_store()
        store.put_profile(entry("run-1", T0))
        store.put_profile(entry("run-1", T0 + dt.timedelta(hours=1), source="web"))
        assert [("run-1", "web")] == [(e.id, e.source) for e in store.profiles("lead")]

    def test_rolled_back_with_the_transaction(self, make_store: MakeStore) -> None:
        """A profile kept in a transaction that fails is not kept."""
        store = make_store()

        def failing() -> None:
            with store.transaction():
                store.put_profile(entry("run-1", T0))
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            failing()
        assert [] == store.profiles("lead")

    @pytest.mark.parametrize(
        ("call", "args", "kwargs"),
        [
            pytest.param("put_profile", ({"id": "x"},), {}, id="put-not-entry"),
            pytest.param("profiles", ("",), {}, id="schema-blank"),
            pytest.param("profiles", ("lead",), {"limit": -1}, id="limit-negative"),
            pytest.param("profiles", ("lead",), {"limit": True}, id="limit-bool"),
            pytest.param("profiles", ("lead",), {"source": 3}, id="source-number"),
        ],
    )
    def test_bad_arguments_are_store_errors(
        self, make_store: MakeStore, call: str, args: tuple[object, ...], kwargs: dict[str, object]
    ) -> None:
        """Every wrong argument raises StoreError."""
        store = make_store()
        with pytest.raises(StoreError):
            getattr(store, call)(*args, **kwargs)


class TestProfileEntry:
    @pytest.mark.parametrize(
        "change",
        [
            pytest.param({"id": ""}, id="id-blank"),
            pytest.param({"schema": 3}, id="schema-number"),
            pytest.param({"at": "2026-01-01"}, id="at-text"),
            pytest.param({"profile": {"rows": 1}}, id="profile-dict"),
            pytest.param({"kind": " "}, id="kind-blank"),
        ],
    )
    def test_bad_fields_are_store_errors(self, change: dict[str, object]) -> None:
        """An entry refuses fields of the wrong type with StoreError."""
        fields: dict[str, object] = {"id": "r", "schema": "lead", "at": T0, "source": "crm",
                                     "actor": "kim", "profile": profile({"a": [1]})}  # fmt: skip
        fields.update(change)
        with pytest.raises(StoreError):
            ProfileEntry(**fields)

    def test_plain_data_and_repr(self) -> None:
        """to_dict holds the profile's own plain data; the repr is one short line."""
        kept = entry(
            "run-1", dt.datetime(2026, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))
        )
        data = kept.to_dict()
        assert "2026-01-01T09:00:00+00:00" == data["at"]
        assert kept.profile.to_dict() == data["profile"]
        assert "ProfileEntry('run-1', 'lead', at=2026-01-01T09:00:00+00:00, rows=3)" == repr(kept)


class TestStewardKeepsOnePerImport:
    @pytest.fixture
    def store(self, make_store: MakeStore) -> rk.Store:
        return make_store(schemas=(PERSON, LEAD))

    def test_each_import_keeps_its_profile(self, store: rk.Store) -> None:
        """Two runs keep two profiles, newest first; their comparison says what improved."""
        people = steward(store, keep_profiles=True)
        people.capture_many(MONDAY, source="crm")
        people.capture_many(TUESDAY, source="crm")
        tuesday, monday = people.profiles()
        assert (2, 3) == (tuesday.profile.rows, monday.profile.rows)
        assert ("person", "crm", "system", "capture_many") == (
            tuesday.schema,
            tuesday.source,
            tuesday.actor,
            tuesday.kind,
        )
        assert tuesday.at > monday.at
        diff = compare_profiles(monday.profile, tuesday.profile)
        assert "email" in diff.improved
        assert diff.validity_change is not None
        assert diff.validity_change > 0

    def test_the_kept_counts_are_the_runs_own(self, store: rk.Store) -> None:
        """Invalid counts and validity equal profiling the same rows with the same rules."""
        people = steward(store, keep_profiles=True)
        result = people.capture_many(MONDAY, source="crm")
        [kept] = people.profiles()
        fresh = profile(MONDAY, rules=people.rules, fields=PERSON.field_names)
        assert fresh.valid_rows == kept.profile.valid_rows
        assert len(result.records) == kept.profile.valid_rows
        for name in ("name", "city", "visits", "email"):
            assert fresh.field(name).invalid == kept.profile.field(name).invalid
            assert fresh.field(name).filled == kept.profile.field(name).filled
        city = kept.profile.field("city")
        assert {"NY", "New York", "N.Y."} == {v for v, _ in city.top_values()}

    def test_personal_fields_keep_no_values(self, store: rk.Store) -> None:
        """A pii field's profile keeps counts, distinct count and shapes, never values."""
        people = steward(store, keep_profiles=True)
        people.capture_many(TUESDAY, source="crm")
        email = people.profiles()[0].profile.field("email")
        assert () == email.top_values()
        assert 2 == email.distinct
        assert email.top_shapes()

    def test_off_by_default(self, store: rk.Store) -> None:
        """A steward not asked to keep profiles keeps none."""
        people = steward(store)
        people.capture_many(MONDAY, source="crm")
        assert [] == people.profiles()

    def test_reading_them_needs_every_record_in_clear(self, store: rk.Store) -> None:
        """A profile holds values: an actor with a masked field may not list them."""
        policy = rk.Policy(
            roles={
                "system": {"actions": "*", "default": "write"},
                "intern": {"actions": ["read"], "default": "read", "fields": {"email": "masked"}},
            }
        )
        people = steward(store, keep_profiles=True, access=policy)
        people.capture_many(TUESDAY, source="crm")
        with pytest.raises(rk.AccessDenied):
            people.profiles(actor=rk.Actor("i", roles={"intern"}))

    @pytest.mark.parametrize(
        "kwargs",
        [
            pytest.param({"limit": -1}, id="limit-negative"),
            pytest.param({"source": 1}, id="source-number"),
            pytest.param({"actor": "kim"}, id="actor-text"),
        ],
    )
    def test_bad_arguments(self, store: rk.Store, kwargs: dict[str, object]) -> None:
        """profiles() checks its arguments."""
        with pytest.raises(rk.RecordkitError):
            steward(store).profiles(**kwargs)  # type: ignore[arg-type]

    def test_keep_profiles_is_a_flag(self, store: rk.Store) -> None:
        """keep_profiles takes True or False only."""
        with pytest.raises(rk.RecordkitError, match="keep_profiles"):
            steward(store, keep_profiles="yes")


def test_profile_is_plain_json() -> None:
    """What a store keeps is Profile.to_dict, and it reads back to the same profile."""
    made = entry("r", T0).profile
    assert made.to_dict() == Profile.from_dict(made.to_dict()).to_dict()
