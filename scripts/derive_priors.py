"""
Derive the prior m/u figures the default matcher ships with, from labelled generated data.

The committed ``src/recordkit/match/data/priors.json`` is the output of exactly::

    python scripts/derive_priors.py

(the inputs are the `SOURCE` constants below, and are written into the file). Steps:

1. generate contacts with ground truth (``scripts.contacts.generate_columns``, fixed seed),
   and add a ``full_name`` column (first and last name joined);
2. prepare and compare every column with the comparison of its kind, exactly as the
   default matcher does (``recordkit.match._priors.kind_comparison``);
3. per kind and level: ``m`` is the share of true duplicate pairs (every pair of rows of
   one person) at that level, and ``u`` the share of random pairs of different people,
   the "missing" level left out and one pair's worth of smoothing spread over the levels
   (so no level is impossible); ``prior`` is the share of duplicates among all pairs.

Figures are rounded to six significant digits, so the file is the same on every machine.
``--rows``, ``--seed``, ``--dup-rate`` and ``--pairs`` derive from other inputs (to see how
much the figures move); ``--check`` compares a fresh derivation with the committed file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Final

import numpy as np

ROOT: Final = Path(__file__).resolve().parents[1]
OUT: Final = ROOT / "src" / "recordkit" / "match" / "data" / "priors.json"
FORMAT: Final = 1
VERSION: Final = "prior-1"
SOURCE: Final[dict[str, Any]] = {
    "generator": "scripts.contacts.generate_columns",
    "rows": 6000,
    "seed": 20240517,
    "dup_rate": 0.25,
    "non_match_pairs": 400_000,
    "pair_seed": 1,
}

# kind → (generated column, options of kind_comparison)
COLUMNS: Final[dict[str, tuple[str, dict[str, str]]]] = {
    "email": ("email", {}),
    "phone": ("phone", {"region": "US", "region_from": "country"}),
    "birth_date": ("birth_date", {}),
    "given_name": ("first_name", {"family_name": "last_name"}),
    "given_name_alone": ("first_name_alone", {}),
    "family_name": ("last_name", {}),
    "full_name": ("full_name", {}),
    "postcode": ("postcode", {}),
    "street": ("street", {}),
    "city": ("city", {}),
    "company": ("company", {}),
}

ABOUT: Final = (
    "Prior Fellegi-Sunter figures per comparison kind, for a default matcher with no data "
    "yet. Per kind and level (level 0, 'missing', weighs nothing): m = P(level | the two "
    "records are the same person), u = P(level | two different people); a level's match "
    "weight is log2(m/u). prior = P(two records picked at random are the same person). "
    "Measured on generated, labelled contacts (see 'source'); written by "
    "scripts/derive_priors.py, which says how."
)


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def _generated(rows: int, seed: int, dup_rate: float) -> dict[str, list[Any]]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from scripts.contacts import generate_columns

    cols: dict[str, list[Any]] = dict(generate_columns(rows, seed=seed, dup_rate=dup_rate))
    cols["full_name"] = [
        " ".join(p for p in (f, la) if p)
        for f, la in zip(cols["first_name"], cols["last_name"], strict=True)
    ]
    cols["first_name_alone"] = list(cols["first_name"])
    return cols


def _pairs(entity: list[str], count: int, seed: int) -> tuple[Any, Any, Any, Any]:
    """
    Every pair of rows of one person, and up to *count* random pairs of different people.
    """
    from recordkit.match._estimate import random_pairs

    by_entity: dict[str, list[int]] = {}
    for i, e in enumerate(entity):
        by_entity.setdefault(e, []).append(i)
    same = [
        (a, b) for rows in by_entity.values() for k, a in enumerate(rows) for b in rows[k + 1 :]
    ]
    ml = np.array([a for a, _ in same], np.int64)
    mr = np.array([b for _, b in same], np.int64)
    ra, rb = random_pairs(len(entity), count, seed=seed)
    ents = np.asarray(entity, dtype=object)
    other = ents[ra] != ents[rb]
    return ml, mr, ra[other], rb[other]


def _shares(levels: Any, n_levels: int) -> list[float]:
    from recordkit.match._estimate import u_from_levels

    return [_round(x) for x in u_from_levels(levels, n_levels)]


def derive(
    *, rows: int, seed: int, dup_rate: float, non_match_pairs: int, pair_seed: int
) -> dict[str, Any]:
    """
    The priors document for these inputs (what `main` writes).
    """
    from recordkit.match import Matcher, block_on
    from recordkit.match._priors import KINDS, kind_comparison

    cols = _generated(rows, seed, dup_rate)
    digest = hashlib.sha256(json.dumps(cols, sort_keys=True).encode()).hexdigest()
    made = {kind: kind_comparison(kind, col, **opts) for kind, (col, opts) in COLUMNS.items()}
    assert set(made) == set(KINDS), "every kind needs a generated column"
    matcher = Matcher(
        [c for c, _ in made.values()],
        [block_on("email")],  # not used: the pairs are chosen from the truth
        prepare={c.name: p for c, p in made.values()},
    )
    prepared = matcher.prepared(cols, ids=cols["source_id"])
    ml, mr, ul, ur = _pairs(cols["entity_id"], non_match_pairs, pair_seed)
    match_levels = matcher.compare(prepared, ml, mr)
    other_levels = matcher.compare(prepared, ul, ur)
    kinds: dict[str, Any] = {}
    for kind, (c, p) in made.items():
        n = len(c.labels)
        kinds[kind] = {
            "comparison": c.to_dict(),
            "prepare": p.to_dict(),
            "labels": list(c.labels),
            "m": _shares(match_levels[c.name], n),
            "u": _shares(other_levels[c.name], n),
            "match_pairs": int((match_levels[c.name] > 0).sum()),
            "non_match_pairs": int((other_levels[c.name] > 0).sum()),
        }
    total = rows * (rows - 1) // 2
    return {
        "format": FORMAT,
        "version": VERSION,
        "about": ABOUT,
        "source": {
            "generator": SOURCE["generator"],
            "rows": rows,
            "seed": seed,
            "dup_rate": dup_rate,
            "non_match_pairs": non_match_pairs,
            "pair_seed": pair_seed,
            "data_sha256": digest,
        },
        "prior": _round(len(ml) / total),
        "kinds": kinds,
    }


def render(doc: dict[str, Any]) -> str:
    """
    The document as the committed file's text.
    """
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """
    Write (or ``--check``) the priors file.
    """
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--rows", type=int, default=SOURCE["rows"])
    ap.add_argument("--seed", type=int, default=SOURCE["seed"])
    ap.add_argument("--dup-rate", type=float, default=SOURCE["dup_rate"])
    ap.add_argument("--pairs", type=int, default=SOURCE["non_match_pairs"])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = ap.parse_args(argv)
    doc = derive(
        rows=args.rows,
        seed=args.seed,
        dup_rate=args.dup_rate,
        non_match_pairs=args.pairs,
        pair_seed=SOURCE["pair_seed"],
    )
    text = render(doc)
    if args.check:
        same = args.out.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.out} differs from a fresh derivation")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
