"""
Comparisons: how a pair of prepared values becomes a level (exact, close, different…).

A `Comparison` is an ordered list of `Level` objects, the first that holds wins; the
general levels (`Exact`, `Similar`, `Within`) and the domain ones (nicknames, swapped
fields, date slips: `NameFamily`, `Swapped`, `DateSwap`, `DateWithin`, `Prefix`,
`NumberWithin`) all label themselves, which is what makes a score explainable. The library
(`email_comparison`, `phone_comparison`, `name_comparison`, `date_comparison`…) builds the
usual comparisons, and `comparator_from_dict` reads any of them, or a plugin's, from plain
data.

Modules: ``_levels``, ``_domain_levels``, ``_comparison`` (the `Comparator` protocol and
`Comparison`) and ``_library``. The names are public through `recordkit.match`.
"""

from recordkit.match.comparison._comparison import Comparator, Comparison
from recordkit.match.comparison._domain_levels import (
    DateSwap,
    DateWithin,
    NameFamily,
    NumberWithin,
    Prefix,
    Swapped,
    level_from_dict,
)
from recordkit.match.comparison._graded import Similar, Within
from recordkit.match.comparison._levels import Exact, Level
from recordkit.match.comparison._library import (
    address_comparison,
    comparator_from_dict,
    date_comparison,
    email_comparison,
    exact_comparison,
    first_name_comparison,
    installed_comparators,
    name_comparison,
    numeric_comparison,
    phone_comparison,
    postcode_comparison,
    text_comparison,
)

__all__ = [
    "Comparator",
    "Comparison",
    "DateSwap",
    "DateWithin",
    "Exact",
    "Level",
    "NameFamily",
    "NumberWithin",
    "Prefix",
    "Similar",
    "Swapped",
    "Within",
    "address_comparison",
    "comparator_from_dict",
    "date_comparison",
    "email_comparison",
    "exact_comparison",
    "first_name_comparison",
    "installed_comparators",
    "level_from_dict",
    "name_comparison",
    "numeric_comparison",
    "phone_comparison",
    "postcode_comparison",
    "text_comparison",
]
