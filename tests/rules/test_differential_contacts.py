"""Phone and email rules against phonenumbers and email-validator called directly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scripts.differential_contacts import (
    AGREE,
    CATEGORIES,
    CONVENTION,
    UNEXPLAINED,
    Case,
    Report,
    Verdict,
    classify_email,
    classify_phone,
    compare,
    main,
    reference_email,
    reference_phone,
    run,
)

COUNT = 20_000


@pytest.fixture(scope="module")
def report() -> Report:
    return run(COUNT, seed=15)


class TestGenerated:
    def test_every_value_compared(self, report: Report) -> None:
        assert COUNT == sum(report.counts.values())

    def test_no_unexplained_disagreement(self, report: Report) -> None:
        assert 0 == report.unexplained, report.table()

    def test_most_values_agree_outright(self, report: Report) -> None:
        agree = sum(n for k, n in report.counts.items() if CATEGORIES[k][0] == AGREE)
        assert agree > 0.75 * COUNT, report.table()

    @pytest.mark.parametrize("key", [k for k, (s, _) in CATEGORIES.items() if s != UNEXPLAINED])
    def test_every_category_is_reached(self, report: Report, key: str) -> None:
        # the generator makes values each convention is about, so each one is exercised
        assert report.counts[key] > 0, report.table()

    def test_conventions_name_where_they_are_documented(self) -> None:
        for status, why in CATEGORIES.values():
            assert status in (AGREE, CONVENTION, UNEXPLAINED)
            if status == CONVENTION:
                assert "docs/normalization.md" in why or "recordkit.rules." in why

    def test_same_seed_same_report(self) -> None:
        assert run(400, seed=3).counts == run(400, seed=3).counts


class TestClassification:
    """Disagreements no convention explains are found, not absorbed."""

    def test_a_different_number_is_unexplained(self) -> None:
        case = Case("phone", "plain", "+44 20 7946 0958")
        ref = reference_phone(case.raw, None)
        assert ref.valid
        assert "phone.other_form" == classify_phone(case, Verdict(True, "+442079460959"), ref)

    def test_accepting_what_phonenumbers_refuses_is_unexplained(self) -> None:
        case = Case("phone", "short", "+44 20 79", "GB")
        ref = reference_phone(case.raw, "GB")
        assert not ref.valid
        got = classify_phone(case, Verdict(True, "+442079"), ref)
        assert "phone.recordkit_only" == got

    def test_refusing_a_valid_number_is_unexplained(self) -> None:
        case = Case("phone", "plain", "(212) 555-0123", "US")
        ref = reference_phone(case.raw, "US")
        assert "phone.reference_only" == classify_phone(case, Verdict(False), ref)

    def test_an_extension_is_the_convention_only_when_it_is_the_same(self) -> None:
        case = Case("phone", "extension", "(212) 555-0123 x45", "US")
        ref = reference_phone(case.raw, "US")
        good = classify_phone(case, Verdict(True, "+12125550123;ext=45"), ref)
        bad = classify_phone(case, Verdict(True, "+12125550123;ext=46"), ref)
        assert ("phone.extension", "phone.other_form") == (good, bad)

    def test_an_email_changed_beyond_case_is_unexplained(self) -> None:
        case = Case("email", "address", "Ada.Lovelace@example.com")
        ref = reference_email(case.raw)
        assert "email.lowercase" == classify_email(
            case, Verdict(True, "ada.lovelace@example.com"), ref
        )
        assert "email.other_form" == classify_email(
            case, Verdict(True, "adalovelace@example.com"), ref
        )

    def test_a_repaired_email_is_unexplained(self) -> None:
        case = Case("email", "broken", "mary smith@example.org")
        ref = reference_email(case.raw)
        got = classify_email(case, Verdict(True, "marysmith@example.org"), ref)
        assert "email.recordkit_only" == got

    @given(st.text(max_size=40), st.sampled_from([None, "US", "GB", "DE", "IN"]))
    def test_any_phone_text_is_classified(self, text: str, region: str | None) -> None:
        assert UNEXPLAINED != CATEGORIES[compare(Case("phone", "any", text, region))][0]

    @given(st.text(max_size=30), st.sampled_from(["example.com", "EXAMPLE.org", "bücher.de"]))
    def test_any_local_part_is_classified(self, local: str, domain: str) -> None:
        assert UNEXPLAINED != CATEGORIES[compare(Case("email", "any", f"{local}@{domain}"))][0]

    @given(st.emails())
    def test_generated_addresses_are_classified(self, address: str) -> None:
        assert UNEXPLAINED != CATEGORIES[compare(Case("email", "any", address))][0]


class TestScript:
    def test_prints_the_table_and_succeeds(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert 0 == main(["--count", "200", "--seed", "1"])
        out = capsys.readouterr().out
        assert "phone.same" in out
        assert "email.both_invalid" in out
        assert out.rstrip().splitlines()[-1].split()[-1] == "200"

    def test_refuses_a_count_below_one(self) -> None:
        with pytest.raises(SystemExit):
            main(["--count", "0"])
