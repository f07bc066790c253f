"""
Bundled vocabularies: the standard CRM picklists with the synonyms people commonly write.

Each vocabulary is a data file in ``recordkit/schema/data/vocabularies/`` whose header
names where its values come from (Salesforce's and HubSpot's standard picklists,
LinkedIn's job functions and seniority levels) and the convention its synonyms follow.
`vocabulary` turns one into a `Picklist` for a field.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any, Final

import yaml

from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.schema._types_text import Picklist

__all__ = ["VOCABULARIES", "vocabulary"]

VOCABULARIES: Final[tuple[str, ...]] = (
    "industry",
    "job_function",
    "lead_source",
    "lead_status",
    "salutation",
    "seniority",
)
"""
The names of the bundled vocabularies, for `vocabulary`.

- ``industry``: what an organisation does (Salesforce's standard industries);
- ``job_function``: the kind of work a person does (LinkedIn's job functions);
- ``lead_source``: the channel a person first came through (HubSpot's original sources
  and Salesforce's lead sources; ad platforms and social networks as synonyms);
- ``lead_status``: where a lead stands in qualification (Salesforce's lead statuses);
- ``salutation``: the title a person is addressed by (Mr., Ms., Mrs., Miss, Mx., Dr.,
  Prof.);
- ``seniority``: a person's level (LinkedIn's seniority levels).

.. versionadded:: 0.2.0
"""


def vocabulary(name: str, *, restricted: bool = True) -> Picklist:
    """
    Return a bundled vocabulary as a picklist: its values and their common synonyms.

    Values are matched ignoring case, accents and punctuation, so synonyms list only the
    spellings that differ in letters (``FB Ads``, ``AdWords``, ``PPC``). A spelling that
    could mean two values is listed under neither, so it is flagged rather than guessed.

    Example:
        >>> from recordkit.rules import normalize_picklist
        >>> lead_source = vocabulary("lead_source")
        >>> [normalize_picklist(v, values=lead_source.values, synonyms=lead_source.synonyms)
        ...  for v in ("FB Ads", "adwords", "LinkedIn")]
        ['Paid Social', 'Paid Search', 'Organic Social']

    Args:
        name: one of `VOCABULARIES`.
        restricted: refuse values outside the list (``False`` keeps them, flagged).

    Raises:
        SchemaError: *name* is not a bundled vocabulary, or *restricted* is not a bool.

    .. versionadded:: 0.2.0
    """
    if not isinstance(name, str) or name not in VOCABULARIES:
        raise SchemaError(
            f"no bundled vocabulary named {shorten(name)}; one of {', '.join(VOCABULARIES)}",
            path="name",
            suggestions=close_matches(name, VOCABULARIES),
        )
    if not isinstance(restricted, bool):
        raise SchemaError(f"restricted must be true or false, got {shorten(restricted)}",
                          path="restricted")  # fmt: skip
    values, synonyms = _load(name)
    return Picklist(values=values, synonyms=synonyms, restricted=restricted)


@functools.cache
def _load(name: str) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    source = f"recordkit/schema/data/vocabularies/{name}.yaml"
    folder = resources.files("recordkit.schema").joinpath("data").joinpath("vocabularies")
    data: Any = yaml.safe_load(folder.joinpath(f"{name}.yaml").read_text("utf-8"))
    entries = data.get("values") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries or data.get("name") != name:
        raise SchemaError("a vocabulary file needs its name and its values", source=source)
    values: list[str] = []
    synonyms: list[tuple[str, tuple[str, ...]]] = []
    for value, spellings in entries.items():
        # YAML reads some bare words as other types (no → False): refuse them, never str().
        if not isinstance(value, str) or not isinstance(spellings, list):
            raise SchemaError(f"{shorten(value)} needs a list of synonyms", source=source)
        if not all(isinstance(s, str) for s in spellings):
            raise SchemaError(f"synonyms of {value!r} must all be text", source=source)
        values.append(value)
        synonyms.append((value, tuple(spellings)))
    return tuple(values), tuple(synonyms)
