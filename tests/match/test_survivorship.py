"""Survivorship strategies, their plain-data form, and `MergePolicy`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import Candidate, Survive, SurvivorshipStrategy, strategy_from_data
from tests.match.merge_examples import PERSON, TICKET, at, person
from tests.strategies import survivorship_strategies

NAME = PERSON.field("name")


def cand(
    record_id: str,
    value: Any,
    *,
    source: str | None = "crm",
    seen: float = 0,
    rank: int = 0,
    filled: int = 1,
    valid: bool = True,
) -> Candidate:
    return Candidate(record_id, value, source, at(seen), rank, filled, valid)


def usd(amount: str) -> rk.Money:
    return rk.Money(Decimal(amount), "USD")


def choose(strategy: SurvivorshipStrategy, *candidates: Candidate) -> tuple[Any, tuple[str, ...]]:
    choice = strategy(NAME, list(candidates))
    return choice.value, choice.record_ids


class TestStrategies:
    @pytest.mark.parametrize(
        ("strategy", "candidates", "expected"),
        [
            pytest.param(
                Survive.most_recent(),
                [cand("a", "Ada", seen=1, rank=0), cand("b", "Ada L", seen=3, rank=1)],
                ("Ada L", ("b",)),
                id="most-recent",
            ),
            pytest.param(
                Survive.most_recent(),
                [cand("a", "Ada", seen=3, rank=0), cand("b", "Ada L", seen=3, rank=1)],
                ("Ada", ("a",)),
                id="most-recent-tie-goes-to-rank-0",
            ),
            pytest.param(
                Survive.most_complete(),
                [cand("a", "Ada", filled=2, rank=0), cand("b", "Bea", filled=5, rank=1)],
                ("Bea", ("b",)),
                id="most-complete",
            ),
            pytest.param(
                Survive.longest(),
                [cand("a", "Ada", rank=0), cand("b", "Ada Lovelace", rank=1)],
                ("Ada Lovelace", ("b",)),
                id="longest",
            ),
            pytest.param(
                Survive.survivor_first(),
                [cand("a", "Ada", seen=0, rank=0), cand("b", "Bea", seen=9, rank=1)],
                ("Ada", ("a",)),
                id="survivor-first",
            ),
            pytest.param(
                Survive.trusted_sources(["crm", "web"]),
                [cand("a", "web", source="web", seen=9), cand("b", "crm", source="crm", rank=1)],
                ("crm", ("b",)),
                id="trusted-beats-recent",
            ),
            pytest.param(
                Survive.trusted_sources(["crm"]),
                [cand("a", "x", source="form", seen=1), cand("b", "y", source=None, seen=2)],
                ("y", ("b",)),
                id="untrusted-fall-back-to-then",
            ),
            pytest.param(
                Survive.trusted_sources(["crm"], then=Survive.longest()),
                [cand("a", "Al", source="crm", seen=9), cand("b", "Alan", source="crm", rank=1)],
                ("Alan", ("b",)),
                id="trusted-tie-then-longest",
            ),
            pytest.param(
                Survive.validated_only(),
                [cand("a", "bad", seen=9, valid=False), cand("b", "good", seen=1, rank=1)],
                ("good", ("b",)),
                id="validated-only",
            ),
            pytest.param(
                Survive.validated_only(),
                [cand("a", "bad", valid=False), cand("b", "worse", valid=False, rank=1)],
                (None, ()),
                id="validated-only-none-valid",
            ),
            pytest.param(
                Survive.from_record("b"),
                [cand("a", "Ada", seen=9), cand("b", "Bea", rank=1)],
                ("Bea", ("b",)),
                id="manual-pick",
            ),
            pytest.param(
                Survive.from_record("c"),
                [cand("a", "Ada"), cand("b", "Bea", rank=1)],
                (None, ("c",)),
                id="manual-pick-of-an-empty-value",
            ),
            pytest.param(
                Survive.oldest(),
                [cand("a", "Ada", seen=4, rank=0), cand("b", "Bea", seen=1, rank=1)],
                ("Bea", ("b",)),
                id="oldest",
            ),
            pytest.param(
                Survive.most_frequent(),
                [cand("a", "Ada"), cand("b", "Bea", rank=1), cand("c", "Bea", rank=2)],
                ("Bea", ("b", "c")),
                id="most-frequent",
            ),
            pytest.param(
                Survive.most_frequent(),
                [cand("a", "Ada", seen=1), cand("b", "Bea", seen=2, rank=1)],
                ("Bea", ("b",)),
                id="most-frequent-tie-then-recent",
            ),
            pytest.param(
                Survive.greatest(),
                [cand("a", 3), cand("b", 9, rank=1), cand("c", 9, rank=2)],
                (9, ("b",)),
                id="greatest",
            ),
            pytest.param(
                Survive.least(),
                [cand("a", dt.date(2026, 5, 1)), cand("b", dt.date(2025, 1, 1), rank=1)],
                (dt.date(2025, 1, 1), ("b",)),
                id="least-date",
            ),
            pytest.param(
                Survive.greatest(),
                [cand("a", usd("5")), cand("b", usd("9"))],
                (usd("9"), ("b",)),
                id="greatest-money",
            ),
            pytest.param(
                Survive.greatest(then=Survive.survivor_first()),
                [cand("a", usd("5")), cand("b", rk.Money(Decimal("9"), "EUR"))],
                (usd("5"), ("a",)),
                id="greatest-money-mixed-currencies-falls-back",
            ),
            pytest.param(
                Survive.keep_all(),
                [cand("a", ("b2b", "vip")), cand("b", ("lead", "vip"), rank=1)],
                (("b2b", "vip", "lead"), ("a", "b")),
                id="keep-all",
            ),
        ],
    )
    def test_choice(
        self, strategy: SurvivorshipStrategy, candidates: list[Candidate], expected: Any
    ) -> None:
        """Each strategy picks the value its name promises, ties going to the first ranked."""
        assert expected == choose(strategy, *candidates)

    def test_reason_names_the_source(self) -> None:
        """trusted_sources' reason names the source it trusted."""
        choice = Survive.trusted_sources(["crm"])(NAME, [cand("a", "x", source="crm")])
        assert "most trusted source 'crm'" in choice.reason

    def test_strategies_are_protocol_members(self) -> None:
        """Built-in strategies satisfy the protocol and compare equal by their arguments."""
        assert isinstance(Survive.most_recent(), SurvivorshipStrategy)
        assert Survive.trusted_sources(["a"]) == Survive.trusted_sources(["a"])

    @pytest.mark.parametrize(
        "sources",
        [
            pytest.param("crm", id="one-string"),
            pytest.param([], id="empty"),
            pytest.param(["crm", "crm"], id="repeated"),
            pytest.param(["crm", None], id="none"),
            pytest.param(["crm", " "], id="blank"),
            pytest.param(42, id="number"),
        ],
    )
    def test_trusted_sources_refuses_bad_lists(self, sources: Any) -> None:
        """trusted_sources refuses anything but a list of distinct, non-blank source names."""
        with pytest.raises(rk.SchemaError) as info:
            Survive.trusted_sources(sources)
        assert "trusted_sources" == info.value.path

    def test_from_record_refuses_a_non_id(self) -> None:
        """from_record refuses a blank record id."""
        with pytest.raises(rk.SchemaError, match="record id"):
            Survive.from_record("")


