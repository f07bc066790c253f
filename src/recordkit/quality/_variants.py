"""
Variant clusters: spellings of one thing in a column, found as OpenRefine finds them.

A method is a keyer (a function from a value to its key: `fingerprint_key`, `ngram_key`,
`metaphone_key`, `soundex_key`, or one of your own), whose equal keys make a cluster, or
a `NearestNeighbours` (values within a Levenshtein radius, compared in blocks). Each
`VariantCluster` holds its values with their counts and suggests the most frequent as the
canonical value; `to_synonyms` turns accepted clusters into picklist synonyms, and
`with_synonyms` writes them into a schema's picklist field as a new schema version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from recordkit._errors import shorten
from recordkit._notebook import cell, html_block, html_table
from recordkit.quality._errors import QualityError
from recordkit.quality._keyers import fingerprint_key
from recordkit.quality._neighbours import NearestNeighbours, linked_groups
from recordkit.schema import JSONObject, JSONValue, Picklist, Schema

__all__ = ["VariantCluster", "to_synonyms", "variant_clusters", "with_synonyms"]

_MAX_VALUE: Final = 1_000


def _members(value: object) -> tuple[tuple[str, int], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise QualityError(f"members must be (value, count) pairs, got {shorten(value)}",
                           parameter="members")  # fmt: skip
    out: dict[str, int] = {}
    for pair in value:
        if (not isinstance(pair, tuple | list) or len(pair) != 2 or not isinstance(pair[0], str)
                or not pair[0] or type(pair[1]) is not int or pair[1] < 1):  # fmt: skip
            raise QualityError(
                f"a member is a (value, count ≥ 1) pair, got {shorten(pair)}",
                parameter="members",
            )
        if pair[0] in out:
            raise QualityError(f"value {shorten(pair[0])} is listed twice", parameter="members")
        out[pair[0]] = pair[1]
    if len(out) < 2:
        raise QualityError("a cluster has at least two values", parameter="members")
    # The suggestion rule: most frequent first; ties in code-point order (as OpenRefine's
    # clustering dialog, which sorts a cluster's values, then stably by count).
    return tuple(sorted(out.items(), key=lambda p: (-p[1], p[0])))


def _key(value: object) -> str:
    if not isinstance(value, str):
        raise QualityError(f"key must be text, got {shorten(value)}", parameter="key")
    return value


@attrs.frozen(repr=False)
class VariantCluster:
    """
    Values that a method says are spellings of one thing, with their counts.

    The suggested canonical value is the most frequent member; among equally frequent
    ones, the first in code-point order (``"NY"`` before ``"New York"``), as OpenRefine
    suggests. `with_canonical` picks another.

    Args:
        key: what the members share (their keyer key; for `NearestNeighbours`, the
            most frequent member).
        members: ``(value, count)`` pairs, at least two; kept most frequent first.
        chosen: the canonical value chosen instead of the suggestion (one of the
            members), or ``None``.

    Raises:
        QualityError: a member is not a ``(text, count ≥ 1)`` pair, a value is listed
            twice, or *chosen* is not a member.

    .. versionadded:: 0.2.0
    """

    key: str = attrs.field(converter=_key)
    members: tuple[tuple[str, int], ...] = attrs.field(converter=_members)
    chosen: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.chosen is not None and self.chosen not in self.values:
            raise QualityError(f"chosen value {shorten(self.chosen)} is not a member",
                               parameter="chosen")  # fmt: skip

    def __repr__(self) -> str:
        shown = ", ".join(f"{cell(v, 40)!r} ({n})" for v, n in self.members[:5])
        more = f", … {len(self.members) - 5} more" if len(self.members) > 5 else ""
        return f"VariantCluster({cell(self.canonical, 40)!r} ← [{shown}{more}])"

    def _repr_html_(self) -> str:
        facts = [("canonical", self.canonical), ("values", len(self.members)),
                 ("rows", f"{self.count:,}")]  # fmt: skip
        rows = ((v, n, "canonical" if v == self.canonical else "→ canonical")
                for v, n in self.members)  # fmt: skip
        table = html_table(("value", "rows", ""), rows, total=len(self.members))
        return html_block(f"Variant cluster {cell(self.key, 40)}", facts, table)

    @property
    def values(self) -> tuple[str, ...]:
        """
        The member values, most frequent first.
        """
        return tuple(v for v, _ in self.members)

    @property
    def count(self) -> int:
        """
        The rows holding any member.
        """
        return sum(n for _, n in self.members)

    @property
    def canonical(self) -> str:
        """
        The value the others should become: the chosen one, else the most frequent.
        """
        return self.chosen if self.chosen is not None else self.members[0][0]

    @property
    def variants(self) -> tuple[str, ...]:
        """
        The members other than the canonical value.
        """
        return tuple(v for v in self.values if v != self.canonical)

    @property
    def replacements(self) -> dict[str, str]:
        """
        Each variant → the canonical value: the edit that applying the cluster makes.
        """
        return dict.fromkeys(self.variants, self.canonical)

    def with_canonical(self, value: str) -> VariantCluster:
        """
        The same cluster with *value* (one of its members) as the canonical value.

        Raises:
            QualityError: *value* is not a member.

        .. versionadded:: 0.2.0
        """
        return VariantCluster(self.key, self.members, chosen=value)

    def to_dict(self) -> JSONObject:
        """
        Plain JSON data: key, members with counts, chosen and canonical value.

        .. versionadded:: 0.2.0
        """
        members: list[JSONValue] = [[v, n] for v, n in self.members]
        return {"key": self.key, "members": members, "chosen": self.chosen,
                "canonical": self.canonical}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> VariantCluster:
        """
        Read what `to_dict` wrote.

        Raises:
            QualityError: *data* is not a variant cluster's plain data.

        .. versionadded:: 0.2.0
        """
        if not isinstance(data, Mapping):
            raise QualityError(f"a cluster is a mapping, got {shorten(data)}", parameter="data")
        members = data.get("members")
        pairs = ([tuple(m) if isinstance(m, list) else m for m in members]
                 if isinstance(members, list) else members)  # fmt: skip
        return cls(data.get("key"), pairs, chosen=data.get("chosen"))  # type: ignore[arg-type]


Keyer = Callable[[str], str]


def _counts(values: object) -> Counter[str]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise QualityError(
            f"values must be an iterable of text or a mapping of text to counts, got "
            f"{shorten(values)}",
            parameter="values",
        )
    counts: Counter[str] = Counter()
    if isinstance(values, Mapping):
        for value, n in values.items():
            if type(n) is not int or n < 0:
                raise QualityError(f"the count of {shorten(value)} must be a whole number "
                                   f"≥ 0, got {shorten(n)}", parameter="values")  # fmt: skip
            if isinstance(value, str) and value.strip() and n:
                counts[value] += n
        return counts
    for value in values:
        if isinstance(value, str) and value.strip():
            counts[value] += 1
    return counts


def variant_clusters(
    values: Iterable[object] | Mapping[str, int],
    *,
    method: Keyer | NearestNeighbours = fingerprint_key,
    min_count: int = 1,
) -> tuple[VariantCluster, ...]:
    """
    The clusters of *values* that *method* finds, largest first.

    Examples:
        >>> found = variant_clusters(["New York", "new york", "NEW YORK", "New York",
        ...                           "Boston"])
        >>> [(c.canonical, c.variants, c.count) for c in found]
        [('New York', ('NEW YORK', 'new york'), 4)]

    Args:
        values: a column (text values, repeats counted; blanks and values that are not
            text are left out) or a mapping of value → count.
        method: a keyer (`fingerprint_key`, the default; `ngram_key`, `metaphone_key`,
            `soundex_key`, or any function of one text returning its key) or a
            `NearestNeighbours`. Values with an empty key join no cluster.
        min_count: leave out values seen fewer times.

    Returns:
        The clusters of two or more values: most values first, then most rows, then by
        canonical value.

    Raises:
        QualityError: an argument is of the wrong type, or a keyer returns something
            other than text.

    .. versionadded:: 0.2.0
    """
    if type(min_count) is not int or min_count < 1:
        raise QualityError(f"min_count must be a whole number ≥ 1, got {shorten(min_count)}",
                           parameter="min_count")  # fmt: skip
    if not isinstance(method, NearestNeighbours) and not callable(method):
        raise QualityError(
            f"method must be a keyer function or NearestNeighbours, got {shorten(method)}",
            parameter="method",
        )
    counts = _counts(values)
    distinct = [v for v, n in counts.items() if n >= min_count]
    if isinstance(method, NearestNeighbours):
        groups = [[distinct[i] for i in g] for g in linked_groups(distinct, method)]
        clusters = [_cluster(None, g, counts) for g in groups]
    else:
        by_key: dict[str, list[str]] = {}
        for value, key in zip(distinct, _keys(method, distinct), strict=True):
            if key:
                by_key.setdefault(key, []).append(value)
        clusters = [_cluster(k, g, counts) for k, g in by_key.items() if len(g) > 1]
    return tuple(sorted(clusters, key=lambda c: (-len(c.members), -c.count, c.canonical)))


def _keys(method: Callable[[str], Any], values: Sequence[str]) -> list[str]:
    keys = list(map(method, values))
    bad = next((k for k in keys if not isinstance(k, str)), None)
    if bad is not None:
        raise QualityError(f"a keyer must return text, got {shorten(bad)}", parameter="method")
    return keys


def _cluster(key: str | None, group: list[str], counts: Mapping[str, int]) -> VariantCluster:
    members = [(v, counts[v]) for v in group]
    if key is None:
        key = min(members, key=lambda p: (-p[1], p[0]))[0]
    return VariantCluster(key, members)


def _clusters(value: object) -> list[VariantCluster]:
    if isinstance(value, VariantCluster):
        return [value]
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise QualityError(f"clusters must be VariantClusters, got {shorten(value)}",
                           parameter="clusters")  # fmt: skip
    out = list(value)
    for c in out:
        if not isinstance(c, VariantCluster):
            raise QualityError(f"clusters must be VariantClusters, got {shorten(c)}",
                               parameter="clusters")  # fmt: skip
    return out


def to_synonyms(clusters: Iterable[VariantCluster]) -> dict[str, tuple[str, ...]]:
    """
    Accepted clusters as picklist synonyms: canonical value → its variants.

    The result is what `recordkit.schema.Picklist` takes as ``synonyms``. Clusters with the
    same canonical value are joined.

    Examples:
        >>> c = VariantCluster("new york", [("New York", 3), ("NY", 1), ("N.Y.", 1)])
        >>> to_synonyms([c])
        {'New York': ('N.Y.', 'NY')}

    Raises:
        QualityError: *clusters* is not an iterable of `VariantCluster`, or a value is a
            variant of two canonical values, or canonical in one and a variant in another.

    .. versionadded:: 0.2.0
    """
    owner: dict[str, str] = {}
    out: dict[str, tuple[str, ...]] = {}
    accepted = _clusters(clusters)
    canonicals = {c.canonical for c in accepted}
    for c in accepted:
        for v in c.variants:
            if v in canonicals:
                raise QualityError(f"{shorten(v)} is a canonical value and a variant of "
                                   f"{shorten(c.canonical)}", parameter="clusters")  # fmt: skip
            other = owner.setdefault(v, c.canonical)
            if other != c.canonical:
                raise QualityError(f"{shorten(v)} is a variant of both {shorten(other)} and "
                                   f"{shorten(c.canonical)}", parameter="clusters")  # fmt: skip
        joined = {*out.get(c.canonical, ()), *c.variants}
        out[c.canonical] = tuple(sorted(joined))
    return out


def with_synonyms(schema: Schema, field: str, clusters: Iterable[VariantCluster]) -> Schema:
    """
    *schema* with the clusters' variants as synonyms of its picklist *field*, one version up.

    The field's picklist keeps its values and synonyms and gains the clusters'; the
    schema's version goes up by one, so records validated under the old rules can be
    re-validated (`recordkit.rules.revalidate`). A variant already among the synonyms of
    the same value is kept once.

    Examples:
        >>> from recordkit import Field, Picklist, Schema
        >>> s = Schema("lead", [Field("city", Picklist(values=("New York", "Boston")))])
        >>> c = VariantCluster("new york", [("New York", 3), ("NY", 1)])
        >>> s2 = with_synonyms(s, "city", [c])
        >>> s2.version, s2.field("city").type.synonym_map
        (2, {'NY': 'New York'})

    Raises:
        QualityError: *schema* is not a `Schema`, *field* is not one of its picklist
            fields, a canonical value is not one of the picklist's values, a variant is
            one of them, or the synonyms conflict.

    .. versionadded:: 0.2.0
    """
    if not isinstance(schema, Schema):
        raise QualityError(f"schema must be a Schema, got {shorten(schema)}", parameter="schema")
    if not isinstance(field, str) or field not in schema:
        raise QualityError(f"no field {shorten(field)} in schema {schema.name!r}",
                           parameter="field")  # fmt: skip
    target = schema.field(field)
    picklist = target.type
    if not isinstance(picklist, Picklist):
        raise QualityError(f"field {field!r} is a {picklist.kind} field, not a picklist",
                           parameter="field")  # fmt: skip
    merged = {k: set(v) for k, v in picklist.synonyms}
    for canonical, variants in to_synonyms(clusters).items():
        if canonical not in picklist.values:
            raise QualityError(
                f"{shorten(canonical)} is not one of the values of {field!r}; add it to the "
                f"picklist first or choose another canonical value (with_canonical)",
                parameter="clusters",
            )
        clash = [v for v in variants if v in picklist.values]
        if clash:
            raise QualityError(f"{shorten(clash[0])} is itself a value of {field!r}",
                               parameter="clusters")  # fmt: skip
        merged.setdefault(canonical, set()).update(variants)
    synonyms = {k: tuple(sorted(v)) for k, v in merged.items()}
    try:
        new_type = attrs.evolve(picklist, synonyms=synonyms)
    except ValueError as exc:  # the picklist's own check: a synonym of two values
        raise QualityError(str(exc), parameter="clusters") from None
    fields = [attrs.evolve(f, type=new_type) if f.name == field else f for f in schema.fields]
    return attrs.evolve(schema, fields=fields, version=schema.version + 1)
