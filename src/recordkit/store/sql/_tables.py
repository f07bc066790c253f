"""
Tables derived from schemas, and the fixed tables every SQL store has.

Each schema gets one table (``rk_contact``): the record's shell in ``rk_*`` columns (id,
version, owner, state, stage, times), one typed column per field (a money field has two:
amount and ``<name>__currency``), JSON for provenance, extras and lifecycle history, and a
compact summary of the provenance (``rk_stamps``) for bulk upserts.
The audit trail (``rk_audit``) keeps each event's header in columns and its payload as
canonical JSON text, with the head of the chain and the log's identity in ``rk_audit_head``.
Identity keys, extra blocking keys, stage and state are indexed, so a point-of-entry
duplicate check is an index lookup. Fixed tables hold the audit trail, merge lineage,
consent, quarantine, persistent duplicate indexes (``rk_match_*``), health scores
(``rk_health``), the profiles of imports (``rk_profile``) and the suppression entries of
erased people (``rk_suppression``, keyed hashes only), and ``rk_schema`` remembers which
schema version each table was built from.
"""

from __future__ import annotations

import contextlib
import decimal
import hashlib
import json
import sqlite3
from collections.abc import Collection, Sequence
from typing import Any, Final

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from recordkit._errors import StoreError
from recordkit.schema import (
    Boolean,
    Date,
    DateTime,
    Decimal,
    FieldType,
    Integer,
    MoneyType,
    Schema,
)

__all__ = [
    "IDS_PER_SELECT",
    "FixedTables",
    "SchemaTable",
    "fixed_tables",
    "id_in",
    "schema_table",
]

MAX_NAME: Final = 63
"""
PostgreSQL's identifier limit; longer names would be truncated silently, so they are refused.
"""

SHELL: Final = (
    "rk_id",
    "rk_version",
    "rk_owner",
    "rk_state",
    "rk_stage",
    "rk_created_at",
    "rk_updated_at",
    "rk_provenance",
    "rk_extras",
    "rk_history",
    "rk_stamps",
)


