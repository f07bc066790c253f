"""
The shape of plain data.

What `schema_to_dict`, `record_to_dict` and the other ``*_to_dict`` functions return, and
what their ``*_from_dict`` partners read.
"""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["JSONObject", "JSONValue"]

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
"""
A value JSON can hold: null, a boolean, a number, text, a list or an object of them.
"""

JSONObject: TypeAlias = dict[str, JSONValue]
"""
A JSON object: text keys, `JSONValue` values.
"""
