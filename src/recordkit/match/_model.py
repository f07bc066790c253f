"""
Scoring models: Fellegi-Sunter, fixed weighted rules, deterministic rules.

Fellegi-Sunter m/u probabilities are learned without labels; weighted rules are fixed
points per level; must-match / never-match rules decide a pair outright.

Both models are plain data: they round-trip through dicts (and so JSON), so a fitted model
can be saved, reviewed, and shipped to workers. Scoring is columnar: a pair's total is a sum
of table lookups by level, plus the term-frequency adjustment for rare or common values.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import SchemaError, shorten
from recordkit.match._check import items, mapping, number
from recordkit.match._explain import MatchExplanation, WeightTerm
from recordkit.schema import JSONObject, JSONValue

__all__ = ["FellegiSunter", "MatchRule", "WeightedRules"]

Floats = npt.NDArray[np.float64]
_TF_CAP = 12.0  # bits: one shared rare value never outweighs everything else
_ADJUSTED_KEPT = 100_000  # term-frequency adjustments a model remembers (`tf_adjustment_of`)


def _labels_map(value: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping) or not value:
        raise SchemaError(f"a match rule maps comparisons to levels, got {shorten(value)}")
    out: dict[str, tuple[str, ...]] = {}
    for name, labels in value.items():
        if isinstance(labels, str):
            out[str(name)] = (labels,)
        else:
            out[str(name)] = tuple(str(x) for x in items(labels, f"the levels of {shorten(name)}"))
    return out


@attrs.frozen
class MatchRule:
    """
    A deterministic rule: it holds when each named comparison is at one of the given levels.

    Examples:
        >>> MatchRule({"email": "exact"}).to_dict()
        {'email': ['exact']}

    .. versionadded:: 0.1.0
    """

    when: dict[str, tuple[str, ...]] = attrs.field(converter=_labels_map, hash=False)

    @property
    def name(self) -> str:
        """
        The rule as text (``email=exact & phone=exact``).
        """
        return " & ".join(f"{k}={'|'.join(v)}" for k, v in self.when.items())

    def mask(
        self, levels: Mapping[str, npt.NDArray[np.int8]], labels: Mapping[str, Sequence[str]]
    ) -> npt.NDArray[np.bool_]:
        """
        Which pairs the rule holds for, from their level arrays.

        Raises:
            SchemaError: a comparison or level the model does not have.
        """
        out: npt.NDArray[np.bool_] | None = None
        for name, wanted in self.when.items():
            if name not in labels:
                raise SchemaError(
                    f"rule {self.name!r}: no comparison {name!r}; have {', '.join(labels)}"
                )
            idx = []
            for w in wanted:
                if w not in labels[name]:
                    raise SchemaError(
                        f"rule {self.name!r}: comparison {name!r} has no level {w!r}; "
                        f"levels: {', '.join(labels[name])}"
                    )
                idx.append(list(labels[name]).index(w))
            hit = np.isin(levels[name], idx)
            out = hit if out is None else out & hit
        assert out is not None
        return out

    def to_dict(self) -> JSONObject:
        """
        Plain data: comparison → the level labels it requires.
        """
        return {k: [*v] for k, v in self.when.items()}


def _tables(value: Mapping[str, Sequence[float]]) -> dict[str, tuple[float, ...]]:
    return {
        str(k): tuple(number(x, f"the table of {shorten(k)}") for x in items(v, shorten(k)))
        for k, v in mapping(value, "a model table").items()
    }


def _nested(value: Mapping[str, Mapping[str, float]], name: str) -> dict[str, dict[str, float]]:
    return {
        str(k): {
            str(a): number(b, f"{name}[{shorten(k)}]")
            for a, b in mapping(v, f"{name}[{shorten(k)}]").items()
        }
        for k, v in mapping(value, name).items()
    }


def _tf(value: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    return _nested(value, "tf")


def _floors(value: Mapping[str, float]) -> dict[str, float]:
    return {str(k): number(x, "tf_floor") for k, x in mapping(value, "tf_floor").items()}


def _prior(value: float) -> float:
    return number(value, "prior")


def _version(value: object) -> str:
    if value is None:
        return ""  # not given: the content hash is filled in
    if not isinstance(value, str) or len(value) > 100:
        raise SchemaError(f"version must be text of at most 100 characters, got {shorten(value)}")
    return value


def _fitted_on(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SchemaError(f"fitted_on must be a whole number >= 0, got {shorten(value)}")
    return value


def content_version(prefix: str, data: JSONObject) -> str:
    """
    ``prefix-`` and the first 12 hex digits of the SHA-256 of *data* as canonical JSON.

    Two models with the same parameters get the same version, whatever built them.
    """
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


@attrs.frozen
class FellegiSunter:
    """
    A fitted Fellegi-Sunter model.

    Per comparison and level it holds ``m`` = P(level | match) and ``u`` = P(level | not a
    match); the level's match weight is ``log2(m / u)``. ``prior`` is the share of matches
    among candidate pairs. With term frequencies, an exact agreement on a value shared by a
    fraction ``f`` of records weighs ``log2(m / f)`` instead (rare surnames count for more).

    Args:
        prior: P(match) for a candidate pair.
        m: comparison → m per level (index 0, "missing", is ignored).
        u: comparison → u per level.
        tf: comparison → value → relative frequency (only values seen more than once).
        tf_floor: comparison → the frequency assumed for any other value.
        version: names these parameters in explanations and stored models; by default
            ``fs-`` and a hash of the parameters (the shipped priors are ``prior-1``…).
        fitted_on: how many records the parameters were estimated from; ``None`` when
            they were not estimated from records (the shipped priors, hand-written figures).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``version`` and ``fitted_on``.
    """

    prior: float = attrs.field(converter=_prior)
    m: dict[str, tuple[float, ...]] = attrs.field(converter=_tables, hash=False)
    u: dict[str, tuple[float, ...]] = attrs.field(converter=_tables, hash=False)
    tf: dict[str, dict[str, float]] = attrs.field(factory=dict, converter=_tf, hash=False)
    tf_floor: dict[str, float] = attrs.field(factory=dict, converter=_floors, hash=False)
    version: str = attrs.field(default="", converter=_version, kw_only=True)
    fitted_on: int | None = attrs.field(default=None, converter=_fitted_on, kw_only=True)
    _weights: dict[str, Floats] = attrs.field(init=False, eq=False, hash=False, repr=False)
    _adjusted: dict[tuple[str, object], float] = attrs.field(
        init=False, eq=False, hash=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        if not 0.0 < self.prior < 1.0:
            raise SchemaError(f"prior must be between 0 and 1, got {self.prior!r}")
        if not self.version:
            object.__setattr__(self, "version", content_version("fs", self._parameters()))
        tables: dict[str, Floats] = {}
        for name, m in self.m.items():
            u = self.u.get(name)
            if u is None or len(u) != len(m):
                raise SchemaError(f"comparison {name!r}: m and u need the same levels")
            mm = np.clip(np.asarray(m, dtype=np.float64), 1e-12, 1.0)
            uu = np.clip(np.asarray(u, dtype=np.float64), 1e-12, 1.0)
            w = np.log2(mm / uu)
            w[0] = 0.0
            w.flags.writeable = False
            tables[name] = w
        object.__setattr__(self, "_weights", tables)

    @property
    def prior_weight(self) -> float:
        """
        log2 of the prior odds.
        """
        return math.log2(self.prior / (1.0 - self.prior))

    def weights(self, name: str) -> Floats:
        """
        The match weight of each level of comparison *name* (0 for "missing").
        """
        return self._weights[name]

    def tf_adjustment(self, name: str, frequency: Floats) -> Floats:
        """
        The extra weight of an exact agreement on values with the given frequencies.
        """
        u = max(self.u[name][1], 1e-12)
        return np.clip(np.log2(u / np.maximum(frequency, 1e-12)), -_TF_CAP, _TF_CAP)

    def tf_adjustment_of(self, name: str, value: object) -> float:
        """
        `tf_adjustment` of one value's `frequency` (remembered: a lookup asks it often).

        The same number the arrays give, worked out by them once per value.
        """
        key = (name, value) if isinstance(value, str) else (name, None)
        made = self._adjusted.get(key)
        if made is None:
            if len(self._adjusted) >= _ADJUSTED_KEPT:
                self._adjusted.clear()  # a long-lived service meets many values once
            # `tf_adjustment` for one value, step by step: the same IEEE division, max and
            # clip, and numpy's own log2
            u = max(self.u[name][1], 1e-12)
            floor = self.tf_floor.get(name, 0.0)
            frequency = self.tf.get(name, {}).get(key[1], floor) if key[1] is not None else floor
            made = min(max(float(np.log2(u / max(frequency, 1e-12))), -_TF_CAP), _TF_CAP)
            self._adjusted[key] = made
        return made

    def frequency(self, name: str, values: Sequence[object]) -> Floats:
        """
        The relative frequency of each value (``tf_floor`` for unlisted ones).
        """
        table = self.tf.get(name, {})
        floor = self.tf_floor.get(name, 0.0)
        return np.fromiter(
            (table.get(v, floor) if isinstance(v, str) else floor for v in values),
            dtype=np.float64,
            count=len(values),
        )

    def _parameters(self) -> JSONObject:
        return {
            "prior": self.prior,
            "m": {k: list(v) for k, v in self.m.items()},
            "u": {k: list(v) for k, v in self.u.items()},
            "tf": {name: dict[str, JSONValue](tf) for name, tf in self.tf.items()},
            "tf_floor": dict[str, JSONValue](self.tf_floor),
        }

    def to_dict(self) -> JSONObject:
        """
        Plain data (JSON-safe), with the version and how many records it was fitted on.
        """
        return {
            "model": "fellegi_sunter",
            **self._parameters(),
            "version": self.version,
            "fitted_on": self.fitted_on,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FellegiSunter:
        """
        Rebuild from `to_dict` output.
        """
        try:
            return cls(
                float(data["prior"]),
                data["m"],
                data["u"],
                tf=data.get("tf", {}),
                tf_floor={str(k): float(v) for k, v in data.get("tf_floor", {}).items()},
                version=data.get("version"),
                fitted_on=data.get("fitted_on"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SchemaError(f"not a Fellegi-Sunter model: {shorten(exc, 200)}") from None


def _weights(value: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    return _nested(value, "weights")


@attrs.frozen
class WeightedRules:
    """
    Fixed points per comparison level, like a CRM's duplicate rules; no training.

    Examples:
        >>> WeightedRules({"email": {"exact": 10}, "last_name": {"exact": 3}}).to_dict()["weights"]
        {'email': {'exact': 10.0}, 'last_name': {'exact': 3.0}}

    Args:
        weights: comparison → level label → points (levels not named score 0).
        version: names these points in explanations and stored models; by default
            ``wr-`` and a hash of the points.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``version``.
    """

    weights: dict[str, dict[str, float]] = attrs.field(converter=_weights, hash=False)
    version: str = attrs.field(default="", converter=_version, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.version:
            weights: JSONObject = {n: dict[str, JSONValue](t) for n, t in self.weights.items()}
            object.__setattr__(self, "version", content_version("wr", weights))

    def table(self, name: str, labels: Sequence[str]) -> Floats:
        """
        The points of each level of comparison *name*.

        Raises:
            SchemaError: a weight names a level the comparison does not have.
        """
        given = self.weights.get(name, {})
        for label in given:
            if label not in labels:
                raise SchemaError(
                    f"weights for {name!r} name level {label!r}; levels: {', '.join(labels)}"
                )
        return np.array([given.get(label, 0.0) for label in labels], dtype=np.float64)

    def to_dict(self) -> JSONObject:
        """
        Plain data.
        """
        weights: JSONObject = {n: dict[str, JSONValue](t) for n, t in self.weights.items()}
        return {"model": "weighted_rules", "weights": weights, "version": self.version}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WeightedRules:
        """
        Rebuild from `to_dict` output.
        """
        try:
            return cls(data["weights"], version=data.get("version"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SchemaError(f"not a weighted-rules model: {shorten(exc, 200)}") from None


def model_from_dict(data: Mapping[str, Any]) -> FellegiSunter | WeightedRules:
    """
    Either model from its plain data.
    """
    kind = data.get("model") if isinstance(data, Mapping) else None
    if kind == "fellegi_sunter":
        return FellegiSunter.from_dict(data)
    if kind == "weighted_rules":
        return WeightedRules.from_dict(data)
    raise SchemaError(f"unknown model {shorten(kind)}; fellegi_sunter or weighted_rules")


def explain_pair(
    model: FellegiSunter | WeightedRules,
    left: str,
    right: str,
    names: Sequence[str],
    labels: Mapping[str, Sequence[str]],
    levels: Mapping[str, int],
    values: Mapping[str, tuple[object, object]],
    rule: str | None = None,
) -> MatchExplanation:
    """
    The `MatchExplanation` of one pair from its levels (and compared values for TF).
    """
    terms = []
    for name in names:
        k = int(levels[name])
        lv, rv = values.get(name, (None, None))
        shown = (None if lv is None else shorten(lv, 40), None if rv is None else shorten(rv, 40))
        if isinstance(model, WeightedRules):
            w = float(model.table(name, labels[name])[k])
            terms.append(WeightTerm(name, labels[name][k], k, w, left=shown[0], right=shown[1]))
            continue
        w = float(model.weights(name)[k])
        adj = 0.0
        if k == 1 and name in model.tf:
            adj = model.tf_adjustment_of(name, lv)
        terms.append(
            WeightTerm(
                name,
                labels[name][k],
                k,
                w + adj,
                m=model.m[name][k] if k else None,
                u=model.u[name][k] if k else None,
                tf_adjustment=adj,
                left=shown[0],
                right=shown[1],
            )
        )
    if isinstance(model, WeightedRules):
        return MatchExplanation(
            left, right, 0.0, terms, rule=rule, model="weighted_rules", version=model.version
        )
    return MatchExplanation(
        left, right, model.prior_weight, terms, rule=rule, version=model.version
    )
