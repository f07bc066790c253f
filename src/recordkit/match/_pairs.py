"""
Pairs: the candidates the blocking rules make, and the level of every pair compared.

Blocking codes every record once per rule and counts the pairs each rule would make before
making any (a rule over ``max_pairs`` is refused); the candidates are the union of the
rules' pairs, each pair once. Comparing works on whole arrays of pairs, in chunks run side
by side, and compares each distinct pair of values once where values repeat.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from recordkit._errors import shorten
from recordkit.match._blocking import (
    BlockingError,
    BlockingReport,
    RuleCount,
    block_sizes,
    pairs_within,
)
from recordkit.match._data import Prepared
from recordkit.match._factored import Factored, Objects
from recordkit.match._settings import MatchSettings
from recordkit.match.comparison import Comparator, Comparison

__all__ = [
    "SCALAR_PAIRS",
    "blocking_codes",
    "candidate_pairs",
    "compare_against",
    "compare_each",
    "compare_pairs",
    "count_pairs",
]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]
_CHUNK = 2_000_000
_THREADED = 50_000
SCALAR_PAIRS = 24
"""
Up to this many pairs (a point-of-entry lookup), built-in comparisons compare pair by pair
in plain Python (`Comparison._compare_one`): numpy's per-call cost outweighs its speed there.
"""


def count_pairs(settings: MatchSettings, prepared: Prepared) -> BlockingReport:
    """
    Candidate pairs per blocking rule, counted without making any.

    The block codes are those `candidate_pairs` makes (and keeps), so counting after
    making the pairs costs next to nothing.
    """
    counts = []
    for rule, codes in zip(settings.blocking, blocking_codes(settings, prepared), strict=True):
        pairs, largest = block_sizes(codes, prepared.source)
        counts.append(RuleCount(rule.name, pairs, None, largest))
    return BlockingReport(tuple(counts))


def blocking_codes(settings: MatchSettings, prepared: Prepared) -> list[Ints]:
    """
    Each blocking rule's block code for every record (``-1``: no key), computed once.
    """
    if "codes" not in prepared.memo:
        source = prepared.memo.get("factored", prepared.columns)
        prepared.memo["codes"] = [rule.codes(source) for rule in settings.blocking]
    codes: list[Ints] = prepared.memo["codes"]
    return codes


def candidate_pairs(
    settings: MatchSettings, prepared: Prepared
) -> tuple[Ints, Ints, BlockingReport]:
    """
    The union of every rule's pairs, each pair once, with the per-rule report.

    Raises:
        BlockingError: a rule would make more than ``max_pairs`` pairs (checked before
            any pair is made).
    """
    codes = blocking_codes(settings, prepared)
    sizes = [block_sizes(c, prepared.source) for c in codes]
    src = prepared.source
    for rule, c, (pairs, largest) in zip(settings.blocking, codes, sizes, strict=True):
        made = block_sizes(c, None)[0] if src is not None else pairs
        if made > settings.max_pairs:
            ok = c >= 0
            top = int(np.bincount(c[ok]).argmax())
            row = int(np.flatnonzero(c == top)[0])
            key = rule.key_of({k: prepared.columns[k][row] for k in rule.columns})
            detail = f"its largest block ({largest:,} records) has key {shorten(key, 80)}"
            raise BlockingError(rule.name, made, settings.max_pairs, detail)
    lefts, rights, counts = [], [], []
    for r, (rule, c) in enumerate(zip(settings.blocking, codes, strict=True)):
        a, b = pairs_within(c)
        if src is not None:
            cross = src[a] != src[b]
            a, b = a[cross], b[cross]
        keep = np.ones(len(a), dtype=bool)
        for earlier in codes[:r]:
            keep &= ~((earlier[a] == earlier[b]) & (earlier[a] >= 0))
        lefts.append(a[keep])
        rights.append(b[keep])
        counts.append(RuleCount(rule.name, sizes[r][0], int(keep.sum()), sizes[r][1]))
    left = np.concatenate(lefts) if lefts else np.zeros(0, np.int64)
    right = np.concatenate(rights) if rights else np.zeros(0, np.int64)
    prepared.memo["pairs"] = (left, right)
    return left, right, BlockingReport(tuple(counts))


def compare_pairs(
    settings: MatchSettings,
    prepared: Prepared,
    left: Ints,
    right: Ints,
    other: Prepared | None = None,
) -> Levels:
    """
    The level of every pair in every comparison, in chunks of a few million pairs.

    *left* are rows of *prepared*, *right* rows of *other* (by default *prepared* too): a
    new record is compared with an index's rows where they are, without copying them.
    """
    out: Levels = {c.name: np.zeros(len(left), np.int8) for c in settings.comparisons}
    if len(left) <= SCALAR_PAIRS and all(isinstance(c, Comparison) for c in settings.comparisons):
        return compare_each(settings, prepared, left, right, other)
    them = prepared if other is None else other
    factored = prepared.memo.get("factored", {}) if other is None else {}

    def one(c: Comparator, a: Ints, b: Ints) -> npt.NDArray[np.int8]:
        keys = prepared.keys[c.name]
        column = factored.get(c.columns[0]) if len(c.columns) == 1 else None
        if isinstance(c, Comparison) and column is not None:
            return _compare_distinct(c, prepared, keys, column, a, b)
        return c.compare(prepared.gather(keys, a), them.gather(keys, b))

    if len(left) < _THREADED:  # a lookup: threads would cost more than they save
        for c in settings.comparisons:
            out[c.name][:] = one(c, left, right)
        return out
    # comparisons are independent, and numpy and rapidfuzz release the GIL for much of
    # their work: run every (comparison, chunk) side by side in one pool, so a slow
    # comparison does not leave the other cores idle at a chunk's end
    parts = -(-len(left) // _CHUNK)
    size = -(-len(left) // parts)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        done = [
            (
                c.name,
                start,
                pool.submit(one, c, left[start : start + size], right[start : start + size]),
            )
            for start in range(0, len(left), size)
            for c in settings.comparisons
        ]
        for name, start, future in done:
            result = future.result()
            out[name][start : start + len(result)] = result
    return out


def compare_against(settings: MatchSettings, one: Prepared, them: Prepared, rows: Ints) -> Levels:
    """
    The level of row 0 of *one* (a new record) against each of *rows* of *them*.

    What `compare_pairs` gives those pairs, worked out level by level over all the
    candidates at once (`Comparison._compare_against`) for the built-in comparisons, so
    a lookup with a hundred candidates costs little more than one with three.
    """
    if not all(isinstance(c, Comparison) for c in settings.comparisons):
        return compare_pairs(settings, one, np.zeros(len(rows), np.int64), rows, them)
    out: Levels = {}
    for c in settings.comparisons:
        assert isinstance(c, Comparison)
        out[c.name] = np.array(c._compare_against(one.features, them.features, rows), np.int8)
    return out


def compare_each(
    settings: MatchSettings,
    prepared: Prepared,
    left: Ints,
    right: Ints,
    other: Prepared | None = None,
) -> Levels:
    """
    The level of every pair in every comparison, pair by pair (built-in comparisons only).

    *left* are rows of *prepared*, *right* rows of *other* (by default *prepared* too).
    Gives what `compare_pairs` gives on many pairs; used on few. A comparison of one column
    works once per distinct pair of that column's values (its features are functions of
    the value), so a lookup whose candidates share a city or a surname compares it once.
    """
    them = prepared if other is None else other
    mine, theirs = prepared.features, them.features
    pairs = list(zip(left.tolist(), right.tolist(), strict=True))
    out: Levels = {}
    for c in settings.comparisons:
        assert isinstance(c, Comparison)
        name = c.columns[0] if len(c.columns) == 1 else None
        if name is None or name not in prepared.columns or name not in them.columns:
            got = [c._compare_one(mine, i, theirs, j) for i, j in pairs]
        else:
            columns = (prepared.columns[name], them.columns[name])
            got = _each_distinct(c, (mine, theirs), columns, pairs)
        out[c.name] = np.array(got, dtype=np.int8)
    return out


def _each_distinct(
    c: Comparison,
    feats: tuple[dict[str, npt.NDArray[Any]], dict[str, npt.NDArray[Any]]],
    columns: tuple[Objects, Objects],
    pairs: list[tuple[int, int]],
) -> list[int]:
    """
    `Comparison._compare_one` of each pair, once per distinct pair of the column's values.

    *feats* and *columns* are the left and right sides' features and column values.
    Values are told apart by type too (``1`` and ``True`` are equal in Python but need not
    prepare alike); an unhashable value is compared on its own.
    """
    mine, theirs = feats
    left, right = columns
    seen: dict[tuple[object, ...], int] = {}
    got = []
    for i, j in pairs:
        a, b = left[i], right[j]
        try:
            key = (type(a), a, type(b), b)
            level = seen.get(key)
            if level is None:
                level = seen[key] = c._compare_one(mine, i, theirs, j)
        except TypeError:  # an unhashable value
            level = c._compare_one(mine, i, theirs, j)
        got.append(level)
    return got


def _compare_distinct(
    c: Comparison,
    prepared: Prepared,
    keys: Sequence[str],
    column: Factored,
    a: Ints,
    b: Ints,
) -> npt.NDArray[np.int8]:
    """
    Compare each distinct pair of values once (cities, first names repeat a lot).

    A comparison's features are functions of the prepared value, so pairs of equal
    values get equal levels.
    """
    if len(column.uniques) < 2 or 4 * len(column.uniques) > len(a):
        return c.compare(prepared.gather(keys, a), prepared.gather(keys, b))
    codes, distinct = column.value_rows()
    pair = codes[a] * distinct + codes[b]
    order = np.argsort(pair)  # no np.unique: it sorts stably and returns more than needed
    ordered = pair[order]
    new = np.empty(len(pair), dtype=np.bool_)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    first = order[new]
    if len(first) > 0.6 * len(a):  # mostly distinct already: not worth it
        return c.compare(prepared.gather(keys, a), prepared.gather(keys, b))
    inverse = np.empty(len(pair), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    once = c.compare(prepared.gather(keys, a[first]), prepared.gather(keys, b[first]))
    return once[inverse]
