"""
The rule engine: normalize messy values to standard ones and say what is wrong with the rest.

The normalizer functions (`normalize_phone`, `normalize_email`, `normalize_country`…) are
plain functions of one value that never raise; the matcher calls them on columns too.
"""

from recordkit.rules._contact import normalize_email, normalize_phone, normalize_url, parse_phone
from recordkit.rules._places import (
    country_code,
    normalize_country,
    normalize_subdivision,
    subdivision_code,
)
from recordkit.rules._text import clean_text, fold_key, normalize_case, normalize_name
from recordkit.rules._values import (
    normalize_boolean,
    normalize_date,
    normalize_money,
    normalize_picklist,
    picklist_table,
)

__all__ = [
    "clean_text",
    "country_code",
    "fold_key",
    "normalize_boolean",
    "normalize_case",
    "normalize_country",
    "normalize_date",
    "normalize_email",
    "normalize_money",
    "normalize_name",
    "normalize_phone",
    "normalize_picklist",
    "normalize_subdivision",
    "normalize_url",
    "parse_phone",
    "picklist_table",
    "subdivision_code",
]
