"""
`MatchSettings`: what a `Matcher` is made of, checked when built, as plain data and back.

The settings say how to prepare columns, what to compare, how to block, which pairs
deterministic rules decide, the threshold and, once fitted, the model. They round-trip
through plain dicts. `Matcher` adds the batch road on top of them; the road's steps
(`_pairs`, `_fit`, `_scoring`, `_dedupe`) read the settings and nothing more, so they sit
below the `Matcher` and it calls down into them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, SchemaError, shorten
from recordkit.match._blocking import BlockingRule
from recordkit.match._check import items, mapping, number
from recordkit.match._data import Prepared, read_data
from recordkit.match._model import FellegiSunter, MatchRule, WeightedRules, model_from_dict
from recordkit.match._prepare import Prep, with_record_regions
from recordkit.match.comparison import Comparator, comparator_from_dict
from recordkit.schema import JSONObject

__all__ = ["MatchSettings"]


def _comparators(value: Sequence[Any]) -> tuple[Comparator, ...]:
    out = tuple(comparator_from_dict(c) for c in items(value, "comparisons"))
    if not out:
        raise SchemaError("a matcher needs at least one comparison")
    names = [c.name for c in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SchemaError(f"comparison names must be unique; repeated: {', '.join(sorted(dup))}")
    return out


def _rules(value: Sequence[Any]) -> tuple[BlockingRule, ...]:
    rules = items(value, "blocking")
    return tuple(r if isinstance(r, BlockingRule) else BlockingRule(r) for r in rules)


def _match_rules(value: Sequence[Any]) -> tuple[MatchRule, ...]:
    rules = items(value, "must_match and never_match")
    return tuple(r if isinstance(r, MatchRule) else MatchRule(r) for r in rules)


def _preps(value: Mapping[str, Any]) -> dict[str, Prep]:
    return {str(k): Prep.from_dict(v) for k, v in mapping(value, "prepare").items()}


@attrs.frozen(repr=False)
class MatchSettings:
    """
    The settings of a `Matcher` (see there for each one), checked when built.

    Raises:
        SchemaError: a setting is missing or wrong, naming it.
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
    _columns: tuple[str, ...] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.blocking:
            raise SchemaError("a matcher needs at least one blocking rule")
        cols = [col for c in self.comparisons for col in c.columns]
        cols += [col for r in self.blocking for col in r.columns]
        object.__setattr__(self, "_columns", tuple(dict.fromkeys(cols)))
        if not isinstance(self.max_pairs, int) or self.max_pairs < 1:
            raise SchemaError(f"max_pairs must be a positive whole number, got {self.max_pairs!r}")
        if not 0.0 <= number(self.chain_guard, "chain_guard") <= 1.0:
            raise SchemaError(f"chain_guard is a share in [0, 1], got {self.chain_guard!r}")
        number(self.threshold, "threshold")
        if self.model is not None and not isinstance(self.model, FellegiSunter | WeightedRules):
            raise SchemaError(
                f"model is a FellegiSunter or WeightedRules, got {shorten(self.model)}"
            )
        labels = self.labels
        for rule in (*self.must_match, *self.never_match):
            rule.mask({n: np.zeros(0, np.int8) for n in labels}, labels)
        if isinstance(self.model, WeightedRules):
            for c in self.comparisons:
                self.model.table(c.name, c.labels)

    def __repr__(self) -> str:
        fitted = type(self.model).__name__ if self.model else "not fitted"
        return f"{type(self).__name__}({[c.name for c in self.comparisons]}, {fitted})"

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
        return self._columns

    def to_dict(self) -> JSONObject:
        """
        The settings (and fitted model) as JSON-safe plain data.
        """
        return {
            "comparisons": [c.to_dict() for c in self.comparisons],
            "blocking": [[*r.to_dict()] for r in self.blocking],
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
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
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

    def fitted(self) -> FellegiSunter | WeightedRules:
        """
        The model, checked to be there.

        Raises:
            RecordkitError: the matcher has not been fitted.
        """
        if self.model is None:
            raise RecordkitError("this matcher has no model yet: call fit(data) first")
        return self.model

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

        A phone column prepared with ``region_from`` reads its records' country column
        too, when the data has it (see `Prep`); that column is not kept.
        """
        regions = [
            p.region_from
            for p in self.prepare.values()
            if p.region_from and p.region_from not in self.columns
        ]
        if isinstance(data, Mapping):  # columns: only the country columns the data has
            regions = [r for r in regions if r in data]
        wanted = (*self.columns, *dict.fromkeys(r for r in regions if r is not None))
        raw, found = read_data(data, wanted, ids=ids, schema=self.schema, default_ids=default_ids)
        columns: dict[str, Sequence[Any]] = dict(raw)
        if any(p.region_from for p in self.prepare.values()):
            columns = with_record_regions(raw, self.prepare)
            for r in regions:
                columns.pop(r, None)
        if len(found) == 1 and source is None:  # one record: a point-of-entry lookup
            return Prepared.build_one(columns, found, self.prepare, self.comparisons)
        return Prepared.build(columns, found, self.prepare, self.comparisons, source)
