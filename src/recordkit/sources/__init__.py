"""
Sources: files as people have them, read into rows for a batch.

`CsvSource` reads delimited text (CSV, ``;``- or tab-separated): it honours a byte-order
mark, detects the encoding (charset-normalizer, the ``import`` extra) and the delimiter,
matches headers to fields, applies a policy to unknown columns, streams in bounded memory,
and yields the rows it cannot read as `UnreadableRow` for the batch to quarantine.
`CsvLayout` says what a reading chose. This package sits at the bottom of the layers: it
knows nothing of schemas or rules, only field names.
"""

from recordkit.sources._csv import CsvSource
from recordkit.sources._errors import SourceError
from recordkit.sources._rows import CsvLayout, CsvRow, UnreadableRow

__all__ = ["CsvLayout", "CsvRow", "CsvSource", "SourceError", "UnreadableRow"]
