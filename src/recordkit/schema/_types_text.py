"""
Field types held as text: text, email, phone, picklist, URL, country, subdivision, reference.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

import attrs
import phonenumbers

from recordkit._controls import strip_controls
from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.schema._field_type import FieldType, _optional, _text
from recordkit.schema._values import _Refused
from recordkit.schema._vocabulary_files import read_vocabulary, vocabulary_names

__all__ = ["URL", "Country", "Email", "Phone", "Picklist", "Reference", "Subdivision", "Text"]


@attrs.frozen
class Text(FieldType):
    """
    Free text.

    Args:
        max_length: longest accepted value, checked by the length validator.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "text"
    max_length: int | None = attrs.field(
        default=None, validator=_optional(int, "a whole number", minimum=1)
    )

    def _coerce(self, value: object) -> Any:
        if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
            return str(value)
        return _text(value)


@attrs.frozen
class Email(FieldType):
    """
    An email address (normalized and validated by the rule engine, with no network).

    The rule engine changes an address only by trimming it, writing its domain in
    Unicode and lower case (IDNA, as email-validator does) and the case rule below; an
    address it cannot read is flagged, with a likely fix in the hint, never repaired.

    Args:
        lowercase: how the address is stored: ``True`` (the default) the whole address
            in lower case, as almost every mail system ignores the local part's case;
            ``False`` the local part as typed (``Ada.Lovelace@example.com``).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``lowercase``.
    """

    kind: ClassVar[str] = "email"
    lowercase: bool = attrs.field(default=True, validator=_optional(bool, "true or false"))

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.lowercase, bool):
            raise SchemaError("lowercase must be true or false", path="lowercase")


