"""
Storage: the `Store` port and its in-memory implementation.

Database adapters (the ``sql`` extra) implement the same port.
"""

from recordkit.store._base import Store
from recordkit.store._memory import MemoryStore

__all__ = ["MemoryStore", "Store"]
