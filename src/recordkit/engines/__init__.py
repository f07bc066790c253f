"""
The batch road: columnar chunks and pure steps over them, run in-process by default.
"""

from recordkit.engines._columns import CellError, Columns, chunks, coerce_columns

__all__ = ["CellError", "Columns", "chunks", "coerce_columns"]
