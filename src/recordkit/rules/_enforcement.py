"""
Enforcement: what an error does, per channel (capture, update, batch).
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from recordkit._errors import SchemaError, shorten

__all__ = ["Enforcement", "EnforcementMode"]


class EnforcementMode(enum.StrEnum):
    """
    What happens to a record whose rules found errors.

    ``block`` refuses it (a `ValidationError` carrying the issues; a batch stops at the
    chunk with the first error). ``quarantine`` holds it back with its issues and carries
    on (on a single record this is the same as ``block``). ``warn`` stores it anyway (a
    refused value is stored as empty; provenance keeps what was given) and reports the
    issues.

    .. versionadded:: 0.1.0
    """

    BLOCK = "block"
    QUARANTINE = "quarantine"
    WARN = "warn"

    @classmethod
    def _missing_(cls, value: object) -> EnforcementMode:
        raise SchemaError(
            f"an enforcement mode is 'block', 'quarantine' or 'warn', got {shorten(value)}"
        )


def _mode(value: Any) -> EnforcementMode:
    if not isinstance(value, str):  # enforcement modes are text too
        raise SchemaError(
            f"an enforcement mode is 'block', 'quarantine' or 'warn', got {shorten(value)}"
        )
    return EnforcementMode(value)


@attrs.frozen
class Enforcement:
    """
    The enforcement mode of each channel.

    By default a capture or an update with errors is blocked, and a batch import
    quarantines its rows with errors.

    Examples:
        >>> Enforcement(batch="warn").batch
        <EnforcementMode.WARN: 'warn'>

    .. versionadded:: 0.1.0
    """

    capture: EnforcementMode = attrs.field(
        default=EnforcementMode.BLOCK, converter=_mode, kw_only=True
    )
    update: EnforcementMode = attrs.field(
        default=EnforcementMode.BLOCK, converter=_mode, kw_only=True
    )
    batch: EnforcementMode = attrs.field(
        default=EnforcementMode.QUARANTINE, converter=_mode, kw_only=True
    )

    def mode(self, channel: str, override: EnforcementMode | str | None = None) -> EnforcementMode:
        """
        The mode for *channel* (``capture``, ``update``, ``batch``), or *override* if given.
        """
        if override is not None:
            return _mode(override)
        return EnforcementMode(getattr(self, channel))
