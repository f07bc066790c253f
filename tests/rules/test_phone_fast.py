"""
`fast_phone` against ``phonenumbers.parse``: where it reads a number, it reads the same one.

Numbers come from phonenumbers' own example numbers for every region and number type,
written in the international, national and E.164 forms and re-punctuated at random, read
in their own region and in others; plus random digit strings with and without a plus. Each
number the shortcut reads must equal (field by field) what ``parse`` gives, and so format
and validate the same.
"""

from __future__ import annotations

import random

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from scripts.contacts import generate_columns

from recordkit.rules import clean_text, country_code, normalize_phone
from recordkit.rules._phone_fast import fast_phone, possible_number
from recordkit.rules._phone_valid import valid_number

_TYPES = [
    PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
    PhoneNumberType.VOIP, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.UAN,
]  # fmt: skip
_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


def _library(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def check_agrees(text: str, region: str | None) -> bool:
    fast = fast_phone(text, region)
    if fast is None:
        return False
    slow = _library(text, region)
    assert slow is not None, (text, region)
    assert fast == slow, (text, region, fast, slow)
    assert phonenumbers.is_valid_number(fast) == phonenumbers.is_valid_number(slow)
    assert possible_number(fast) == phonenumbers.is_possible_number(slow), (text, region)
    return True


def _repunctuate(text: str, rng: random.Random) -> str:
    digits = [c for c in text if c.isdigit()]
    out = "+" if text.startswith("+") else ""
    for i, d in enumerate(digits):
        if i and rng.random() < 0.3:
            out += rng.choice([" ", "-", ".", " (", ") ", "  "])
        out += d
    return out


def test_example_numbers_of_every_region_and_type() -> None:
    rng = random.Random(3)
    read = tried = 0
    for region in _REGIONS:
        for kind in _TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            forms = [
                phonenumbers.format_number(number, f)
                for f in (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL,
                          PhoneNumberFormat.NATIONAL)
            ]  # fmt: skip
            for text in [*forms, *(_repunctuate(f, rng) for f in forms)]:
                for where in (region, "US", "GB", None):
                    tried += 1
                    read += check_agrees(text, where)
    assert read > tried // 5  # the shortcut reads a good share, and never differently


@settings(max_examples=4000)
@given(
    plus=st.booleans(),
    digits=st.text(alphabet="0123456789", min_size=1, max_size=18),
    region=st.sampled_from(["US", "CA", "PR", "GB", "DE", "FR", "IN", "BR", "AR", "MX", "IT",
                            "AG", "RU", "KZ", "JP", "AU", "NZ", "NL", "BE", "CH", "AT", "SE",
                            "ES", "PL", "ZA", "NG", "CN", "KR", "TR", "IE", "PT", "FI", None]),
    spacer=st.sampled_from(["", " ", "-", ".", "() "]),
    opening=st.booleans(),
)  # fmt: skip
def test_random_digit_strings(
    plus: bool, digits: str, region: str | None, spacer: str, opening: bool
) -> None:
    text = ("+" if plus else "") + spacer.join([digits[:3], digits[3:6], digits[6:]]).strip(" (")
    text = ("(" if opening else "") + text.rstrip(" ()-.")
    if text and text[-1].isdigit():
        check_agrees(text, region)


@settings(max_examples=4000)
@given(
    code=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)),
    national=st.text(alphabet="0123456789", min_size=1, max_size=15),
    region=st.sampled_from([None, "US", "GB", "DE"]),
)
def test_international_numbers_of_every_calling_code(
    code: int, national: str, region: str | None
) -> None:
    """``+<code> <digits>`` for every calling code, whatever its national prefix rule."""
    check_agrees(f"+{code} {national}", region)
    check_agrees(f"(+{code}) {national}", region)


@settings(max_examples=4000)
@given(
    region=st.sampled_from(_REGIONS),
    digits=st.text(alphabet="0123456789", min_size=1, max_size=16),
    spacer=st.sampled_from(["", " ", "-", ".", ") "]),
)
def test_national_numbers_with_a_trunk_prefix(region: str, digits: str, spacer: str) -> None:
    """Digits starting with 0 (a trunk prefix in most of the world) read in every region."""
    text = "0" + spacer.join([digits[:2], digits[2:5], digits[5:]]).rstrip(" ()-.")
    if text[-1].isdigit():
        check_agrees(text, region)


