"""
`MergePolicy`: which record survives a merge, and which strategy chooses each field's value.

A policy converts to and from plain data, and a schema can carry one in its ``matching``
section::

    matching:
      survivorship:            # field -> strategy
        email: most_recent
        phone: {trusted_sources: [crm, web]}
      merge:                   # optional
        default: most_complete
        survivor: oldest
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import attrs

from recordkit._errors import RecordkitError, SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.match._check import instances
from recordkit.match.merge._survive import Survive, strategy_from_data
from recordkit.match.merge._survivorship import SurvivorshipStrategy, is_multi_valued
from recordkit.schema import JSONObject, JSONValue, Record, Schema

__all__ = ["SURVIVOR_RULES", "MergePolicy"]

SURVIVOR_RULES: Final = ("oldest", "newest", "most_complete", "first")
"""
How the surviving record (the one whose id lives on) is chosen:

- ``oldest``: created first (the id other systems have known longest; the default);
- ``newest``: created last;
- ``most_complete``: the most fields filled;
- ``first``: the first id given to ``merge`` (Salesforce's "master record"). This is the only
  rule under which the order of the ids changes the result.
"""


def _fields(value: object) -> Mapping[str, SurvivorshipStrategy]:
    if not isinstance(value, Mapping):
        raise SchemaError(
            f"fields maps field names to strategies, got {type(value).__name__}", path="fields"
        )
    out: dict[str, SurvivorshipStrategy] = {}
    for name, spec in value.items():
        if not isinstance(name, str):
            raise SchemaError(f"field names are text, got {shorten(name)}", path="fields")
        out[name] = strategy_from_data(spec, path=f"fields.{name}")
    return MappingProxyType(out)


def _default(value: object) -> SurvivorshipStrategy:
    return strategy_from_data(value, path="default")


def _survivor(value: object) -> str:
    if not isinstance(value, str) or value not in SURVIVOR_RULES:
        raise SchemaError(
            f"unknown survivor rule {shorten(value)}; use one of {', '.join(SURVIVOR_RULES)}",
            path="survivor",
            suggestions=close_matches(value, SURVIVOR_RULES),
        )
    return value


@attrs.frozen(repr=False, eq=False)
class MergePolicy:
    """
    How a merge decides: the surviving record, then a strategy per field with a default.

    Examples:
        >>> from recordkit import MergePolicy, Survive
        >>> policy = MergePolicy.from_dict(
        ...     {"default": "most_recent", "fields": {"phone": {"trusted_sources": ["crm"]}}}
        ... )
        >>> policy.to_dict()["fields"]
        {'phone': {'trusted_sources': ['crm']}}
        >>> MergePolicy.from_dict(policy.to_dict()) == policy
        True

    Args:
        default: the strategy for fields *fields* does not name (default: most recent).
        fields: field name → strategy (objects or their plain-data form).
        survivor: which record keeps its id; one of `SURVIVOR_RULES` (default ``oldest``).

    .. versionadded:: 0.1.0
    """

    default: SurvivorshipStrategy = attrs.field(
        default=Survive.most_recent(), converter=_default, kw_only=True
    )
    fields: Mapping[str, SurvivorshipStrategy] = attrs.field(
        factory=dict, converter=_fields, kw_only=True
    )
    survivor: str = attrs.field(default="oldest", converter=_survivor, kw_only=True)

    def __hash__(self) -> int:
        return hash((self.default, tuple(sorted(self.fields.items())), self.survivor))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MergePolicy):
            return NotImplemented
        return (self.default, dict(self.fields), self.survivor) == (
            other.default,
            dict(other.fields),
            other.survivor,
        )

    def __repr__(self) -> str:
        return f"MergePolicy({self.to_dict()!r})"

    @property
    def order_independent(self) -> bool:
        """
        Whether the result is the same whatever order the record ids are given in.
        """
        return self.survivor != "first"

    def strategy_for(self, field: str) -> SurvivorshipStrategy:
        """
        The strategy that chooses *field*'s value.
        """
        if not isinstance(field, str):
            raise SchemaError(f"field is a field name (text), got {shorten(field)}")
        return self.fields.get(field, self.default)

    def with_fields(self, fields: Mapping[str, SurvivorshipStrategy | JSONValue]) -> MergePolicy:
        """
        Return a copy where *fields* (name → strategy) override this policy's choices.
        """
        return attrs.evolve(self, fields={**self.fields, **_fields(fields)})

    def with_picks(self, picks: Mapping[str, str]) -> MergePolicy:
        """
        Return a copy where each field in *picks* takes its value from the record named.

        This is the manual pick of a merge screen: ``{"email": "c17"}``.
        """
        if not isinstance(picks, Mapping):
            raise SchemaError(
                f"picks maps field names to record ids, got {type(picks).__name__}", path="picks"
            )
        return self.with_fields({f: Survive.from_record(rid) for f, rid in picks.items()})

    def check(self, schema: Schema) -> None:
        """
        Check the policy against *schema*: every field it names exists and fits its strategy.

        Raises:
            SchemaError: an unknown field (with suggestions), or ``keep_all`` on a field that
                holds one value.
        """
        _schema(schema)
        for name in self.fields:
            if name not in schema:
                raise SchemaError(
                    f"the merge policy names unknown field {shorten(name)}",
                    path=f"fields.{name}"[:100],
                    source=schema.name,
                    suggestions=close_matches(name, schema.field_names),
                )
        for f in schema.fields:
            strategy = self.strategy_for(f.name)
            if strategy.name == "keep_all" and not is_multi_valued(f):
                where = f"fields.{f.name}" if f.name in self.fields else "default"
                raise SchemaError(
                    f"keep_all needs a multi-valued field; {f.name!r} ({f.type.kind}) holds "
                    "one value (choose a strategy that picks one, the others stay in lineage)",
                    path=where,
                    source=schema.name,
                )

    def rank(self, records: Sequence[Record]) -> list[Record]:
        """
        Order *records* for a merge: the surviving record first, then the others.

        The others are ordered oldest first (by creation time, then id), so ties in every
        strategy break the same way whatever order the records came in.
        """

        def by_age(r: Record) -> tuple[Any, ...]:
            return (r.created_at, r.id)

        records = instances(records, Record, "records")
        if not records:
            raise RecordkitError("records must hold at least one record")
        ordered = sorted(records, key=by_age)
        if self.survivor == "first":
            head = records[0]
        elif self.survivor == "oldest":
            head = ordered[0]
        elif self.survivor == "newest":
            head = max(ordered, key=lambda r: (r.created_at, _Desc(r.id)))
        else:
            head = max(ordered, key=lambda r: (len(r.present), _Desc(r.created_at), _Desc(r.id)))
        return [head, *(r for r in ordered if r is not head)]

    def to_dict(self) -> JSONObject:
        """
        The policy as plain data; `from_dict` turns it back into an equal policy.
        """
        return {
            "default": self.default.to_data(),
            "survivor": self.survivor,
            "fields": {name: s.to_data() for name, s in self.fields.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MergePolicy:
        """
        Build a policy from `to_dict` output (every key optional).

        Raises:
            SchemaError: an unknown key or strategy, with its path.
        """
        if not isinstance(data, Mapping):
            raise SchemaError(f"a merge policy is a mapping, got {type(data).__name__}")
        unknown = [k for k in data if k not in ("default", "survivor", "fields")]
        if unknown:
            raise SchemaError(
                f"unknown merge policy key {shorten(unknown[0])}",
                suggestions=close_matches(unknown[0], ("default", "survivor", "fields")),
            )
        return cls(
            default=data.get("default", "most_recent"),
            fields=data.get("fields", {}),
            survivor=data.get("survivor", "oldest"),
        )

    @classmethod
    def from_schema(cls, schema: Schema) -> MergePolicy:
        """
        The policy a schema declares in ``extensions["matching"]`` (the default policy if none).

        Reads ``survivorship`` (field → strategy) and ``merge`` (``default``, ``survivor``).

        Raises:
            SchemaError: the section is malformed or names unknown fields.
        """
        _schema(schema)
        section = schema.extensions.get("matching") or {}
        if not isinstance(section, Mapping):
            raise SchemaError("the matching section must be a mapping", source=schema.name)
        try:
            merge = section.get("merge") or {}
            if not isinstance(merge, Mapping):
                raise SchemaError("must be a mapping", path="merge")
            policy = cls.from_dict({**merge, "fields": section.get("survivorship") or {}})
            policy.check(schema)
        except SchemaError as exc:
            raise SchemaError(
                exc.reason,
                path=f"matching.{exc.path}" if exc.path else "matching",
                source=schema.name,
                suggestions=exc.suggestions,
            ) from None
        return policy


@attrs.frozen(order=False)
class _Desc:
    """
    Reverses the order of a wrapped value inside a sort key.
    """

    value: Any

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.value < self.value)

    def __gt__(self, other: _Desc) -> bool:
        return bool(other.value > self.value)


def _schema(value: object) -> None:
    if not isinstance(value, Schema):
        raise SchemaError(f"schema must be a Schema, got {shorten(value)}")