def _check_region(_: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (
        not isinstance(value, str) or value not in phonenumbers.SUPPORTED_REGIONS
    ):
        raise SchemaError(f"unknown phone region {shorten(value)}", path=attribute.name)


@attrs.frozen
class Phone(FieldType):
    """
    A telephone number.

    Args:
        region: ISO 3166-1 alpha-2 region assumed for numbers written without a country code.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "phone"
    region: str | None = attrs.field(default=None, validator=_check_region)


def _freeze_values(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise SchemaError(
            f"values must be a list of text, got {type(value).__name__}", path="values"
        )
    return tuple(value)


def _freeze_synonyms(
    value: Mapping[str, Iterable[str]] | Iterable[tuple[str, Iterable[str]]],
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    try:
        items: Iterable[Any] = value.items() if isinstance(value, Mapping) else value
        out = []
        for k, v in items:
            spellings = (v,) if isinstance(v, str) else tuple(v)
            if not isinstance(k, str) or not all(isinstance(s, str) for s in spellings):
                raise TypeError
            out.append((k, spellings))
    except (TypeError, ValueError):
        raise SchemaError(
            "synonyms map each value to a list of spellings (text)", path="synonyms"
        ) from None
    return tuple(out)


@attrs.frozen
class Picklist(FieldType):
    """
    One of a fixed list of values, with synonyms that mean the same value.

    Examples:
        >>> p = Picklist(values=("Technology",), synonyms={"Technology": ("Software", "SaaS")})
        >>> p.synonym_map
        {'Software': 'Technology', 'SaaS': 'Technology'}

    A picklist can start from a bundled vocabulary (see `recordkit.schema.VOCABULARIES`):
    its values come first, then *values* not already among them; *synonyms* add to the
    vocabulary's spellings of the same value. Giving the merged lists back (as
    ``attrs.evolve`` does) yields the same picklist.

        >>> source = Picklist(vocabulary="lead_source", values=("Webinar Series",),
        ...                   synonyms={"Paid Social": ("Meta",)})
        >>> source.values[0], source.values[-1]
        ('Organic Search', 'Webinar Series')
        >>> source.synonym_map["Meta"], source.synonym_map["FB Ads"]
        ('Paid Social', 'Paid Social')

    Args:
        values: the canonical values (with *vocabulary*, the ones it lacks).
        synonyms: canonical value → other spellings that mean it.
        restricted: refuse values outside the list (``False`` keeps them, flagged).
        vocabulary: the bundled vocabulary whose values and synonyms the picklist starts
            from, one of `recordkit.schema.VOCABULARIES`.

    Raises:
        SchemaError: no values at all, a value listed twice or blank, synonyms for
            something that is not a value, a synonym of two values, or an unknown
            *vocabulary* (with the closest names).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``vocabulary``.
    """

    kind: ClassVar[str] = "picklist"
    values: tuple[str, ...] = attrs.field(factory=tuple, converter=_freeze_values)
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(
        factory=tuple, converter=_freeze_synonyms
    )
    restricted: bool = attrs.field(default=True, validator=_optional(bool, "true or false"))
    vocabulary: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.vocabulary is not None:
            self._merge_vocabulary(self.vocabulary)
        if not self.values:
            raise SchemaError("a picklist needs at least one value", path="values")
        seen: set[str] = set()
        for value in self.values:
            if not isinstance(value, str) or not value.strip():
                raise SchemaError(
                    f"picklist values must be non-blank text, got {shorten(value)}", path="values"
                )
            if value in seen:
                raise SchemaError(f"value {value!r} is listed twice", path="values")
            seen.add(value)
        owners: dict[str, str] = {}
        for canonical, spellings in self.synonyms:
            if canonical not in seen:
                raise SchemaError(
                    f"synonyms given for {canonical!r}, which is not one of the values",
                    path=f"synonyms.{canonical}",
                )
            for spelling in spellings:
                other = owners.setdefault(spelling, canonical)
                if other != canonical:
                    raise SchemaError(
                        f"synonym {spelling!r} means both {other!r} and {canonical!r}",
                        path=f"synonyms.{canonical}",
                    )

    def _merge_vocabulary(self, name: object) -> None:
        names = vocabulary_names()
        if not isinstance(name, str) or name not in names:
            raise SchemaError(
                f"no bundled vocabulary named {shorten(name)}; one of {', '.join(names)}",
                path="vocabulary",
                suggestions=close_matches(name, names),
            )
        base_values, base_synonyms = read_vocabulary(name)
        extra = [v for v in self.values if v not in base_values]
        if len(set(extra)) < len(extra):
            twice = next(v for v in extra if extra.count(v) > 1)
            raise SchemaError(f"value {twice!r} is listed twice", path="values")
        # Merging is idempotent: the vocabulary's own values and spellings given back
        # (a dumped picklist, attrs.evolve) are already there and are not added twice.
        given: dict[str, list[str]] = {}
        for canonical, spellings in self.synonyms:
            given.setdefault(canonical, []).extend(spellings)
        merged: list[tuple[str, tuple[str, ...]]] = []
        for canonical, spellings in base_synonyms:
            more = [s for s in dict.fromkeys(given.pop(canonical, ())) if s not in spellings]
            merged.append((canonical, (*spellings, *more)))
        merged.extend((k, tuple(dict.fromkeys(v))) for k, v in given.items() if v)
        object.__setattr__(self, "values", (*base_values, *extra))
        object.__setattr__(self, "synonyms", tuple(merged))

    @property
    def synonym_map(self) -> dict[str, str]:
        """
        Every synonym mapped to its canonical value.
        """
        return {s: canonical for canonical, spellings in self.synonyms for s in spellings}


_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_PORT = re.compile(r"\d{1,5}(?:[/?#]|$)")
WEB_SCHEMES: Final = ("http", "https")
_NEVER_HOSTS: Final = frozenset({"javascript", "vbscript", "data", "file", "blob", "about"})


def url_scheme(text: str) -> str | None:
    """
    The scheme *text* names, in lower case; ``None`` when it names none (``www.acme.com``).

    Read as a browser would: controls, bidi characters and whitespace removed first, so
    ``javascript:`` with a tab inside is still a ``javascript`` address. ``host:port`` is
    not a scheme (``acme.com:8080``, ``localhost:3000/x``), except for the script and data
    schemes.
    """
    squeezed = "".join(strip_controls(text[:2048]).split())
    m = _SCHEME.match(squeezed)
    if m is None:
        return None
    scheme = m[1].lower()
    rest = squeezed[m.end() :]
    if scheme in WEB_SCHEMES or scheme in _NEVER_HOSTS:
        return scheme
    if _PORT.match(rest) or ("." in scheme and not rest.startswith("//")):
        return None  # a host and a port, not a scheme
    return scheme


@attrs.frozen
class URL(FieldType):
    """
    A web address: ``http`` or ``https``, or no scheme at all (``www.acme.com``).

    Any other scheme (``javascript:``, ``data:``, ``mailto:``, ``ftp:``…) is refused.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "url"

    def _coerce(self, value: object) -> Any:
        text = _text(value)
        if text is None:
            return None
        scheme = url_scheme(text)
        if scheme is not None and scheme not in WEB_SCHEMES:
            raise _Refused(
                f"only http and https addresses are web addresses, got a {scheme[:20]!r} one"
            )
        return text


@attrs.frozen
class Country(FieldType):
    """
    A country, stored as its ISO 3166-1 alpha-2 code once normalized.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "country"


@attrs.frozen
class Subdivision(FieldType):
    """
    A state, province or region, stored as its ISO 3166-2 code (``US-NY``) once normalized.

    Args:
        country_field: the field that says which country the subdivision is in.

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "subdivision"
    country_field: str | None = attrs.field(
        default="country", validator=_optional(str, "a field name")
    )


_SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]*")


@attrs.frozen
class Reference(FieldType):
    """
    A link to a record of another schema, held as that record's id.

    Args:
        to: the name of the referenced schema (``company`` for a contact's employer).

    .. versionadded:: 0.1.0
    """

    kind: ClassVar[str] = "reference"
    to: str = attrs.field()

    @to.validator
    def _check_to(self, attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not _SCHEMA_NAME.fullmatch(value):
            raise SchemaError(f"not a schema name: {shorten(value)}", path=attribute.name)