def test_national_numbers_are_read_in_the_usual_regions() -> None:
    """The shortcut reads national numbers written with a trunk prefix, not only ``+``."""
    assert check_agrees("020 7946 0958", "GB")
    assert check_agrees("030 12345678", "DE")
    assert check_agrees("01 42 68 53 00", "FR")
    assert check_agrees("06-12345678", "NL")
    assert check_agrees("0049 30 1234567", "DE")  # an exit code, then the country
    assert check_agrees("07946 0958", "GB")  # too short without the prefix: parse keeps it
    assert check_agrees("(212) 555-0148", "US")  # parse starts reading at the first digit
    assert check_agrees("+55 11 91234-5678", "BR")  # a prefix rule that does not match here


@pytest.mark.parametrize(
    ("text", "region"),
    [
        pytest.param("212.555.0148 x12", "US", id="extension-x"),
        pytest.param("(415) 555-0148 ext. 7", "US", id="extension-ext"),
        pytest.param("+44 20 7946 0958 EXT 123456789", None, id="extension-nine-digits"),
        pytest.param("+39 06 1234 5678", "IT", id="italian-leading-zero"),
        pytest.param("03-3224-1234", "JP", id="prefix-rule-with-groups"),
        pytest.param("(02) 9374 1234", "AU", id="prefix-in-brackets"),
        pytest.param("0 21 1234-5678", "BR", id="carrier-code-rule"),
        pytest.param("1-415-555-0148", "US", id="own-code-without-plus"),
        pytest.param("44 20 7946 0958", "GB", id="own-code-too-long-with-it"),
        pytest.param("001 415 555 0148", "US", id="not-the-region-exit-code"),
        pytest.param("011 44 20 7946 0958", "US", id="region-exit-code"),
        pytest.param("+44 (0)20 7946 0958", "GB", id="national-prefix-after-plus"),
        pytest.param("55 1234 5678", "MX", id="no-trunk-prefix"),
        pytest.param("912 345 678", "ES", id="no-trunk-prefix-es"),
    ],
)
def test_shapes_read_without_the_parser(text: str, region: str) -> None:
    """Extensions, exit codes, leading zeros and prefix rules of every kind are read here."""
    assert check_agrees(text, region)


_EXTENSIONS = [" x{}", " ext. {}", " ext {}", " x {}", " Ext. {}", "x{}", " EXT{}", " X {}"]


def test_example_numbers_with_exit_codes_and_extensions() -> None:
    """Every region's example numbers after its exit code or 00, with an extension or not."""
    rng = random.Random(9)
    read = tried = 0
    for region in _REGIONS:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        exit_codes = ["00", "011", "0011", "810", "010"]
        if metadata is not None and metadata.preferred_international_prefix:
            exit_codes.append(metadata.preferred_international_prefix)
        for kind in _TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
            digits = e164[1:]
            extension = rng.choice(_EXTENSIONS).format(rng.choice(["1", "12", "0042", "123456789"]))
            for text in [
                f"{rng.choice(exit_codes)} {digits}",
                f"{rng.choice(exit_codes)}{_repunctuate(digits, rng)}",
                e164 + extension,
                _repunctuate(national, rng) + extension,
                digits,
                f"{number.country_code} {national}",
                e164 + rng.choice(_EXTENSIONS).format("1234567890"),
            ]:
                for where in (region, rng.choice(_REGIONS), None):
                    tried += 1
                    read += check_agrees(text, where)
    assert read > tried // 2


