"""
Hypothesis strategies and named example objects shared by the merge and survivorship tests.

`PERSON` is a small schema with one field of each kind a merge treats differently (text,
email, a number, a multi-valued ``tags`` field); `TICKET` refers to persons, so re-pointing
has something to move.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import attrs
from hypothesis import strategies as st

import recordkit as rk
from recordkit.match import Survive, SurvivorshipStrategy


@attrs.frozen
class Tags(rk.FieldType):
    """
    A multi-valued field: distinct labels, held as a tuple in the order given.
    """

    kind: ClassVar[str] = "tags"
    multi_valued: ClassVar[bool] = True

    def _coerce(self, value: object) -> Any:
        if isinstance(value, str):
            items = [t.strip() for t in value.split(";")]
        elif isinstance(value, list | tuple):
            items = [str(t).strip() for t in value]
        else:
            raise TypeError(f"expected labels, got {type(value).__name__}")
        return tuple(dict.fromkeys(t for t in items if t)) or None

    def dump(self, value: Any) -> Any:
        return None if value is None else list(value)


PERSON = rk.Schema(
    "person",
    [
        rk.Field("name", rk.Text()),
        rk.Field("email", rk.Email()),
        rk.Field("city", rk.Text()),
        rk.Field("score", rk.Integer()),
        rk.Field("tags", Tags()),
        rk.Field("manager_id", rk.Reference("person")),
        rk.Field("owner", rk.Text()),
    ],
    owner_field="owner",
    extensions={"matching": {"survivorship": {"tags": "keep_all"}}},
)

PERSON_FLAT = rk.Schema(
    "person",
    [f for f in PERSON.fields if f.name != "tags"],
    owner_field="owner",
)
"""
`PERSON` without its multi-valued field, for stores that keep one value per column.
"""

TICKET = rk.Schema(
    "ticket",
    [rk.Field("title", rk.Text()), rk.Field("person_id", rk.Reference("person"))],
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SOURCES = ("crm", "web", "import", "support")


def at(days: float) -> dt.datetime:
    """
    *days* after `T0`.
    """
    return T0 + dt.timedelta(days=days)


def person(
    record_id: str,
    values: dict[str, Any],
    *,
    source: str = "crm",
    seen: float = 0,
    created: float = 0,
    state: str = "captured",
) -> rk.Record:
    """
    A person record whose every value came from *source*, observed *seen* days after T0.
    """
    typed = {k: PERSON.field(k).coerce(v) for k, v in values.items()}
    return rk.Record(
        record_id,
        "person",
        typed,
        provenance={k: rk.Provenance(source, at(seen), v) for k, v in values.items()},
        created_at=at(created),
        updated_at=at(max(seen, created)),
        state=state,
    )


simple_strategies: st.SearchStrategy[SurvivorshipStrategy] = st.sampled_from(
    [
        Survive.most_recent(),
        Survive.oldest(),
        Survive.most_complete(),
        Survive.longest(),
        Survive.survivor_first(),
        Survive.greatest(),
        Survive.least(),
    ]
)


def survivorship_strategies() -> st.SearchStrategy[SurvivorshipStrategy]:
    """
    Any built-in strategy, nested through ``then``.
    """
    return st.recursive(
        simple_strategies,
        lambda inner: st.one_of(
            st.builds(
                Survive.trusted_sources,
                st.lists(st.sampled_from(SOURCES), min_size=1, max_size=4, unique=True),
                then=inner,
            ),
            st.builds(Survive.validated_only, then=inner),
            st.builds(Survive.most_frequent, then=inner),
            st.builds(Survive.greatest, then=inner),
        ),
        max_leaves=3,
    )


cell_values: dict[str, st.SearchStrategy[Any]] = {
    "name": st.sampled_from(["Ada", "Ada Lovelace", "A. Lovelace", "ADA"]),
    "email": st.sampled_from(["ada@example.com", "ada.l@example.org", "al@example.net"]),
    "city": st.sampled_from(["London", "Paris", "london"]),
    "score": st.integers(0, 100),
    "tags": st.lists(st.sampled_from(["vip", "b2b", "lead", "churn"]), min_size=1, max_size=3),
    "owner": st.sampled_from(["rep-1", "rep-2"]),
}


@st.composite
def person_rows(draw: st.DrawFn) -> tuple[dict[str, Any], str, float]:
    """
    Raw values for one person (any field may be missing), a source and an observed time.
    """
    values = {
        name: draw(strategy)
        for name, strategy in cell_values.items()
        if draw(st.booleans())
    }
    return values, draw(st.sampled_from(SOURCES)), draw(st.integers(0, 5))


@st.composite
def person_groups(draw: st.DrawFn, min_size: int = 2, max_size: int = 4) -> list[rk.Record]:
    """
    Two to four distinct live person records, with values, sources and times that often tie.
    """
    rows = draw(st.lists(person_rows(), min_size=min_size, max_size=max_size))
    return [
        person(f"p{i}", values, source=source, seen=seen, created=draw(st.integers(0, 3)))
        for i, (values, source, seen) in enumerate(rows)
    ]


merge_policies: st.SearchStrategy[rk.MergePolicy] = st.builds(
    lambda default, fields, survivor: rk.MergePolicy(
        default=default, fields={"tags": Survive.keep_all(), **fields}, survivor=survivor
    ),
    survivorship_strategies(),
    st.dictionaries(st.sampled_from(["name", "email", "city", "score"]),
                    survivorship_strategies(), max_size=3),
    st.sampled_from(["oldest", "newest", "most_complete"]),
)
"""
Policies whose result does not depend on the order of the ids.
"""
