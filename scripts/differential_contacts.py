"""
Differential check of recordkit's phone and email rules against the libraries called directly.

For generated messy phone numbers and email addresses, recordkit's verdict (the normalizer,
then the validator on its output, as a rule set runs them) and normalized form are compared
with ``phonenumbers`` (``parse``, ``is_valid_number``, E.164 formatting) and
``email_validator.validate_email(..., check_deliverability=False)`` called on the raw
value::

    python scripts/differential_contacts.py [--count N] [--seed S]

Where the two differ, the difference must follow from a convention recordkit documents
(``docs/normalization.md``): the convention is applied to the library's input or output and
the library called again; if that makes them agree, the case is counted under that
convention, otherwise it is UNEXPLAINED. The table shows every category with its count and
an example; the exit status is 1 when any case is unexplained.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import email_validator
import phonenumbers

if __package__ in (None, ""):  # run as a file: make `scripts.contacts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recordkit.rules import Validators, normalize_email, normalize_phone
from scripts.contacts.phones import EXTENSIONS, NANP_FORMATS, format_phone

# -- what is compared --------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One generated value: ``phone`` or ``email``, how it was made, the region assumed."""

    kind: str
    family: str
    raw: str
    region: str | None = None


@dataclass(frozen=True)
class Verdict:
    """Valid or not, and the normalized form when valid (with the phone's extension)."""

    valid: bool
    form: str | None = None
    extension: str | None = None


AGREE: Final = "agree"
CONVENTION: Final = "convention"
UNEXPLAINED: Final = "UNEXPLAINED"

NORMALIZATION: Final = "docs/normalization.md"
CATEGORIES: Final[dict[str, tuple[str, str]]] = {
    # key: (status, what it means, or the convention that explains it)
    "phone.same": (AGREE, "both valid, same E.164 number"),
    "phone.both_invalid": (AGREE, "both refuse the value"),
    "phone.extension": (
        CONVENTION,
        f'{NORMALIZATION} "Phone numbers": stored in E.164, an extension after ;ext=',
    ),
    "phone.00_prefix": (
        CONVENTION,
        "recordkit.rules.parse_phone: a leading international 00 prefix is accepted "
        "whatever the region",
    ),
    "phone.cleaned": (
        CONVENTION,
        f'{NORMALIZATION} "Phone numbers, picklists, money, text" and '
        "recordkit.rules.clean_text: NFC, control and bidi characters removed, whitespace "
        "collapsed before reading",
    ),
    "phone.recordkit_only": (UNEXPLAINED, "recordkit accepts, phonenumbers refuses"),
    "phone.reference_only": (UNEXPLAINED, "phonenumbers accepts, recordkit refuses"),
    "phone.other_form": (UNEXPLAINED, "both accept, different numbers"),
    "email.same": (AGREE, "both valid, same normalized address"),
    "email.both_invalid": (AGREE, "both refuse the value"),
    "email.lowercase": (
        CONVENTION,
        f'{NORMALIZATION} "Email addresses": the local part is lower-cased too',
    ),
    "email.unwrapped": (
        CONVENTION,
        f'{NORMALIZATION} "Email addresses": the whitespace around it, mailto: and angle '
        "brackets are dropped",
    ),
    "email.recordkit_only": (UNEXPLAINED, "recordkit accepts, email-validator refuses"),
    "email.reference_only": (UNEXPLAINED, "email-validator accepts, recordkit refuses"),
    "email.other_form": (UNEXPLAINED, "both accept, different addresses"),
}


def recordkit_phone(raw: str, region: str | None) -> Verdict:
    """recordkit's reading: `normalize_phone`, then `Validators.phone` on its output."""
    normalized = normalize_phone(raw, region=region)
    if Validators.phone(region=region).validate(normalized):
        return Verdict(valid=False)
    return Verdict(valid=True, form=normalized)


