"""
Rule specifications as plain data (YAML, JSON) and the plugins they can name.

A specification is a rule name (``not_blank``), a one-key mapping from a name to its
arguments (``{length: {max: 40}}``, ``{pattern: "^[A-Z]"}``, ``{one_of: [a, b]}``), or
``{use: acme.vat_number, with: {...}}`` for rules that plugins register under the
``recordkit.rules`` entry-point group. Any mapping may add ``severity``, ``message``,
``hint`` and ``code`` to adjust the issues the rule raises. Composites: ``{all_of: [...]}``,
``{any_of: [...]}``, and at record level ``{when: {field: stage, equals: Won}, then:
{require: contract_link}}`` and ``{field: amount, rule: {range: {min: 0}}}`` (a field rule
checked as part of the record, so it can sit under ``when``).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Mapping
from typing import Any, Final

from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.rules._checks import Validators
from recordkit.rules._compose import all_of, any_of, tuned, when
from recordkit.rules._normalizers import Normalizers
from recordkit.rules._record_rules import on_field, require, require_any, where
from recordkit.rules._rule import Normalizer, Validator

__all__ = ["ENTRY_POINT_GROUP", "compile_rule", "plugin_names"]

ENTRY_POINT_GROUP: Final = "recordkit.rules"

BUILTIN: Final[Mapping[str, Callable[..., Any]]] = {
    "normalize.text": Normalizers.text,
    "normalize.name": Normalizers.name,
    "normalize.case": Normalizers.case,
    "normalize.phone": Normalizers.phone,
    "normalize.email": Normalizers.email,
    "normalize.picklist": Normalizers.picklist,
    "normalize.country": Normalizers.country,
    "normalize.subdivision": Normalizers.subdivision,
    "normalize.url": Normalizers.url,
    "normalize.date": Normalizers.date,
    "normalize.boolean": Normalizers.boolean,
    "normalize.money": Normalizers.money,
    "person_name": Normalizers.name,
    "clean_text": Normalizers.text,
    "case": Normalizers.case,
    "check.required": Validators.required,
    "check.not_blank": Validators.not_blank,
    "check.pattern": Validators.pattern,
    "check.length": Validators.length,
    "check.range": Validators.range,
    "check.one_of": Validators.one_of,
    "check.phone": Validators.phone,
    "check.email": Validators.email,
    "check.country": Validators.country,
    "check.subdivision": Validators.subdivision,
    "check.url": Validators.url,
    "check.unique": Validators.unique,
    "check.placeholder": Validators.placeholder,
    "check.name": Validators.name,
    "required": Validators.required,
    "not_blank": Validators.not_blank,
    "pattern": Validators.pattern,
    "length": Validators.length,
    "range": Validators.range,
    "one_of": Validators.one_of,
    "valid_phone": Validators.phone,
    "valid_email": Validators.email,
    "valid_country": Validators.country,
    "valid_subdivision": Validators.subdivision,
    "valid_url": Validators.url,
    "unique": Validators.unique,
    "placeholder": Validators.placeholder,
    "valid_name": Validators.name,
    "require": require,
    "require_any": require_any,
}
"""
The built-in rules by the names specifications use.
"""

_TUNING: Final = ("severity", "message", "hint", "code")
_TAKES_SEVERITY: Final = frozenset(
    name
    for name, f in BUILTIN.items()
    if f in (require, require_any) or getattr(f, "__qualname__", "").startswith("Validators.")
)


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def plugin_names() -> tuple[str, ...]:
    """
    The names of the rules installed plugins register (read now, never cached).

    .. versionadded:: 0.1.0
    """
    return tuple(sorted(_entry_points()))


def _factory(name: str, path: str) -> Callable[..., Any]:
    if name in BUILTIN:
        return BUILTIN[name]
    plugins = _entry_points()
    if name in plugins:
        try:
            loaded = plugins[name].load()
        except Exception as exc:
            raise SchemaError(
                f"the plugin rule {name!r} failed to load: {type(exc).__name__}: "
                f"{shorten(str(exc), 120)}",
                path=path,
            ) from None
        if callable(loaded) and not isinstance(loaded, Normalizer | Validator):
            return loaded  # type: ignore[no-any-return]
        return lambda: loaded
    raise SchemaError(
        f"unknown rule {shorten(name)}",
        path=path,
        suggestions=close_matches(name, [*BUILTIN, *plugins]),
    )


def _call(name: str, args: Any, path: str) -> Any:
    factory = _factory(name, path)
    try:
        if args is None:
            rule = factory()
        elif isinstance(args, Mapping):
            rule = factory(**args)
        elif isinstance(args, list | tuple) and name in ("require", "require_any"):
            rule = factory(*args)
        else:
            rule = factory(args)
    except SchemaError as exc:
        raise exc.at(path) from None
    except Exception as exc:  # a plugin factory may raise anything; it is the spec's fault
        raise SchemaError(
            f"bad arguments for rule {name!r}: {shorten(str(exc), 160)}", path=path
        ) from None
    if not isinstance(rule, Normalizer | Validator):
        raise SchemaError(
            f"rule {name!r} made a {type(rule).__name__}, which is neither a normalizer "
            "(normalize) nor a validator (validate)",
            path=path,
        )
    return rule


def _condition(spec: Any, path: str) -> Any:
    if not isinstance(spec, Mapping) or "field" not in spec:
        raise SchemaError(
            "a condition is a mapping with 'field' and one of equals, one_of, present, matches",
            path=path,
        )
    unknown = set(spec) - {"field", "equals", "one_of", "present", "matches"}
    if unknown:
        raise SchemaError(
            f"unknown condition keys {sorted(unknown)}",
            path=path,
            suggestions=close_matches(sorted(unknown)[0], ["equals", "one_of", "present"]),
        )
    try:
        return where(**dict(spec))
    except Exception as exc:
        raise SchemaError(f"bad condition: {shorten(str(exc), 160)}", path=path) from None


def compile_rule(spec: object, *, path: str = "rules") -> Normalizer | Validator:
    """
    Build the rule a plain-data *spec* describes.

    Raises:
        SchemaError: the spec is malformed or names an unknown rule (with close matches).

    .. versionadded:: 0.1.0
    """
    if not isinstance(path, str):
        raise SchemaError(f"path must be text, got {shorten(path)}")
    path = path if len(path) <= 200 else f"{path[:199]}…"  # it is only ever shown
    if isinstance(spec, Normalizer | Validator):
        return spec
    rule: Normalizer | Validator
    if isinstance(spec, str):
        rule = _call(spec, None, path)
        return rule
    if not isinstance(spec, Mapping) or not spec:
        raise SchemaError(f"a rule is a name or a mapping, got {shorten(spec)}", path=path)
    body = dict(spec)
    tuning = {k: body.pop(k) for k in _TUNING if k in body}
    if "when" in body:
        condition = _condition(body.pop("when"), f"{path}.when")
        if "then" not in body:
            raise SchemaError("'when' needs a 'then' rule", path=path)
        rule = when(condition, compile_rule(body.pop("then"), path=f"{path}.then"))
    elif "all_of" in body or "any_of" in body:
        key = "all_of" if "all_of" in body else "any_of"
        parts = body.pop(key)
        if not isinstance(parts, list | tuple) or not parts:
            raise SchemaError(f"{key!r} takes a non-empty list of rules", path=path)
        inner = [compile_rule(p, path=f"{path}.{key}[{i}]") for i, p in enumerate(parts)]
        validators = [r for r in inner if isinstance(r, Validator)]
        if len(validators) != len(inner):
            raise SchemaError(f"{key!r} combines validators only", path=path)
        rule = (all_of if key == "all_of" else any_of)(*validators)
    elif "field" in body:
        target = body.pop("field")
        inner_spec = body.pop("rule", None)
        if not isinstance(target, str) or inner_spec is None:
            raise SchemaError("'field' names a field and needs a 'rule'", path=path)
        lifted = compile_rule(inner_spec, path=f"{path}.rule")
        if not isinstance(lifted, Validator):
            raise SchemaError("'field' lifts a validator", path=path)
        rule = on_field(target, lifted)
    elif "use" in body:
        name = body.pop("use")
        if not isinstance(name, str):
            raise SchemaError("'use' names a rule", path=path)
        args = body.pop("with", None)
        if body:
            args = {**(args or {}), **body}
            body = {}
        if "severity" in tuning and name in _TAKES_SEVERITY:
            args = {**(args or {}), "severity": tuning.pop("severity")}
        rule = _call(name, args, f"{path}.{name}")
    else:
        if len(body) != 1:
            raise SchemaError(f"a rule mapping names one rule, got {sorted(body)}"[:200], path=path)
        ((name, args),) = body.items()
        body = {}
        if (
            "severity" in tuning
            and name in _TAKES_SEVERITY
            and (isinstance(args, Mapping) or args is None)
        ):
            args = {**(args or {}), "severity": tuning.pop("severity")}
        rule = _call(name, args, f"{path}.{name}")
    if body:
        raise SchemaError(f"unexpected keys {sorted(body)}"[:200], path=path)
    if tuning:
        if not isinstance(rule, Validator):
            raise SchemaError(f"{sorted(tuning)} only apply to validators", path=path)
        try:
            rule = tuned(rule, **tuning)
        except ValueError as exc:
            raise SchemaError(str(exc), path=path) from None
    return rule
