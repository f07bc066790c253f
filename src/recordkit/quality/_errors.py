"""
The error of the quality measures, and the check that an optional library is installed.
"""

from __future__ import annotations

import importlib
from typing import Any

from recordkit._errors import RecordkitError

__all__ = ["QualityError", "optional_module"]


class QualityError(RecordkitError, ValueError):
    """
    A quality measure was asked for with arguments it cannot use, or needs a missing extra.

    Attributes:
        parameter: the parameter (or the library) the message is about.

    .. versionadded:: 0.2.0
    """

    def __init__(self, message: str, *, parameter: str = "") -> None:
        self.parameter = parameter
        super().__init__(message)


_EXTRA = "quality"


def optional_module(name: str, purpose: str) -> Any:
    """
    Import the optional library *name*, or raise a `QualityError` with the install hint.
    """
    try:
        return importlib.import_module(name)
    except ImportError:
        raise QualityError(
            f"{purpose} needs the {name!r} package; install it with: "
            f"pip install 'recordkit[{_EXTRA}]'",
            parameter=name,
        ) from None
