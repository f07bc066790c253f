"""
`fast_email` against email-validator: where it answers, it answers as the library does.

Addresses are generated around the edges the shortcut decides on (label lengths, hyphens,
special-use names, digits at the end, total length, every ASCII punctuation mark), and
each one it accepts must be one email-validator accepts with the same normalized form.
"""

from __future__ import annotations

import random
import string

import email_validator
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit.rules._contact import email_problem, email_verdict
from recordkit.rules._email_fast import fast_email, fast_verdict, no_at_sign

_PIECES = string.ascii_letters + string.digits + "-._!#$%&'*+/=?^`{|}~@ \"()<>[],;:\\é"
_UNICODE = (
    "éüÖßçñøåÆΣ\u03c3\u03c2İ\u0131K\u212a"  # letters: case pairs, final sigma, Kelvin sign
    "\u0301\u0308\u200b\u00a0\u3000\u2028\ufeff\U0001f600\ud800中"  # marks, spaces, format…
)


def _library(text: str) -> str | None:
    try:
        info = email_validator.validate_email(
            text, check_deliverability=False, test_environment=False
        )
    except email_validator.EmailNotValidError:
        return None
    return info.normalized.lower()


def _message(text: str) -> str | None:
    try:
        email_validator.validate_email(text, check_deliverability=False, test_environment=False)
    except email_validator.EmailNotValidError as exc:
        return str(exc)
    return None


def _verdict(text: str) -> tuple[str | None, str | None]:
    try:
        info = email_validator.validate_email(
            text, check_deliverability=False, test_environment=False
        )
    except email_validator.EmailNotValidError as exc:
        return None, str(exc)
    return info.normalized, None


def check_agrees(text: str) -> bool:
    """
    Assert that the shortcuts answer as the library does; whether `fast_verdict` answered.
    """
    fast = fast_email(text)
    if fast is not None:
        assert fast == _library(text), text
    verdict = fast_verdict(text)
    if verdict is not None:
        assert verdict == _verdict(text), text
    missing = no_at_sign(text)
    if missing is not None:
        assert missing == _message(text), text
    assert (email_problem(text) is None) == (_library(text) is not None), text
    return verdict is not None


@settings(max_examples=3000)
@given(st.text(max_size=60).filter(lambda t: "@" not in t))
def test_text_without_an_at_sign(text: str) -> None:
    """Any text, Unicode look-alikes and combining marks included, with no plain at-sign."""
    check_agrees(text)
    check_agrees(text + "\ufe6b" + text)


@settings(max_examples=3000)
@given(st.text(alphabet=_PIECES, max_size=40))
def test_any_text(text: str) -> None:
    check_agrees(text)


@settings(max_examples=3000)
@given(
    local=st.text(alphabet=string.ascii_letters + string.digits + ".-_+'", min_size=1, max_size=70),
    labels=st.lists(
        st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=66),
        min_size=1,
        max_size=5,
    ),
    tld=st.sampled_from(["com", "ORG", "de", "io", "co.uk", "test", "local", "onion", "arpa",
                         "invalid", "localhost", "c0m", "x-y", "xn--p1ai", "123", "a"]),
)  # fmt: skip
def test_address_shapes(local: str, labels: list[str], tld: str) -> None:
    check_agrees(f"{local}@{'.'.join(labels)}.{tld}")
    check_agrees(f"{local}@{'.'.join(labels)}")


