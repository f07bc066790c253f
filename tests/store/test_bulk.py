"""Bulk statements through the driver: same SQL, same parameters as SQLAlchemy would send."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recordkit import MemoryStore, Record
from recordkit.store.sql._bulk import executemany
from tests.store.conftest import SQL_BACKENDS
from tests.store.examples import LEAD, sql
from tests.store.strategies import lead_records

shared_store = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(params=SQL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestUpsertWritesEveryType:
    @shared_store
    @given(records=st.lists(lead_records(), min_size=1, max_size=4, unique_by=lambda r: r.id))
    def test_inserted_and_updated_records_come_back_exactly(
        self, store: Any, records: list[Record]
    ) -> None:
        """Dates, times, decimals, money, booleans, provenance: written in bulk, read back equal."""
        prefix = uuid.uuid4().hex[:8]
        records = [r.evolve(id=f"{prefix}-{r.id}") for r in records]
        reference = MemoryStore(schemas=[LEAD])
        later = [r.evolve(values=dict(reversed(list(r.values.items())))) for r in records]
        for batch in (records, later):
            assert reference.upsert_many(batch) == store.upsert_many(batch)
        ids = [r.id for r in records]
        assert reference.get_many(ids) == store.get_many(ids)


class TestExecutemany:
    def test_statements_it_cannot_take_go_through_sqlalchemy(self, store: Any) -> None:
        """A Python-side default is a bind the rows lack: SQLAlchemy fills it in."""
        engine = sql(store).engine
        assert engine is not None
        table = sa.Table(
            f"bulk_{uuid.uuid4().hex[:8]}",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("at", sa.DateTime(timezone=True)),
            sa.Column("tag", sa.String(8), default="dflt"),
        )
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        with engine.begin() as conn:
            table.create(conn)
            executemany(conn, table.insert(), [{"id": 1, "at": at}, {"id": 2, "at": at}])
            rows = conn.execute(sa.select(table.c.tag, table.c.at).order_by(table.c.id)).all()
            table.drop(conn)
        assert (["dflt", "dflt"], True) == (
            [r[0] for r in rows],
            all(r[1].replace(tzinfo=r[1].tzinfo or dt.UTC) == at for r in rows),
        )

    def test_update_rowcount_counts_the_rows_it_changed(self, store: Any) -> None:
        engine = sql(store).engine
        assert engine is not None
        table = sa.Table(
            f"bulk_{uuid.uuid4().hex[:8]}",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("doc", sa.JSON()),
        )
        update = table.update().where(table.c.id == sa.bindparam("b_id"))
        with engine.begin() as conn:
            table.create(conn)
            executemany(conn, table.insert(), [{"id": 1, "doc": {"a": [1]}}])
            rows = [{"b_id": 1, "doc": {"b": 2}}, {"b_id": 9, "doc": {}}]
            result = executemany(conn, update, rows)
            docs = conn.execute(sa.select(table.c.doc)).scalars().all()
            table.drop(conn)
        assert (1, [{"b": 2}]) == (result.rowcount, docs)


def test_a_connection_that_renames_schemas_goes_through_sqlalchemy(tmp_path: Path) -> None:
    """Rows land in the schema the connection's schema_translate_map names."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'main.db'}")
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"ATTACH DATABASE '{tmp_path / 'other.db'}' AS other")
            table.create(conn)  # main.t, which an untranslated INSERT INTO t would fill
            renamed = conn.execution_options(schema_translate_map={None: "other"})
            table.create(renamed)
            executemany(renamed, table.insert(), [{"id": 1}, {"id": 2}])
            conn.commit()
            counts = [
                conn.exec_driver_sql(f"SELECT count(*) FROM {schema}.t").scalar()
                for schema in ("other", "main")
            ]
    finally:
        engine.dispose()
    assert [2, 0] == counts