def reference_phone(raw: str, region: str | None) -> Verdict:
    """phonenumbers called directly: parse, is_valid_number, E.164 (extension apart)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return Verdict(valid=False)
    if not phonenumbers.is_valid_number(number):
        return Verdict(valid=False)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Verdict(valid=True, form=e164, extension=number.extension or None)


def recordkit_email(raw: str) -> Verdict:
    """recordkit's reading: `normalize_email`, then `Validators.email` on its output."""
    normalized = normalize_email(raw)
    if Validators.email().validate(normalized):
        return Verdict(valid=False)
    return Verdict(valid=True, form=normalized)


def reference_email(raw: str) -> Verdict:
    """email-validator called directly, with no network."""
    try:
        info = email_validator.validate_email(raw, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return Verdict(valid=False)
    return Verdict(valid=True, form=info.normalized)


# -- the conventions, applied to the library's side ---------------------------------------

_CONTROLS: Final = frozenset(("Cc", "Cf"))
_WRAPPED: Final = re.compile(r"\s*(?:mailto:)?\s*<?\s*(.*?)\s*>?\s*", re.IGNORECASE | re.DOTALL)


def cleaned(text: str) -> str:
    """The text convention, written out: NFC, no control or format characters, one space."""
    kept = "".join(c for c in text if unicodedata.category(c) not in _CONTROLS)
    return " ".join(unicodedata.normalize("NFC", kept).split())


def unwrapped(text: str) -> str:
    """The email convention: surrounding whitespace, ``mailto:`` and ``<…>`` dropped."""
    m = _WRAPPED.fullmatch(text)
    return (m[1] if m else text).strip()


def _phone_matches(rk: Verdict, ref: Verdict, *, extension: bool) -> bool:
    if rk.valid != ref.valid:
        return False
    if not rk.valid:
        return True
    expected = ref.form
    if extension and ref.extension:
        expected = f"{ref.form};ext={ref.extension}"
    return rk.form == expected


def classify_phone(case: Case, rk: Verdict, ref: Verdict) -> str:
    """The category of one phone case: agreement, a convention, or unexplained."""
    if _phone_matches(rk, ref, extension=False):
        return "phone.same" if rk.valid else "phone.both_invalid"
    if _phone_matches(rk, ref, extension=True):
        return "phone.extension"
    text = cleaned(case.raw)
    after_cleaning = reference_phone(text, case.region)
    if _phone_matches(rk, after_cleaning, extension=True):
        return "phone.cleaned"
    if text.startswith("00"):
        international = reference_phone("+" + text[2:], None)
        if _phone_matches(rk, international, extension=True):
            return "phone.00_prefix"
    if rk.valid and ref.valid:
        return "phone.other_form"
    return "phone.recordkit_only" if rk.valid else "phone.reference_only"


def classify_email(case: Case, rk: Verdict, ref: Verdict) -> str:
    """The category of one email case: agreement, a convention, or unexplained."""
    if rk.valid == ref.valid and (not rk.valid or rk.form == ref.form):
        return "email.same" if rk.valid else "email.both_invalid"
    if rk.valid and ref.valid and ref.form is not None and rk.form == ref.form.lower():
        return "email.lowercase"
    bare = reference_email(unwrapped(case.raw))
    if rk.valid and bare.valid and bare.form is not None and rk.form == bare.form.lower():
        return "email.unwrapped"
    if rk.valid and ref.valid:
        return "email.other_form"
    return "email.recordkit_only" if rk.valid else "email.reference_only"


def compare(case: Case) -> str:
    """Run both sides on *case* and return its category."""
    if case.kind == "phone":
        rk = recordkit_phone(case.raw, case.region)
        return classify_phone(case, rk, reference_phone(case.raw, case.region))
    rk = recordkit_email(case.raw)
    return classify_email(case, rk, reference_email(case.raw))


# -- generated values ---------------------------------------------------------------------

REGIONS: Final = tuple(sorted(phonenumbers.SUPPORTED_REGIONS))
_TYPES: Final = (
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
)
_VANITY: Final = dict(zip("23456789", ("ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV",
                      "WXYZ"), strict=True))  # fmt: skip
_FULLWIDTH: Final = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))
_NOISE: Final = ("\u200b", "\u202e", "\u00a0", "\t", "\u2060", "\x00", "\n")


