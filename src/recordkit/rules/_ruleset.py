"""
`RuleSet`: a named, versioned collection of rules bound to a schema.

Order of execution, per record (or per chunk of records, column by column):

1. unknown keys are reported (``unknown_field``);
2. for each field, in an order where a field comes after the fields its rules read:
   the field's default fills a blank value; *before-coercion* normalizers read the raw
   value (dates, booleans, money); the field type coerces it (a refusal is a
   ``coerce.<type>`` issue); the normalizers run in the order declared; then the
   validators;
3. record rules run on the mapping of normalized values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from recordkit._errors import SchemaError
from recordkit._suggest import close_matches
from recordkit.rules._batch import BatchOutcome, run_batch
from recordkit.rules._chunk import DEFAULT_MEMO_SIZE, check_channel
from recordkit.rules._defaults import default_rules
from recordkit.rules._issue import Change, Issue, Outcome
from recordkit.rules._normalizers import for_field
from recordkit.rules._plan import FieldPlan, unknown_field_issue
from recordkit.rules._rule import Normalizer, Validator, crash_issue
from recordkit.rules._run_args import check_definition, check_record, plans_error
from recordkit.rules._spec import compile_rule
from recordkit.schema import JSONObject, Schema

__all__ = ["RuleSet"]


def _wants_defaults(specs: Sequence[Any]) -> tuple[bool, list[Any]]:
    keep = True
    rest: list[Any] = []
    for spec in specs:
        if isinstance(spec, Mapping) and set(spec) == {"defaults"}:
            keep = bool(spec["defaults"])
        else:
            rest.append(spec)
    return keep, rest


def _compile_list(specs: Iterable[Any], path: str, source: str) -> list[Any]:
    out = []
    for i, spec in enumerate(specs):
        try:
            out.append(compile_rule(spec, path=f"{path}[{i}]"))
        except SchemaError as exc:
            raise SchemaError(
                exc.reason, path=exc.path, source=source, suggestions=exc.suggestions
            ) from None
    return out


def _order(schema: Schema, plans: Mapping[str, FieldPlan]) -> tuple[str, ...]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise SchemaError(
                "rules read each other's fields in a cycle: " + " → ".join((*trail, name)),
                path=f"rules.fields.{name}",
                source=schema.name,
            )
        state[name] = 1
        for used in plans[name].uses:
            if used not in plans:
                raise SchemaError(
                    f"a rule of {name!r} reads unknown field {used!r}",
                    path=f"rules.fields.{name}",
                    source=schema.name,
                    suggestions=close_matches(used, plans),
                )
            visit(used, (*trail, name))
        state[name] = 2
        order.append(name)

    for name in schema.field_names:
        visit(name, ())
    return tuple(order)


@attrs.frozen(repr=False)
class RuleSet:
    """
    The rules of one schema, per field and per record, under a name and a version.

    Each field has its type's default rules plus the schema's own. Build one with
    `RuleSet.for_schema`; run it on one record with `run` or on many with `run_batch`
    (columnar, memoized).

    Examples:
        >>> import recordkit as rk
        >>> rules = RuleSet.for_schema(rk.bundled_schema("contact"))
        >>> out = rules.run({"first_name": " ada ", "last_name": "LOVELACE",
        ...                  "email": "Ada@Example.COM", "phone": "(212) 555-0123",
        ...                  "state": "N.Y.", "country": "USA"})
        >>> out.values["email"], out.values["phone"], out.values["state"]
        ('ada@example.com', '+12125550123', 'US-NY')
        >>> out.ok
        True

    Args:
        schema: the schema the rules are bound to.
        plans: field name → the field's compiled rules.
        record: rules over the whole record (cross-field).
        name: the rule set's name (default: the schema's).
        version: bump it when the rules change, to re-validate stored records.

    .. versionadded:: 0.1.0
    """

    schema: Schema
    plans: Mapping[str, FieldPlan]
    record: tuple[Validator, ...] = ()
    name: str = ""
    version: int = 1
    order: tuple[str, ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        check_definition(self.schema, record=self.record, name=self.name)
        if (wrong := plans_error(self.schema, self.plans)) is not None:
            raise wrong
        if not self.name:
            object.__setattr__(self, "name", self.schema.name)
        if not isinstance(self.version, int) or isinstance(self.version, bool):
            raise SchemaError(f"a rule set version is a whole number, got {self.version!r}")
        object.__setattr__(self, "order", _order(self.schema, self.plans))

    def __repr__(self) -> str:
        count = sum(len(p.rules) for p in self.plans.values()) + len(self.record)
        return f"RuleSet({self.name!r}, v{self.version}, {count} rules)"

    @classmethod
    def for_schema(
        cls,
        schema: Schema,
        *,
        fields: Mapping[str, Iterable[Any]] | None = None,
        extend: Mapping[str, Iterable[Any]] | None = None,
        record: Iterable[Any] = (),
        version: int | None = None,
        name: str | None = None,
        defaults: bool = True,
    ) -> RuleSet:
        """
        Build the rule set of *schema*: defaults, the schema's rules, then yours.

        The schema contributes each field's ``rules`` and its ``rules`` extension section
        (``version``, ``fields: {name: [...]}``, ``record: [...]``; a plain list is taken
        as record rules). A field's list starting with ``{defaults: false}`` drops the
        type's default rules.

        Args:
            schema: the schema.
            fields: field → rules that *replace* everything else for that field.
            extend: field → rules added after the others.
            record: record rules added after the schema's.
            version: the rule set's version (default: the extension's, else the schema's).
            name: the rule set's name (default: the schema's).
            defaults: include the field types' default rules.

        Raises:
            SchemaError: a spec is malformed, names an unknown rule or field (with close
                matches), or rules read each other's fields in a cycle.
        """
        check_definition(schema, fields, extend, record, version, name, defaults)
        section = schema.extensions.get("rules", {})
        if isinstance(section, list | tuple):
            section = {"record": section}
        if not isinstance(section, Mapping):
            raise SchemaError("the rules section is a mapping or a list", source=schema.name)
        unknown = set(section) - {"version", "name", "fields", "record"}
        if unknown:
            raise SchemaError(
                f"unknown keys in the rules section: {sorted(unknown)}",
                path="rules",
                source=schema.name,
                suggestions=close_matches(sorted(unknown)[0], ["version", "fields", "record"]),
            )
        extra_fields = section.get("fields", {}) or {}
        for key in (*extra_fields, *(fields or {}), *(extend or {})):
            if key not in schema:
                raise SchemaError(
                    f"rules given for unknown field {key!r}",
                    path=f"rules.fields.{key}",
                    source=schema.name,
                    suggestions=close_matches(key, schema.field_names),
                )
        plans: dict[str, FieldPlan] = {}
        for f in schema.fields:
            if fields is not None and f.name in fields:
                rules = [compile_rule(r, path=f"fields.{f.name}") for r in fields[f.name]]
            else:
                keep, own = _wants_defaults(list(f.rules))
                more = list(extra_fields.get(f.name, ()))
                keep2, more = _wants_defaults(more)
                rules = default_rules(f, schema) if (defaults and keep and keep2) else []
                rules += _compile_list(own, f"fields.{f.name}.rules", schema.name)
                rules += _compile_list(more, f"rules.fields.{f.name}", schema.name)
            for i, r in enumerate((extend or {}).get(f.name, ())):
                rules.append(compile_rule(r, path=f"extend.{f.name}[{i}]"))
            plans[f.name] = FieldPlan.build(f, [for_field(r, f.role) for r in rules])
        record_rules = _compile_list(section.get("record", ()), "rules.record", schema.name)
        record_rules += [compile_rule(r, path=f"record[{i}]") for i, r in enumerate(record)]
        for i, rule in enumerate(record_rules):
            if not isinstance(rule, Validator):
                raise SchemaError(
                    "record rules are validators", path=f"rules.record[{i}]", source=schema.name
                )
        chosen = version if version is not None else section.get("version", schema.version)
        return cls(
            schema,
            plans,
            tuple(record_rules),
            name=name or str(section.get("name", schema.name)),
            version=chosen,
        )

    # -- introspection ------------------------------------------------------------------

    def rules_for(self, field: str) -> tuple[Normalizer | Validator, ...]:
        """
        The rules of *field*, in the order they run.
        """
        return self.plans[self.schema.field(field).name].rules

    def describe(self) -> JSONObject:
        """
        The rule set as plain data: name, version, and each rule's id and version.
        """
        return {
            "name": self.name,
            "version": self.version,
            "fields": {
                name: [f"{r.id}@{r.version}" for r in plan.rules]
                for name, plan in self.plans.items()
            },
            "record": [f"{r.id}@{r.version}" for r in self.record],
        }

    @property
    def fingerprint(self) -> str:
        """
        A short hash of what the rules are (ids, versions and arguments).
        """
        text = repr((self.describe(), [repr(p.rules) for p in self.plans.values()],
                     [repr(r) for r in self.record]))  # fmt: skip
        return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]

    # -- one record ---------------------------------------------------------------------

    def run(
        self,
        raw: Mapping[str, Any],
        *,
        base: Mapping[str, Any] | None = None,
        defaults: bool | None = None,
        channel: str | None = None,
    ) -> Outcome:
        """
        Normalize and validate one record.

        Args:
            raw: field name → raw value.
            base: the record's current (already normalized) values, for an update: fields
                absent from *raw* keep their value and are not re-checked, but record rules
                see them.
            defaults: fill blank fields with their defaults (default: only without *base*).
            channel: the source the record comes from, which picks each field's
                ``on_invalid`` action (``None``: the ``default`` one); under ``clear`` and
                ``keep`` a field's errors become warnings saying what was done.

        Returns:
            The normalized values, every change and every issue; never raises for bad
            values.

        .. versionchanged:: 0.2.0
           ``channel``.
        """
        check_record(raw, base, defaults)
        check_channel(channel)
        use_defaults = base is None if defaults is None else defaults
        issues: list[Issue] = [
            unknown_field_issue(self.schema, str(k), v)
            for k, v in raw.items()
            if k not in self.plans and v is not None
        ]
        changes: list[Change] = []
        values: dict[str, Any] = dict(base or {})
        for name in self.order:
            if base is not None and name not in raw:
                continue
            plan = self.plans[name]
            context = [values.get(u) for u in plan.uses]
            value, made, found = plan.run(
                raw.get(name),
                context,
                defaults=use_defaults,
                on_invalid=plan.field.invalid_action(channel),
            )
            values[name] = value
            changes.extend(made)
            issues.extend(found)
        issues.extend(self.check_record(values))
        ordered = {n: values.get(n) for n in self.schema.field_names}
        return Outcome(ordered, tuple(changes), tuple(issues))

    def run_batch(
        self,
        source: Any,
        *,
        chunk_size: int = 10_000,
        cache: bool = True,
        memo_size: int = DEFAULT_MEMO_SIZE,
        channel: str | None = None,
    ) -> BatchOutcome:
        """
        Run the rules over many rows, columnar and memoized (see `run_batch`).

        Args:
            source: rows (mappings), a CSV path or file, or a pandas/polars DataFrame.
            chunk_size: rows per chunk.
            cache: memoize each field's pipeline per distinct value within the run.
            memo_size: the most distinct values remembered per field.
            channel: the source the rows come from, which picks each field's
                ``on_invalid`` action (``None``: the ``default`` one).

        .. versionchanged:: 0.2.0
           ``channel``.
        """
        return run_batch(
            self,
            source,
            chunk_size=chunk_size,
            cache=cache,
            memo_size=memo_size,
            channel=channel,
        )

    def check_record(self, values: Mapping[str, Any]) -> list[Issue]:
        """
        Run the record rules on normalized *values*.
        """
        issues: list[Issue] = []
        for rule in self.record:
            try:
                found = rule.validate(values)
            except Exception as exc:
                issues.append(crash_issue(rule, exc, None, None))
                continue
            issues.extend(i for i in found if isinstance(i, Issue))
        return issues