def test_generated_addresses_agree_and_many_are_decided_fast() -> None:
    rng = random.Random(7)
    words = ["ada", "Grace", "o'brien", "jean-luc", "x", "A.B", "li_na", "mc+tag", "Z9"]
    domains = [
        "example.com", "Mail.Example.ORG", "sub-domain.co.uk", "a-b.io", "ab--cd.com",
        "xn--bcher-kva.de", "host", "x.test", "lab.local", "123.45", "t.c0", "-bad.com",
        "bad-.com", "e.x.a.m.p.l.e.museum", "y" * 63 + ".com", "y" * 64 + ".com",
    ]  # fmt: skip
    decided = 0
    count = 20_000
    for _ in range(count):
        local = (
            rng.choice(words) + rng.choice(["", ".", "..", "1", "-", "+news"]) + rng.choice(words)
        )
        text = f"{local}@{rng.choice(domains)}"
        check_agrees(text)
        decided += fast_email(text) is not None
    assert decided > count // 5


def test_verdicts_unchanged_on_the_usual_spellings() -> None:
    for text in ["Ada.Lovelace@Example.com", "ada@example.co.uk", "A+B@sub.example.io"]:
        assert email_verdict(text) == (_library(text), None)
    assert email_verdict("ada@localhost")[1] is not None
    assert email_verdict("ada@example.test")[1] is not None


@settings(max_examples=3000)
@given(
    local=st.text(alphabet=string.ascii_letters + string.digits + ".-_+" + _UNICODE, max_size=20)
    | st.text(max_size=12),
    domain=st.text(alphabet=string.ascii_letters + string.digits + ".-_@,[] ", max_size=30),
    at=st.sampled_from(["@", "@@", "@", "@ "]),
)
def test_unicode_local_parts_and_broken_domains(local: str, domain: str, at: str) -> None:
    """Local parts in any script (marks, look-alikes, NFC changes) before any ASCII domain."""
    check_agrees(f"{local}{at}{domain}")


@settings(max_examples=2000)
@given(
    labels=st.lists(
        st.text(alphabet=string.ascii_letters + string.digits + "-", max_size=70), max_size=4
    ),
    local=st.sampled_from(["ada", "Postmaster", "INFO", "zoë", "e\u0301", "K\u212a", "a.b"]),
)
def test_every_refusal_of_a_host_name(labels: list[str], local: str) -> None:
    """Empty, dotted, hyphenated, ``ab--``, long and special-use host names, in order."""
    for tld in ["", ".com", ".local", ".test", ".x1", ".arpa", "."]:
        check_agrees(f"{local}@{'.'.join(labels)}{tld}")


def test_generated_messy_addresses_agree_and_most_are_decided() -> None:
    """Messy addresses at volume, valid and not, are decided here as the library decides."""
    rng = random.Random(11)
    words = ["ada", "Zoë", "josé", "MÜLLER", "o'brien", "li_na", "mc+tag", "Z9", "e\u0301", ""]
    domains = ["example.com", "Example.ORG", "mail.co.uk", "broken", "a..b.com", "-x.io", "x-.io",
               "ab--c.de", "host.local", "y" * 64 + ".com", "x.c0m", "b,com", ""]  # fmt: skip
    decided = 0
    count = 20_000
    for _ in range(count):
        local = rng.choice(words) + rng.choice(["", ".", "..", "1", "-"]) + rng.choice(words)
        text = local + rng.choice(["@", "@", "@@", " @", "@ "]) + rng.choice(domains)
        decided += check_agrees(text)
    assert decided > count // 2


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("zoë.müller12@example.com", id="unicode-local"),
        pytest.param("ZOË.MÜLLER@Example.ORG", id="unicode-upper"),
        pytest.param("a.b1@@broken", id="doubled-at"),
        pytest.param("ada@broken", id="no-period"),
        pytest.param("ada@", id="nothing-after"),
        pytest.param("ada@a..com", id="two-periods"),
        pytest.param("ada@x.c0m", id="no-top-level-domain"),
        pytest.param("ada@x.local", id="special-use"),
        pytest.param("Postmaster@Example.com", id="case-insensitive-mailbox"),
        pytest.param("e\u0301@example.com", id="composed-in-nfc"),
    ],
)
def test_decided_here(text: str) -> None:
    """The usual shapes, valid and not, are decided without the library."""
    assert check_agrees(text)