@settings(max_examples=4000)
@given(
    region=st.sampled_from(_REGIONS),
    head=st.sampled_from(["", "0", "00", "011", "1", "+", "(", "(0", "8", "9"]),
    digits=st.text(alphabet="0123456789", min_size=1, max_size=16),
    spacer=st.sampled_from(["", " ", "-", ".", ") "]),
    extension=st.sampled_from(["", " x1", " ext. 42", " x 123456789", "x0"]),
)
def test_any_digits_in_any_region(
    region: str, head: str, digits: str, spacer: str, extension: str
) -> None:
    """Digits after a prefix, own calling codes included, read in every region."""
    code = str(phonenumbers.country_code_for_region(region))
    for start in (head, head + code):
        text = start + spacer.join([digits[:2], digits[2:5], digits[5:]]).rstrip(" ()-.")
        if text and text[-1].isdigit():
            check_agrees(text + extension, region)


def test_generated_contacts_are_read_as_the_library_reads_them() -> None:
    """The contacts generator's phone numbers, in their own country's region and in others."""
    columns = generate_columns(6000, seed=5)
    read = tried = 0
    for text, country in zip(columns["phone"], columns["country"], strict=True):
        text = clean_text(text)
        if not text:
            continue
        region = country_code(country)
        for where in (region if region in phonenumbers.SUPPORTED_REGIONS else "US", "GB", None):
            tried += 1
            read += check_agrees(text, where)
    assert read > 0.6 * tried


@settings(max_examples=3000, deadline=None)
@given(
    code=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)) | st.integers(0, 999),
    national=st.integers(0, 10**17),
    zeros=st.sampled_from([None, 0, 1, 2, 3]),
)
def test_possible_number_agrees_on_random_numbers(
    code: int, national: int, zeros: int | None
) -> None:
    number = phonenumbers.PhoneNumber(country_code=code, national_number=national)
    if zeros is not None:
        number.italian_leading_zero = True
        number.number_of_leading_zeros = zeros
    assert possible_number(number) == phonenumbers.is_possible_number(number)


def test_normalized_forms_unchanged_on_the_usual_spellings() -> None:
    assert normalize_phone("(415) 555-0148", region="US") == "+14155550148"
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("+1 415 555 0148", region="GB") == "+14155550148"
    assert normalize_phone("1 415 555 0148", region="US") == "+14155550148"  # parse's road


# -- valid_number against phonenumbers.is_valid_number --------------------------------------

_ALL_TYPES = [t for t in vars(PhoneNumberType).values() if isinstance(t, int)]


def _numbers_near(
    number: phonenumbers.PhoneNumber, rng: random.Random
) -> list[phonenumbers.PhoneNumber]:
    """*number* and numbers one edit away: a digit changed, dropped or added; leading zeros."""
    text = str(number.national_number)
    out = [number]
    for _ in range(4):
        i = rng.randrange(len(text))
        changed = text[:i] + rng.choice("0123456789") + text[i + 1 :]
        for national in (changed, text[:i] + text[i + 1 :], text + rng.choice("0123456789")):
            if national and national.lstrip("0"):
                out.append(phonenumbers.PhoneNumber(number.country_code, int(national)))
    zeros = phonenumbers.PhoneNumber(number.country_code, number.national_number)
    zeros.italian_leading_zero = True
    zeros.number_of_leading_zeros = rng.choice([None, 1, 2])
    out.append(zeros)
    return out


def test_valid_number_agrees_on_every_region_type_and_their_neighbours() -> None:
    """Every example number of every region, type and non-geographic code, and its neighbours."""
    rng = random.Random(5)
    numbers = []
    for region in _REGIONS:
        for kind in _ALL_TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.extend(_numbers_near(example, rng))
    for code in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS:
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            numbers.extend(_numbers_near(example, rng))
    verdicts = {valid_number(n) for n in numbers}
    assert verdicts == {True, False}  # both answers are exercised
    for n in numbers:
        assert valid_number(n) == phonenumbers.is_valid_number(n), n


@settings(max_examples=3000, deadline=None)
@given(
    code=st.sampled_from(sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)) | st.integers(0, 999),
    national=st.integers(0, 10**17),
)
def test_valid_number_agrees_on_random_numbers(code: int, national: int) -> None:
    number = phonenumbers.PhoneNumber(country_code=code, national_number=national)
    assert valid_number(number) == phonenumbers.is_valid_number(number)
