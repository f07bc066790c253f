"""
The shipped prior m/u figures, one set per comparison kind, and the model built from them.

A default matcher scores from its first record with these figures; once there is data
enough it is fitted on it (see `RefitPolicy`). The figures are plain data in
``recordkit/match/data/priors.json``, written by ``scripts/derive_priors.py`` from
generated, labelled contacts with a fixed seed: per kind and level, ``m`` is the share of
true duplicate pairs at that level and ``u`` the share of random non-duplicate pairs,
"missing" left out; ``prior`` is the share of duplicates among all pairs of records.

Each *kind* says how a column is prepared and compared (`kind_comparison`), so the
default matcher and the derivation compare the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, Final

from recordkit._errors import SchemaError, shorten
from recordkit._suggest import close_matches
from recordkit.match._model import FellegiSunter
from recordkit.match._prepare import Prep
from recordkit.match.comparison import (
    Comparator,
    Comparison,
    address_comparison,
    date_comparison,
    email_comparison,
    first_name_comparison,
    name_comparison,
    phone_comparison,
    postcode_comparison,
    text_comparison,
)

__all__ = ["KINDS", "kind_comparison", "level_shape", "load_priors", "prior_model"]

KINDS: Final = (
    "email",
    "phone",
    "birth_date",
    "given_name",
    "given_name_alone",
    "family_name",
    "full_name",
    "postcode",
    "street",
    "city",
    "company",
)
"""
The comparison kinds with shipped figures. ``given_name`` is a first name compared with a
family name beside it (so a swapped pair is a level); ``given_name_alone`` has none.
"""

_RESOURCE: Final = "data/priors.json"


def kind_comparison(
    kind: str,
    column: str,
    *,
    family_name: str | None = None,
    region: str | None = None,
    region_from: str | None = None,
) -> tuple[Comparison, Prep]:
    """
    How a column of comparison kind *kind* is compared and prepared.

    *family_name* is the family-name column a ``given_name`` is checked against for swaps;
    *region* and *region_from* are a phone's fallback region and country column.

    Raises:
        SchemaError: an unknown kind.
    """
    if kind == "email":
        return email_comparison(column), Prep("email")
    if kind == "phone":
        return phone_comparison(column), Prep("phone", region=region, region_from=region_from)
    if kind == "birth_date":
        return date_comparison(column), Prep("date")
    if kind == "given_name":
        return first_name_comparison(column, last=family_name), Prep("name")
    if kind == "given_name_alone":
        return first_name_comparison(column, last=None), Prep("name")
    if kind in ("family_name", "full_name"):
        return name_comparison(column), Prep("name")
    if kind == "postcode":
        return postcode_comparison(column), Prep("postcode")
    if kind == "street":
        return address_comparison(column), Prep("name")
    if kind in ("city", "company"):
        return text_comparison(column, term_frequency=True), Prep("name")
    raise SchemaError(
        f"unknown comparison kind {shorten(kind)}", suggestions=close_matches(kind, KINDS)
    )


def level_shape(comparison: Comparison | Mapping[str, Any]) -> list[dict[str, Any]]:
    """
    A comparison's levels as plain data, without the other columns they name.

    Two comparisons of one kind on other columns (a first name swapped with ``surname``
    or with ``last_name``) have the same shape, so they share the kind's figures.
    """
    data = comparison.to_dict() if isinstance(comparison, Comparison) else comparison
    levels = data.get("levels", ()) if isinstance(data, Mapping) else ()
    if not isinstance(levels, list | tuple):
        return []
    return [
        {k: v for k, v in lv.items() if k != "other"} if isinstance(lv, Mapping) else {}
        for lv in levels
    ]


def load_priors() -> dict[str, Any]:
    """
    The shipped figures (``priors.json``), checked to hold every kind.

    Raises:
        SchemaError: the file is missing a part or is not what the derivation writes.
    """
    where = f"recordkit/match/{_RESOURCE}"
    try:
        text = resources.files("recordkit.match").joinpath(_RESOURCE).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        reason = f"cannot read the shipped priors: {shorten(exc, 200)}"
        raise SchemaError(reason, source=where) from None
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
        raise SchemaError("the shipped priors have no 'kinds'", source=where)
    missing = [k for k in KINDS if k not in data["kinds"]]
    if missing or not isinstance(data.get("version"), str):
        raise SchemaError(f"the shipped priors lack {missing or 'a version'}", source=where)
    return data


def prior_model(kinds: Mapping[str, str], comparisons: Sequence[Comparator]) -> FellegiSunter:
    """
    The prior `FellegiSunter` for *comparisons*, each read with the figures of its kind.

    Args:
        kinds: comparison name → kind (one of `KINDS`).
        comparisons: the comparisons, each with the levels its kind's figures describe.

    Raises:
        SchemaError: a comparison without a kind, or with other levels than its kind's.
    """
    data = load_priors()
    m: dict[str, Sequence[float]] = {}
    u: dict[str, Sequence[float]] = {}
    for c in comparisons:
        kind = kinds.get(c.name)
        if kind not in data["kinds"]:
            raise SchemaError(f"comparison {c.name!r} has no prior figures (kind {kind!r})")
        entry = data["kinds"][kind]
        if not isinstance(c, Comparison) or level_shape(c) != level_shape(entry["comparison"]):
            raise SchemaError(
                f"comparison {c.name!r} has levels {list(c.labels)}; the {kind} priors "
                f"describe {entry['labels']}"
            )
        m[c.name], u[c.name] = entry["m"], entry["u"]
    return FellegiSunter(float(data["prior"]), m, u, version=str(data["version"]))
