"""
Guards from your own code: a callable, or a rule engine validator.

A callable receives what its signature names (``record``, ``schema``…) and nothing else,
which is also how hooks are called (`call_by_signature`); a validator sees the field's value
(or all the record's values) and the fields it ``uses``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from recordkit._errors import SchemaError, shorten
from recordkit.lifecycle._guards import Guard
from recordkit.schema import Record, Schema

__all__ = ["call_by_signature", "from_rule", "guard"]


def _wanted(fn: Callable[..., Any]) -> tuple[tuple[str, ...], bool]:
    """
    The keyword names *fn* accepts, and whether it takes ``**kwargs``.
    """
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return (), True
    names = tuple(
        p.name
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    )
    return names, any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def call_by_signature(fn: Callable[..., Any], available: Mapping[str, Any]) -> Any:
    """
    Call *fn* with the arguments from *available* that its signature names.

    This is how guards and hooks receive what they ask for (``record``, ``schema``,
    ``source``, ``target``…) and nothing else.
    """
    names, takes_all = _wanted(fn)
    if takes_all:
        return fn(**available)
    return fn(**{n: available[n] for n in names if n in available})


@attrs.frozen
class _CallableGuard:
    fn: Callable[..., Any]
    name: str
    version: str

    def __call__(self, record: Record, schema: Schema) -> Sequence[Any]:
        found = call_by_signature(self.fn, {"record": record, "schema": schema})
        if found is None:
            return ()
        if isinstance(found, str | bytes | Mapping) or not isinstance(found, Iterable):
            raise TypeError(
                f"guard {self.name!r} must return a sequence of issues, got {type(found).__name__}"
            )
        return tuple(found)


def guard(fn: Callable[..., object], *, name: str | None = None, version: str = "1") -> Guard:
    """
    Adapt a callable returning issues into a `Guard`.

    The callable receives ``record`` and/or ``schema`` by signature, and returns issues
    (or ``None`` for none). A rule set's ``check``-style method adapts the same way.

    Examples:
        >>> g = guard(lambda record: [] if record.get("email") else ["no email"],
        ...           name="has_email")
        >>> g.name
        'has_email'

    .. versionadded:: 0.1.0
    """
    if not callable(fn):
        raise SchemaError(f"a guard must be callable, got {type(fn).__name__}")
    if name is not None and not isinstance(name, str):
        raise SchemaError(f"a guard's name must be text, got {shorten(name)}")
    if not isinstance(version, str):
        raise SchemaError(f"a guard's version must be text, got {shorten(version)}")
    label = name or getattr(fn, "__qualname__", None) or type(fn).__name__
    if not isinstance(label, str):
        label = type(fn).__name__
    return _CallableGuard(fn, label, version)


@attrs.frozen
class _RuleGuard:
    rule: Any
    field: str | None

    @property
    def name(self) -> str:
        rule_id = str(self.rule.id)
        return rule_id if self.field is None else f"{self.field}:{rule_id}"

    @property
    def version(self) -> str:
        return str(self.rule.version)

    def __call__(self, record: Record, schema: Schema) -> Sequence[Any]:
        context = [record.values.get(name) for name in getattr(self.rule, "uses", ())]
        subject = record.values if self.field is None else record.values.get(self.field)
        return tuple(self.rule.validate(subject, *context))


def from_rule(rule: object, *, field: str | None = None) -> Guard:
    """
    Adapt a rule engine validator (``id``, ``version``, ``validate``) into a `Guard`.

    A record-level rule (*field* ``None``) sees the mapping of all the record's values; a
    field rule sees that field's value. Fields the rule ``uses`` are passed after it. The
    rule's issues refuse the move unless they are warnings or infos; the rule's id and
    version go into the transition's history.

    Raises:
        SchemaError: *rule* is not a validator.

    .. versionadded:: 0.1.0
    """
    if not all(hasattr(rule, a) for a in ("id", "version", "validate")):
        raise SchemaError(
            f"a rule guard needs a validator (id, version, validate), got {shorten(rule)}"
        )
    if field is not None and (not isinstance(field, str) or not field):
        raise SchemaError(f"field must be a field name, got {shorten(field)}")
    return _RuleGuard(rule, field)
