"""
The batch road: columnar chunks and pure steps over them, run in-process by default.
"""

from recordkit.engines._columns import Columns, chunks

__all__ = ["Columns", "chunks"]
