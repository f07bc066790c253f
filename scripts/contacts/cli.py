"""The command line: ``python scripts/make_contacts.py`` or ``python -m scripts.contacts``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .generate import generate_columns
from .render import COLUMNS, TRUTH_COLUMNS, write_csv

DESCRIPTION = "Seeded generator of realistic, messy CRM contact data with ground truth."


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; see ``--help``."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--rows", type=int, default=2400, help="number of rows (default 2400)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--dup-rate", type=float, default=0.15, help="share of duplicate rows (default 0.15)"
    )
    parser.add_argument("--out", type=Path, required=True, help="contacts CSV to write")
    parser.add_argument("--truth", type=Path, help="truth CSV (source_id,entity_id) to write")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    cols = generate_columns(args.rows, seed=args.seed, dup_rate=args.dup_rate)
    generated = time.perf_counter()
    write_csv(args.out, COLUMNS, [cols[c] for c in COLUMNS])
    if args.truth is not None:
        write_csv(args.truth, TRUTH_COLUMNS, [cols[c] for c in TRUTH_COLUMNS])
    done = time.perf_counter()
    n_entities = len(set(cols["entity_id"]))
    print(
        f"{args.rows} rows, {n_entities} people, duplicate rate "
        f"{1 - n_entities / args.rows:.4f}; generated in {generated - started:.1f} s, "
        f"written in {done - generated:.1f} s",
        file=sys.stderr,
    )
    return 0
