"""
The dimensions of record health, and what they are given.

A dimension measures one side of a record's health for many records at once (a
`HealthInputs`), returning a measure from 0 to 1 per record (NaN where it does not apply)
and a detail saying why. The ones shipped: completeness, validity, freshness, uniqueness
and consent coverage; a plugin adds its own through the ``recordkit.health_dimensions``
entry-point group (see `health_dimension`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import shorten
from recordkit.quality._errors import QualityError
from recordkit.quality._health_values import details_of, measures_of
from recordkit.quality._plugins import installed, load
from recordkit.rules import Issue, Severity
from recordkit.schema import JSONObject, JSONValue, Record, Schema

__all__ = [
    "HEALTH_DIMENSIONS_GROUP",
    "CompletenessDimension",
    "ConsentDimension",
    "FreshnessDimension",
    "HealthDimension",
    "HealthInputs",
    "Measured",
    "UniquenessDimension",
    "ValidityDimension",
    "health_dimension",
    "installed_health_dimensions",
]

HEALTH_DIMENSIONS_GROUP: Final = "recordkit.health_dimensions"
"""
The entry-point group where plugins register health dimensions.
"""

_DAY: Final = 86_400.0


@attrs.frozen
class HealthInputs:
    """
    What the dimensions measure: some records, and the facts kept about them.

    Attributes:
        schema: the records' schema.
        records: the records.
        issues: per record, the issues its rules find in it.
        duplicates: per record, how many duplicate flags on it are open (review items).
        consents: per record, purpose → whether consent is granted, for each purpose with
            a decision in force.
        purposes: the consent purposes the records should have a decision for.
        now: the time the measures are taken at (UTC).

    .. versionadded:: 0.2.0
    """

    schema: Schema
    records: Sequence[Record]
    issues: Sequence[Sequence[Issue]]
    duplicates: Sequence[int]
    consents: Sequence[Mapping[str, bool]]
    now: dt.datetime
    purposes: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.schema, Schema):
            raise QualityError(
                f"HealthInputs.schema must be a Schema, got {shorten(self.schema)}",
                parameter="schema",
            )
        for name in ("records", "issues", "duplicates", "consents"):
            if not isinstance(getattr(self, name), Sequence) or isinstance(
                getattr(self, name), str
            ):
                raise QualityError(
                    f"HealthInputs.{name} must be a list, got {shorten(getattr(self, name))}",
                    parameter=name,
                )
        if not all(isinstance(r, Record) for r in self.records):
            raise QualityError("HealthInputs.records must hold records", parameter="records")
        if not isinstance(self.now, dt.datetime) or self.now.tzinfo is None:
            raise QualityError(
                f"HealthInputs.now must be a timezone-aware datetime, got {shorten(self.now)}",
                parameter="now",
            )
        n = len(self.records)
        for name in ("issues", "duplicates", "consents"):
            if len(getattr(self, name)) != n:
                raise QualityError(
                    f"HealthInputs.{name} must hold one entry per record ({n})", parameter=name
                )


@attrs.frozen
class Measured:
    """
    What a dimension measured: one value (0-1, NaN: does not apply) and detail per record.

    Attributes:
        values: the measures, a NumPy array of floats (a list of numbers is turned
            into one).
        details: per record, why, as plain data.

    .. versionadded:: 0.2.0
    """

    values: npt.NDArray[np.float64] = attrs.field(converter=measures_of)
    details: Sequence[Mapping[str, JSONValue]] = attrs.field(converter=details_of)

    def __attrs_post_init__(self) -> None:
        if len(self.details) != len(self.values):
            raise QualityError(
                "Measured.details must hold one entry per value", parameter="details"
            )


@runtime_checkable
class HealthDimension(Protocol):
    """
    One side of record health, measured for many records at once.

    A dimension has a ``name`` (its key in the weights and the breakdown) and a
    ``version`` (raised when it measures differently). ``measure`` returns one value per
    record from 0 (worst) to 1 (best), NaN where the dimension does not apply, and a
    detail per record (plain data). Register a plugin's dimension in the
    ``recordkit.health_dimensions`` entry-point group; `health_dimension` loads it by name.

    .. versionadded:: 0.2.0
    """

    @property
    def name(self) -> str:
        """
        The dimension's name: its key in the weights and the breakdown.
        """
        ...  # pragma: no cover - a protocol

    @property
    def version(self) -> int:
        """
        The dimension's version, raised when it measures differently.
        """
        ...  # pragma: no cover - a protocol

    def measure(self, inputs: HealthInputs) -> Measured:
        """
        Measure every record of *inputs*.
        """
        ...  # pragma: no cover - a protocol


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise QualityError(f"expected a list of names, got {shorten(value)}", parameter="fields")
    return tuple(value)


def _weight(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise QualityError(f"{name} must be a finite number, got {shorten(value)}", parameter=name)
    if value < 0:
        raise QualityError(f"{name} must not be negative, got {value}", parameter=name)
    return float(value)


@attrs.frozen
class CompletenessDimension:
    """
    Completeness: the share of the fields that should hold a value and do.

    Required fields count *required* each, recommended fields *recommended* each. A field
    is recommended when it carries the *tag* (``tags={"recommended"}``, or ``tags:
    [recommended]`` in a schema document) or is named in *fields*. A schema with neither
    required nor recommended fields counts every field once.

    Args:
        fields: more recommended fields, by name.
        tag: the field tag that marks a field recommended.
        required: the weight of a required field.
        recommended: the weight of a recommended field.

    .. versionadded:: 0.2.0
    """

    fields: tuple[str, ...] = attrs.field(default=(), converter=_names, kw_only=True)
    tag: str = attrs.field(default="recommended", kw_only=True)
    required: float = attrs.field(default=2.0, kw_only=True)
    recommended: float = attrs.field(default=1.0, kw_only=True)
    name: str = attrs.field(default="completeness", init=False)
    version: int = attrs.field(default=1, init=False)

    def __attrs_post_init__(self) -> None:
        _weight("required", self.required)
        _weight("recommended", self.recommended)
        if not isinstance(self.tag, str) or not all(isinstance(f, str) for f in self.fields):
            raise QualityError("tag and fields are text", parameter="fields")

    def weights(self, schema: Schema) -> dict[str, tuple[str, float]]:
        """
        Field → (``required`` or ``recommended``, its weight) for *schema*.

        Raises:
            QualityError: *fields* names a field *schema* does not have.
        """
        unknown = [f for f in self.fields if f not in schema]
        if unknown:
            raise QualityError(
                f"recommended fields {unknown} are no fields of {schema.name!r}",
                parameter="fields",
            )
        out: dict[str, tuple[str, float]] = {}
        for f in schema.fields:
            if f.required:
                out[f.name] = ("required", self.required)
            elif self.tag in f.tags or f.name in self.fields:
                out[f.name] = ("recommended", self.recommended)
        if not out or not any(w for _, w in out.values()):
            out = {f.name: ("recommended", 1.0) for f in schema.fields}
        return out

    def measure(self, inputs: HealthInputs) -> Measured:
        """
        The weighted share of filled fields per record, and which are missing.
        """
        weights = self.weights(inputs.schema)
        total = sum(w for _, w in weights.values())
        records = inputs.records
        filled = np.zeros(len(records))
        missing: list[dict[str, list[str]]] = [{} for _ in records]
        for name, (kind, w) in weights.items():
            have = np.fromiter(
                (r.values.get(name) is not None for r in records), dtype=bool, count=len(records)
            )
            filled += have * w
            for i in np.flatnonzero(~have):
                missing[i].setdefault(f"missing_{kind}", []).append(name)
        values = filled / total if total else np.ones(len(records))
        return Measured(values, [dict(m) for m in missing])


@attrs.frozen
class ValidityDimension:
    """
    Validity: 1 less what the record's issues cost, never below 0.

    Each issue costs by its severity (an error *error*, a warning *warning*, an info
    *info*); the detail lists every issue with its rule and version (``rule@version``),
    field, code and cost.

    .. versionadded:: 0.2.0
    """

    error: float = attrs.field(default=0.5, kw_only=True)
    warning: float = attrs.field(default=0.2, kw_only=True)
    info: float = attrs.field(default=0.0, kw_only=True)
    name: str = attrs.field(default="validity", init=False)
    version: int = attrs.field(default=1, init=False)

    def __attrs_post_init__(self) -> None:
        for name in ("error", "warning", "info"):
            _weight(name, getattr(self, name))

    def measure(self, inputs: HealthInputs) -> Measured:
        """
        1 less the cost of the issues per record, with each issue named.
        """
        cost = {
            Severity.ERROR: self.error,
            Severity.WARNING: self.warning,
            Severity.INFO: self.info,
        }
        values = np.ones(len(inputs.records))
        details: list[Mapping[str, JSONValue]] = []
        for i, issues in enumerate(inputs.issues):
            if not issues:
                details.append({})
                continue
            listed: list[JSONValue] = []
            spent = 0.0
            for issue in issues:
                c = cost[issue.severity]
                spent += c
                listed.append(
                    {
                        "rule": f"{issue.rule}@{issue.rule_version}",
                        "field": issue.field,
                        "code": issue.code,
                        "severity": issue.severity.value,
                        "cost": c,
                    }
                )
            values[i] = max(0.0, 1.0 - spent)
            details.append({"issues": listed})
        return Measured(values, details)


@attrs.frozen
class FreshnessDimension:
    """
    Freshness: how recently the record was last seen, halving every *half_life_days*.

    The record was last seen at the latest of its fields' observations (provenance
    ``observed_at``, values filled by a default left out), its last update when it has
    none, and the value of the *field* that says when it was last verified (a date or
    datetime field), when given and held.

    .. versionadded:: 0.2.0
    """

    half_life_days: float = attrs.field(default=180.0, kw_only=True)
    field: str | None = attrs.field(default=None, kw_only=True)
    name: str = attrs.field(default="freshness", init=False)
    version: int = attrs.field(default=1, init=False)

    def __attrs_post_init__(self) -> None:
        if _weight("half_life_days", self.half_life_days) == 0:
            raise QualityError("half_life_days must be above 0", parameter="half_life_days")
        if self.field is not None and not isinstance(self.field, str):
            raise QualityError(
                f"field is a field name, got {shorten(self.field)}", parameter="field"
            )

    def _seen(self, record: Record) -> dt.datetime:
        stamps = [p.observed_at for p in record.provenance.values() if p.source != "default"]
        seen = max(stamps) if stamps else record.updated_at
        verified = record.values.get(self.field) if self.field is not None else None
        if isinstance(verified, dt.datetime):
            verified = verified if verified.tzinfo else verified.replace(tzinfo=dt.UTC)
        elif isinstance(verified, dt.date):
            verified = dt.datetime.combine(verified, dt.time(), dt.UTC)
        else:
            verified = None
        return seen if verified is None else max(seen, verified)

    def measure(self, inputs: HealthInputs) -> Measured:
        """
        0.5 to the power of the record's age in half-lives, with when it was seen.
        """
        if self.field is not None and self.field not in inputs.schema:
            raise QualityError(
                f"freshness field {self.field!r} is no field of {inputs.schema.name!r}",
                parameter="field",
            )
        seen = [self._seen(r).isoformat() for r in inputs.records]
        return self.refresh([{"seen": s} for s in seen], inputs.now)

    def refresh(self, details: Sequence[Mapping[str, JSONValue]], now: dt.datetime) -> Measured:
        """
        The measures again at *now*, from the times kept in *details*.
        """
        stamps = np.array(
            [dt.datetime.fromisoformat(str(d["seen"])).timestamp() for d in details], dtype=float
        )
        age = np.maximum(0.0, now.timestamp() - stamps) / _DAY
        values = np.power(0.5, age / self.half_life_days)
        out = [
            {"seen": d["seen"], "age_days": round(float(a), 2)}
            for d, a in zip(details, age, strict=True)
        ]
        return Measured(values, out)


@attrs.frozen
class UniquenessDimension:
    """
    Uniqueness: 1 with no open duplicate flag on the record, 1/(1 + n) with *n* of them.

    .. versionadded:: 0.2.0
    """

    name: str = attrs.field(default="uniqueness", init=False)
    version: int = attrs.field(default=1, init=False)

    def measure(self, inputs: HealthInputs) -> Measured:
        """
        1/(1 + open duplicate flags) per record.
        """
        flags = np.asarray(inputs.duplicates, dtype=float).reshape(len(inputs.records))
        details: list[Mapping[str, JSONValue]] = [
            {"open_duplicates": int(n)} if n else {} for n in flags
        ]
        return Measured(1.0 / (1.0 + flags), details)


@attrs.frozen
class ConsentDimension:
    """
    Consent coverage: the share of the consent purposes the record has a decision for.

    A grant and a refusal both count: the point is knowing what the person chose. The
    purposes are *purposes*, else those the scorer is given (a steward's ``consent_for``
    purposes); with none, the dimension does not apply.

    .. versionadded:: 0.2.0
    """

    purposes: tuple[str, ...] = attrs.field(default=(), converter=_names, kw_only=True)
    name: str = attrs.field(default="consent", init=False)
    version: int = attrs.field(default=1, init=False)

    def measure(self, inputs: HealthInputs) -> Measured:
        """
        The share of purposes with a decision in force, and the ones without.
        """
        purposes = self.purposes or inputs.purposes
        n = len(inputs.records)
        if not purposes:
            return Measured(np.full(n, np.nan), [{}] * n)
        values = np.empty(n)
        details: list[Mapping[str, JSONValue]] = []
        for i, decided in enumerate(inputs.consents):
            missing = [p for p in purposes if p not in decided]
            values[i] = 1.0 - len(missing) / len(purposes)
            details.append({"missing": list(missing)} if missing else {})
        return Measured(values, details)


def installed_health_dimensions() -> tuple[str, ...]:
    """
    The names registered in the ``recordkit.health_dimensions`` entry-point group.

    .. versionadded:: 0.2.0
    """
    return installed(HEALTH_DIMENSIONS_GROUP)


def health_dimension(name: str, **options: object) -> HealthDimension:
    """
    The dimension registered as *name* in ``recordkit.health_dimensions``, made with *options*.

    The entry point's object is called with *options* and must return a
    `HealthDimension`. Entry points are read when this is called, not at import.

    Raises:
        QualityError: no such dimension is installed, or it makes no `HealthDimension`.

    .. versionadded:: 0.2.0
    """
    made = load(HEALTH_DIMENSIONS_GROUP, name, options, "health dimension", HealthDimension)
    assert isinstance(made, HealthDimension)
    return made


def plain(detail: Mapping[str, JSONValue]) -> JSONObject:
    """
    *detail* as a JSON object (a copy).
    """
    return dict(detail)
