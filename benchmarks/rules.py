"""Rule engine vs a hand-written function calling the same libraries, on messy contacts.

    python benchmarks/rules.py [--quick]

Writes benchmarks/results/rules.json and prints a table. Figures:

- ``engine_rps`` / ``handwritten_rps``: rows per second, uncached, on 100,000 messy
  10-field contacts (``--quick``: 10,000);
- ``uncached_ratio``: engine time / hand-written time, both uncached (target <= 0.75:
  faster than calling the libraries by hand);
- ``cached_speedup``: hand-written uncached time / engine time with memoization, on rows in
  which half of the phone, email and picklist values repeat earlier rows (bound 2,
  target >= 1.8).

After a warm-up round, variants alternate (ABAB...) in rounds; each ratio is the median
of the per-round ratios (the two variants of a round run back to back, under the same
load), and each rows-per-second figure comes from the variant's fastest run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import email_validator
import phonenumbers

import recordkit as rk
from recordkit.rules import (
    Normalizers,
    RuleSet,
    clean_text,
    country_code,
    normalize_boolean,
    normalize_date,
    normalize_name,
    picklist_table,
    subdivision_code,
)
from recordkit.rules._text import fold_key
from recordkit.rules._values import picklist_match

RESULTS = Path(__file__).parent / "results" / "rules.json"

SCHEMA_YAML = """
schema: bench_contact
fields:
  first_name: {type: text, rules: [{defaults: false}, person_name]}
  last_name: {type: text, rules: [{defaults: false}, person_name]}
  email: {type: email}
  phone: {type: phone, region: US}
  company: {type: text}
  industry:
    type: picklist
    values: [Technology, Finance, Healthcare, Manufacturing, Retail, Education]
    synonyms:
      Technology: [Software, SaaS, Tech, IT]
      Finance: [Banking, Financial Services, Fintech]
      Healthcare: [Health care, Medical, Pharma]
      Manufacturing: [Industrial, Mfg]
      Retail: [E-commerce, Ecommerce]
      Education: [EdTech, Schools]
  state: {type: subdivision, country_field: country}
  country: {type: country}
  birth_date: {type: date, dayfirst: false}
  email_opt_in: {type: boolean}
