"""Wrong arguments are refused with the right RecordkitError, naming the parameter."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import pytest

import recordkit as rk
from recordkit import lifecycle as rl
from recordkit import rules as rr
from recordkit import store as rs

CONTACT = rk.bundled_schema("contact")
T0 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
RECORD = rk.Record("c1", "contact", {}, created_at=T0)
MACHINE = rk.Machine(rk.bundled_lifecycle("governance"), CONTACT)
LIFECYCLE = rk.bundled_lifecycle("governance")


def bad(value: object) -> Any:
    """*value*, typed as anything: the point of each case is that it is the wrong type."""
    return value


def _memory() -> rk.MemoryStore:
    return rk.MemoryStore(schemas=[CONTACT])


CASES: list[Any] = [
    # governance
    pytest.param(lambda: rk.Actor(""), rk.ValidationError, "Actor.id", id="actor-blank"),
    pytest.param(lambda: rk.Actor(bad(5)), rk.ValidationError, "Actor.id", id="actor-int"),
    pytest.param(lambda: rk.Actor("a", roles=[1]), rk.ValidationError, "roles", id="roles-int"),
    pytest.param(lambda: rk.Actor("a", roles=None), rk.ValidationError, "roles",
                 id="roles-none"),
    pytest.param(lambda: rk.Action("delete"), rk.SchemaError, "action", id="action-unknown"),
    # rules
    pytest.param(lambda: rk.Severity(bad(None)), rk.SchemaError, "severity", id="severity-none"),
    pytest.param(lambda: rk.EnforcementMode(bad(3)), rk.SchemaError, "mode", id="mode-int"),
    pytest.param(lambda: rk.Validators.required(severity="fatal"), rk.SchemaError, "severity",
                 id="check-severity"),
    pytest.param(
        lambda: rk.Validators.pattern("[a-"), rk.SchemaError, "compile", id="regex-broken"
    ),
    pytest.param(lambda: rk.Validators.pattern("x" * 1_048_576), rk.SchemaError, "regex",
                 id="regex-megabyte"),
    pytest.param(lambda: rk.Validators.pattern("a", flags=True), rk.SchemaError, "flags",
                 id="regex-flags-bool"),
    pytest.param(lambda: rk.Validators.pattern("a", flags=2**70), rk.SchemaError, "flags",
                 id="regex-flags-huge"),
    pytest.param(
        lambda: rk.Validators.one_of(bad(None)), rk.SchemaError, "values", id="one-of-none"
    ),
    pytest.param(lambda: rk.Validators.phone(types="mobile"), rk.SchemaError, "types",
                 id="phone-types-text"),
    pytest.param(lambda: rk.Validators.length(max=-1), rk.SchemaError, "max", id="length-negative"),
    pytest.param(lambda: rk.Normalizers.case(bad(None)), rk.SchemaError, "style", id="case-style"),
    pytest.param(lambda: rk.Normalizers.picklist(["a"], synonyms="abc"), rk.SchemaError,
                 "synonyms", id="picklist-synonyms"),
    pytest.param(lambda: rr.normalize_picklist("a", values=["a"], fuzzy=-1), rk.SchemaError,
                 "fuzzy", id="picklist-fuzzy"),
    pytest.param(lambda: rk.when(bad(None), rk.Validators.required()), rk.SchemaError, "condition",
                 id="when-condition"),
    pytest.param(lambda: rk.where("email", matches="("), rk.SchemaError, "compile",
                 id="where-regex"),
    pytest.param(lambda: rk.validator(len, id="v", uses=bad(None)), rk.SchemaError, "uses",
                 id="validator-uses"),
    pytest.param(lambda: rk.normalizer(len, id="n", version=2**70), rk.SchemaError, "version",
                 id="normalizer-version"),
    pytest.param(lambda: rr.compile_rule("required", path=bad(None)), rk.SchemaError, "path",
                 id="compile-path"),
    pytest.param(lambda: rk.RuleSet.for_schema(bad(None)), rk.SchemaError, "schema",
                 id="ruleset-schema"),
    pytest.param(lambda: rk.RuleSet.for_schema(CONTACT).run(bad(None)), rk.ValidationError,
                 "mapping", id="ruleset-run"),
    pytest.param(lambda: rr.run_batch(rk.RuleSet.for_schema(CONTACT), [], chunk_size=2**70),
                 rk.RecordkitError, "chunk_size", id="run-batch-chunk-size"),
    pytest.param(lambda: rr.run_batch(rk.RuleSet.for_schema(CONTACT), "/dev/zero"),
                 rk.RecordkitError, "regular file", id="run-batch-device"),
    # lifecycle
    pytest.param(lambda: MACHINE.current(bad(None)), rk.TransitionError, "Record",
                 id="machine-record"),
    pytest.param(lambda: MACHINE.due(RECORD, bad(None)), rk.TransitionError, "datetime",
                 id="machine-due-now"),
    pytest.param(lambda: LIFECYCLE.edges_from(bad(decimal.Decimal("sNaN"))), rk.SchemaError,
                 "state name", id="lifecycle-edges-snan"),
    pytest.param(lambda: rk.Timer("a", "b", 2**70), rk.SchemaError, "after", id="timer-huge"),
    pytest.param(lambda: rk.Timer("a", "b", float("nan")), rk.SchemaError, "after",
                 id="timer-nan"),
    pytest.param(lambda: rk.on_enter(bad(None), print), rk.SchemaError, "state", id="hook-state"),
    pytest.param(lambda: rl.HookKind("later"), rk.SchemaError, "hook kind", id="hook-kind"),
    pytest.param(lambda: rk.load_lifecycle("/dev/zero"), rk.SchemaError, "regular file",
                 id="load-lifecycle-device"),
    pytest.param(lambda: rk.lifecycle_to_dict(bad(None)), rk.SchemaError, "Lifecycle",
                 id="lifecycle-to-dict"),
    # schema and records
    pytest.param(lambda: rk.Record(bad(5), "contact", {}, created_at=T0), rk.ValidationError,
                 "Record.id", id="record-id"),
    pytest.param(lambda: rk.Record("r", "contact", {}, created_at="2024"), rk.ValidationError,
                 "created_at", id="record-created-at"),
    pytest.param(lambda: rk.Record("r", "contact", {}, created_at=T0, version=2**70),
                 rk.ValidationError, "version", id="record-version"),
    pytest.param(lambda: rk.Provenance("form", "2024-01-01"), rk.ValidationError,
                 "observed_at", id="provenance-observed-at"),
    pytest.param(lambda: rk.Money(decimal.Decimal("NaN"), "EUR"), rk.ValidationError,
                 "amount", id="money-nan"),
    pytest.param(lambda: rk.Schema("s", [rk.Field("a", rk.Text())], version=2**70),
                 rk.SchemaError, "version", id="schema-version"),
    pytest.param(lambda: rk.field(rk.Text(), tags=bad(None)), rk.SchemaError, "tags",
                 id="field-tags"),
    pytest.param(lambda: rk.dump_schema(CONTACT, format=bad("xml")), rk.SchemaError, "format",
                 id="dump-format"),
    pytest.param(lambda: rk.record_to_dict(RECORD, bad(None)), rk.SchemaError, "schema",
                 id="record-to-dict"),
    pytest.param(lambda: RECORD.get(bad(["email"])), rk.ValidationError, "name", id="record-get"),
    # engines and stores
    pytest.param(lambda: rk.Columns.from_rows(bad(None)), rk.RecordkitError, "rows",
                 id="columns-rows"),
    pytest.param(lambda: rk.Columns({"a": [1]}, 2), rk.RecordkitError, "column",
                 id="columns-length"),
    pytest.param(lambda: _memory().query("contact", limit=bad("10")), rk.StoreError, "limit",
                 id="query-limit-text"),
    pytest.param(lambda: _memory().query("contact", where=bad(5)), rk.StoreError, "where",
                 id="query-where"),
    pytest.param(lambda: _memory().query(bad(None)), rk.StoreError, "schema", id="query-schema"),
    pytest.param(lambda: _memory().scan("contact", batch_size=0), rk.StoreError, "batch_size",
                 id="scan-batch-size"),
    pytest.param(lambda: rs.SQLStore("sqlite://", timeout=bad("10")), rk.StoreError, "timeout",
                 id="sqlstore-timeout"),
    pytest.param(lambda: rs.SQLStore("sqlite://", schemas=bad(None)), rk.StoreError, "schemas",
                 id="sqlstore-schemas"),
    pytest.param(lambda: rs.SQLStore("sqlite://", indexes=bad("email")), rk.StoreError, "indexes",
                 id="sqlstore-indexes"),
]


@pytest.mark.parametrize(("call", "error", "named"), CASES)
def test_wrong_arguments_are_named(
    call: Callable[[], object], error: type[rk.RecordkitError], named: str
) -> None:
    """The error is a RecordkitError of the documented kind, saying what was wrong."""
    with pytest.raises(error) as info:
        call()
    assert named.lower() in str(info.value).lower()
    assert len(str(info.value)) < 1_000