class DecimalText(sa.types.TypeDecorator[decimal.Decimal]):
    """
    Exact decimals as text, for SQLite (whose NUMERIC would round them through floats).
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> decimal.Decimal | None:
        if value is None:
            return None
        return decimal.Decimal(str(value))


def _json() -> sa.types.TypeEngine[Any]:
    # PostgreSQL's json (kept as text), not jsonb: jsonb rewrites numbers (1e300 comes back
    # as a 301-digit integer) and refuses "\u0000", and records must come back exactly.
    return sa.JSON(none_as_null=True)  # None is SQL NULL, not the JSON text 'null'


def _decimal() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(asdecimal=True).with_variant(DecimalText(), "sqlite")


def column_type(field_type: FieldType) -> sa.types.TypeEngine[Any]:
    """
    The SQL type that holds values of *field_type* exactly.
    """
    if isinstance(field_type, DateTime):
        return sa.DateTime(timezone=True)
    if isinstance(field_type, Date):
        return sa.Date()
    if isinstance(field_type, Integer):
        return sa.BigInteger()
    if isinstance(field_type, Decimal | MoneyType):
        return _decimal()
    if isinstance(field_type, Boolean):
        return sa.Boolean()
    return sa.Text()


def _check_name(name: str, what: str) -> str:
    if len(name) > MAX_NAME:
        raise StoreError(
            f"{what} {name!r} is longer than {MAX_NAME} characters; "
            "use a shorter schema or field name, or a shorter table_prefix"
        )
    return name


def index_name(table: str, columns: Sequence[str]) -> str:
    """
    A deterministic index name within the identifier limit.
    """
    name = f"ix_{table}_{'_'.join(columns)}"
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]
    return f"{name[: MAX_NAME - 11]}_{digest}"


@attrs.frozen
class SchemaTable:
    """
    One schema's table and where each field lives in it.

    Attributes:
        schema: the record type.
        table: its SQLAlchemy table.
        columns: field name → its column names (one, or amount and currency for money).
    """

    schema: Schema
    table: sa.Table
    columns: dict[str, tuple[str, ...]]


def schema_table(
    schema: Schema,
    metadata: sa.MetaData,
    *,
    prefix: str,
    indexes: Sequence[Sequence[str]] = (),
    sealed: Collection[str] = (),
) -> SchemaTable:
    """
    Build the table for *schema* in *metadata*.

    Args:
        schema: the record type.
        metadata: where the table is declared.
        prefix: put before the schema name (``rk_``).
        indexes: extra indexed keys (blocking keys), each a list of field names.
        sealed: encrypted fields: their column holds sealed text, and a ``<field>__bidx``
            column their blind index, which the keys naming them (identity keys,
            *indexes*) index instead of the column.

    Raises:
        StoreError: a name is too long or collides with another column.
        SchemaError: an index names an unknown field.
    """
    name = _check_name(f"{prefix}{schema.name}", "table name")
    cols: list[sa.Column[Any]] = [
        sa.Column("rk_id", sa.String(255), primary_key=True),
        sa.Column("rk_version", sa.BigInteger, nullable=False),
        sa.Column("rk_owner", sa.Text),
        sa.Column("rk_state", sa.String(64), nullable=False),
        sa.Column("rk_stage", sa.String(64)),
        sa.Column("rk_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rk_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rk_provenance", _json(), nullable=False),
        sa.Column("rk_extras", _json()),
        sa.Column("rk_history", _json()),
        # Who observed which fields when, in brief (see _stamps); NULL: unknown.
        sa.Column("rk_stamps", sa.Text),
    ]
    taken = set(SHELL)
    where: dict[str, tuple[str, ...]] = {}
    indexed: dict[str, str] = {}
    for f in schema.fields:
        names = (f.name, f"{f.name}__currency") if isinstance(f.type, MoneyType) else (f.name,)
        index = (f"{f.name}__bidx",) if f.name in sealed else ()
        for col in (*names, *index):
            _check_name(col, f"column for field {f.name!r}")
            if col in taken or col.startswith("rk_"):
                raise StoreError(
                    f"field {f.name!r} of schema {schema.name!r} would need column {col!r}, "
                    "which is taken (names starting with 'rk_' are reserved)"
                )
            taken.add(col)
        cols.append(sa.Column(names[0], sa.Text() if index else column_type(f.type)))
        if len(names) == 2:
            cols.append(sa.Column(names[1], sa.String(3)))
        if index:
            cols.append(sa.Column(index[0], sa.String(32)))
        where[f.name] = names
        indexed[f.name] = index[0] if index else names[0]
    table = sa.Table(name, metadata, *cols)
    keys: list[tuple[str, ...]] = [("rk_stage",), ("rk_state",)]
    for key in (*schema.identity, *indexes):
        fields = [schema.field(n).name for n in ([key] if isinstance(key, str) else key)]
        keys.append(tuple(indexed[n] for n in fields))
    for key in dict.fromkeys(keys):
        sa.Index(index_name(name, key), *(table.c[c] for c in key))
    return SchemaTable(schema, table, where)


@attrs.frozen
class FixedTables:
    """
    The tables every SQL store has, whatever its schemas.
    """

    schemas: sa.Table
    audit: sa.Table
    audit_head: sa.Table
    lineage: sa.Table
    lineage_member: sa.Table
    consent: sa.Table
    quarantine: sa.Table
    suppression: sa.Table
    match_index: sa.Table
    match_row: sa.Table
    match_key: sa.Table
    match_link: sa.Table
    review: sa.Table
    health: sa.Table
    profile: sa.Table


def fixed_tables(metadata: sa.MetaData, *, prefix: str) -> FixedTables:
    """
    Declare the fixed tables in *metadata*.
    """
    ts = sa.DateTime(timezone=True)
    p = prefix
    return FixedTables(
        schemas=sa.Table(
            f"{p}schema",
            metadata,
            sa.Column("name", sa.String(63), primary_key=True),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("fingerprint", sa.String(64), nullable=False),
            sa.Column("definition", _json(), nullable=False),
        ),
        audit=sa.Table(
            f"{p}audit",
            metadata,
            sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("at", ts, nullable=False, index=True),
            sa.Column("actor", sa.Text, nullable=False, index=True),
            sa.Column("action", sa.String(64), nullable=False, index=True),
            sa.Column("schema", sa.String(63), nullable=False, index=True),
            sa.Column("record_ids", sa.JSON(), nullable=False),
            sa.Column("fields", sa.JSON(), nullable=False),
            # events before payload digests (0.1) keep their detail here; later ones hold
            # '{}' and keep detail and changes in payload
            sa.Column("detail", sa.JSON(), nullable=False),
            sa.Column("prev_hash", sa.String(64), nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
            # the payload's canonical JSON (NULL once redacted), its SHA-256, redacted or not
            sa.Column("payload", sa.Text),
            sa.Column("payload_digest", sa.String(64)),
            sa.Column("redacted", sa.Boolean),
        ),
        audit_head=sa.Table(
            f"{p}audit_head",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("seq", sa.BigInteger, nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
            sa.Column("log_id", sa.String(64)),  # the log's identity, made with it
        ),
        lineage=sa.Table(
            f"{p}lineage",
            metadata,
            sa.Column("id", sa.String(255), primary_key=True),
            sa.Column("schema", sa.String(63), nullable=False),
            sa.Column("survivor_id", sa.String(255), nullable=False, index=True),
            sa.Column("merged_ids", _json(), nullable=False),
            sa.Column("at", ts, nullable=False),
            sa.Column("actor", sa.Text, nullable=False),
            sa.Column("detail", _json(), nullable=False),
            sa.Column("undone_at", ts),
            sa.Column("undone_by", sa.Text),
        ),
        lineage_member=sa.Table(
            f"{p}lineage_member",
            metadata,
            sa.Column(
                "lineage_id", sa.String(255), sa.ForeignKey(f"{p}lineage.id"), primary_key=True
            ),
            sa.Column("record_id", sa.String(255), primary_key=True, index=True),
        ),
        consent=sa.Table(
            f"{p}consent",
            metadata,
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("record_id", sa.String(255), nullable=False, index=True),
            sa.Column("purpose", sa.String(255), nullable=False),
            sa.Column("granted", sa.Boolean, nullable=False),
            sa.Column("at", ts, nullable=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("actor", sa.Text, nullable=False),
            sa.Column("detail", _json(), nullable=False),
            # 0.2: the channel, the lawful basis and the expiry (NULL in 0.1 rows: any,
            # consent, never)
            sa.Column("channel", sa.String(255)),
            sa.Column("basis", sa.String(64)),
            sa.Column("expires_at", ts),
        ),
        quarantine=sa.Table(
            f"{p}quarantine",
            metadata,
            sa.Column("id", sa.String(255), primary_key=True),
            sa.Column("schema", sa.String(63), nullable=False, index=True),
            sa.Column("batch", sa.String(255), index=True),
            sa.Column("idx", sa.Integer),
            sa.Column("at", ts, nullable=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("row", _json(), nullable=False),
            sa.Column("reasons", _json(), nullable=False),
        ),
        # keyed hashes of erased people's identity values (never the values): one entry
        # per (schema, key, digest), the primary key being the index a lookup uses
        suppression=sa.Table(
            f"{p}suppression",
            metadata,
            sa.Column("schema", sa.String(63), primary_key=True),
            sa.Column("key", sa.String(255), primary_key=True),
            sa.Column("digest", sa.String(64), primary_key=True),
            sa.Column("at", ts, nullable=False),
            sa.Column("erasure", sa.String(255), nullable=False),
        ),
        # persistent duplicate indexes (`PersistentIndex`): the settings each was built
        # with, one row per record (prepared values, blocking keys, entity), the keys a
        # lookup reads (the primary key is its index) and the matches, both ways
        match_index=sa.Table(
            f"{p}match_index",
            metadata,
            sa.Column("name", sa.String(255), primary_key=True),
            sa.Column("fingerprint", sa.String(64), nullable=False),
            sa.Column("model", sa.Text),  # the model it scores with (JSON), once fitted
        ),
        match_row=sa.Table(
            f"{p}match_row",
            metadata,
            sa.Column("idx", sa.String(255), primary_key=True),
            sa.Column("record_id", sa.String(255), primary_key=True),
            sa.Column("vals", sa.Text, nullable=False),
            sa.Column("blocks", sa.Text, nullable=False),
            sa.Column("entity_id", sa.String(255)),
            sa.Index(f"ix_{p}match_row_entity", "idx", "entity_id"),
            sa.Index(f"ix_{p}match_row_record", "record_id"),
            sqlite_with_rowid=False,
        ),
        match_key=sa.Table(
            f"{p}match_key",
            metadata,
            sa.Column("idx", sa.String(255), primary_key=True),
            sa.Column("rule", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("key", sa.Text, primary_key=True),
            sa.Column("record_id", sa.String(255), primary_key=True),
            sqlite_with_rowid=False,
        ),
        match_link=sa.Table(
            f"{p}match_link",
            metadata,
            sa.Column("idx", sa.String(255), primary_key=True),
            sa.Column("a", sa.String(255), primary_key=True),
            sa.Column("b", sa.String(255), primary_key=True),
            sa.Column("weight", sa.Float, nullable=False),
            sqlite_with_rowid=False,
        ),
        # the review queue: suspected duplicates, open until accepted (merged) or rejected
        review=sa.Table(
            f"{p}review",
            metadata,
            sa.Column("id", sa.String(255), primary_key=True),
            sa.Column("schema", sa.String(63), nullable=False),
            sa.Column("record_id", sa.String(255), nullable=False, index=True),
            sa.Column("other_id", sa.String(255), nullable=False, index=True),
            sa.Column("probability", sa.Float, nullable=False),
            sa.Column("weight", sa.Float, nullable=False),
            sa.Column("explanation", _json(), nullable=False),
            sa.Column("at", ts, nullable=False),
            sa.Column("model", sa.String(255)),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("decided_at", ts),
            sa.Column("decided_by", sa.Text),
            sa.Column("note", sa.Text),
            sa.Index(f"ix_{p}review_queue", "schema", "status", "probability"),
        ),
        # each record's health score, written with the record: the score in a column
        # (ranked by the index), its breakdown by dimension as compact JSON
        health=sa.Table(
            f"{p}health",
            metadata,
            sa.Column("schema", sa.String(63), primary_key=True),
            sa.Column("record_id", sa.String(255), primary_key=True),
            sa.Column("score", sa.SmallInteger, nullable=False),
            sa.Column("model", sa.String(64), nullable=False),
            sa.Column("at", ts, nullable=False),
            sa.Column("breakdown", sa.Text, nullable=False),
            sa.Index(f"ix_{p}health_rank", "schema", "score", "record_id"),
            sa.Index(f"ix_{p}health_record", "record_id"),
            sqlite_with_rowid=False,
        ),
        # the profile of each import (Profile.to_dict as JSON), listed newest first
        profile=sa.Table(
            f"{p}profile",
            metadata,
            sa.Column("id", sa.String(255), primary_key=True),
            sa.Column("schema", sa.String(63), nullable=False),
            sa.Column("at", ts, nullable=False),
            sa.Column("source", sa.String(255), nullable=False),
            sa.Column("actor", sa.String(255), nullable=False),
            sa.Column("kind", sa.String(255), nullable=False),
            sa.Column("profile", _json(), nullable=False),
            sa.Index(f"ix_{p}profile_recent", "schema", "at"),
        ),
    )


IDS_PER_SELECT: Final = 5000
"""
Ids per `id_in` condition: below SQLite's and PostgreSQL's bound-parameter limits.
"""


def id_in(column: sa.ColumnElement[Any], ids: Sequence[str], dialect: str) -> Any:
    """
    ``column IN (ids)``, with the ids as one parameter where the database allows.

    On PostgreSQL ``column = ANY(:ids)`` (one array); on SQLite ``column IN (SELECT value
    FROM json_each(:ids))`` (one JSON list). The statement's text is then the same for any
    number of ids, so it is compiled once and prepared once, where thousands of parameters
    would be written out, bound and planned on every call.
    """
    if dialect == "postgresql":
        array = sa.bindparam(None, list(ids), type_=postgresql.ARRAY(sa.String))
        return column == sa.any_(array)
    if dialect == "sqlite" and _SQLITE_JSON:
        listed = sa.bindparam(None, json.dumps(list(ids)), type_=sa.Text)
        each = sa.func.json_each(listed).table_valued("value")
        return column.in_(sa.select(each.c.value).scalar_subquery())
    return column.in_(list(ids))


def _sqlite_json() -> bool:
    """
    Whether the SQLite library has its JSON functions (built in since 3.38, most builds before).
    """
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as probe:
            probe.execute("SELECT value FROM json_each('[1]')").fetchall()
    except sqlite3.Error:
        return False
    return True


_SQLITE_JSON: Final = _sqlite_json()
