"""
`Matcher`: the declarative match settings, and the batch road through them.

Settings (column preparation, comparisons, blocking rules, deterministic rules, threshold,
and once fitted the model) round-trip through plain dicts. The batch road is columnar:
prepare each column once, block with numpy, compare whole arrays of pairs, score by table
lookups, cluster the edges.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, SchemaError, shorten
from recordkit._gc import collector_paused
from recordkit.match._blocking import (
    BlockingError,
    BlockingReport,
    BlockingRule,
    RuleCount,
    block_sizes,
    pairs_within,
)
from recordkit.match._comparison import Comparator, Comparison
from recordkit.match._data import Prepared, read_data
from recordkit.match._explain import MatchExplanation
from recordkit.match._factored import Factored
from recordkit.match._library import comparator_from_dict
from recordkit.match._model import (
    FellegiSunter,
    MatchRule,
    WeightedRules,
    model_from_dict,
)
from recordkit.match._prepare import Prep
from recordkit.match._scoring import Scored, explain_scored, score_pairs

if TYPE_CHECKING:
    from recordkit.match._dedupe import MatchResult

__all__ = ["Matcher"]

Ints = npt.NDArray[np.int64]
Levels = dict[str, npt.NDArray[np.int8]]
_CHUNK = 2_000_000
_THREADED = 50_000


def _comparators(value: Sequence[Any]) -> tuple[Comparator, ...]:
    out = tuple(comparator_from_dict(c) for c in value)
    if not out:
        raise SchemaError("a matcher needs at least one comparison")
    names = [c.name for c in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SchemaError(f"comparison names must be unique; repeated: {', '.join(sorted(dup))}")
    return out


def _rules(value: Sequence[Any]) -> tuple[BlockingRule, ...]:
    return tuple(r if isinstance(r, BlockingRule) else BlockingRule(r) for r in value)


def _match_rules(value: Sequence[Any]) -> tuple[MatchRule, ...]:
    return tuple(r if isinstance(r, MatchRule) else MatchRule(r) for r in value)


def _preps(value: Mapping[str, Any]) -> dict[str, Prep]:
    return {str(k): Prep.from_dict(v) for k, v in value.items()}


@attrs.frozen(repr=False)
class Matcher:
    """
    Match settings: how to prepare columns, compare, block, score and decide.

    Example:
        >>> from recordkit.match import Matcher, block_on, email, name
        >>> m = Matcher([email("email"), name("last_name")], [block_on("email")],
        ...             prepare={"email": "email", "last_name": "name"})
        >>> sorted(m.to_dict())[:3]
        ['blocking', 'chain_guard', 'comparisons']

    Args:
        comparisons: the comparators (objects or plain data), one per aspect compared.
        blocking: rules choosing candidate pairs (a union).
        prepare: column → how to normalize it (``"email"``, ``{"kind": "phone", "region":
            "US"}``…); unlisted columns are cleaned text.
        must_match: rules that make a pair a match whatever the score.
        never_match: rules that forbid a pair (they win over ``must_match``).
        threshold: the match probability (or points, for `WeightedRules`) to link a pair.
        model: a fitted `FellegiSunter` or fixed `WeightedRules`; ``None`` until `fit`.
        max_pairs: refuse a blocking rule that makes more pairs than this.
        chain_guard: share of cross pairs that must match to join two groups (0: off).
        sample_pairs: the most random pairs used to estimate u (50 per record, at least
            100,000, up to this).
        seed: the seed for that sample.
        schema: the schema name whose records this matcher accepts (``None``: any).

    .. versionadded:: 0.1.0
    """

    comparisons: tuple[Comparator, ...] = attrs.field(converter=_comparators)
    blocking: tuple[BlockingRule, ...] = attrs.field(converter=_rules)
    prepare: dict[str, Prep] = attrs.field(factory=dict, converter=_preps, kw_only=True)
    must_match: tuple[MatchRule, ...] = attrs.field(
        default=(), converter=_match_rules, kw_only=True
    )
    never_match: tuple[MatchRule, ...] = attrs.field(
        default=(), converter=_match_rules, kw_only=True
    )
    threshold: float = attrs.field(default=0.9, kw_only=True)
    model: FellegiSunter | WeightedRules | None = attrs.field(default=None, kw_only=True)
    max_pairs: int = attrs.field(default=20_000_000, kw_only=True)
    chain_guard: float = attrs.field(default=0.3, kw_only=True)
    sample_pairs: int = attrs.field(default=250_000, kw_only=True)
    seed: int = attrs.field(default=0, kw_only=True)
    schema: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.blocking:
            raise SchemaError("a matcher needs at least one blocking rule")
        if not isinstance(self.max_pairs, int) or self.max_pairs < 1:
            raise SchemaError(f"max_pairs must be a positive whole number, got {self.max_pairs!r}")
        if not 0.0 <= self.chain_guard <= 1.0:
            raise SchemaError(f"chain_guard is a share in [0, 1], got {self.chain_guard!r}")
        labels = self.labels
        for rule in (*self.must_match, *self.never_match):
            rule.mask({n: np.zeros(0, np.int8) for n in labels}, labels)
        if isinstance(self.model, WeightedRules):
            for c in self.comparisons:
                self.model.table(c.name, c.labels)

    def __repr__(self) -> str:
        fitted = type(self.model).__name__ if self.model else "not fitted"
        return f"Matcher({[c.name for c in self.comparisons]}, {fitted})"

    # -- settings -------------------------------------------------------------------------

    @property
    def labels(self) -> dict[str, tuple[str, ...]]:
        """
        Comparison name → level labels.
        """
        return {c.name: tuple(c.labels) for c in self.comparisons}

    @property
    def columns(self) -> tuple[str, ...]:
        """
        Every column read by a comparison or a blocking rule.
        """
        cols = [col for c in self.comparisons for col in c.columns]
        cols += [col for r in self.blocking for col in r.columns]
        return tuple(dict.fromkeys(cols))

    def to_dict(self) -> dict[str, Any]:
        """
        The settings (and fitted model) as JSON-safe plain data.
        """
        return {
            "comparisons": [c.to_dict() for c in self.comparisons],
            "blocking": [r.to_dict() for r in self.blocking],
            "prepare": {k: v.to_dict() for k, v in self.prepare.items()},
            "must_match": [r.to_dict() for r in self.must_match],
            "never_match": [r.to_dict() for r in self.never_match],
            "threshold": self.threshold,
            "model": self.model.to_dict() if self.model else None,
            "max_pairs": self.max_pairs,
            "chain_guard": self.chain_guard,
            "sample_pairs": self.sample_pairs,
            "seed": self.seed,
            "schema": self.schema,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Matcher:
        """
        Build from `to_dict` output (or hand-written settings).

        Raises:
            SchemaError: unknown keys or bad values, naming them.
        """
        if not isinstance(data, Mapping):
            raise SchemaError(f"matcher settings are a mapping, got {shorten(data)}")
        known = {f.name for f in attrs.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SchemaError(f"unknown matcher settings: {', '.join(map(str, unknown))}")
        options = dict(data)
        if options.get("model") is not None:
            options["model"] = model_from_dict(options["model"])
        try:
            return cls(options.pop("comparisons"), options.pop("blocking", ()), **options)
        except KeyError as exc:
            raise SchemaError(f"matcher settings need {exc}") from None

    # -- the batch road -------------------------------------------------------------------

    def prepared(
        self,
        data: object,
        *,
        ids: Sequence[str] | None = None,
        source: npt.NDArray[np.int8] | None = None,
        default_ids: str = "",
    ) -> Prepared:
        """
        Read and prepare *data* (columns, rows or records) for matching.
        """
        raw, found = read_data(
            data, self.columns, ids=ids, schema=self.schema, default_ids=default_ids
        )
        return Prepared.build(raw, found, self.prepare, self.comparisons, source)

    def count_pairs(self, prepared: Prepared) -> BlockingReport:
        """
        Candidate pairs per blocking rule, counted without making any.
        """
        counts = []
        for rule in self.blocking:
            pairs, largest = block_sizes(rule.codes(prepared.columns), prepared.source)
            counts.append(RuleCount(rule.name, pairs, None, largest))
        return BlockingReport(tuple(counts))

    def _codes(self, prepared: Prepared) -> list[Ints]:
        if "codes" not in prepared.memo:
            source = prepared.memo.get("factored", prepared.columns)
            prepared.memo["codes"] = [rule.codes(source) for rule in self.blocking]
        codes: list[Ints] = prepared.memo["codes"]
        return codes

    def candidates(self, prepared: Prepared) -> tuple[Ints, Ints, BlockingReport]:
        """
        The union of every rule's pairs, each pair once, with the per-rule report.

        Raises:
            BlockingError: a rule would make more than ``max_pairs`` pairs (checked before
                any pair is made).
        """
        codes = self._codes(prepared)
        sizes = [block_sizes(c, prepared.source) for c in codes]
        src = prepared.source
        for rule, c, (pairs, largest) in zip(self.blocking, codes, sizes, strict=True):
            made = block_sizes(c, None)[0] if src is not None else pairs
            if made > self.max_pairs:
                ok = c >= 0
                top = int(np.bincount(c[ok]).argmax())
                row = int(np.flatnonzero(c == top)[0])
                key = rule.key_of({k: prepared.columns[k][row] for k in rule.columns})
                detail = f"its largest block ({largest:,} records) has key {shorten(key, 80)}"
                raise BlockingError(rule.name, made, self.max_pairs, detail)
        lefts, rights, counts = [], [], []
        for r, (rule, c) in enumerate(zip(self.blocking, codes, strict=True)):
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

    def compare(self, prepared: Prepared, left: Ints, right: Ints) -> Levels:
        """
        The level of every pair in every comparison, in chunks of a few million pairs.
        """
        out: Levels = {c.name: np.zeros(len(left), np.int8) for c in self.comparisons}
        factored = prepared.memo.get("factored", {})

        def one(c: Comparator, a: Ints, b: Ints) -> npt.NDArray[np.int8]:
            keys = prepared.keys[c.name]
            column = factored.get(c.columns[0]) if len(c.columns) == 1 else None
            if isinstance(c, Comparison) and column is not None:
                return self._compare_distinct(c, prepared, keys, column, a, b)
            return c.compare(prepared.gather(keys, a), prepared.gather(keys, b))

        if len(left) < _THREADED:  # a lookup: threads would cost more than they save
            for c in self.comparisons:
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
                for c in self.comparisons
            ]
            for name, start, future in done:
                result = future.result()
                out[name][start : start + len(result)] = result
        return out

    @staticmethod
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

    def fit(self, data: object, *, ids: Sequence[str] | None = None) -> Matcher:
        """
        Estimate a Fellegi-Sunter model from *data*, without labels.

        u comes from random pairs, m and the prior from EM on the blocked pairs, term
        frequencies from the values. Returns a new matcher holding the model.

        Raises:
            BlockingError: a blocking rule explodes.
        """
        with collector_paused():  # as in `dedupe`: no cycles to find among the batch
            prepared = self.prepared(data, ids=ids)
            left, right, _ = self.candidates(prepared)
            levels = self.compare(prepared, left, right)
            return self.fit_prepared(prepared, levels)

    def fit_prepared(
        self, prepared: Prepared, levels: Levels, random_levels: Levels | None = None
    ) -> Matcher:
        """
        `fit` on data already prepared and compared (so `dedupe` does that work once).

        *random_levels* are the levels of the random pairs that estimate u, when the
        caller compared them already (`u_sample` draws them).
        """
        from recordkit.match._fit import fit_model

        return attrs.evolve(self, model=fit_model(self, prepared, levels, random_levels))

    def u_sample(self, prepared: Prepared) -> tuple[Ints, Ints]:
        """
        The random pairs `fit` compares to estimate u.
        """
        from recordkit.match._fit import u_sample

        return u_sample(self, prepared)

    def fitted(self) -> FellegiSunter | WeightedRules:
        """
        The model, checked to be there.

        Raises:
            RecordkitError: the matcher has not been fitted.
        """
        if self.model is None:
            raise RecordkitError("this matcher has no model yet: call fit(data) first")
        return self.model

    def score(self, prepared: Prepared, left: Ints, right: Ints, levels: Levels) -> Scored:
        """
        Match weights and verdicts for compared pairs.
        """
        return score_pairs(self, prepared, left, right, levels)

    def explain(self, left: object, right: object) -> MatchExplanation:
        """
        Compare two records (mappings or `Record` values) and explain the score.
        """
        prepared = self.prepared([left, right], default_ids="record ")
        a, b = np.array([0], np.int64), np.array([1], np.int64)
        levels = self.compare(prepared, a, b)
        scored = self.score(prepared, a, b, levels)
        return self.explain_scored(prepared, scored, 0)

    def explain_scored(self, prepared: Prepared, scored: Scored, k: int) -> MatchExplanation:
        """
        The explanation of pair *k* of *scored*.
        """
        return explain_scored(self, prepared, scored, k)

    def dedupe(
        self,
        data: object,
        *,
        ids: Sequence[str] | None = None,
        previous: Mapping[str, str] | None = None,
    ) -> MatchResult:
        """
        Cluster the duplicates within *data*; fits the model first when there is none.

        Args:
            data: columns (mapping of name → values), rows (mappings) or `Record` values.
            ids: record ids (default: records' ids, an ``id`` column, or positions).
            previous: record id → entity id from an earlier run; ids are kept where they can.

        Raises:
            BlockingError: a blocking rule would make more than ``max_pairs`` pairs.
        """
        from recordkit.match._dedupe import dedupe

        return dedupe(self, data, ids=ids, previous=previous)

    def link(
        self,
        left: object,
        right: object,
        *,
        left_ids: Sequence[str] | None = None,
        right_ids: Sequence[str] | None = None,
        previous: Mapping[str, str] | None = None,
    ) -> MatchResult:
        """
        Link two datasets into clusters, comparing only pairs across them.
        """
        from recordkit.match._dedupe import link

        return link(self, left, right, left_ids=left_ids, right_ids=right_ids, previous=previous)

    @classmethod
    def for_schema(cls, schema: Any, **overrides: Any) -> Matcher:
        """
        The default matcher for a schema: its ``matching`` section, else from field types.

        Raises:
            SchemaError: nothing in the schema can be compared by default.
        """
        from recordkit.match._defaults import matcher_for_schema

        return matcher_for_schema(schema, **overrides)
