"""
Comparisons: how a pair of prepared values becomes a level (exact, close, different…).

A `Comparison` is an ordered list of `Level` objects, the first that holds wins; the
general levels (`Exact`, `Similar`, `Within`) and the domain ones (nicknames, swapped
fields, date slips: `NameFamily`, `Swapped`, `DateSwap`, `DateWithin`, `Prefix`,
`NumberWithin`) all label themselves, which is what makes a score explainable. The library
(`email`, `phone`, `name`, `date`…) builds the usual comparisons, and
`comparator_from_dict` reads any of them, or a plugin's, from plain data.

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
from recordkit.match.comparison._levels import Exact, Level, Similar, Within
from recordkit.match.comparison._library import (
    address,
    comparator_from_dict,
    date,
    email,
    exact,
    first_name,
    installed_comparators,
    name,
    numeric,
    phone,
    postcode,
    text,
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
    "address",
    "comparator_from_dict",
    "date",
    "email",
    "exact",
    "first_name",
    "installed_comparators",
    "level_from_dict",
    "name",
    "numeric",
    "phone",
    "postcode",
    "text",
]
