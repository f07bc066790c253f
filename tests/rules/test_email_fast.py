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
from hypothesis import given, settings
from hypothesis import strategies as st

from recordkit.rules._contact import email_problem, email_verdict
from recordkit.rules._email_fast import fast_email, no_at_sign

_PIECES = string.ascii_letters + string.digits + "-._!#$%&'*+/=?^`{|}~@ \"()<>[],;:\\é"


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


def check_agrees(text: str) -> None:
    fast = fast_email(text)
    if fast is not None:
        assert fast == _library(text), text
    missing = no_at_sign(text)
    if missing is not None:
        assert missing == _message(text), text
    assert (email_problem(text) is None) == (_library(text) is not None), text


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
