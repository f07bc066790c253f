"""
Print how the default contact matcher does against the truth, with the chain guard before
and after strong links may vouch for transitive duplicates.

    python scripts/evaluate_matching.py

Three datasets: (a) the bundled contacts and their truth file; (b) a small noisy set (many
copies per person, names and dates swapped, fields missing); (c) a chain-prone set (most
people share a few common names and most copies lost their email, phone and more). Each is
deduplicated once; the same scored links are then grouped by the old guard (only links
vouch) and by the current one (strong links vouch too). The figures count pairs of records
that share a cluster. Nothing is written.
"""

from __future__ import annotations

import csv
import importlib.resources
import sys
from pathlib import Path

import numpy as np

if __name__ == "__main__":  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import recordkit as rk
from recordkit.match import Assignment, Evaluation, Matcher, MatchResult
from recordkit.match._dedupe import strong_weight
from recordkit.match._evaluate import evaluate_run
from recordkit.match._graph import group_labels
from scripts.contacts import COLUMNS
from scripts.make_contacts import Noise, noisy_columns

SMALL_NOISY = (200, 3, 0.6, Noise(5, 0.2, 0.2, 0.4, 0.3))
CHAIN_PRONE = (1500, 12, 0.3, Noise(0, 0.0, 0.0, 0.9, 0.9, 0.9))


def _bundled() -> dict[str, list[str]]:
    data = importlib.resources.files("recordkit.data")
    rows = list(csv.DictReader(data.joinpath("contacts.csv").read_text("utf-8").splitlines()))
    truth_rows = data.joinpath("contacts_truth.csv").read_text("utf-8").splitlines()
    truth = {t["source_id"]: t["entity_id"] for t in csv.DictReader(truth_rows)}
    cols = {c: [r[c] for r in rows] for c in COLUMNS}
    cols["entity_id"] = [truth[s] for s in cols["source_id"]]
    return cols


def _regrouped(result: MatchResult, truth: dict[str, str], *, strong: bool) -> Evaluation:
    """The result's links grouped again, with or without strong links vouching."""
    scored, matcher, ids = result.scored, result.matcher, result.prepared.ids
    keep = scored.match
    weights = np.where(scored.rule[keep] == 1, 99.0, scored.weight[keep])
    model = matcher.fitted()
    labels = group_labels(
        ids,
        scored.left[keep],
        scored.right[keep],
        weights,
        matcher.chain_guard,
        strong=strong_weight(matcher, model) if strong else None,
    )
    assignment = Assignment.from_labels(ids, labels)
    return evaluate_run(
        ids, result.prepared.source, scored, assignment, model, matcher.threshold, truth
    )


def main() -> int:
    """Print the table; return 0."""
    sets = {
        "(a) bundled contacts": _bundled(),
        "(b) small noisy": noisy_columns(
            SMALL_NOISY[0], seed=SMALL_NOISY[1], dup_rate=SMALL_NOISY[2], noise=SMALL_NOISY[3]
        ),
        "(c) chain-prone": noisy_columns(
            CHAIN_PRONE[0], seed=CHAIN_PRONE[1], dup_rate=CHAIN_PRONE[2], noise=CHAIN_PRONE[3]
        ),
    }
    head = f"{'dataset':<22}{'rows':>6}{'guard':>8}{'precision':>11}{'recall':>8}{'F1':>7}"
    print(head + f"{'best p':>8}{'link F1':>9}")
    print("-" * (len(head) + 17))
    for name, cols in sets.items():
        rows = [
            dict(zip(COLUMNS, v, strict=True))
            for v in zip(*(cols[c] for c in COLUMNS), strict=True)
        ]
        ids = cols["source_id"]
        truth = dict(zip(ids, cols["entity_id"], strict=True))
        result = Matcher.for_schema(rk.bundled_schema("contact")).dedupe(rows, ids=ids)
        for label, strong in (("before", False), ("after", True)):
            e = _regrouped(result, truth, strong=strong)
            best = e.best_threshold()
            print(
                f"{name:<22}{len(ids):>6}{label:>8}{e.precision:>11.3f}{e.recall:>8.3f}"
                f"{e.f1:>7.3f}{best.threshold:>8}{best.f1:>9.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
