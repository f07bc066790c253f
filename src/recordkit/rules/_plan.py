"""
What rules compile to: one field's pipeline (`FieldPlan`), and what a run reads of a rule set.

A field's pipeline reads, coerces, normalizes and validates. It is a pure function of the
raw value (and the normalized values of the fields it reads), which is what lets a batch
memoize it per distinct value.

`CompiledRules` is what running rules over a record or a chunk needs of a `RuleSet`: the
schema, the field plans in run order and the record rules. The batch step is written
against it, so the rule set (which runs batches) and the step do not import each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

import attrs

from recordkit._errors import CoercionError, shorten
from recordkit._suggest import close_matches
from recordkit.rules._issue import Change, Issue, Severity, for_field
from recordkit.rules._placeholders import surely_not_placeholder as surely_not
from recordkit.rules._rule import NO_ISSUES, Validator, crash_issue, flag, uses_of
from recordkit.rules._value_checks import _Placeholder
from recordkit.schema import MAX_CHARS, NOT_GIVEN, Boolean, Date, Field, FieldType, Schema, Text

__all__ = ["CompiledRules", "FieldPlan", "Step", "unknown_field_issue"]

NO_CHANGES: Final[tuple[Change, ...]] = ()
_COERCE: Final = (None, (), None)
"""
The place of the coercion among a field's normalizer steps (a step with no rule).
"""


@attrs.frozen
class Step:
    """
    A rule with the positions, in its field's context, of the fields it reads.
    """

    rule: Any
    reads: tuple[int, ...]


# Field types whose coercion returns a value of exactly this Python type unchanged.
_NATIVE: Final[dict[type[FieldType], type]] = {Date: dt.date, Boolean: bool}


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
        screens: validators that read the raw text first (``screen``, the placeholder
            check): when one finds an issue, the field holds no value and only the
            ``on_missing`` validators run after it.

    .. versionchanged:: 0.2.0
       ``screens``.
    """

    field: Field
    uses: tuple[str, ...]
    before: tuple[Step, ...]
    normalizers: tuple[Step, ...]
    validators: tuple[Step, ...]
    on_missing: tuple[Step, ...]
    unique: tuple[Any, ...]
    text_like: bool = False
    native: type | None = None
    screens: tuple[Step, ...] = ()
    _calls: tuple[tuple[Any, ...], ...] = attrs.field(init=False, eq=False, repr=False)
    _placeholder_only: bool = attrs.field(init=False, eq=False, repr=False)
    _defaulted: bool = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # (bound method, reads, rule) per step: what `run` loops over, without lookups.
        # The normalizers make one sequence, the coercion marked in it by `_COERCE`.
        def calls(steps: tuple[Step, ...], method: str) -> tuple[Any, ...]:
            return tuple((getattr(s.rule, method), s.reads, s.rule) for s in steps)

        normalize = (
            *calls(self.before, "normalize"),
            _COERCE,
            *calls(self.normalizers, "normalize"),
        )
        # the only screen is the built-in placeholder check: most text is cleared of it by
        # its first and last characters, without a call
        only = bool(self.screens) and all(type(s.rule) is _Placeholder for s in self.screens)
        object.__setattr__(self, "_placeholder_only", only)
        object.__setattr__(self, "_defaulted", self.field.default is not NOT_GIVEN)
        on_missing = calls(self.on_missing, "validate")
        object.__setattr__(
            self,
            "_calls",
            (
                normalize,
                on_missing,
                (*on_missing, *calls(self.validators, "validate")),  # what a value is checked by
                calls(self.screens, "validate"),
            ),
        )

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
        screens: list[Step] = []
        for rule in rules:
            if hasattr(rule, "normalize"):
                (before if flag(rule, "before_coerce") else normalizers).append(step(rule))
            elif flag(rule, "screen"):
                screens.append(step(rule))
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
            _NATIVE.get(type(field.type)),
            tuple(screens),
        )

    @property
    def rules(self) -> tuple[Any, ...]:
        """
        Every rule of the field, in the order they run.
        """
        steps = (*self.screens, *self.before, *self.normalizers, *self.on_missing, *self.validators)
        return (*(s.rule for s in steps), *self.unique)

    def _refused(self, raw: Any, exc: CoercionError) -> Issue:
        """
        The issue for a value the field type refused.
        """
        kind = self.field.type.kind
        # A field type may say more than "refused": a code and a hint of its own.
        code = getattr(exc, "code", None)
        hint = getattr(exc, "hint", None)
        return Issue(
            field=self.field.name,
            rule=f"coerce.{kind}",
            code=code if isinstance(code, str) and code else f"coerce.{kind}",
            message=exc.reason,
            severity=Severity.ERROR,
            value=raw,
            hint=hint if isinstance(hint, str) and hint else f"give a {kind} value",
        )

    def _invisible(self, raw: str) -> Issue:
        """
        The issue for text that cleaning left empty (control, format or invalid characters).
        """
        return Issue(
            field=self.field.name,
            rule="normalize.text",
            code="value.invisible",
            message="holds no visible characters (only control, format or invalid ones)",
            severity=Severity.WARNING,
            value=raw,
            hint="the value is stored as missing; check how the source wrote it",
        )

    def run(
        self,
        raw: Any,
        context: Sequence[Any] = (),
        defaults: bool = True,
        explain: bool = True,
        on_invalid: str = "quarantine",
    ) -> tuple[Any, tuple[Any, ...], tuple[Issue, ...]]:
        """
        Take one raw value through the field's pipeline.

        Args:
            raw: the value as given.
            context: the normalized values of the fields in ``uses``.
            defaults: fill a blank value with the field's default.
            explain: report each change as a `Change`; otherwise only the id of the rule
                that made it (what a batch counts).
            on_invalid: what to do when the value has an error (the field's action for the
                channel): ``quarantine`` leaves the error as it is; ``clear`` makes the value
                missing and ``keep`` the raw text as written, each error then a warning
                saying so, with the raw value (a required field cleared stays an error).

        Returns:
            The normalized value (``None`` when missing or refused), the changes made and
            the issues found. Nothing raises: a crashing rule becomes an issue.

        .. versionchanged:: 0.2.0
           ``on_invalid``.
        """
        result = self._run(raw, context, defaults, explain)
        if on_invalid == "quarantine" or not result[2]:
            return result
        value, changes, issues = result
        value, issues = self._settle(raw, value, issues, context, on_invalid)
        return value, changes, issues

    def _settle(
        self,
        raw: Any,
        value: Any,
        issues: Sequence[Issue],
        context: Sequence[Any],
        on_invalid: str,
    ) -> tuple[Any, tuple[Issue, ...]]:
        """
        The value and issues once an invalid value is cleared or kept (``on_invalid``).

        When the field's rules found an error in the value (its required check aside),
        ``clear`` makes the value missing and ``keep`` makes it the raw value as written
        (when that is text; other raw values are cleared). Each such error stays, as a
        warning saying what was done, with the raw value; the checks of a missing value
        (``required``) then run on what is stored, so a required field cleared is still
        an error. Anything else (``quarantine``, no error) leaves the outcome as it is.
        """
        missing = self._missing_ids
        if on_invalid not in ("clear", "keep") or not any(
            i.severity is Severity.ERROR and i.rule not in missing for i in issues
        ):
            return value, tuple(issues)
        kept = on_invalid == "keep" and type(raw) is str and len(raw) <= MAX_CHARS
        if kept:
            what = "the value is kept as written, flagged (on_invalid: keep)"
        elif on_invalid == "keep":
            what = "the value is not text, so it was cleared, not kept (on_invalid: keep)"
        else:
            what = "the value was cleared (on_invalid: clear)"
        value = raw if kept else None
        settled = [
            _settled(i, raw, what) if i.severity is Severity.ERROR else i
            for i in issues
            if i.rule not in missing
        ]
        settled += _validated(self._calls[1], value, context, self.field.name)
        return value, tuple(settled)

    @property
    def _missing_ids(self) -> frozenset[str]:
        return frozenset(s.rule.id for s in self.on_missing)

    def _run(
        self, raw: Any, context: Sequence[Any], defaults: bool, explain: bool
    ) -> tuple[Any, tuple[Any, ...], tuple[Issue, ...]]:
        name = self.field.name
        normalizers, on_missing, checked, screens = self._calls
        changes: list[Any] | None = None
        issues: list[Issue] | None = None
        if (
            defaults
            and self._defaulted
            and (raw is None or (isinstance(raw, str) and (not raw or raw.isspace())))
        ):
            raw = self.field.default
        value = raw
        if screens and type(raw) is str and not (self._placeholder_only and surely_not(raw)):
            issues = _screened(screens, raw, context, name)
            if issues:
                normalizers = ()  # the raw text is no value: nothing to read
                value = None
        # The normalizers that read the raw value, the coercion, then the normalizers that
        # read the coerced value: one loop, with the coercion as a marked step.
        for normalize, reads, rule in normalizers:
            if rule is None:  # the coercion
                if value is None or type(value) is self.native:
                    pass  # already the field's type: a before-coercion normalizer read it
                elif self.text_like and type(value) is str and len(value) <= MAX_CHARS:
                    if not value or value.isspace():
                        value = None
                else:
                    try:
                        value = self.field.coerce(value)
                    except CoercionError as exc:
                        refused = self._refused(raw, exc)
                        return None, tuple(changes or ()), (*(issues or ()), refused)
                if value is None:
                    break  # nothing for the other normalizers to read
                continue
            try:
                new, did = (
                    normalize(value, *[context[i] for i in reads]) if reads else normalize(value)
                )
            except Exception as exc:
                issues = issues or []
                issues.append(crash_issue(rule, exc, value, name))
                continue
            if did:
                changes = changes or []
                changes.append(Change(name, value, new, rule.id, rule.version) if explain
                               else rule.id)  # fmt: skip
                value = new
        if type(value) is str and (not value or value.isspace()):
            value = None  # cleaned down to nothing: no value, and said so
            if type(raw) is str and raw and not raw.isspace():
                issues = issues or []
                issues.append(self._invisible(raw))
        for validate, reads, rule in on_missing if value is None else checked:
            try:
                found = validate(value, *[context[i] for i in reads]) if reads else validate(value)
            except Exception as exc:
                issues = issues or []
                issues.append(crash_issue(rule, exc, value, name))
                continue
            if found:
                issues = issues or []
                issues.extend(
                    i if i.field == name else for_field(i, name)
                    for i in found
                    if isinstance(i, Issue)
                )
        return (
            value,
            tuple(changes) if changes else NO_CHANGES,
            tuple(issues) if issues else NO_ISSUES,
        )


