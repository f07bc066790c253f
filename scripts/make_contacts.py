"""
Write messy CRM contacts with ground truth; the generator is the ``scripts.contacts`` package.

The bundled sample is the output of exactly this command::

    python scripts/make_contacts.py --rows 2400 --seed 7 --dup-rate 0.15 \\
        --out src/recordkit/data/contacts.csv --truth src/recordkit/data/contacts_truth.csv

``python -m scripts.contacts`` (from the repository root) takes the same options, except
the noise options below, which only this script (and `noisy_columns`) has.

Noise for harder matching
=========================

The options below make the duplicates harder to find; all are off by default, and with
them off the output is exactly ``scripts.contacts.generate_columns``'s. They act on the
*copies* (every row of a person but the first) and never on a person's first row:

- ``--copies K``: each copied person gets exactly ``K`` extra rows (instead of 1 to 3), so
  a small dataset holds few people with many rows each. Such a copy is its person's first
  row with one everyday edit (a typo in a name, a nickname, the email in capitals or with
  a ``+tag``, the phone as bare digits) plus the noise below;
- ``--swap-names P``: first and last name swapped on a share ``P`` of the copies;
- ``--swap-day-month P``: the birth date's day and month swapped (where both are at most
  12 and differ) on a share ``P`` of the copies;
- ``--drop-email P``: the email left blank on a share ``P`` of the copies;
- ``--drop P``: each of phone, birth date, postcode and company left blank on a share
  ``P`` of the copies (independently);
- ``--namesakes P``: a share ``P`` of the people (all their rows) take the name of one of
  a few people whose names become common, as John Smith is: different people who share a
  name, and, with the drops above, little else, tempt a matcher to chain them together.
  Unlike the others, this one acts on first rows too.

A chain-prone small set, for instance::

    python scripts/make_contacts.py --rows 200 --seed 3 --dup-rate 0.6 --copies 5 \\
        --swap-names 0.2 --swap-day-month 0.2 --drop-email 0.4 --drop 0.3 --out noisy.csv

The noise draws from its own random stream (seeded from ``--seed``), so the same arguments
give the same rows.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

if __name__ == "__main__":  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.contacts import COLUMNS, NICKNAMES, TRUTH_COLUMNS, generate_columns, write_csv
from scripts.contacts.render import shuffle
from scripts.contacts.text import typo

__all__ = ["Noise", "main", "noisy_columns"]

# The noise stream is seeded apart from the generator's own, so turning noise on does not
# redraw the people.
_NOISE_SEED = 0x5EED_0F_C0
# Columns ``drop`` blanks, each independently.
DROPPABLE = ("phone", "birth_date", "postcode", "company")
_EDITS = ("typo_first", "typo_last", "nickname", "email_case", "email_tag", "phone_digits")
_DATE_STYLES = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "{y}-{m:02d}-{d:02d}", ("y", "m", "d")),
    (re.compile(r"(\d{4})/(\d{2})/(\d{2})"), "{y}/{m:02d}/{d:02d}", ("y", "m", "d")),
    (re.compile(r"(\d{2})/(\d{2})/(\d{4})"), "{m:02d}/{d:02d}/{y}", ("m", "d", "y")),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "{m}/{d}/{y}", ("m", "d", "y")),
    (re.compile(r"(\d{2})\.(\d{2})\.(\d{4})"), "{d:02d}.{m:02d}.{y}", ("d", "m", "y")),
)
_WORD_DATES = ("%d %b %Y", "%B %d, %Y")


@dataclass(frozen=True)
class Noise:
    """
    How much harder to make the duplicates (all off by default; see the module docstring).
    """

    copies: int = 0
    swap_names: float = 0.0
    swap_day_month: float = 0.0
    drop_email: float = 0.0
    drop: float = 0.0
    namesakes: float = 0.0

    def __post_init__(self) -> None:
        if isinstance(self.copies, bool) or not isinstance(self.copies, int) or self.copies < 0:
            raise ValueError(f"copies must be a whole number >= 0, got {self.copies!r}")
        for name in ("swap_names", "swap_day_month", "drop_email", "drop", "namesakes"):
            share = getattr(self, name)
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name} must be a share between 0 and 1, got {share!r}")

    @property
    def off(self) -> bool:
        """True when no noise is asked for (the output is the plain generator's)."""
        return self == Noise()


def noisy_columns(
    n_rows: int, *, seed: int = 7, dup_rate: float = 0.15, noise: Noise = Noise()
) -> dict[str, list[str]]:
    """
    `generate_columns` with *noise* on the copies: the same columns, the same truth column.

    The duplicate rate stays exactly ``round(n_rows * dup_rate) / n_rows``. With
    ``noise.copies`` set, ``round(n_rows * dup_rate)`` copies go ``copies`` at a time to
    as few people as that takes (the last of them may get fewer).
    """
    if noise.off:
        return generate_columns(n_rows, seed=seed, dup_rate=dup_rate)
    r = random.Random(seed ^ _NOISE_SEED)
    if noise.copies:
        cols, copies = _many_copies(n_rows, seed, dup_rate, noise, r)
    else:
        cols = generate_columns(n_rows, seed=seed, dup_rate=dup_rate)
        _rename(cols, noise.namesakes, r)
        seen: set[str] = set()
        copies = []
        for i, entity in enumerate(cols["entity_id"]):
            if entity in seen:
                copies.append(i)
            seen.add(entity)
    for i in copies:
        _add_noise(cols, i, noise, r)
    return cols


def _many_copies(
    n_rows: int, seed: int, dup_rate: float, noise: Noise, r: random.Random
) -> tuple[dict[str, list[str]], list[int]]:
    """Everyone once, then ``copies`` lightly edited copies per copied person; shuffled."""
    k = noise.copies
    if not 0.0 <= dup_rate < 1.0:
        raise ValueError("dup_rate must be at least 0 and below 1")
    n_dup = round(n_rows * dup_rate)
    n_people = n_rows - n_dup
    if n_people < 1 or -(-n_dup // k) > n_people:
        raise ValueError("dup_rate too high for this many rows and copies")
    base = generate_columns(n_people, seed=seed, dup_rate=0.0)
    _rename(base, noise.namesakes, r)
    order = r.sample(range(n_people), -(-n_dup // k)) if n_dup else []
    sources = [p for p in order for _ in range(k)][:n_dup]
    rows = list(range(n_people)) + sources
    cols = {c: [base[c][i] for i in rows] for c in [*COLUMNS, "entity_id"]}
    for i in range(n_people, n_rows):
        _everyday_edit(cols, i, r)
    person = np.array([int(e[1:]) for e in cols["entity_id"]], dtype=np.int64)
    perm = shuffle(np.random.default_rng(seed ^ _NOISE_SEED), person).tolist()
    out = {c: [cols[c][i] for i in perm] for c in [*COLUMNS, "entity_id"]}
    out["source_id"] = [f"crm-{i + 1:06d}" for i in range(n_rows)]
    copies = [new for new, old in enumerate(perm) if old >= n_people]
    return out, copies


def _rename(cols: dict[str, list[str]], share: float, r: random.Random) -> None:
    """Give a *share* of the people the name of one of a few people (common names)."""
    if not share:
        return
    first_row: dict[str, int] = {}
    for i, entity in enumerate(cols["entity_id"]):
        first_row.setdefault(entity, i)
    people = sorted(first_row)
    common = people[: max(2, len(people) // 50)]  # about one name in fifty becomes common
    renamed = {p: r.choice(common) for p in people[len(common) :] if r.random() < share}
    for i, entity in enumerate(cols["entity_id"]):
        if entity in renamed:
            donor = first_row[renamed[entity]]
            cols["first_name"][i] = cols["first_name"][donor]
            cols["last_name"][i] = cols["last_name"][donor]


def _everyday_edit(cols: dict[str, list[str]], i: int, r: random.Random) -> None:
    """One small difference, as the generator's own copies have."""
    edit = r.choice(_EDITS)
    first, last, email = cols["first_name"][i], cols["last_name"][i], cols["email"][i]
    if edit == "nickname" and first.strip().title() in NICKNAMES:
        cols["first_name"][i] = NICKNAMES[first.strip().title()]
    elif edit == "email_case" and email:
        cols["email"][i] = email.upper()
    elif edit == "email_tag" and "@" in email:
        local, _, domain = email.partition("@")
        cols["email"][i] = f"{local}+crm@{domain}"
    elif edit == "phone_digits" and cols["phone"][i]:
        cols["phone"][i] = re.sub(r"\D", "", cols["phone"][i].split("x")[0])
    elif edit == "typo_first" and len(first) > 2:
        cols["first_name"][i] = typo(first, r)
    elif len(last) > 2:
        cols["last_name"][i] = typo(last, r)


def _add_noise(cols: dict[str, list[str]], i: int, noise: Noise, r: random.Random) -> None:
    if r.random() < noise.swap_names:
        cols["first_name"][i], cols["last_name"][i] = cols["last_name"][i], cols["first_name"][i]
    if r.random() < noise.swap_day_month:
        cols["birth_date"][i] = swap_day_month(cols["birth_date"][i])
    if r.random() < noise.drop_email:
        cols["email"][i] = ""
    for name in DROPPABLE:
        if r.random() < noise.drop:
            cols[name][i] = ""


def swap_day_month(text: str) -> str:
    """
    The date with day and month swapped, in its own style; unchanged when that is no date.

    A date whose day is above 12, or equal to its month, cannot be swapped and is returned
    as it is; so is a blank or unreadable one. Dates written with a month name come back
    in ISO form.
    """
    for pattern, style, parts in _DATE_STYLES:
        m = pattern.fullmatch(text)
        if m:
            got = dict(zip(parts, map(int, m.groups()), strict=True))
            if got["d"] > 12 or got["d"] == got["m"]:
                return text
            return style.format(y=got["y"], m=got["d"], d=got["m"])
    for fmt in _WORD_DATES:
        try:
            d = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if d.day > 12 or d.day == d.month:
            return text
        return date(d.year, d.day, d.month).isoformat()
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--rows", type=int, default=2400, help="number of rows (default 2400)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--dup-rate", type=float, default=0.15, help="share of duplicate rows (default 0.15)"
    )
    parser.add_argument("--out", type=Path, required=True, help="contacts CSV to write")
    parser.add_argument("--truth", type=Path, help="truth CSV (source_id,entity_id) to write")
    noise = parser.add_argument_group("noise (all off by default)")
    noise.add_argument("--copies", type=int, default=0, help="extra rows per copied person")
    for flag, what in (
        ("--swap-names", "first and last name swapped"),
        ("--swap-day-month", "birth date day and month swapped"),
        ("--drop-email", "email left blank"),
        ("--drop", f"each of {', '.join(DROPPABLE)} left blank"),
    ):
        noise.add_argument(flag, type=float, default=0.0, help=f"share of copies with {what}")
    noise.add_argument(
        "--namesakes", type=float, default=0.0, help="share of people given a common name"
    )
    args = parser.parse_args(argv)
    cols = noisy_columns(
        args.rows,
        seed=args.seed,
        dup_rate=args.dup_rate,
        noise=Noise(
            args.copies,
            args.swap_names,
            args.swap_day_month,
            args.drop_email,
            args.drop,
            args.namesakes,
        ),
    )
    write_csv(args.out, COLUMNS, [cols[c] for c in COLUMNS])
    if args.truth is not None:
        write_csv(args.truth, TRUTH_COLUMNS, [cols[c] for c in TRUTH_COLUMNS])
    n_entities = len(set(cols["entity_id"]))
    print(
        f"{args.rows} rows, {n_entities} people, duplicate rate {1 - n_entities / args.rows:.4f}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
