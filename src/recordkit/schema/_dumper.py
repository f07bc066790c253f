"""
The YAML dumper schemas are written with: text that would not load back as written is quoted.
"""

from __future__ import annotations

from typing import Final

import yaml

__all__ = ["Dumper"]

_BREAKS: Final = frozenset("\n\r\x85\u2028\u2029")


class Dumper(yaml.SafeDumper):
    """
    SafeDumper that double-quotes text with line breaks or unprintable characters.

    Plain and single-quoted YAML fold line breaks (NEL and LINE SEPARATOR included), so
    such text would not load back as written; double quotes escape them.
    """


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    quoted = not value.isprintable() or any(c in _BREAKS for c in value)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if quoted else None)


Dumper.add_representer(str, _represent_text)
