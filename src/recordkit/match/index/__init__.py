"""
The point of entry: is this new record a duplicate, of which records, how sure, and why.

An `Index` holds a fitted matcher's prepared rows and blocking keys, answers a `Lookup`
with each `Match` explained, and keeps the entities stable as records are added
(`Added`), changed and removed. A `DuplicateCheck` reads an index and gives a `Verdict`
for a capture or an edit: none, flag, block (`DuplicateError`) or merge.

A `PersistentIndex` answers the same way with its rows in a store (`IndexRows`, from
`Store.index_rows`): written in the store's transaction, restart-safe and shared.

Modules: ``_index`` (the rows, the blocks, the lookups), ``_persistent`` (the same over
stored rows), ``_rows`` (the port a store implements), ``_entities`` (the match edges and
who is one entity), ``_lookup`` (what a lookup answers) and ``_screen`` (the check).
The names are public through `recordkit.match` (and `recordkit`).
"""

from recordkit.match.index._index import Index
from recordkit.match.index._lookup import Added, Lookup, Match
from recordkit.match.index._persistent import PersistentIndex
from recordkit.match.index._rows import IndexMismatch, IndexRow, IndexRows, fingerprint_of
from recordkit.match.index._screen import DuplicateCheck, DuplicateError, Verdict

__all__ = [
    "Added",
    "DuplicateCheck",
    "DuplicateError",
    "Index",
    "IndexMismatch",
    "IndexRow",
    "IndexRows",
    "Lookup",
    "Match",
    "PersistentIndex",
    "Verdict",
    "fingerprint_of",
]
