"""
Blocking: which pairs are worth comparing at all.

A `BlockingRule` pairs records that share a key (same email; same postcode and first letter
of the surname). Rules combine as a union: a pair found by an earlier rule is not produced
again by a later one. Pairs are counted per rule *before* any is made, and a rule that
would make more than ``max_pairs`` is refused with the size and the key that explodes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import attrs
import numpy as np
import numpy.typing as npt

from recordkit._errors import RecordkitError, SchemaError, shorten
from recordkit.match._check import items
from recordkit.match._factored import Factored, Objects
from recordkit.match._features import EMAIL_KEY, digits

__all__ = ["BlockingError", "BlockingReport", "BlockingRule", "Key", "block_on"]

Ints = npt.NDArray[np.int64]


def _on_text(fn: Callable[[str], str | None]) -> Callable[[object], str | None]:
    def safe(value: object) -> str | None:
        return fn(value) if isinstance(value, str) else None

    return safe


_TRANSFORMS: Final[dict[str, Callable[[object], str | None]]] = {
    "email_key": EMAIL_KEY,
    "digits": digits,
    "first_token": _on_text(lambda v: v.split()[0] if v.split() else None),
    "last_token": _on_text(lambda v: v.split()[-1] if v.split() else None),
    "initials": _on_text(lambda v: "".join(w[0] for w in v.split()) or None),
    "sorted_tokens": _on_text(lambda v: " ".join(sorted(v.split())) or None),
    "year": _on_text(lambda v: v[:4] if len(v) >= 4 else None),
    "last4": _on_text(lambda v: v[-4:] if len(v) >= 4 else None),
}
_MAX_SPEC: Final = 200
"""
The longest blocking key text read, in characters.
"""
_SPEC: Final = re.compile(r"^([a-z][a-z0-9_]*)(?:\|([a-z_0-9]+))?(?:\[:(\d+)\])?$")


class BlockingError(RecordkitError, ValueError):
    """
    A blocking rule would make too many pairs to compare; nothing was run.

    Attributes:
        rule: the rule's name.
        pairs: how many pairs it would make.
        limit: the ``max_pairs`` it exceeds.

    .. versionadded:: 0.1.0
    """

    def __init__(self, rule: str, pairs: int, limit: int, detail: str) -> None:
        self.rule = rule
        self.pairs = pairs
        self.limit = limit
        super().__init__(
            f"blocking rule {rule!r} would compare {pairs:,} pairs (limit {limit:,}); "
            f"{detail}. Make the rule stricter (add a key) or raise max_pairs."
        )


@attrs.frozen
class Key:
    """
    One part of a blocking key: a prepared column, optionally transformed and cut.

    Written as text: ``"email"``, ``"last_name[:1]"``, ``"email|email_key"``,
    ``"birth_date|year"``. Transforms: ``email_key``, ``digits``, ``first_token``,
    ``last_token``, ``initials``, ``sorted_tokens``, ``year``, ``last4``.

    .. versionadded:: 0.1.0
    """

    column: str
    transform: str | None = None
    prefix: int | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise SchemaError(f"a key names a column (text), got {shorten(self.column)}")
        if self.transform is not None and (
            not isinstance(self.transform, str) or self.transform not in _TRANSFORMS
        ):
            raise SchemaError(
                f"unknown key transform {shorten(self.transform)}; one of {', '.join(_TRANSFORMS)}"
            )
        if self.prefix is not None and (not isinstance(self.prefix, int) or self.prefix < 1):
            raise SchemaError(f"a key prefix is a whole number >= 1, got {self.prefix!r}")

    @classmethod
    def parse(cls, spec: str | Key) -> Key:
        """
        Read ``"column|transform[:n]"`` text.

        Raises:
            SchemaError: the text is not a key.
        """
        if isinstance(spec, Key):
            return spec
        if isinstance(spec, str) and len(spec) > _MAX_SPEC:
            raise SchemaError(
                f"a blocking key is at most {_MAX_SPEC} characters, got {shorten(spec)}"
            )
        m = _SPEC.match(spec) if isinstance(spec, str) else None
        if m is None:
            raise SchemaError(
                f"not a blocking key: {shorten(spec)} (write 'column', 'column[:n]' or "
                "'column|transform')"
            )
        return cls(m[1], m[2], int(m[3]) if m[3] else None)

    def __str__(self) -> str:
        out = self.column
        if self.transform:
            out += f"|{self.transform}"
        if self.prefix:
            out += f"[:{self.prefix}]"
        return out

    def value(self, prepared: object) -> str | None:
        """
        The key part for one prepared value (``None``: no key, the record is not blocked).
        """
        if prepared is None:
            return None
        text = prepared if isinstance(prepared, str) else str(prepared)
        if self.transform is not None:
            out = _TRANSFORMS[self.transform](text)
            if not isinstance(out, str):
                return None
            text = out
        if self.prefix is not None:
            if len(text) < self.prefix:
                return None
            text = text[: self.prefix]
        return text or None

    def codes(self, column: Factored) -> Ints:
        """
        One integer per row naming its key part (``-1``: none), for a factored column.
        """
        if not column.is_text:
            return column.recode(self.value)  # numbers and the like: as `value` reads them
        if self.transform is not None:
            column = column.map(_TRANSFORMS[self.transform])
        if self.prefix is not None:
            n = self.prefix
            column = column.map(lambda v: v[:n] if v is not None and len(v) >= n else None)
        return column.recode()


def _keys(value: str | Key | Sequence[str | Key]) -> tuple[Key, ...]:
    if isinstance(value, str | Key):
        value = [value]
    keys = tuple(Key.parse(k) for k in items(value, "keys"))
    if not keys:
        raise SchemaError("a blocking rule needs at least one key")
    return keys


@attrs.frozen
class BlockingRule:
    """
    Records that agree on every key part are candidate pairs.

    .. versionadded:: 0.1.0
    """

    keys: tuple[Key, ...] = attrs.field(converter=_keys)

    @property
    def name(self) -> str:
        """
        The rule as text (``postcode & last_name[:1]``).
        """
        return " & ".join(str(k) for k in self.keys)

    @property
    def columns(self) -> tuple[str, ...]:
        """
        The prepared columns the rule reads.
        """
        return tuple(dict.fromkeys(k.column for k in self.keys))

    def key_of(self, prepared: Mapping[str, object]) -> tuple[str, ...] | None:
        """
        The block key of one prepared record, or ``None`` when a part is missing.
        """
        parts = []
        for k in self.keys:
            v = k.value(prepared.get(k.column))
            if v is None:
                return None
            parts.append(v)
        return tuple(parts)

    def codes(self, columns: Mapping[str, Objects] | Mapping[str, Objects | Factored]) -> Ints:
        """
        One integer per row naming its block (``-1``: not blocked), for a whole column set.
        """
        combined: Ints | None = None
        for k in self.keys:
            if k.column not in columns:
                raise SchemaError(
                    f"blocking rule {self.name!r} reads column {k.column!r}, which the data lacks"
                )
            codes = k.codes(Factored.of(columns[k.column]))
            if combined is None:
                combined = codes
            else:
                width = int(codes.max(initial=0)) + 1
                joined = np.where((combined < 0) | (codes < 0), -1, combined * width + codes)
                combined = _refactorize(joined)
        assert combined is not None
        return combined

    def to_dict(self) -> list[str]:
        """
        Plain data: the key parts as text.
        """
        return [str(k) for k in self.keys]


def block_on(*keys: str | Key) -> BlockingRule:
    """
    A blocking rule on one or more keys: ``block_on("postcode", "last_name[:1]")``.

    .. versionadded:: 0.1.0
    """
    return BlockingRule(keys)


def _refactorize(codes: Ints) -> Ints:
    out = np.full(len(codes), -1, dtype=np.int64)
    ok = codes >= 0
    if ok.any():
        _, inverse = np.unique(codes[ok], return_inverse=True)
        out[ok] = inverse
    return out


@attrs.frozen
class RuleCount:
    """
    What one blocking rule contributes: pairs it finds, new ones, its largest block.

    .. versionadded:: 0.1.0
    """

    rule: str
    pairs: int
    new_pairs: int | None
    largest_block: int


@attrs.frozen
class BlockingReport:
    """
    Candidate-pair counts per rule (``new_pairs`` is ``None`` before pairs are made).

    .. versionadded:: 0.1.0
    """

    rules: tuple[RuleCount, ...]

    @property
    def total(self) -> int:
        """
        Distinct candidate pairs (the union), or the sum of counts before pairs are made.
        """
        if all(r.new_pairs is not None for r in self.rules):
            return sum(r.new_pairs or 0 for r in self.rules)
        return sum(r.pairs for r in self.rules)

    def text(self) -> str:
        """
        A small table, one line per rule.
        """
        lines = [f"{'rule':<40} {'pairs':>12} {'new':>12} {'largest block':>14}"]
        for r in self.rules:
            new = "" if r.new_pairs is None else f"{r.new_pairs:,}"
            lines.append(f"{r.rule:<40} {r.pairs:>12,} {new:>12} {r.largest_block:>14,}")
        return "\n".join(lines)


def block_sizes(codes: Ints, source: npt.NDArray[np.int8] | None) -> tuple[int, int]:
    """
    ``(pairs, largest block)`` for one rule's codes (cross-source pairs only when linking).
    """
    ok = codes >= 0
    if not ok.any():
        return 0, 0
    if source is None:
        sizes = np.bincount(codes[ok])
        return int((sizes * (sizes - 1) // 2).sum()), int(sizes.max())
    n = int(codes[ok].max()) + 1
    left = np.bincount(codes[ok & (source == 0)], minlength=n)
    right = np.bincount(codes[ok & (source == 1)], minlength=n)
    return int((left * right).sum()), int((left + right).max())


def pairs_within(codes: Ints) -> tuple[Ints, Ints]:
    """
    Every pair ``(i, j)``, ``i < j``, of rows sharing a block code, made with numpy alone.
    """
    ok = codes >= 0
    if not ok.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # rows alone in their block make no pair: leave them out before sorting
    rows = np.flatnonzero(ok)
    rows = rows[np.bincount(codes[rows])[codes[rows]] > 1]
    if rows.size < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = rows[np.argsort(codes[rows], kind="stable")]
    sc = codes[order]
    starts = np.flatnonzero(np.r_[True, sc[1:] != sc[:-1]])
    sizes = np.diff(np.r_[starts, len(sc)])
    ends = np.repeat(starts + sizes, sizes)
    pos = np.arange(len(sc))
    rest = ends - pos - 1
    total = int(rest.sum())
    src = np.repeat(pos, rest)
    offsets = np.arange(total) - np.repeat(np.cumsum(rest) - rest, rest) + 1
    a, b = order[src], order[src + offsets]
    return np.minimum(a, b), np.maximum(a, b)