class TestStrategyData:
    @pytest.mark.parametrize(
        ("data", "expected"),
        [
            pytest.param("most_recent", Survive.most_recent(), id="name"),
            pytest.param("validated_only", Survive.validated_only(), id="validated-name"),
            pytest.param(
                {"trusted_sources": ["crm", "web"]},
                Survive.trusted_sources(["crm", "web"]),
                id="brief-yaml-form",
            ),
            pytest.param(
                {"validated_only": True, "then": {"trusted_sources": ["crm"]}},
                Survive.validated_only(then=Survive.trusted_sources(["crm"])),
                id="nested",
            ),
            pytest.param({"from_record": "c1"}, Survive.from_record("c1"), id="pick"),
            pytest.param(
                {"most_frequent": True, "then": "oldest"},
                Survive.most_frequent(then=Survive.oldest()),
                id="most-frequent-then",
            ),
            pytest.param("least", Survive.least(), id="least"),
        ],
    )
    def test_from_data(self, data: Any, expected: SurvivorshipStrategy) -> None:
        """Names, one-key mappings and nested ``then`` build the strategies they name."""
        assert expected == strategy_from_data(data)

    @given(survivorship_strategies())
    def test_round_trip(self, strategy: SurvivorshipStrategy) -> None:
        """Every strategy survives a trip through plain data."""
        assert strategy == strategy_from_data(strategy.to_data())

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            pytest.param("most_recnet", "did you mean 'most_recent'", id="typo"),
            pytest.param({"trusted_source": ["crm"]}, "did you mean 'trusted_sources'", id="key"),
            pytest.param({"trusted_sources": ["a"], "longest": 1}, "exactly one", id="two-keys"),
            pytest.param({"validated_only": "yes"}, "takes true", id="not-true"),
            pytest.param({"from_record": "a", "then": "longest"}, "no 'then'", id="pick-then"),
            pytest.param(None, "got NoneType", id="none"),
            pytest.param(3.5, "got float", id="float"),
            pytest.param("x\x00" * 500_000, "unknown survivorship strategy", id="1mb-nul"),
            pytest.param({"trusted_sources": ["a"], "then": "nope"}, "at then", id="bad-then"),
        ],
    )
    def test_garbage(self, data: Any, message: str) -> None:
        """Typos, extra keys, wrong types and huge text are SchemaErrors with a short message."""
        with pytest.raises(rk.SchemaError) as info:
            strategy_from_data(data)
        assert message in str(info.value)
        assert len(str(info.value)) < 400