"""

FIRST = ["ada", "GRACE", "Alan", "jean-luc", "MARIE", "o'brien", "Zoë", "José", "li", "Ngozi",
         "sean", "Priya", "hans", "YUKI", "fatima", "Olga", "mohammed", "Chloé", "Liam", "Ana"]
LAST = ["lovelace", "HOPPER", "Turing", "van der berg", "MCDONALD", "o'neil", "smith-jones",
        "Müller", "García", "nakamura", "Kowalski", "dubois", "ROSSI", "Okafor", "Singh",
        "de la cruz", "Andersson", "Nguyen", "O'Connor", "Schmidt"]
DOMAINS = ["example.com", "Example.ORG", "mail.co.uk", "firma.de", "exemple.fr", "corp.io"]
PHONES = [  # (country, region, digits-as-written makers)
    ("US", "(212) 555-{:04d}"), ("US", "212.555.{:04d} x12"), ("US", "+1 415 555 {:04d}"),
    ("GB", "020 7946 {:04d}"), ("GB", "+44 20 7946 {:04d}"), ("DE", "030 1234{:04d}"),
    ("DE", "+49 30 1234{:04d}"), ("FR", "01 42 68 {:02d} {:02d}"), ("FR", "+33 1 42 68 {:04d}"),
    ("CA", "416-555-{:04d}"), ("AU", "(02) 9374 {:04d}"), ("IN", "+91 98765 4{:04d}"),
    ("JP", "03-3224-{:04d}"), ("BR", "+55 11 9{:04d}-1234"), ("MX", "+52 55 1234 {:04d}"),
    ("ES", "+34 91 123 {:04d}"), ("IT", "+39 06 1234 {:04d}"), ("NL", "+31 20 123 {:04d}"),
]
COUNTRY_NAMES = {"US": ["US", "USA", "United States", "u.s.a."], "GB": ["UK", "GB", "England"],
                 "DE": ["Germany", "DE", "Deutschland"], "FR": ["France", "FR"],
                 "CA": ["Canada", "CA"], "AU": ["Australia", "AU"], "IN": ["India"],
                 "JP": ["Japan", "JP"], "BR": ["Brasil", "Brazil"], "MX": ["Mexico"],
                 "ES": ["Spain", "España"], "IT": ["Italy"], "NL": ["Holland", "Netherlands"]}
STATES = {"US": ["NY", "New York", "N.Y.", "Calif.", "california", "TX", "Texas", "wash"],
          "CA": ["ON", "Ontario", "Québec", "BC"], "DE": ["Bavaria", "Bayern", "BE", "Hessen"],
          "AU": ["NSW", "Victoria", "QLD"]}
INDUSTRIES = ["Technology", "software", "SaaS", "tech ", "Finance", "banking", "FINTECH",
              "Healthcare", "health care", "Pharma", "Mfg", "Retail", "e-commerce", "EdTech",
              "Education", "Aerospace", "n/a"]
DATES = ["{y}-{m:02d}-{d:02d}", "{m}/{d}/{y}", "{m:02d}/{d:02d}/{y}", "{mon} {d}, {y}",
         "{d} {mon} {y}", "{d}-{mon}-{yy:02d}", "{y}{m:02d}{d:02d}"]
MONTHS = ["Jan", "Feb", "March", "Apr", "May", "June", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"]
BOOLS = ["yes", "No", "Y", "n", "TRUE", "false", "1", "0", "", "checked", "maybe"]


def messy_row(rng: random.Random) -> dict[str, Any]:
    country, fmt = rng.choice(PHONES)
    n = rng.randrange(10_000)
    phone = fmt.format(n, n % 100) if fmt.count("{") == 2 else fmt.format(n)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = f"{first}.{last}{rng.randrange(1000)}".replace(" ", "").replace("'", "")
    domain = rng.choice(DOMAINS)
    email = rng.choice([f"{local}@{domain}", f" {local.upper()}@{domain} ",
                        f"mailto:{local}@{domain}", f"{local}@@broken", f"{local}"])
    y, m, d = rng.randrange(1940, 2005), rng.randrange(1, 13), rng.randrange(1, 29)
    date = rng.choice(DATES).format(y=y, m=m, d=d, yy=y % 100, mon=MONTHS[m - 1])
    return {
        "first_name": rng.choice([first, f"  {first} ", first.upper()]),
        "last_name": last,
        "email": email,
        "phone": phone,
        "company": rng.choice(["Acme  Inc", "acme inc.", "Globex\u00a0Corp", "Initech", ""]),
        "industry": rng.choice(INDUSTRIES),
        "state": rng.choice(STATES.get(country, [""])),
        "country": rng.choice(COUNTRY_NAMES[country]),
        "birth_date": date,
        "email_opt_in": rng.choice(BOOLS),
    }


def make_rows(n: int, *, seed: int, repeat: float) -> list[dict[str, Any]]:
    """Messy rows; with probability *repeat*, phone, email and industry copy an earlier row.

    The country comes along with the phone: the same number written for the same place.
    """
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        row = messy_row(rng)
        if i and rng.random() < repeat:
            earlier = rows[rng.randrange(i)]
            for name in ("phone", "email", "industry", "country"):
                row[name] = earlier[name]
        rows.append(row)
    return rows


# -- the hand-written baseline: the same libraries, called directly, no memoization ------

PICK = picklist_table(
    ["Technology", "Finance", "Healthcare", "Manufacturing", "Retail", "Education"],
    {"Technology": ["Software", "SaaS", "Tech", "IT"],
     "Finance": ["Banking", "Financial Services", "Fintech"],
     "Healthcare": ["Health care", "Medical", "Pharma"],
     "Manufacturing": ["Industrial", "Mfg"], "Retail": ["E-commerce", "Ecommerce"],
     "Education": ["EdTech", "Schools"]},
)
CANONICAL = frozenset(PICK.values())


def handwritten(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    out: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        r: dict[str, Any] = {}
        r["first_name"] = normalize_name(row.get("first_name")) or None
        r["last_name"] = normalize_name(row.get("last_name")) or None
        country = country_code(row.get("country"))
        if country is None and row.get("country"):
            errors.append((i, "country"))
        r["country"] = country
        email = (row.get("email") or "").strip()
        if email:
            text = email[7:] if email.lower().startswith("mailto:") else email
            try:
                info = email_validator.validate_email(
                    "".join(text.split()), check_deliverability=False
                )
                email = info.normalized.lower()
            except email_validator.EmailNotValidError:
                errors.append((i, "email"))
        r["email"] = email or None
        phone = (row.get("phone") or "").strip()
        if phone:
            region = country if country in phonenumbers.SUPPORTED_REGIONS else "US"
            try:
                num = phonenumbers.parse(phone, region)
                if phonenumbers.is_possible_number(num):
                    phone = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
                    if num.extension:
                        phone += f";ext={num.extension}"
                if not phonenumbers.is_valid_number(num):
                    errors.append((i, "phone"))
            except phonenumbers.NumberParseException:
                errors.append((i, "phone"))
        r["phone"] = phone or None
        r["company"] = clean_text(row.get("company")) or None
        industry = row.get("industry") or ""
        industry = picklist_match(fold_key(industry), PICK, 85.0) or industry
        if industry and industry not in CANONICAL:
            errors.append((i, "industry"))
        r["industry"] = industry or None
        state = row.get("state") or None
        if state:
            state = subdivision_code(state, country=country) or state
            if state == row.get("state"):
                errors.append((i, "state"))
        r["state"] = state
        date = row.get("birth_date") or None
        if date:
            iso = normalize_date(date, dayfirst=False)
            try:
                date = dt.date.fromisoformat(iso)
            except ValueError:
                errors.append((i, "birth_date"))
                date = None
        r["birth_date"] = date
        flag = normalize_boolean(row.get("email_opt_in"))
        if isinstance(flag, str) and flag.strip():
            errors.append((i, "email_opt_in"))
        r["email_opt_in"] = flag if isinstance(flag, bool) else None
        out.append(r)
    return out, errors


def timed(fn: Any) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rows, fewer repeats")
    args = parser.parse_args(argv)
    n = 10_000 if args.quick else 100_000
    repeats = 3 if args.quick else 5
    rules = RuleSet.for_schema(rk.parse_schema(SCHEMA_YAML))
    assert isinstance(rules.rules_for("first_name")[0], type(Normalizers.name()))
    messy = make_rows(n, seed=7, repeat=0.0)
    repeated = make_rows(n, seed=11, repeat=0.5)

    # Sanity: both variants agree on the normalized values of every row they both pass.
    engine_out = rules.run_batch(messy[:2000], cache=False)
    hand_rows, _ = handwritten(messy[:2000])
    agree = sum(
        1
        for number, row in zip(engine_out.row_numbers, engine_out.rows, strict=True)
        if all(row[k] == hand_rows[number][k] for k in ("email", "phone", "country", "industry"))
    )
    agreement = agree / max(1, len(engine_out.rows))

    # One unrecorded warm-up round (allocator growth, lazily built tables), then ABAB…:
    # each variant runs once per round.
    handwritten(messy)
    rules.run_batch(messy, cache=False)
    times: dict[str, list[float]] = {
        "hand": [], "engine": [], "engine_gc_on": [], "hand_rep": [], "cached": []
    }

    def collector_running() -> None:
        # the same run with recordkit's collector pause turned off
        with rk.collector_pause(False):
            rules.run_batch(messy, cache=False)

    for _ in range(repeats):
        times["hand"].append(timed(lambda: handwritten(messy)))
        times["engine"].append(timed(lambda: rules.run_batch(messy, cache=False)))
        times["engine_gc_on"].append(timed(collector_running))
        times["hand_rep"].append(timed(lambda: handwritten(repeated)))
        times["cached"].append(timed(lambda: rules.run_batch(repeated, cache=True)))
    best = {k: min(v) for k, v in times.items()}
    uncached = [e / h for e, h in zip(times["engine"], times["hand"], strict=True)]
    cached = [h / c for h, c in zip(times["hand_rep"], times["cached"], strict=True)]
    gc_on = [e / h for e, h in zip(times["engine_gc_on"], times["hand"], strict=True)]
    results = {
        "rows": n,
        "engine_rps": round(n / best["engine"]),
        "handwritten_rps": round(n / best["hand"]),
        "uncached_ratio": round(statistics.median(uncached), 3),
        "uncached_ratio_gc_on": round(statistics.median(gc_on), 3),
        "cached_speedup": round(statistics.median(cached), 3),
        "cached_engine_rps": round(n / best["cached"]),
        "handwritten_repeated_rps": round(n / best["hand_rep"]),
        "agreement": round(agreement, 4),
        "repeats": repeats,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in results)
    print(f"rule engine benchmark ({n:,} messy 10-field contacts, {repeats} rounds)")
    for key, value in results.items():
        print(f"  {key:<{width}}  {value}")
    print("  per round: uncached", [round(x, 3) for x in uncached],
          "cached", [round(x, 3) for x in cached])
    print("  targets: uncached_ratio <= 0.75, cached_speedup >= 1.8")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