def _settled(issue: Issue, raw: Any, what: str) -> Issue:
    """
    An error of a value that was cleared or kept: a warning saying so, with the raw value.
    """
    return attrs.evolve(
        issue, severity=Severity.WARNING, message=f"{issue.message}; {what}", value=raw
    )


def _validated(
    calls: tuple[tuple[Any, ...], ...], value: Any, context: Sequence[Any], name: str
) -> list[Issue]:
    """
    The issues the validators *calls* find in *value* (a crashing one becomes an issue).
    """
    issues: list[Issue] = []
    for validate, reads, rule in calls:
        try:
            found = validate(value, *[context[i] for i in reads]) if reads else validate(value)
        except Exception as exc:
            issues.append(crash_issue(rule, exc, value, name))
            continue
        if found:
            issues.extend(i if i.field == name else for_field(i, name)
                          for i in found if isinstance(i, Issue))  # fmt: skip
    return issues


def _screened(
    screens: tuple[Any, ...], raw: str, context: Sequence[Any], name: str
) -> list[Issue] | None:
    """
    The issues the screens find in the raw text, or ``None``.
    """
    issues: list[Issue] | None = None
    for validate, reads, rule in screens:
        try:
            found = validate(raw, *[context[i] for i in reads]) if reads else validate(raw)
        except Exception as exc:
            issues = issues or []
            issues.append(crash_issue(rule, exc, raw, name))
            continue
        if found:
            issues = issues or []
            issues.extend(i if i.field == name else for_field(i, name)
                          for i in found if isinstance(i, Issue))  # fmt: skip
    return issues


class CompiledRules(Protocol):
    """
    What running rules reads of a rule set: a `RuleSet` is one.
    """

    @property
    def schema(self) -> Schema:
        """
        The schema the rules are bound to.
        """

    @property
    def plans(self) -> Mapping[str, FieldPlan]:
        """
        Field name → the field's compiled rules.
        """

    @property
    def order(self) -> tuple[str, ...]:
        """
        The field names in run order (a field after the fields its rules read).
        """

    @property
    def record(self) -> tuple[Validator, ...]:
        """
        The rules over the whole record.
        """

    def check_record(self, values: Mapping[str, Any]) -> list[Issue]:
        """
        Run the record rules on normalized *values*.
        """


def unknown_field_issue(schema: Schema, name: str, value: Any) -> Issue:
    """
    The issue for a key that names no field of *schema*.
    """
    hint = close_matches(name, schema.field_names)
    return Issue(
        field=name,
        rule="schema.fields",
        code="unknown_field",
        message=f"unknown field {shorten(name)}"
        + (f" (did you mean {hint[0]!r}?)" if hint else ""),
        severity=Severity.ERROR,
        value=value,
        hint=f"use one of the schema's fields: {', '.join(schema.field_names[:6])}…",
    )