class TestMergePolicy:
    def test_defaults(self) -> None:
        """
        The default policy keeps the most recent value, the oldest record and is order-independent.
        """
        policy = rk.MergePolicy()
        assert (Survive.most_recent(), "oldest", True) == (
            policy.strategy_for("email"),
            policy.survivor,
            policy.order_independent,
        )

    @given(
        survivorship_strategies(),
        st.dictionaries(st.sampled_from(["name", "email", "city"]), survivorship_strategies()),
        st.sampled_from(rk.match.SURVIVOR_RULES),
    )
    def test_dict_round_trip(
        self, default: SurvivorshipStrategy, fields: dict[str, Any], survivor: str
    ) -> None:
        """A policy survives to_dict and from_dict, equal and hashing alike."""
        policy = rk.MergePolicy(default=default, fields=fields, survivor=survivor)
        assert policy == rk.MergePolicy.from_dict(policy.to_dict())
        assert hash(policy) == hash(rk.MergePolicy.from_dict(policy.to_dict()))

    def test_from_schema_reads_the_matching_section(self) -> None:
        """from_schema reads the field strategies and merge settings of the matching section."""
        schema = rk.Schema(
            "lead",
            [rk.Field("email", rk.Email()), rk.Field("phone", rk.Phone())],
            extensions={
                "matching": {
                    "survivorship": {
                        "email": "most_recent",
                        "phone": {"trusted_sources": ["crm", "web"]},
                    },
                    "merge": {"default": "longest", "survivor": "newest"},
                }
            },
        )
        policy = rk.MergePolicy.from_schema(schema)
        assert {
            "default": "longest",
            "survivor": "newest",
            "fields": {"email": "most_recent", "phone": {"trusted_sources": ["crm", "web"]}},
        } == policy.to_dict()

    def test_yaml_round_trip(self) -> None:
        """The policy a YAML schema declares survives dump and reload, YAML to YAML."""
        schema = rk.parse_schema(
            """
            schema: lead
            fields:
              email: {type: email}
              phone: {type: phone}
              name: {type: text}
            matching:
              survivorship:
                email: most_recent
                phone: {trusted_sources: [crm, web], then: longest}
                name: {validated_only: true, then: survivor_first}
              merge: {default: most_complete, survivor: first}
            """
        )
        policy = rk.MergePolicy.from_schema(schema)
        again = rk.parse_schema(rk.dump_schema(schema))
        data = policy.to_dict()
        assert (policy, "first", "most_complete") == (
            rk.MergePolicy.from_schema(again),
            data["survivor"],
            data["default"],
        )
        assert policy == rk.MergePolicy.from_dict(yaml.safe_load(yaml.safe_dump(data)))

    def test_from_schema_without_a_section_is_the_default(self) -> None:
        """A schema without a matching section gives the default policy."""
        assert rk.MergePolicy() == rk.MergePolicy.from_schema(TICKET)

    def test_from_schema_names_the_bad_path(self) -> None:
        """An unknown field in the section is refused with its path, a suggestion and the schema."""
        schema = rk.Schema(
            "lead",
            [rk.Field("email", rk.Email())],
            extensions={"matching": {"survivorship": {"emial": "most_recent"}}},
        )
        with pytest.raises(rk.SchemaError) as info:
            rk.MergePolicy.from_schema(schema)
        assert ("matching.fields.emial", ("email",), "lead") == (
            info.value.path,
            info.value.suggestions,
            info.value.source,
        )

    def test_keep_all_needs_a_multi_valued_field(self) -> None:
        """keep_all is refused on a single-valued field and accepted on a multi-valued one."""
        with pytest.raises(rk.SchemaError, match="keep_all needs a multi-valued field"):
            rk.MergePolicy(fields={"email": "keep_all"}).check(PERSON)
        rk.MergePolicy(fields={"tags": "keep_all"}).check(PERSON)

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            pytest.param({"survivor": "olderst"}, "survivor", id="survivor-typo"),
            pytest.param({"defualt": "longest"}, "", id="unknown-key"),
            pytest.param({"fields": ["email"]}, "fields", id="fields-list"),
            pytest.param({"fields": {"email": "nope"}}, "fields.email", id="bad-strategy"),
        ],
    )
    def test_from_dict_garbage(self, data: Any, path: str) -> None:
        """from_dict refuses bad survivor rules, keys, fields and strategies, naming the path."""
        with pytest.raises(rk.SchemaError) as info:
            rk.MergePolicy.from_dict(data)
        assert path == info.value.path

    def test_with_picks_overrides(self) -> None:
        """with_picks replaces a field's strategy with the picked record."""
        policy = rk.MergePolicy(fields={"email": "longest"}).with_picks({"email": "c2"})
        assert Survive.from_record("c2") == policy.strategy_for("email")

    @pytest.mark.parametrize(
        ("survivor", "expected"),
        [
            pytest.param("oldest", ["a", "b", "c"], id="oldest"),
            pytest.param("newest", ["c", "a", "b"], id="newest"),
            pytest.param("most_complete", ["b", "a", "c"], id="most-complete"),
            pytest.param("first", ["c", "a", "b"], id="first-given"),
        ],
    )
    def test_rank(self, survivor: str, expected: list[str]) -> None:
        """Each survivor rule ranks the records in its own order."""
        records = [
            person("c", {"name": "C"}, created=5),
            person("a", {"name": "A"}, created=0),
            person("b", {"name": "B", "city": "Paris"}, created=1),
        ]
        policy = rk.MergePolicy(survivor=survivor)
        assert expected == [r.id for r in policy.rank(records)]