def _example(region: str, r: random.Random) -> phonenumbers.PhoneNumber | None:
    example = phonenumbers.example_number_for_type(region, r.choice(_TYPES))
    if example is None:
        return None
    nsn = str(example.national_number)
    keep = max(1, len(nsn) - r.randint(2, 6))  # the example's area code, new subscriber
    digits = nsn[:keep] + "".join(r.choice("0123456789") for _ in nsn[keep:])
    return phonenumbers.PhoneNumber(country_code=example.country_code, national_number=int(digits))


def _written(number: phonenumbers.PhoneNumber, r: random.Random) -> str:
    cc, nsn = number.country_code or 0, str(number.national_number)
    if cc == 1 and len(nsn) == 10:
        return format_phone(cc, nsn, r.randrange(len(NANP_FORMATS)))
    style = r.randrange(9)
    if style < 7:  # the styles people write, as the contact generator draws them
        return format_phone(cc, nsn, style)
    fmt = (
        phonenumbers.PhoneNumberFormat.RFC3966
        if style == 7
        else phonenumbers.PhoneNumberFormat.NATIONAL
    )
    text = phonenumbers.format_number(number, fmt)
    return text.replace(" ", ".") if style == 8 else text


def _phone_mess(text: str, family: str, r: random.Random) -> str:
    if family == "extension":
        return text + r.choice(EXTENSIONS).format(n=r.randint(1, 99999))
    if family == "letters":
        digits = [i for i, c in enumerate(text) if c in _VANITY]
        for i in r.sample(digits, min(len(digits), r.randint(1, 7))):
            text = text[:i] + r.choice(_VANITY[text[i]]) + text[i + 1 :]
        return text
    if family == "short":
        cut = r.randint(1, max(1, len(text) - 2))
        return text[:-cut]
    if family == "long":
        return text + "".join(r.choice("0123456789") for _ in range(r.randint(1, 12)))
    if family == "noise":
        at = r.randrange(len(text) + 1)
        return f" {text[:at]}{r.choice(_NOISE)}{text[at:]} "
    if family == "fullwidth":
        return text.translate(_FULLWIDTH)
    if family == "garbage":
        return r.choice(("call me", "n/a", "-", "+", "()", "ext. 12", "phone", "+1", "0", "00"))
    return text


_PHONE_FAMILIES: Final = (
    ("plain", 40), ("extension", 12), ("letters", 8), ("short", 10), ("long", 10),
    ("noise", 10), ("fullwidth", 5), ("garbage", 5),
)  # fmt: skip


def phone_case(r: random.Random) -> Case:
    """A phone number as people write it, with the region a field would assume."""
    family = r.choices([f for f, _ in _PHONE_FAMILIES], [w for _, w in _PHONE_FAMILIES])[0]
    home = r.choice(REGIONS)
    number = _example(home, r)
    text = "" if number is None else _written(number, r)
    if not text:
        family = "garbage"
    roll = r.random()
    region = home if roll < 0.6 else None if roll < 0.8 else r.choice(REGIONS)
    return Case("phone", family, _phone_mess(text, family, r), region)


_LOCALS: Final = (
    "ada", "ada.lovelace", "a.b-c_d", "ada+news", "o'brien", "x", "j.smith99", "user%tag",
    "josé", "müller", "Straße", "İlkay", "δοκιμή", "пример", "用户", "ABC.DEF",
)  # fmt: skip
_BAD_LOCALS: Final = ("first..last", ".ada", "ada.", "a" * 65, "a b", '"ada smith"', '"a@b"',
                      "ada@home", "ada,b", "")  # fmt: skip
