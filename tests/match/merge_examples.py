"""
Named example objects shared by the merge and survivorship tests.

`PERSON` is a small schema with one field of each kind a merge treats differently (text,
email, a number, a multi-valued ``tags`` field); `TICKET` refers to persons, so re-pointing
has something to move. The strategies that draw persons live in `tests.strategies`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import attrs

import recordkit as rk


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
