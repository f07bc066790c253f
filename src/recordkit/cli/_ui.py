"""
How the commands talk: results to standard output, messages and progress to standard error.

Progress bars are drawn on standard error only when it is a terminal (and not ``--quiet``),
so pipes and log files get the results alone. ``--format json`` writes one JSON object to
standard output instead of the tables.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import IO, BinaryIO, Literal, cast

import attrs
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

__all__ = ["EXIT_CLEAN", "EXIT_FOUND", "EXIT_USAGE", "Format", "Ui"]

Format = Literal["text", "json"]

EXIT_CLEAN = 0
"""Exit status: the work was done and found nothing wrong."""
EXIT_FOUND = 1
"""Exit status: the work was done and found issues (rejected rows, duplicates)."""
EXIT_USAGE = 2
"""Exit status: the command was used wrongly or its input could not be read."""


@attrs.define
class Ui:
    """
    The consoles and switches every command shares.
    """

    format: Format = "text"
    quiet: bool = False
    out: Console = attrs.field(factory=lambda: Console(file=sys.stdout, soft_wrap=True))
    err: Console = attrs.field(factory=lambda: Console(file=sys.stderr))

    @property
    def text(self) -> bool:
        """Whether results are shown as text (not JSON)."""
        return self.format == "text"

    def say(self, message: str) -> None:
        """A line of the text result (nothing under ``--format json``)."""
        if self.text:
            self.out.print(message, highlight=False)

    def note(self, message: str) -> None:
        """A message for the person at the terminal, on standard error, unless quiet."""
        if not self.quiet:
            self.err.print(message, highlight=False)

    def table(self, title: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
        """A table of the text result (nothing under ``--format json`` or with no rows)."""
        if not self.text or not rows:
            return
        table = Table(title=title, title_justify="left", show_edge=False)
        for i, name in enumerate(columns):
            table.add_column(name, justify="right" if i and _numeric(rows, i) else "left")
        for row in rows:
            table.add_row(*(str(v) for v in row))
        self.out.print(table)

    def json(self, data: object) -> None:
        """The JSON result (only under ``--format json``)."""
        if not self.text:
            sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    @contextlib.contextmanager
    def progress(self, label: str) -> Iterator[Callable[[IO[bytes], int], IO[bytes]] | None]:
        """
        A file wrapper that draws a progress bar as the file is read (``None`` if not shown).
        """
        if self.quiet or not self.err.is_terminal:
            yield None
            return
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.err,
            transient=True,
        )
        with bar:

            def wrap(file: IO[bytes], size: int) -> IO[bytes]:
                return bar.wrap_file(cast(BinaryIO, file), total=size, description=label)

            yield wrap

    @contextlib.contextmanager
    def working(self, label: str) -> Iterator[None]:
        """A spinner on standard error while a step without a known length runs."""
        if self.quiet or not self.err.is_terminal:
            yield
            return
        with self.err.status(label):
            yield


def _numeric(rows: list[tuple[object, ...]], column: int) -> bool:
    return all(isinstance(r[column], int | float) for r in rows)