_DOMAINS: Final = (
    "example.com", "EXAMPLE.ORG", "mail.example.co.uk", "bücher.de", "xn--bcher-kva.de",
    "例え.jp", "gmail.com", "ΠΑΡΆΔΕΙΓΜΑ.gr", "Example.Museum", "exa-mple.io",
)  # fmt: skip
_BAD_DOMAINS: Final = (
    "sub_domain.example.com", "example", "localhost", "example..com", "-bad.com",
    "example.com.", "[192.0.2.1]", "192.0.2.1", "ex ample.com", "example,com",
    "a" * 64 + ".com", "example.test", "",
)  # fmt: skip
_WRAPS: Final = ("{} ", " {}", "\t{}\n", "<{}>", "mailto:{}", "MAILTO:{}", "Ada <{}>", "{};")


def email_case(r: random.Random) -> Case:
    """An email address as people write it: valid, invalid, IDN, quoted, in any case."""
    local = r.choice(_LOCALS if r.random() < 0.85 else _BAD_LOCALS)
    domain = r.choice(_DOMAINS if r.random() < 0.85 else _BAD_DOMAINS)
    roll = r.random()
    if roll < 0.15:
        local = local.upper()
    elif roll < 0.3:
        local = local.title()
    address = f"{local}@{domain}"
    family = "address"
    roll = r.random()
    if roll < 0.15:
        address, family = r.choice(_WRAPS).format(address), "wrapped"
    elif roll < 0.2:
        address, family = address.replace("@", r.choice(("@@", " @", "", "(at)"))), "broken"
    elif roll < 0.25:
        address, family = address.upper(), "upper"
    return Case("email", family, address)


def cases(count: int, *, seed: int) -> Iterator[Case]:
    """*count* generated cases, half phone numbers and half email addresses, from *seed*."""
    r = random.Random(seed)
    for i in range(count):
        yield phone_case(r) if i % 2 == 0 else email_case(r)


# -- the report ---------------------------------------------------------------------------


@dataclass
class Report:
    """How many cases fell in each category, one example each, by generator family."""

    counts: Counter[str] = field(default_factory=Counter)
    families: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[str, Case] = field(default_factory=dict)

    def add(self, case: Case, category: str) -> None:
        """Count one compared case."""
        self.counts[category] += 1
        self.families[(category, case.family)] += 1
        self.examples.setdefault(category, case)

    @property
    def unexplained(self) -> int:
        """The cases no documented convention explains."""
        return sum(n for k, n in self.counts.items() if CATEGORIES[k][0] == UNEXPLAINED)

    def table(self) -> str:
        """The categories with their counts, meaning and an example, as text."""
        total = sum(self.counts.values()) or 1
        lines = [f"{'category':<22} {'status':<11} {'count':>9} {'share':>7}  explanation"]
        for key, (status, why) in CATEGORIES.items():
            n = self.counts.get(key, 0)
            if not n and status != AGREE:
                continue
            lines.append(f"{key:<22} {status:<11} {n:>9} {n / total:>7.2%}  {why}")
            if key in self.examples and status != AGREE:
                case = self.examples[key]
                fams = ", ".join(f"{f} {c}" for (k, f), c in sorted(self.families.items())
                                 if k == key)  # fmt: skip
                lines.append(f"{'':<52}e.g. {case.raw!r} (region {case.region}); {fams}")
        lines.append(f"{'total':<22} {'':<11} {sum(self.counts.values()):>9}")
        return "\n".join(lines)


def run(count: int, *, seed: int = 15) -> Report:
    """Compare *count* generated values and return the report."""
    report = Report()
    for case in cases(count, seed=seed):
        report.add(case, compare(case))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print the table; 1 when a disagreement is unexplained."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1_000_000, help="values in all")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    report = run(args.count, seed=args.seed)
    print(report.table())
    if report.unexplained:
        print(f"{report.unexplained} disagreements no documented convention explains")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
