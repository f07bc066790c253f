"""
The built-in normalizers, under the `Normalizers` namespace.

Each is a small frozen class behind a named constructor; the plain functions they call
live in `recordkit.rules` too (`normalize_phone`…), for the matcher and for scripts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final, Literal

import attrs
import phonenumbers

from recordkit._errors import SchemaError, shorten
from recordkit.rules._contact import email_verdict, normalize_url, parse_phone, phone_text
from recordkit.rules._options import (
    flag_option,
    fuzzy_option,
    name_option,
    picklist_options,
    region_option,
)
from recordkit.rules._phone_fast import possible_number
from recordkit.rules._placeholders import is_placeholder
from recordkit.rules._places import country_code, subdivision_code
from recordkit.rules._rule import Normalizer, changed
from recordkit.rules._text import clean_text, fold_key, normalize_case, normalize_name
from recordkit.rules._values import (
    DEFAULT_FUZZY,
    boolean_reader,
    normalize_money,
    picklist_match,
    picklist_table,
    read_boolean,
    read_date,
    read_order,
)
from recordkit.schema import Boolean

__all__ = ["Handoff", "Normalizers"]


@attrs.define(eq=False)
class Handoff:
    """
    A one-slot note a normalizer leaves for the validator after it.

    The phone and email normalizers parse a value; the validator that follows needs the
    same parse. The slot holds ``(output, verdict)``; the validator uses it only when it
    receives that very output object, so a stale note is never trusted.

    .. versionadded:: 0.1.0
    """

    slot: tuple[Any, Any] = (None, None)

    def get(self, value: Any, default: Any) -> Any:
        """
        The verdict noted for *value*, or *default* when the note is about another value.
        """
        key, verdict = self.slot
        return verdict if key is value else default


@attrs.frozen
class _Text:
    id: ClassVar[str] = "normalize.text"
    version: ClassVar[int] = 1

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        after = clean_text(value)
        return after, after is not value and after != value


@attrs.frozen
class _Name:
    part: Literal["full", "given", "family"] | None = None
    id: ClassVar[str] = "normalize.name"
    version: ClassVar[int] = 2

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        after = normalize_name(value, part=self.part or "full")
        return after, after is not value and after != value


NAME_PARTS: Final[dict[str, Literal["full", "given", "family"]]] = {
    "given_name": "given",
    "family_name": "family",
    "full_name": "full",
}
"""
The part of a name each name role holds, as `normalize_name` takes it.
"""


def for_field(rule: object, role: str | None) -> object:
    """
    *rule* fitted to a field with *role*: a name normalizer given no part takes the role's.
    """
    if isinstance(rule, _Name) and rule.part is None:
        return _Name(NAME_PARTS.get(role or "", "full"))
    return rule


@attrs.frozen
class _Case:
    style: str = attrs.field(validator=attrs.validators.in_(("upper", "lower", "title")))
    id: ClassVar[str] = "normalize.case"
    version: ClassVar[int] = 1

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        after = normalize_case(value, style=self.style)
        return after, after is not value and after != value


@attrs.frozen
class _Phone:
    region: str | None = None
    region_field: str | None = None
    handoff: Handoff | None = attrs.field(default=None, eq=False, repr=False)
    id: ClassVar[str] = "normalize.phone"
    version: ClassVar[int] = 2

    @property
    def uses(self) -> tuple[str, ...]:
        return () if self.region_field is None else (self.region_field,)

    def normalize(self, value: Any, /, *context: Any) -> tuple[Any, bool]:
        region = self.region
        if context and isinstance(context[0], str) and len(context[0]) == 2:
            region = context[0] if context[0] in phonenumbers.SUPPORTED_REGIONS else region
        number = parse_phone(value, region=region)
        after = None
        if number is not None and possible_number(number):
            after = phone_text(number)
        if after is None:  # unreadable, or its E.164 text would read as another number
            if self.handoff is not None:
                self.handoff.slot = (value, number)
            return value, False
        if self.handoff is not None:
            self.handoff.slot = (after, number)
        return after, after != value


@attrs.frozen
class _Email:
    lowercase: bool = True
    handoff: Handoff | None = attrs.field(default=None, eq=False, repr=False)
    id: ClassVar[str] = "normalize.email"
    version: ClassVar[int] = 2

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        after, problem = email_verdict(value, lowercase=self.lowercase)
        if self.handoff is not None:
            self.handoff.slot = (after, problem)
        return after, after is not value and after != value


def _picklist_table(values: Iterable[str], synonyms: Any) -> dict[str, str]:
    return picklist_table(values, synonyms)


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _synonyms(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return picklist_options((), value)[1]


def handoff_option(value: object) -> Handoff | None:
    """
    ``None``, or the `Handoff` a normalizer and its validator share.
    """
    if value is not None and not isinstance(value, Handoff):
        raise SchemaError(f"handoff must be a Handoff, got {shorten(value)}")
    return value


@attrs.frozen
class _Picklist:
    values: tuple[str, ...] = attrs.field(converter=_strings)
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(
        factory=tuple, converter=_synonyms
    )
    fuzzy: float | None = DEFAULT_FUZZY
    table: dict[str, str] = attrs.field(init=False, eq=False, repr=False)
    id: ClassVar[str] = "normalize.picklist"
    version: ClassVar[int] = 1

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "table", _picklist_table(self.values, self.synonyms))

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        if not isinstance(value, str) or len(value) > 1000:
            return value, False
        fuzzy = None if is_placeholder(value) else self.fuzzy  # never a placeholder by a typo
        found = picklist_match(fold_key(value), self.table, fuzzy)
        if found is None:
            return value, False
        return found, found != value


@attrs.frozen
class _Country:
    id: ClassVar[str] = "normalize.country"
    version: ClassVar[int] = 2

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        code = country_code(value)
        if code is None:
            return value, False
        return code, code != value


@attrs.frozen
class _Subdivision:
    country_field: str | None = None
    id: ClassVar[str] = "normalize.subdivision"
    version: ClassVar[int] = 2

    @property
    def uses(self) -> tuple[str, ...]:
        return () if self.country_field is None else (self.country_field,)

    def normalize(self, value: Any, /, *context: Any) -> tuple[Any, bool]:
        code = subdivision_code(value, country=context[0] if context else None)
        if code is None:
            return value, False
        return code, code != value


@attrs.frozen
class _Url:
    id: ClassVar[str] = "normalize.url"
    version: ClassVar[int] = 2

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        after = normalize_url(value)
        return after, after is not value and after != value


@attrs.frozen
class _Date:
    order: str | None = "mdy"
    id: ClassVar[str] = "normalize.date"
    version: ClassVar[int] = 2
    before_coerce: ClassVar[bool] = True

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        if not isinstance(value, str):
            return value, False
        found = read_date(value, dayfirst=None, order=self.order)
        return (value, False) if found is None else (found, True)


@attrs.frozen
class _Boolean:
    true_words: tuple[str, ...] | None = None
    false_words: tuple[str, ...] | None = None
    reader: Boolean = attrs.field(init=False, eq=False, repr=False)
    id: ClassVar[str] = "normalize.boolean"
    version: ClassVar[int] = 2
    before_coerce: ClassVar[bool] = True

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "reader", boolean_reader(self.true_words, self.false_words))

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        after = read_boolean(value, self.reader)
        return after, changed(value, after)


@attrs.frozen
class _Money:
    currency: str | None = None
    id: ClassVar[str] = "normalize.money"
    version: ClassVar[int] = 1
    before_coerce: ClassVar[bool] = True

    def normalize(self, value: Any, /) -> tuple[Any, bool]:
        after = normalize_money(value, currency=self.currency)
        return after, changed(value, after)


class Normalizers:
    """
    The built-in normalizers, by named constructor.

    Examples:
        >>> Normalizers.phone(region="GB").normalize("020 7946 0958")
        ('+442079460958', True)

    .. versionadded:: 0.1.0
    """

    @staticmethod
    def text() -> Normalizer:
        """
        Unicode NFC, control characters removed, whitespace collapsed (`clean_text`).
        """
        return _Text()

    @staticmethod
    def name(*, part: Literal["full", "given", "family"] | None = None) -> Normalizer:
        """
        A person's name in title case that respects McDonald, O'Neil, van der Berg.

        Args:
            part: ``"given"``, ``"family"`` or ``"full"`` (see `normalize_name`); by default
                the part the field's role holds (``given_name``, ``family_name``), else a
                full name.

        Raises:
            SchemaError: *part* is none of those.

        .. versionchanged:: 0.2.0
           ``part``.
        """
        if part is not None and part not in ("given", "family", "full"):
            raise SchemaError(
                f"part must be 'given', 'family' or 'full', got {shorten(part)}", path="part"
            )
        return _Name(part)

    @staticmethod
    def case(style: str = "title") -> Normalizer:
        """
        Text in one casing: ``"upper"``, ``"lower"`` or ``"title"``.
        """
        if style not in ("upper", "lower", "title"):
            raise SchemaError(f"style must be 'upper', 'lower' or 'title', got {shorten(style)}")
        return _Case(style)

    @staticmethod
    def phone(
        *,
        region: str | None = None,
        region_field: str | None = None,
        handoff: Handoff | None = None,
    ) -> Normalizer:
        """
        A phone number in E.164, extension kept (``+12125550123;ext=45``).

        Args:
            region: assumed for numbers written without a country code.
            region_field: a country field of the record whose value, when it is a
                region code, overrides *region*.
            handoff: shared with a phone validator so it reuses this parse.
        """
        return _Phone(
            region_option(region),
            name_option(region_field, "region_field"),
            handoff_option(handoff),
        )

    @staticmethod
    def email(*, lowercase: bool = True, handoff: Handoff | None = None) -> Normalizer:
        """
        An email address in normal form (email-validator, no network).
        """
        return _Email(flag_option(lowercase, "lowercase"), handoff_option(handoff))

    @staticmethod
    def picklist(
        values: Iterable[str],
        synonyms: Mapping[str, Iterable[str]] | Iterable[object] = (),
        *,
        fuzzy: float | None = DEFAULT_FUZZY,
    ) -> Normalizer:
        """
        The canonical value a spelling or synonym means, ignoring case and punctuation.

        Args:
            values: the canonical values.
            synonyms: canonical value → other spellings.
            fuzzy: typos at least this similar (rapidfuzz ratio) are corrected too
                (``None``: exact spellings only).
        """
        canon, pairs = picklist_options(values, synonyms)
        return _Picklist(canon, pairs, fuzzy_option(fuzzy))

    @staticmethod
    def country() -> Normalizer:
        """
        A country as its ISO 3166-1 alpha-2 code, from names, codes and aliases.
        """
        return _Country()

    @staticmethod
    def subdivision(*, country_field: str | None = None) -> Normalizer:
        """
        A state or province as its ISO 3166-2 code, read within the record's country.
        """
        return _Subdivision(name_option(country_field, "country_field"))

    @staticmethod
    def url() -> Normalizer:
        """
        A web address with a scheme and a lower-case host.
        """
        return _Url()

    @staticmethod
    def date(*, dayfirst: bool | None = False, order: str | None = None) -> Normalizer:
        """
        A date written in a common format, read as a `datetime.date` (before coercion).

        Numeric dates are read strictly in *order* (``"mdy"``, ``"dmy"``, ``"ymd"``), or
        the order *dayfirst* names; see `normalize_date`.

        .. versionchanged:: 0.2.0
           ``order``; strict under it.
        """
        reader = read_order(dayfirst, order)
        return _Date(reader)

    @staticmethod
    def boolean(
        *,
        true_words: Iterable[str] | None = None,
        false_words: Iterable[str] | None = None,
    ) -> Normalizer:
        """
        ``True``/``False`` from yes/no words (runs before coercion); see `normalize_boolean`.

        Args:
            true_words: the words read as true instead of the default ones.
            false_words: the words read as false instead of the default ones.

        .. versionchanged:: 0.2.0
           ``true_words`` and ``false_words``.
        """
        reader = boolean_reader(true_words, false_words)
        return _Boolean(reader.true_words, reader.false_words)

    @staticmethod
    def money(*, currency: str | None = None) -> Normalizer:
        """
        A `Money` from ``$1,200.50``-style text (runs before coercion).
        """
        if currency is not None and not isinstance(currency, str):
            raise SchemaError(f"currency must be an ISO 4217 code, got {shorten(currency)}")
        return _Money(currency)
