"""
One field's compiled pipeline: read, coerce, normalize, validate.

The pipeline is a pure function of the raw value (and the normalized values of the fields
it reads), which is what lets a batch memoize it per distinct value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs

from recordkit._errors import CoercionError
from recordkit.rules._issue import Change, Issue, Severity
from recordkit.rules._rule import NO_ISSUES, crash_issue, flag, uses_of
from recordkit.schema import NOT_GIVEN, Field, FieldType, Text
from recordkit.schema._types import MAX_CHARS

__all__ = ["FieldPlan", "Step"]

NO_CHANGES: Final[tuple[Change, ...]] = ()


@attrs.frozen
class Step:
    """
    A rule with the positions, in its field's context, of the fields it reads.
    """

    rule: Any
    reads: tuple[int, ...]


def _text_like(t: FieldType) -> bool:
    # Types whose coercion of non-blank text is the identity: a fast path skips it.
    return isinstance(t, Text) or type(t)._coerce is FieldType._coerce


@attrs.frozen
class FieldPlan:
    """
    The compiled rules of one field.

    Attributes:
        field: the schema field.
        uses: the other fields this field's rules read, in context order.
        before: normalizers that run on the raw value, before coercion.
        normalizers: normalizers that run on the coerced value.
        validators: validators that run on present values.
        on_missing: validators that run when the value is missing.
        unique: validators that need the whole batch (``batch_only``).
    """

    field: Field
    uses: tuple[str, ...]
    before: tuple[Step, ...]
    normalizers: tuple[Step, ...]
    validators: tuple[Step, ...]
    on_missing: tuple[Step, ...]
    unique: tuple[Any, ...]
    text_like: bool = False

    @classmethod
    def build(cls, field: Field, rules: Sequence[Any]) -> FieldPlan:
        """
        Sort *rules* into the pipeline's stages.
        """
        uses: dict[str, None] = {}
        for rule in rules:
            uses.update(dict.fromkeys(u for u in uses_of(rule) if u != field.name))
        order = tuple(uses)

        def step(rule: Any) -> Step:
            return Step(rule, tuple(order.index(u) for u in uses_of(rule) if u in order))

        before: list[Step] = []
        normalizers: list[Step] = []
        validators: list[Step] = []
        on_missing: list[Step] = []
        unique: list[Any] = []
        for rule in rules:
            if hasattr(rule, "normalize"):
                (before if flag(rule, "before_coerce") else normalizers).append(step(rule))
            elif flag(rule, "batch_only"):
                unique.append(rule)
            elif flag(rule, "on_missing"):
                on_missing.append(step(rule))
            else:
                validators.append(step(rule))
        return cls(
            field,
            order,
            tuple(before),
            tuple(normalizers),
            tuple(validators),
            tuple(on_missing),
            tuple(unique),
            _text_like(field.type),
        )

    @property
    def rules(self) -> tuple[Any, ...]:
        """
        Every rule of the field, in the order they run.
        """
        steps = (*self.before, *self.normalizers, *self.on_missing, *self.validators)
        return (*(s.rule for s in steps), *self.unique)

    def run(
        self, raw: Any, context: Sequence[Any] = (), *, defaults: bool = True
    ) -> tuple[Any, tuple[Change, ...], tuple[Issue, ...]]:
        """
        Take one raw value through the field's pipeline.

        Returns:
            The normalized value (``None`` when missing or refused), the changes made and
            the issues found. Nothing raises: a crashing rule becomes an issue.
        """
        name = self.field.name
        changes: list[Change] | None = None
        issues: list[Issue] | None = None
        if (
            defaults
            and self.field.default is not NOT_GIVEN
            and (raw is None or (isinstance(raw, str) and (not raw or raw.isspace())))
        ):
            raw = self.field.default
        value = raw
        for step in self.before:
            rule = step.rule
            try:
                if step.reads:
                    new, did = rule.normalize(value, *[context[i] for i in step.reads])
                else:
                    new, did = rule.normalize(value)
            except Exception as exc:
                issues = [*(issues or ()), crash_issue(rule, exc, value, name)]
                continue
            if did:
                changes = [*(changes or ()), Change(name, value, new, rule.id, rule.version)]
                value = new
        if value is None:
            pass
        elif self.text_like and type(value) is str and len(value) <= MAX_CHARS:
            if not value or value.isspace():
                value = None
        else:
            try:
                value = self.field.coerce(value)
            except CoercionError as exc:
                issue = Issue(
                    field=name,
                    rule=f"coerce.{self.field.type.kind}",
                    code=f"coerce.{self.field.type.kind}",
                    message=exc.reason,
                    severity=Severity.ERROR,
                    value=raw,
                    hint=f"give a {self.field.type.kind} value",
                )
                return None, tuple(changes or ()), (*(issues or ()), issue)
        if value is None:
            for step in self.on_missing:
                found = self._check(step, value, context)
                if found:
                    issues = [*(issues or ()), *found]
            return None, tuple(changes) if changes else NO_CHANGES, tuple(issues or ())
        for step in self.normalizers:
            rule = step.rule
            try:
                if step.reads:
                    new, did = rule.normalize(value, *[context[i] for i in step.reads])
                else:
                    new, did = rule.normalize(value)
            except Exception as exc:
                issues = [*(issues or ()), crash_issue(rule, exc, value, name)]
                continue
            if did:
                changes = [*(changes or ()), Change(name, value, new, rule.id, rule.version)]
                value = new
        for step in self.on_missing:
            found = self._check(step, value, context)
            if found:
                issues = [*(issues or ()), *found]
        for step in self.validators:
            found = self._check(step, value, context)
            if found:
                issues = [*(issues or ()), *found]
        return (
            value,
            tuple(changes) if changes else NO_CHANGES,
            tuple(issues) if issues else NO_ISSUES,
        )

    def _check(self, step: Step, value: Any, context: Sequence[Any]) -> tuple[Issue, ...]:
        rule = step.rule
        try:
            if step.reads:
                found = rule.validate(value, *[context[i] for i in step.reads])
            else:
                found = rule.validate(value)
            if not found:
                return NO_ISSUES
            name = self.field.name
            return tuple(
                i if i.field == name else attrs.evolve(i, field=name)
                for i in found
                if isinstance(i, Issue)
            )
        except Exception as exc:
            return (crash_issue(rule, exc, value, self.field.name),)
