"""
The `Enricher` protocol, the mark a derived value carries, and enrichers from plugins.

An enricher fills missing fields of a record from what the record already holds (a
country from a phone number, a company domain from an email). It names the fields it
reads and those it may fill, a version, and whether it works offline. A value it fills is
*derived*: its `Provenance` source is ``derived:<enricher>@<version>:<read fields>``
(`Derivation`), so anyone can tell it from an observed value and trace it back.

Plugins register enrichers in the ``recordkit.enrichers`` entry-point group; `enricher`
loads one by name (read when called, never at import).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final, Protocol, runtime_checkable

import attrs

from recordkit._errors import shorten
from recordkit.quality._errors import QualityError
from recordkit.quality._plugins import installed, load
from recordkit.schema import Provenance

__all__ = [
    "DERIVED_PREFIX",
    "ENRICHERS_GROUP",
    "Derivation",
    "Enricher",
    "enricher",
    "installed_enrichers",
]

ENRICHERS_GROUP: Final = "recordkit.enrichers"
"""
The entry-point group where plugins register enrichers.
"""

DERIVED_PREFIX: Final = "derived:"
"""
How the provenance source of a derived value starts (no source a caller gives may).
"""

_NAME: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,79}")
_VERSION: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+\-]{0,79}")
_FIELD: Final = re.compile(r"[^\s,:@]{1,200}")
_SOURCE: Final = re.compile(
    rf"{DERIVED_PREFIX}(?P<name>{_NAME.pattern})@(?P<version>{_VERSION.pattern})"
    rf":(?P<reads>{_FIELD.pattern}(?:,{_FIELD.pattern})*)"
)


@runtime_checkable
class Enricher(Protocol):
    """
    Fills some missing fields of a record from others it holds.

    ``derive`` is given the values of the fields it ``reads`` (all present: it is not
    called while one is missing) and returns field → value for those of ``fills`` it can
    tell; a field it cannot tell is left out (or ``None``). It never sees, and never
    changes, an observed value of a field it fills: the caller gives it only records
    where those fields are missing and keeps only what it is missing. A network enricher
    says ``offline = False`` and is used only when asked for (`Enrichment`'s
    ``network=True``).

    Register a plugin's enricher in the ``recordkit.enrichers`` entry-point group;
    `enricher` loads it by name.

    .. versionadded:: 0.2.0
    """

    @property
    def name(self) -> str:
        """
        The enricher's name (letters, digits, ``_ . -``), shown in provenance and issues.
        """
        ...  # pragma: no cover - a protocol

    @property
    def version(self) -> str:
        """
        The enricher's version (letters, digits, ``_ . + -``), raised when it changes.

        Include the version of the data it reads, so a derived value names both.
        """
        ...  # pragma: no cover - a protocol

    @property
    def reads(self) -> tuple[str, ...]:
        """
        The fields it reads.
        """
        ...  # pragma: no cover - a protocol

    @property
    def fills(self) -> tuple[str, ...]:
        """
        The fields it may fill.
        """
        ...  # pragma: no cover - a protocol

    @property
    def offline(self) -> bool:
        """
        Whether it works without the network (``False``: used only when asked for).
        """
        ...  # pragma: no cover - a protocol

    def derive(self, values: Mapping[str, object]) -> Mapping[str, object]:
        """
        Field → derived value, from the normalized *values* of the fields it reads.
        """
        ...  # pragma: no cover - a protocol


def _listed(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise QualityError(
            f"reads is a list of field names, got {shorten(value)}", parameter="reads"
        )
    return tuple(value)


@attrs.frozen
class Derivation:
    """
    Where a derived value came from: the enricher, its version and the fields it read.

    Its `source` is the provenance source of the value; `Derivation.of` reads it back.

    Examples:
        >>> d = Derivation("phone", "1", ("phone",))
        >>> d.source
        'derived:phone@1:phone'
        >>> Derivation.of(d.source) == d, Derivation.of("web_form")
        (True, None)

    Args:
        enricher: the enricher's name.
        version: its version.
        reads: the fields it read.

    .. versionadded:: 0.2.0
    """

    enricher: str
    version: str
    reads: tuple[str, ...] = attrs.field(converter=_listed)

    def __attrs_post_init__(self) -> None:
        check_identity(self.enricher, self.version, self.reads, self.reads)

    @property
    def source(self) -> str:
        """
        The provenance source of a value so derived.
        """
        return f"{DERIVED_PREFIX}{self.enricher}@{self.version}:{','.join(self.reads)}"

    @classmethod
    def of(cls, provenance: Provenance | str | None) -> Derivation | None:
        """
        The derivation a provenance (or its source) records; ``None`` for an observed value.
        """
        source = provenance.source if isinstance(provenance, Provenance) else provenance
        if not isinstance(source, str) or not source.startswith(DERIVED_PREFIX):
            return None
        found = _SOURCE.fullmatch(source)
        if found is None:
            return None
        return cls(found["name"], found["version"], tuple(found["reads"].split(",")))


def is_derived(provenance: Provenance | None) -> bool:
    """
    Whether *provenance* marks a derived value.
    """
    return provenance is not None and provenance.source.startswith(DERIVED_PREFIX)


def check_identity(
    name: object, version: object, reads: Iterable[object], fills: Iterable[object]
) -> None:
    """
    Refuse an enricher name, version or field list that provenance cannot hold.

    Raises:
        QualityError: naming the part that is wrong.
    """
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise QualityError(
            "an enricher's name is letters, digits, '_', '.' or '-' (at most 80), "
            f"got {shorten(name)}",
            parameter="name",
        )
    if not isinstance(version, str) or _VERSION.fullmatch(version) is None:
        raise QualityError(
            f"enricher {name!r}: its version is letters, digits, '_', '.', '+' or '-' "
            f"(at most 80), got {shorten(version)}",
            parameter="version",
        )
    for what, fields in (("reads", reads), ("fills", fills)):
        listed = list(fields)
        if not listed:
            raise QualityError(f"enricher {name!r} {what} no field", parameter=what)
        for field in listed:
            if not isinstance(field, str) or _FIELD.fullmatch(field) is None:
                raise QualityError(
                    f"enricher {name!r}: {what} names fields (text without spaces, ',', ':' "
                    f"or '@'), got {shorten(field)}",
                    parameter=what,
                )


def installed_enrichers() -> tuple[str, ...]:
    """
    The names registered in the ``recordkit.enrichers`` entry-point group.

    .. versionadded:: 0.2.0
    """
    return installed(ENRICHERS_GROUP)


def enricher(name: str, **options: object) -> Enricher:
    """
    The enricher registered as *name* in ``recordkit.enrichers``, made with *options*.

    The entry point's object is called with *options* and must return an `Enricher`.
    Entry points are read when this is called, not at import.

    Raises:
        QualityError: no such enricher is installed, it failed to load, or it makes no
            `Enricher`.

    .. versionadded:: 0.2.0
    """
    made = load(ENRICHERS_GROUP, name, options, "enricher", Enricher)
    assert isinstance(made, Enricher)
    return made
