"""
The error of the reports, and the check that the charting library is installed.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from recordkit._errors import RecordkitError

__all__ = ["ReportError", "charting"]

_EXTRA = "report"


class ReportError(RecordkitError, ValueError):
    """
    A report was asked for with arguments it cannot use, or needs a missing extra.

    Attributes:
        parameter: the parameter (or the library) the message is about.

    .. versionadded:: 0.2.0
    """

    def __init__(self, message: str, *, parameter: str = "") -> None:
        self.parameter = parameter
        super().__init__(message)


def charting() -> tuple[ModuleType, ModuleType]:
    """
    Altair and vl-convert, or a `ReportError` naming the ``report`` extra.
    """
    found = []
    for name in ("altair", "vl_convert"):
        try:
            found.append(importlib.import_module(name))
        except ImportError:
            package = "vl-convert-python" if name == "vl_convert" else name
            raise ReportError(
                f"HTML reports need the {package!r} package; install it with: "
                f"pip install 'recordkit[{_EXTRA}]'",
                parameter=package,
            ) from None
    return found[0], found[1]
