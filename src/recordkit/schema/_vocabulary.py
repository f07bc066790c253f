"""
Bundled vocabularies: the standard CRM picklists with the synonyms people commonly write.

Each vocabulary is a data file in ``recordkit/schema/data/vocabularies/`` whose header
names where its values come from (Salesforce's and HubSpot's standard picklists,
LinkedIn's job functions and seniority levels) and the convention its synonyms follow.
`vocabulary` turns one into a `Picklist` for a field.
"""

from __future__ import annotations

from typing import Final

from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.schema._types_text import Picklist
from recordkit.schema._vocabulary_files import read_vocabulary

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

    Examples:
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
    values, synonyms = read_vocabulary(name)
    return Picklist(values=values, synonyms=synonyms, restricted=restricted)
