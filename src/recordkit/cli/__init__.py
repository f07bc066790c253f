"""
The ``recordkit`` command line: a thin shell over the library (extra ``cli``).

Commands: ``profile``, ``validate``, ``clean``, ``dedupe``, ``merge``, ``review``,
``report``, ``export``, ``erase`` and ``demo``. Results go to standard output (text tables,
or one JSON object with ``--format json``); messages, errors and progress bars to standard
error. Exit status: 0 nothing wrong found, 1 issues found, 2 usage or input error.

Run ``recordkit --help`` or ``python -m recordkit --help``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

__all__ = ["main"]

EXIT_PIPE = 141
"""Exit status when standard output was closed early (``| head``), as a shell reports SIGPIPE."""


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line; return the exit status.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Built on Typer with the subcommands above; exit statuses 0, 1 and 2.
    """
    try:
        import typer
    except ImportError:
        sys.stderr.write(
            "recordkit: the command line needs the 'cli' extra: pip install 'recordkit[cli]'\n"
        )
        return 2
    from recordkit._errors import RecordkitError
    from recordkit.cli._app import app

    args = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None:  # started with standard output closed: the results go nowhere
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    try:
        status = app(args=args, prog_name="recordkit", standalone_mode=False)
    except typer.Exit as done:
        status = done.exit_code
    except typer.TyperException as wrong:  # usage errors: shown as Typer shows them
        _show(wrong)
        status = getattr(wrong, "exit_code", 2)
    except typer.Abort:
        sys.stderr.write("recordkit: interrupted\n")
        status = 130
    except BrokenPipeError:
        return _closed_stdout()
    except (RecordkitError, OSError) as failure:
        sys.stderr.write(f"recordkit: error: {failure}\n")
        status = 2
    except KeyboardInterrupt:
        sys.stderr.write("recordkit: interrupted\n")
        status = 130
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _closed_stdout()
    return status if isinstance(status, int) else 0


def _show(error: Exception) -> None:
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(error)  # type: ignore[arg-type]
    except (ImportError, AttributeError):  # pragma: no cover - Typer without rich
        sys.stderr.write(f"recordkit: {error}\n")


def _closed_stdout() -> int:
    """
    The reader of standard output went away: stop quietly (no traceback at exit either).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_PIPE
