"""
The ``recordkit`` command line: a thin shell over the library.

Commands:
    demo: load the bundled messy contact CSV into a SQLite file through a `Steward` and
        print what happened (stored, quarantined and why, fill rates, what normalization
        changed, duplicates).

Run ``recordkit --help`` or ``python -m recordkit --help``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recordkit", description="Customer-record governance you embed in your application."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="capture the bundled messy contacts into SQLite and summarise"
    )
    demo.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite file to create (default: recordkit-demo.db in the temp folder, replaced)",
    )
    demo.add_argument(
        "--csv", type=Path, default=None, help="contacts CSV to load (default: the bundled one)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the command line; return the exit status.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    .. versionadded:: 0.1.0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from recordkit.cli._demo import demo

        return demo(db=args.db, csv_path=args.csv, out=sys.stdout)
    parser.print_help()
    return 2
