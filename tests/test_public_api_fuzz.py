"""
Every public callable, fed hostile values, returns or raises a RecordkitError, and quickly.

The callables are those ``recordkit.__all__`` and the subpackages' ``__all__`` export
(functions, constructors, static and class methods), plus the public methods of instances
that are cheap to build (a `Steward` over the bundled contact schema, its `MemoryStore`, a
`SQLStore` on in-memory SQLite, a `RuleSet`, matchers, lifecycles, normalizers…). Each gets
hostile values in one parameter at a time (the others valid) and in all of them at once. A
bare TypeError, ValueError, AttributeError, OverflowError or RecursionError escaping, or a
call taking more than `SLOW` seconds, fails the test.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import enum
import functools
import importlib
import inspect
import io
import itertools
import math
import os
import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recordkit as rk
from recordkit import lifecycle as rl
from recordkit import match as rm
from recordkit import quality as rq
from recordkit import report as rp
from recordkit import rules as rr
from recordkit import store as rs
from tests.match.strategies import rules_matcher

SLOW = 5.0
"""
Seconds any one call may take, whatever it is given.
"""

MODULES = (
    "recordkit",
    "recordkit.schema",
    "recordkit.rules",
    "recordkit.match",
    "recordkit.lifecycle",
    "recordkit.governance",
    "recordkit.store",
    "recordkit.sources",
    "recordkit.quality",
    "recordkit.report",
)

EXAMPLES = 50 if os.environ.get("CI") == "true" else 10

# -- hostile values ---------------------------------------------------------------------


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


MEGABYTE = "x" * 1_048_576

HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**70, -(2**70), -1, 0, 2**63, -(2**63) - 1, 10**100]),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0]),
    st.decimals(),
    st.sampled_from(
        [
            decimal.Decimal("1e999999"),
            decimal.Decimal("-1e999999"),
            decimal.Decimal("1e-999999"),
            decimal.Decimal("NaN"),
            decimal.Decimal("-Infinity"),
        ]
    ),
    st.text(max_size=12),
    st.sampled_from(
        [
            MEGABYTE,
            "",
            " ",
            "nul\x00byte",
            "\ud800lone surrogate",
            "\u202eevil\u202c",
            "\u2066isolated\u2069",
            "\x1b[31mred\x1b[0m",
            "\x85\x9bc1 controls",
            "1e999999",
            "-1",
        ]
    ),
    st.binary(max_size=16),
    st.lists(st.integers() | st.text(max_size=3), max_size=3),
    st.dictionaries(st.integers(), st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.none() | st.integers() | st.text(max_size=4),
                    max_size=3),
    st.just(_nested(50)),
    st.builds(object),
    st.datetimes(),
    st.dates(),
)
"""
None, numbers at every extreme, odd text (1 MB, NUL, lone surrogates, bidi and ANSI
controls), bytes, containers (int keys, 50 levels deep), bare objects, naive datetimes.
"""

# -- what may be exempt -----------------------------------------------------------------

_ERRORS = (
    "AccessDenied", "BlockingError", "CoercionError", "ConflictError", "DuplicateError",
    "MergeError", "NotFound", "RecordkitError", "SchemaError", "StoreError", "TransitionError",
    "UnmergeConflict", "ValidationError", "SourceError", "QualityError",
)  # fmt: skip
_ABSTRACT = (
    "AccessPolicy", "AuditLog", "Comparator", "CompiledRules", "Enricher", "Engine", "Guard",
    "HealthDimension", "Normalizer", "PartialResult", "Store", "SurvivorshipStrategy",
    "Validator",
)  # fmt: skip
_COMPILED = ("Factored", "FieldPlan", "Gathered", "Prepared", "Step")
"""
What recordkit compiles from checked settings (a rule set's field plans, a matcher's
prepared columns): public because public signatures name them, read rather than built.
"""
EXEMPT: dict[str, str] = {
    # The error classes are raised by recordkit with values it has checked; calling one is
    # building an exception, not handing data to the library.
    **dict.fromkeys(_ERRORS, "an error class"),
    # Protocols and abstract bases: Python refuses to instantiate them, by design.
    **dict.fromkeys(_ABSTRACT, "a protocol or abstract base"),
    **dict.fromkeys(_COMPILED, "compiled by recordkit from checked settings"),
    # Formats whatever it is given into a message: accepting anything is its job.
    "shorten": "renders any value",
    # Write or read the file system at the path given: garbage paths would make files.
    "Report.write_json": "writes a file at the path given",
    "Report.write_html": "writes a file at the path given",
    "Report.read_json": "reads a file at the path given",
    # A valid call starts a Java virtual machine (the Spark tests cover its arguments).
    "SparkEngine": "starts a JVM",
}
"""
Callables that legitimately take anything, with the reason.
"""


# -- valid values -----------------------------------------------------------------------

T0 = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
       "phone": "+12125550100"}
GRACE = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
         "phone": "+12125550199"}


@functools.cache
def _schema() -> rk.Schema:
    return rk.bundled_schema("contact")


@functools.cache
def _ruleset() -> rk.RuleSet:
    return rk.RuleSet.for_schema(_schema())


@functools.cache
def _lifecycle() -> rk.Lifecycle:
    return rk.bundled_lifecycle("governance")


@functools.cache
def _stages() -> rk.Lifecycle:
    return rk.bundled_lifecycle("business")


@functools.cache
def _matcher() -> rk.Matcher:
    return rules_matcher()


@functools.cache
def _sql_store() -> Any:
    # One in-memory database for the whole module: opening one takes a while. Each world
    # writes its own record ids, so the examples do not step on each other.
    return rk.SQLStore("sqlite://", schemas=[_schema()])


_ids = itertools.count()


def _review(review_id: str) -> rs.Review:
    return rs.Review(review_id, "contact", "a", "b", 0.5, 1.0, {"terms": []}, T0)


class World:
    """
    Valid objects for one example, built on first use (so a target pays only for its own).
    """

    schema = property(lambda self: _schema())
    rules = property(lambda self: _ruleset())
    lifecycle = property(lambda self: _lifecycle())
    matcher = property(lambda self: _matcher())
    sql_store = property(lambda self: _sql_store())
    actor = rk.Actor("tester", roles={"steward"})
    at = T0

    @functools.cached_property
    def steward(self) -> rk.Steward:
        # a duplicate check kept in the store (flags only), so the index verbs have one
        check = rk.DuplicateCheck(rules_matcher(schema="contact"))
        return rk.Steward(
            self.schema, lifecycle=_lifecycle(), stages=_stages(), rules=_ruleset(), matcher=check
        )

    @functools.cached_property
    def review(self) -> rs.Review:
        review = _review(f"rv-{next(_ids)}")
        self.store.put_reviews([review])
        return review

    @functools.cached_property
    def sql_review(self) -> rs.Review:
        review = _review(f"rv-{next(_ids)}")
        self.sql_store.put_reviews([review])
        return review

    @functools.cached_property
    def flagged(self) -> str:
        """An open review of the world's steward (its record captured again)."""
        self.record  # noqa: B018 - captured once before
        self.steward.capture(dict(ADA), source="again")
        return self.steward.reviews()[0].id

    @functools.cached_property
    def record(self) -> rk.Record:
        return self.steward.capture(ADA, source="fuzz")

    @functools.cached_property
    def other(self) -> rk.Record:
        return self.steward.capture(GRACE, source="fuzz")

    @functools.cached_property
    def store(self) -> rk.MemoryStore:
        self.record  # noqa: B018 - the store holds a record
        return self.steward.store  # type: ignore[return-value]

    @functools.cached_property
    def sql_record(self) -> rk.Record:
        record = rk.Record(f"sql-{next(_ids)}", "contact", {"first_name": "Ada"},
                           created_at=T0)
        self.sql_store.put(record, expected_version=None)
        return record

    @functools.cached_property
    def merge(self) -> rk.Merge:
        return self.steward.merge([self.record.id, self.other.id])

    @functools.cached_property
    def plan(self) -> rk.MergePlan:
        return rm.plan_merge(self.schema, [self.record, self.other], merge_id="m1", at=T0)

    @functools.cached_property
    def machine(self) -> rk.Machine:
        return rk.Machine(_lifecycle(), self.schema)

    @functools.cached_property
    def lifecycles(self) -> rk.Lifecycles:
        return rk.Lifecycles(self.schema, lifecycle=_lifecycle(), stages=_stages())

    @functools.cached_property
    def index(self) -> rk.Index:
        index = rk.Index(self.matcher)
        index.add(ADA, id="c1")
        return index

    @functools.cached_property
    def duplicate_check(self) -> rk.DuplicateCheck:
        return rk.DuplicateCheck(self.index)

    @functools.cached_property
    def audit(self) -> rk.MemoryAuditLog:
        log = rk.MemoryAuditLog()
        log.append(at=T0, actor="tester", action="create", schema="contact", record_ids=["c1"])
        return log

    @functools.cached_property
    def prepared(self) -> Any:
        prepared = self.matcher.prepared([ADA, GRACE], ids=["c1", "c2"])
        self.matcher.candidates(prepared)  # fit_prepared reads the pairs it noted
        return prepared

    @functools.cached_property
    def pairs(self) -> tuple[Any, Any]:
        return np.array([0], dtype=np.int64), np.array([1], dtype=np.int64)

    @functools.cached_property
    def levels(self) -> Any:
        return self.matcher.compare(self.prepared, *self.pairs)

    @functools.cached_property
    def scored(self) -> Any:
        return self.matcher.score(self.prepared, *self.pairs, self.levels)

    @functools.cached_property
    def lineage(self) -> rs.Lineage:
        return rs.Lineage(f"l-{next(_ids)}", "contact", self.record.id, [self.other.id], T0,
                          "tester")

    @functools.cached_property
    def memory_lineage(self) -> rs.Lineage:
        self.store.put_merge(self.lineage, [])
        return self.lineage

    @functools.cached_property
    def sql_lineage(self) -> rs.Lineage:
        lineage = rs.Lineage(f"l-{next(_ids)}", "contact", self.sql_record.id, ["gone"], T0,
                             "tester")
        self.sql_store.put_merge(lineage, [])
        return lineage

    @functools.cached_property
    def consent(self) -> rs.ConsentEntry:
        return rs.ConsentEntry(self.record.id, "email_marketing", True, T0, "form", "tester")

    @functools.cached_property
    def quarantine(self) -> rs.QuarantineEntry:
        return rs.QuarantineEntry(f"q-{next(_ids)}", "contact", T0, "import", {"email": "x"},
                                  [("email", "not an address")])

    @functools.cached_property
    def transition(self) -> rk.Transition:
        return rk.Transition("state", "captured", "normalized", T0, "tester")

    @functools.cached_property
    def lookup(self) -> Any:
        return self.index.lookup(ADA)

    @functools.cached_property
    def verdict(self) -> Any:
        return self.duplicate_check.screen(GRACE)

    @functools.cached_property
    def explanation(self) -> Any:
        return self.matcher.explain(ADA, GRACE)


def _noop(*_: Any, **__: Any) -> None:
    return None


# A valid value for a parameter, by its name. Each takes the world and the parameter's
# annotation (text), which tells apart a schema object from a schema name.
ByName = Callable[[World, str], Any]
VALID: dict[str, ByName] = {
    "schema": lambda w, a: w.schema if "Schema" in a or a == "Any" else "contact",
    "schemas": lambda w, a: [w.schema],
    "name": lambda w, a: "first_name",
    "field": lambda w, a: w.schema.field("email") if a == "Field" else "email",
    "fields": lambda w, a: ("email",) if a == "str" else None,
    "type": lambda w, a: rk.Text(),
    "record": lambda w, a: w.record if a == "Record" else dict(ADA),
    "records": lambda w, a: [w.record, w.other],
    "record_id": lambda w, a: w.record.id,
    "record_ids": lambda w, a: [w.record.id, w.other.id],
    "raw": lambda w, a: dict(ADA) if "Mapping" in a else "Ada",
    "rows": lambda w, a: [dict(ADA), dict(GRACE)],
    "source": lambda w, a: "fuzz",
    "actor": lambda w, a: w.actor if a == "Actor" else "tester",
    "at": lambda w, a: T0,
    "now": lambda w, a: T0,
    "observed_at": lambda w, a: T0,
    "changes": lambda w, a: {"first_name": "Augusta"},
    "values": lambda w, a: dict(ADA) if "Mapping" in a else ("a", "b"),
    "value": lambda w, a: "Ada",
    "rules": lambda w, a: w.rules,
    "rule": lambda w, a: rr.Validators.required(),
    "ruleset": lambda w, a: w.rules,
    "data": lambda w, a: [dict(ADA), dict(GRACE)],
    "text": lambda w, a: rk.dump_schema(w.schema),
    "path": lambda w, a: "guards",
    "spec": lambda w, a: {"use": "check.required"},
    "lifecycle": lambda w, a: w.lifecycle,
    "to": lambda w, a: "normalized",
    "state": lambda w, a: "active",
    "stage": lambda w, a: "lead",
    "attribute": lambda w, a: "state",
    "event": lambda w, a: "normalize",
    "fn": lambda w, a: _noop,
    "function": lambda w, a: _noop,
    "condition": lambda w, a: _noop,
    "id": lambda w, a: "some_id",
    "merge_id": lambda w, a: w.merge.id,
    "lineage_id": lambda w, a: w.lineage.id,
    "lineage": lambda w, a: w.lineage,
    "writes": lambda w, a: [],
    "entry": lambda w, a: w.consent,
    "entries": lambda w, a: [w.quarantine],
    "entry_ids": lambda w, a: [w.quarantine.id],
    "expected_version": lambda w, a: 1,
    "matcher": lambda w, a: w.matcher,
    "prepared": lambda w, a: w.prepared,
    "left": lambda w, a: w.pairs[0] if a == "Ints" else dict(ADA),
    "right": lambda w, a: w.pairs[1] if a == "Ints" else dict(GRACE),
    "levels": lambda w, a: w.levels,
    "scored": lambda w, a: w.scored,
    "k": lambda w, a: 0,
    "column": lambda w, a: "email",
    "keys": lambda w, a: ("email",),
    "plan": lambda w, a: w.plan,
    "merge": lambda w, a: w.plan,
    "verdict": lambda w, a: w.verdict,
    "index": lambda w, a: w.index,
    "guards": lambda w, a: rl.requires_fields("email"),
    "hooks": lambda w, a: rl.on_enter("active", _noop),
    "tag": lambda w, a: "pii",
    "style": lambda w, a: "title",
    "regex": lambda w, a: "^[a-z]+$",
    "sources": lambda w, a: ("fuzz",),
    "size": lambda w, a: 2,
    "length": lambda w, a: 2,
    "columns": lambda w, a: {"first_name": ["Ada", "Grace"]},
    "current": lambda w, a: {w.record.id: w.record, w.other.id: w.other},
    "references": lambda w, a: {},
    "groups": lambda w, a: [["a", "b"], ["c"]],
    "weight": lambda w, a: 1.5,
    "address": lambda w, a: "ada@example.com",
    "function_name": lambda w, a: "x",
    "last": lambda w, a: None,
    "on": lambda w, a: "state",
    "url": lambda w, a: "sqlite://",
    "bind": lambda w, a: "sqlite://",
    "enabled": lambda w, a: True,
    "message": lambda w, a: "is wrong",
    "reason": lambda w, a: "a reason",
    "code": lambda w, a: "some.code",
    "comparisons": lambda w, a: [rm.email_comparison("email")],
    "blocking": lambda w, a: [rm.block_on("email")],
    "weights": lambda w, a: {"email": {"exact": 5.0, "different": -2.0}},
    "when": lambda w, a: {"email": "exact"},
    "m": lambda w, a: {"email": (0.9, 0.1)},
    "u": lambda w, a: {"email": (0.01, 0.99)},
    "prior": lambda w, a: 0.01,
    "states": lambda w, a: [rk.State("open"), rk.State("done", final=True)],
    "edges": lambda w, a: [rk.Edge("open", "done")],
    "target": lambda w, a: "done",
    "after": lambda w, a: 30,
    "kind": lambda w, a: "enter",
    "context": lambda w, a: (),
    # the parts of result objects
    "assignment": lambda w, a: w.index.clusters(),
    "report": lambda w, a: rm.BlockingReport(()),
    "survivor": lambda w, a: w.record,
    "tombstones": lambda w, a: [w.other],
    "originals": lambda w, a: [w.record, w.other],
    "row_numbers": lambda w, a: [0],
    "quarantine": lambda w, a: [],
    "located": lambda w, a: [],
    "by_rule": lambda w, a: {},
    "stats": lambda w, a: {},
    "row": lambda w, a: 0 if a == "int" else dict(ADA),
    "issues": lambda w, a: (),
    "before": lambda w, a: (),
    "old_version": lambda w, a: 1,
    "new_version": lambda w, a: 2,
    "checked": lambda w, a: 0,
    "now_failing": lambda w, a: [],
    "now_passing": lambda w, a: [],
    "changed": lambda w, a: [],
    "updated": lambda w, a: [],
    "applied": lambda w, a: False,
    "errors": lambda w, a: 0 if a == "int" else (),
    "warnings": lambda w, a: 0,
    "infos": lambda w, a: 0,
    "entity_id": lambda w, a: "e1",
    "lookup": lambda w, a: w.lookup,
    "clusters": lambda w, a: [rm.Cluster("e1", ["c1"])],
    "ids": lambda w, a: ["c1"],
    "labels": lambda w, a: np.array([0], dtype=np.int64),
    "rank": lambda w, a: 0,
    "completeness": lambda w, a: 1,
    "kept": lambda w, a: "e1",
    "absorbed": lambda w, a: ["e2"],
    "into": lambda w, a: ["e1", "e2"],
    "merged": lambda w, a: "x",
    "resolution": lambda w, a: "kept",
    "iterations": lambda w, a: 1,
    "probability": lambda w, a: 0.5,
    "explanation": lambda w, a: w.explanation,
    "old": lambda w, a: "c1" if a == "str" else w.rules,
    "new": lambda w, a: "c2" if a == "str" else w.rules,
    "provenance": lambda w, a: None,
    "version": lambda w, a: 1,
    "pairs": lambda w, a: 0,
    "new_pairs": lambda w, a: None,
    "largest_block": lambda w, a: 0,
    "match": lambda w, a: np.array([True]),
    "action": lambda w, a: "create",
    "comparison": lambda w, a: "email",
    "level": lambda w, a: "exact",
    "level_index": lambda w, a: 0,
    "label": lambda w, a: "a label",
    "nodes": lambda w, a: (),
    "arrows": lambda w, a: (),
    "transition": lambda w, a: w.transition,
    "default": lambda w, a: None,
    "threshold": lambda w, a: 0.5,
    "picks": lambda w, a: {},
    "callback": lambda w, a: _noop,
}

# Where the name alone does not say what is valid: target label → parameter → value.
OVERRIDES: dict[str, dict[str, Callable[[World], Any]]] = {
    "sources.CsvSource": {"file": lambda w: io.BytesIO(b"email;first_name\na@b.io;Ada\n")},
    "CsvSource": {"file": lambda w: io.BytesIO(b"email;first_name\na@b.io;Ada\n")},
    "sources.CsvLayout": {
        "source": lambda w: "a.csv", "encoding": lambda w: "utf-8",
        "encoding_from": lambda w: "detected", "delimiter": lambda w: ";",
        "delimiter_from": lambda w: "detected", "header": lambda w: ("email",),
        "header_line": lambda w: 1, "columns": lambda w: {"email": "email"},
        "ignored": lambda w: (), "extras": lambda w: ()},
    "sources.CsvRow": {"line": lambda w: 2, "values": lambda w: {"email": "a@b.io"}},
    "sources.UnreadableRow": {"line": lambda w: 2, "reason": lambda w: "ragged",
                              "raw": lambda w: "a;b;c"},
    "schema.vocabulary": {"name": lambda w: "lead_source"},
    "match.CurvePoint": {"threshold": lambda w: 0.9, "precision": lambda w: 1.0,
                         "recall": lambda w: 0.5, "f1": lambda w: 0.6},
    "match.PairCounts": {"true_positives": lambda w: 1, "false_positives": lambda w: 0,
                         "false_negatives": lambda w: 1},
    "match.Evaluation": {"clusters": lambda w: rm.PairCounts(1, 0, 1),
                         "links": lambda w: rm.PairCounts(1, 0, 1),
                         "curve": lambda w: (rm.CurvePoint(0.9, 1.0, 0.5, 0.6),),
                         "threshold": lambda w: 0.9, "true_pairs": lambda w: 2,
                         "labelled": lambda w: 3},
    "Matcher.evaluate": {"data": lambda w: [dict(ADA), dict(GRACE)],
                         "ids": lambda w: ["a", "g"],
                         "truth": lambda w: {"a": "ada", "g": "grace"}},
    "match.IndexRow": {"record_id": lambda w: "c1", "values": lambda w: {"email": "a@b.co"},
                       "keys": lambda w: [(0, "a@b.co")]},
    "match.PersistentIndex": {"matcher": lambda w: w.matcher,
                              "rows": lambda w: rk.MemoryStore().index_rows("fuzz")},
    "DuplicateCheck.bind": {"rows": lambda w: rk.MemoryStore().index_rows("fuzz")},
    "Index.present": {"record_ids": lambda w: ["c1", "c2"]},
    "Schema.with_role": {"role": lambda w: "email"},
    "MemoryAuditLog.append_many": {"entries": lambda w: [rk.AuditEntry(T0, "a", "create",
                                                                       "contact", ["c1"])]},
    "AuditEntry": {"at": lambda w: T0, "actor": lambda w: "a", "action": lambda w: "create",
                   "schema": lambda w: "contact", "record_ids": lambda w: ["c1"]},
    "Index.screen_batch": {"records": lambda w: [{**ADA, "id": f"n-{next(_ids)}"}]},
    "store.Review": {"id": lambda w: "rv-x", "schema": lambda w: "contact",
                     "record_id": lambda w: "a", "other_id": lambda w: "b",
                     "probability": lambda w: 0.5, "weight": lambda w: 1.0,
                     "explanation": lambda w: {"terms": []}, "at": lambda w: T0,
                     "status": lambda w: "open", "decided_at": lambda w: None,
                     "decided_by": lambda w: None, "note": lambda w: None,
                     "model": lambda w: None},
    "MemoryStore.put_reviews": {"reviews": lambda w: [_review(f"rv-{next(_ids)}")]},
    "SQLStore.put_reviews": {"reviews": lambda w: [_review(f"rv-{next(_ids)}")]},
    "MemoryStore.review": {"review_id": lambda w: w.review.id},
    "SQLStore.review": {"review_id": lambda w: w.sql_review.id},
    "Steward.accept": {"review_id": lambda w: w.flagged},
    "Steward.reject": {"review_id": lambda w: w.flagged},
    "match.learn_from_decisions": {"matcher": lambda w: rm.Matcher.for_schema(w.schema),
                                   "decisions": lambda w: [(dict(ADA), dict(GRACE), False)],
                                   "strength": lambda w: 20.0},
    "RefitPolicy.due": {"matcher": lambda w: w.matcher, "records": lambda w: 10},
    "Index.lookup_many": {"records": lambda w: [dict(ADA)]},
    "Index.add_many": {"records": lambda w: [{**ADA, "id": f"n-{next(_ids)}"}]},
    "DuplicateCheck.screen_many": {"records": lambda w: [w.record]},
    "Steward.advance": {"to": lambda w: "normalized"},
    "Steward.became": {"stage": lambda w: "lead"},
    "Steward.revalidate": {"rules": lambda w: w.rules},
    "Steward.apply_variants": {"field": lambda w: "city", "clusters": lambda w: []},
    "Steward.find_variants": {"field": lambda w: "city"},
    "Steward.sweep": {"now": lambda w: T0 + dt.timedelta(days=400)},
    "Steward.update": {"expected_version": lambda w: w.record.version},
    "Steward.erase": {"subject": lambda w: w.steward.capture(dict(ADA), source="form").id},
    "Steward.export_subject": {"subject": lambda w: w.record.id},
    "Steward.consent": {"purpose": lambda w: "email_marketing"},
    "Steward.set_access": {"access": lambda w: rk.AllowAll()},
    "Consent": {"purpose": lambda w: "news", "channel": lambda w: "any",
                "status": lambda w: "granted"},
    "Steward.record_consent": {"purpose": lambda w: "email_marketing",
                               "granted": lambda w: True},
    "ErasureReceipt": {"erasure": lambda w: "e1", "record_ids": lambda w: ["c1"],
                       "erased": lambda w: rs.Erased(), "suppressed": lambda w: 0,
                       "reason": lambda w: "request"},
    "MemoryStore.put": {"record": lambda w: w.record.evolve(version=2),
                        "expected_version": lambda w: 1},
    "MemoryStore.delete": {"expected_version": lambda w: w.record.version},
    "MemoryStore.put_many": {"records": lambda w: [rk.Record(f"n-{next(_ids)}", "contact", {},
                                                             created_at=T0)]},
    "SQLStore.put": {"record": lambda w: w.sql_record.evolve(version=2),
                     "expected_version": lambda w: 1},
    "SQLStore.delete": {"record_id": lambda w: w.sql_record.id,
                        "expected_version": lambda w: 1},
    "SQLStore.get": {"record_id": lambda w: w.sql_record.id},
    "SQLStore.get_many": {"record_ids": lambda w: [w.sql_record.id]},
    "SQLStore.put_many": {"records": lambda w: [rk.Record(f"n-{next(_ids)}", "contact", {},
                                                          created_at=T0)]},
    "SQLStore.upsert_many": {"records": lambda w: [w.sql_record]},
    "SQLStore.register": {"schema": lambda w: w.schema},
    "SQLStore.using": {"bind": lambda w: w.sql_store.engine.connect()},
    "SQLStore.table": {"schema": lambda w: "contact"},
    "Record.get": {"name": lambda w: "first_name"},
    "Record.from_dict": {"data": lambda w: w.record.to_dict(w.schema)},
    "Record.from_json": {"text": lambda w: w.record.to_json(w.schema)},
    "Record.many": {"schema": lambda w: "contact", "rows": lambda w: [("m1", {"email": "a@b.co"})],
                    "created_at": lambda w: T0},
    "Lifecycle.state": {"name": lambda w: "active"},
    "Lifecycle.rank": {"name": lambda w: "active"},
    "Lifecycle.edge": {"source": lambda w: "captured", "target": lambda w: "normalized"},
    "Lifecycle.edges_from": {"source": lambda w: "captured"},
    "Lifecycle.timers_from": {"source": lambda w: "active"},
    "Lifecycle.with_guards": {"state": lambda w: "active"},
    "Lifecycles.attribute_for": {"name": lambda w: "active"},
    "Lifecycles.sweep_time": {"now": lambda w: T0},
    "Machine.check": {"to": lambda w: "normalized"},
    "Machine.move": {"to": lambda w: "normalized"},
    "Machine.send": {"event": lambda w: "normalize"},
    "Index.entity_of": {"record_id": lambda w: "c1"},
    "Index.remove": {"record_id": lambda w: "c1"},
    "Index.values": {"column": lambda w: "email"},
    "DuplicateCheck.screen_change": {"record": lambda w: w.record},
    "MemoryAuditLog.append": {"record_ids": lambda w: ["c1"], "fields": lambda w: ("email",)},
    "MemoryAuditLog.events": {"record_id": lambda w: "c1"},
    "MemoryAuditLog.checkpoint": {"key": lambda w: b"k" * 32},
    "governance.Checkpoint": {"log_id": lambda w: "log1", "seq": lambda w: 0,
                              "hash": lambda w: "0" * 64, "mac": lambda w: "a" * 64},
    "governance.VerifyReport": {"ok": lambda w: True},
    "store.conditions": {"where": lambda w: {"email": "a@b.co"}},
    "governance.Retention": {"erase_after": lambda w: "730d"},
    "governance.Retention.from_data": {"data": lambda w: {"name": "stale", "erase_after": "730d"}},
    "governance.RetentionReport": {"dry_run": lambda w: True},
    "governance.replay": {"events": lambda w: [], "record_id": lambda w: "c1"},
    "store.Suppression": {"key": lambda w: "email", "digest": lambda w: "a" * 64,
                          "erasure": lambda w: "erasure-1"},
    "MemoryStore.put_suppressions": {"entries": lambda w: [
        rs.Suppression("contact", "email", "a" * 64, T0, "erasure-1")]},
    "MemoryStore.suppressed": {"key": lambda w: "email", "digest": lambda w: "a" * 64},
    "MemoryStore.suppressions": {"key": lambda w: "email", "digests": lambda w: ["a" * 64]},
    "SQLStore.put_suppressions": {"entries": lambda w: [
        rs.Suppression("contact", "email", "a" * 64, T0, "erasure-1")]},
    "SQLStore.suppressed": {"key": lambda w: "email", "digest": lambda w: "a" * 64},
    "SQLStore.suppressions": {"key": lambda w: "email", "digests": lambda w: ["a" * 64]},
    "RuleSet.rules_for": {"field": lambda w: "email"},
    "RuleSet.run_batch": {"source": lambda w: [dict(ADA)]},
    "rules.run_batch": {"source": lambda w: [dict(ADA)]},
    "rules.chunks_of": {"source": lambda w: [dict(ADA)]},
    "rules.run_chunk": {"length": lambda w: 2},
    "rules.revalidate": {"old": lambda w: w.rules, "new": lambda w: w.rules},
    "rules.on_field": {"field": lambda w: "email", "rule": lambda w: rr.Validators.required()},
    "tuned": {"rule": lambda w: rr.Validators.required()},
    "all_of": {"rules": lambda w: (rr.Validators.required(),)},
    "any_of": {"rules": lambda w: (rr.Validators.required(),)},
    "chain": {"rules": lambda w: (rr.Normalizers.text(),)},
    "require": {"fields": lambda w: ("email",)},
    "require_any": {"fields": lambda w: ("email", "phone")},
    "requires_fields": {"fields": lambda w: ("email",)},
    "when": {"rule": lambda w: rr.Validators.required()},
    "where": {"field": lambda w: "email"},
    "from_rule": {"rule": lambda w: rr.Validators.required()},
    "field_equals": {"field": lambda w: "email", "value": lambda w: "ada@example.com"},
    "normalizer": {"id": lambda w: "fuzz.normalizer"},
    "validator": {"id": lambda w: "fuzz.validator"},
    "guard": {"fn": lambda w: _noop},
    "on_enter": {"state": lambda w: "active"},
    "on_exit": {"state": lambda w: "active"},
    "bundled_schema": {"name": lambda w: "contact"},
    "bundled_lifecycle": {"name": lambda w: "governance"},
    "parse_schema": {"text": lambda w: rk.dump_schema(w.schema)},
    "schema_from_dict": {"data": lambda w: rk.schema_to_dict(w.schema)},
    "lifecycle_from_dict": {"data": lambda w: rk.lifecycle_to_dict(w.lifecycle)},
    "record_from_dict": {"data": lambda w: w.record.to_dict(w.schema)},
    "load_schema": {"path": lambda w: str(_schema_file())},  # type: ignore[has-type]
    "load_lifecycle": {"path": lambda w: str(_lifecycle_file())},  # type: ignore[has-type]
    "governance.LocalKeyFile": {
        "path": lambda w: os.path.join(__import__("tempfile").mkdtemp(), "master.key"),
        "create": lambda w: True,
    },
    "governance.FieldEncryption": {
        "provider": lambda w: rk.governance.LocalKeyFile(
            os.path.join(__import__("tempfile").mkdtemp(), "master.key"), create=True
        )
    },
    "Field": {"name": lambda w: "nickname"},
    "Schema": {"name": lambda w: "lead", "fields": lambda w: [rk.Field("email", rk.Email())]},
    "Picklist": {"values": lambda w: ("a", "b")},
    "Reference": {"to": lambda w: "company"},
    "Record": {"id": lambda w: "r1", "schema": lambda w: "contact",
               "values": lambda w: {"first_name": "Ada"}, "created_at": lambda w: T0},
    "Provenance": {"source": lambda w: "form", "observed_at": lambda w: T0},
    "Transition": {"attribute": lambda w: "state", "source": lambda w: "captured",
                   "target": lambda w: "normalized", "at": lambda w: T0,
                   "actor": lambda w: "tester"},
    "Money": {"amount": lambda w: decimal.Decimal("12.50"), "currency": lambda w: "EUR"},
    "Actor": {"id": lambda w: "alice"},
    "State": {"name": lambda w: "open"},
    "Edge": {"source": lambda w: "open", "target": lambda w: "done"},
    "Timer": {"source": lambda w: "open", "target": lambda w: "done"},
    "Hook": {"kind": lambda w: "enter"},
    "Lifecycle": {"name": lambda w: "flow"},
    "Machine": {"lifecycle": lambda w: w.lifecycle},
    "Lifecycles": {"schema": lambda w: w.schema},
    "Steward": {"schema": lambda w: w.schema},
    "Predicate": {"field": lambda w: "email", "op": lambda w: "eq"},
    "Columns": {"data": lambda w: {"a": [1]}, "length": lambda w: 1},
    "Columns.from_rows": {"rows": lambda w: [dict(ADA)]},
    "Issue": {"field": lambda w: "email", "rule": lambda w: "check.email",
              "code": lambda w: "email.invalid", "message": lambda w: "is wrong"},
    "Change": {"field": lambda w: "email", "before": lambda w: "A", "after": lambda w: "a",
               "rule": lambda w: "normalize.email"},
    "Outcome": {"values": lambda w: dict(ADA)},
    "GuardIssue": {"field": lambda w: "email", "code": lambda w: "x.y",
                   "message": lambda w: "is wrong"},
    "AuditEvent": {"seq": lambda w: 1, "action": lambda w: "create",
                   "record_ids": lambda w: ["c1"], "fields": lambda w: ["email"]},
    "Matcher": {"comparisons": lambda w: [rm.email_comparison("email")],
                "blocking": lambda w: [rm.block_on("email")]},
    "Matcher.for_schema": {"schema": lambda w: w.schema},
    "Matcher.from_dict": {"data": lambda w: w.matcher.to_dict()},
    "Index": {"matcher": lambda w: w.matcher},
    "Index.build": {"matcher": lambda w: w.matcher},
    "DuplicateCheck": {"index": lambda w: w.index},
    "Comparison": {"name": lambda w: "email", "levels": lambda w: [rm.Exact()]},
    "FellegiSunter": {"m": lambda w: {"email": (0.9, 0.1)},
                      "u": lambda w: {"email": (0.01, 0.99)}},
    "WeightedRules": {},
    "MergePolicy.from_dict": {"data": lambda w: rk.MergePolicy().to_dict()},
    "Policy.from_dict": {"data": lambda w: {"roles": {"sales": {"actions": ["read"]}}}},
    "governance.Not": {"condition": lambda w: rk.Predicate.eq("email", "a@b.co")},
    "RuleSet": {"plans": lambda w: w.rules.plans},
    "match.Verdict": {"action": lambda w: "none"},
    "Action": {"value": lambda w: "read"},
    "EnforcementMode": {"value": lambda w: "block"},
    "Severity": {"value": lambda w: "error"},
    "lifecycle.HookKind": {"value": lambda w: "enter"},
    "CellLineage.from_dict": {"data": lambda w: w.plan.lineage[0].to_dict(w.schema)},
    "match.CellValue.from_dict": {
        "data": lambda w: w.plan.lineage[0].candidates[0].to_dict(
            w.schema.field(w.plan.lineage[0].field)),
        "field": lambda w: w.schema.field(w.plan.lineage[0].field)},
    "match.Repoint.from_dict": {"data": lambda w: rm.Repoint(
        "deal", "d1", "contact_id", "c1", "c2", None, 1).to_dict()},
    "FellegiSunter.from_dict": {"data": lambda w: rk.FellegiSunter(
        0.01, {"email": (0.9, 0.1)}, {"email": (0.01, 0.99)}).to_dict()},
    "WeightedRules.from_dict": {"data": lambda w: w.matcher.model.to_dict()},
    "MergePlan": {"lineage": lambda w: w.plan.lineage},
    "MergePlan.from_dict": {"data": lambda w: w.plan.to_dict(w.schema)},
    "match.NumberWithin": {"absolute": lambda w: 1.0},
    "match.plan_unmerge": {"merge": lambda w: w.plan, "current": lambda w: {
        r.id: r for r in (w.plan.survivor, *w.plan.tombstones)}},
    "MemoryStore.get_lineage": {"lineage_id": lambda w: w.memory_lineage.id},
    "MemoryStore.put_unmerge": {"lineage_id": lambda w: w.memory_lineage.id},
    "SQLStore.get_lineage": {"lineage_id": lambda w: w.sql_lineage.id},
    "SQLStore.put_unmerge": {"lineage_id": lambda w: w.sql_lineage.id},
    "Index.replace": {"id": lambda w: "c1"},
    "Matcher.link": {"left": lambda w: [dict(ADA)], "right": lambda w: [dict(GRACE)]},
    "Columns.row": {"index": lambda w: 0},
    "MergePolicy.with_fields": {"fields": lambda w: {"email": "most_recent"}},
    "Catalog": {"schemas": lambda w: rk.bundled_catalog().schemas},
    "Cluster": {"entity_id": lambda w: "e1", "record_ids": lambda w: ["c1"]},
    "CellLineage": {"field": lambda w: "email", "value": lambda w: "a@b.co",
                    "record_ids": lambda w: ["c1"], "strategy": lambda w: "most_recent",
                    "reason": lambda w: "newest", "candidates": lambda w: ()},
    "MatchExplanation": {"left": lambda w: "c1", "right": lambda w: "c2"},
    "MatchExplanation.from_dict": {"data": lambda w: w.explanation.to_dict()},
    "Merge": {"plan": lambda w: w.plan, "actor": lambda w: "tester"},
    "Unmerge": {"merge_id": lambda w: "m1", "restored": lambda w: [w.record],
                "references": lambda w: []},
    "Lookup": {"matches": lambda w: (), "candidates": lambda w: 0},
    "block_on": {"keys": lambda w: ("email",)},
    "Enforcement": {},
    "SweepResult": {"now": lambda w: T0},
    "BatchResult": {"records": lambda w: [w.record], "quarantined": lambda w: []},
    "QuarantinedRow": {"index": lambda w: 0, "row": lambda w: dict(ADA),
                       "errors": lambda w: ()},
    "SQLStore": {"bind": lambda w: "sqlite://"},
    "MemoryStore": {},
    "store.sqlite_engine": {"url": lambda w: "sqlite://"},
    "store.SQLAuditLog": {"db": lambda w: w.sql_store._db, "fixed": lambda w: w.sql_store.fixed},
    "schema.parse_date": {"text": lambda w: "2024-01-02", "dayfirst": lambda w: False},
    "schema.parse_money": {"text": lambda w: "USD 12", "default_currency": lambda w: "USD"},
    "store.Lineage": {"id": lambda w: "l1", "schema": lambda w: "contact",
                      "survivor_id": lambda w: "c1", "merged_ids": lambda w: ["c2"],
                      "at": lambda w: T0, "actor": lambda w: "tester"},
    "store.ConsentEntry": {"record_id": lambda w: "c1", "purpose": lambda w: "email",
                           "granted": lambda w: True, "at": lambda w: T0,
                           "source": lambda w: "form", "actor": lambda w: "tester"},
    "store.QuarantineEntry": {"id": lambda w: "q1", "schema": lambda w: "contact",
                              "at": lambda w: T0, "source": lambda w: "import",
                              "row": lambda w: dict(ADA), "reasons": lambda w: []},
    "Validators.pattern": {"regex": lambda w: "^[a-z]+$"},
    "Validators.one_of": {"values": lambda w: ("a", "b")},
    "Normalizers.picklist": {"values": lambda w: ("a", "b")},
    "Predicate.isin": {"values": lambda w: ("a", "b")},
    "rules.picklist_table": {"values": lambda w: ("a", "b")},
    "rules.compile_rule": {"spec": lambda w: {"use": "check.required"}},
    "lifecycle.guard_from_spec": {"spec": lambda w: {"requires": ["email"]}},
    "lifecycle.lifecycle_for": {"schema": lambda w: w.schema},
    "lifecycle.became": {"name": lambda w: "lead"},
    "match.find_repoints": {"field": lambda w: "email", "records": lambda w: []},
    "match.plan_merge": {"records": lambda w: [w.record, w.other],
                         "merge_id": lambda w: "m1"},
    "match.comparator_from_dict": {"data": lambda w: {"kind": "email", "column": "email"}},
    "match.level_from_dict": {"data": lambda w: {"kind": "exact"}},
    "match.strategy_from_data": {"data": lambda w: "most_recent"},
    "match.nickname_families": {},
    "match.assign_entity_ids": {"groups": lambda w: [["a", "b"]]},
    "match.probability_from_weight": {"weight": lambda w: 1.5},
    "match.email_key": {"address": lambda w: "ada@example.com"},
    "match.Key": {"column": lambda w: "email"},
    "match.Key.parse": {"spec": lambda w: "email"},
    "match.Prep.from_dict": {"data": lambda w: "email"},
    "match.MatchRule": {"when": lambda w: {"email": "exact"}},
    "match.BlockingRule": {"keys": lambda w: ("email",)},
}


@functools.cache
def _schema_file() -> Any:
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "contact.yaml"
    path.write_text(rk.dump_schema(_schema()), encoding="utf-8")
    return path


@functools.cache
def _lifecycle_file() -> Any:
    import tempfile
    from pathlib import Path

    import yaml

    path = Path(tempfile.mkdtemp()) / "governance.yaml"
    path.write_text(yaml.safe_dump(rk.lifecycle_to_dict(_lifecycle())), encoding="utf-8")
    return path


# -- the targets --------------------------------------------------------------------------

OMIT: Any = object()
NO_VALID: Any = object()


@attrs.frozen
class Target:
    """
    One public callable: how to reach it from a world, and its parameters.
    """

    label: str
    get: Callable[[World], Callable[..., Any]]
    params: tuple[inspect.Parameter, ...]

    def provider(self, p: inspect.Parameter) -> Callable[[World], Any] | None:
        """Where a valid value for *p* comes from; ``None`` to leave it to its default."""
        short = self.label.rsplit(".", 1)[-1]
        for key in (self.label, short if "." not in self.label else ""):
            overrides = OVERRIDES.get(key, {})
            if p.name in overrides:
                return overrides[p.name]
        if p.default is not inspect.Parameter.empty:
            return None
        by_name = VALID.get(p.name)
        if by_name is None:
            return _no_valid
        annotation = str(p.annotation)
        if p.kind is p.VAR_POSITIONAL:
            return lambda w: _as_tuple(by_name(w, annotation))
        return lambda w: by_name(w, annotation)

    def valid(self, world: World, p: inspect.Parameter) -> Any:
        """A valid value for *p*, `OMIT` to leave it to its default, or `NO_VALID`."""
        provider = self.provider(p)
        return OMIT if provider is None else provider(world)


def _no_valid(_: World) -> Any:
    return NO_VALID


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def _params(fn: Callable[..., Any]) -> tuple[inspect.Parameter, ...]:
    if isinstance(fn, type) and issubclass(fn, enum.Enum):
        # The functional Enum API (names=, module=…) makes new enums; a lookup takes one value.
        return (inspect.Parameter("value", inspect.Parameter.POSITIONAL_ONLY),)
    try:
        params = tuple(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return ()
    return tuple(p for p in params if p.kind is not p.VAR_KEYWORD)


def _module_targets() -> list[Target]:
    out: list[Target] = []
    seen: set[int] = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        prefix = "" if module_name == "recordkit" else module_name.split(".")[1] + "."
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) in seen or not callable(obj) or name in EXEMPT:
                continue
            seen.add(id(obj))
            if not (isinstance(obj, type) and issubclass(obj, BaseException)):
                params = _params(obj)
                if params:
                    out.append(Target(prefix + name, _constant(obj), params))
            if isinstance(obj, type):
                for attr, raw in vars(obj).items():
                    if attr.startswith("_") or not isinstance(raw, staticmethod | classmethod):
                        continue
                    if f"{name}.{attr}" in EXEMPT:
                        continue
                    method = getattr(obj, attr)
                    params = _params(method)
                    if params:
                        out.append(Target(f"{prefix}{name}.{attr}", _constant(method), params))
    return out


def _constant(obj: Any) -> Callable[[World], Any]:
    return lambda _: obj


# Instances whose public methods are fuzzed: label → how to build one from a world.
INSTANCES: dict[str, Callable[[World], Any]] = {
    "Steward": lambda w: (w.record, w.steward)[1],
    "MemoryStore": lambda w: w.store,
    "SQLStore": lambda w: (w.sql_record, w.sql_store)[1],
    "RuleSet": lambda w: w.rules,
    "Matcher": lambda w: w.matcher,
    "Index": lambda w: w.index,
    "DuplicateCheck": lambda w: w.duplicate_check,
    "Machine": lambda w: w.machine,
    "Lifecycle": lambda w: w.lifecycle,
    "Lifecycles": lambda w: w.lifecycles,
    "Schema": lambda w: w.schema,
    "Catalog": lambda w: rk.bundled_catalog(),
    "Field": lambda w: w.schema.field("email"),
    "Record": lambda w: w.record,
    "MemoryAuditLog": lambda w: w.audit,
    "Predicate": lambda w: rs.Predicate.eq("email", "a@b.co"),
    "Columns": lambda w: rk.Columns.from_rows([dict(ADA)]),
    "Money": lambda w: rk.Money(decimal.Decimal("1"), "EUR"),
    "Handoff": lambda w: rr.Handoff(),
    "MatchExplanation": lambda w: w.explanation,
    "Lookup": lambda w: w.lookup,
    "MergePolicy": lambda w: rk.MergePolicy(),
    "Hook": lambda w: rl.on_enter("active", _noop),
}


@functools.cache
def _quality_profile() -> Any:
    return rq.profile({"city": ["NY", "New York"]})


OVERRIDES.update({
    "quality.FieldProfile": {"name": lambda w: "city", "rows": lambda w: 2,
                             "filled": lambda w: 1},
    "quality.FieldProfile.from_dict": {
        "data": lambda w: _quality_profile().field("city").to_dict()},
    "quality.Profile": {"rows": lambda w: 0, "fields": lambda w: []},
    "quality.Profile.from_dict": {"data": lambda w: _quality_profile().to_dict()},
    "quality.Profile.merged": {"profiles": lambda w: [_quality_profile(), _quality_profile()]},
    "quality.profile": {"data": lambda w: {"city": ["NY", "New York"]}},
    "quality.compare_profiles": {"before": lambda w: _quality_profile(),
                                 "after": lambda w: _quality_profile()},
    "quality.ProfileDiff": {"before": lambda w: _quality_profile(),
                            "after": lambda w: _quality_profile()},
    "quality.FieldDiff": {"before": lambda w: _quality_profile().field("city"),
                          "after": lambda w: None},
    "quality.VariantCluster": {"key": lambda w: "new york",
                               "members": lambda w: [("New York", 2), ("NY", 1)]},
    "quality.VariantCluster.from_dict": {"data": lambda w: rq.VariantCluster(
        "k", [("a", 2), ("b", 1)]).to_dict()},
    "quality.variant_clusters": {"values": lambda w: ["New York", "new york", "NY"]},
    "quality.to_synonyms": {"clusters": lambda w: [rq.VariantCluster("k", [("a", 2), ("b", 1)])]},
    "quality.with_synonyms": {
        "schema": lambda w: rk.Schema("lead", [rk.Field("city", rk.Picklist(
            values=("New York", "Boston")))]),
        "field": lambda w: "city",
        "clusters": lambda w: [rq.VariantCluster("k", [("New York", 2), ("NY", 1)])]},
    "quality.value_shape": {"value": lambda w: "New York"},
    "quality.fingerprint_key": {"value": lambda w: "New York"},
    "quality.ngram_key": {"value": lambda w: "New York"},
    "quality.metaphone_key": {"value": lambda w: "New York"},
    "quality.soundex_key": {"value": lambda w: "New York"},
    "Profile.merge": {"other": lambda w: _quality_profile()},
    "Profile.field": {"name": lambda w: "city"},
    "FieldProfile.merge": {"other": lambda w: _quality_profile().field("city")},
    "ProfileDiff.field": {"name": lambda w: "city"},
    "VariantCluster.with_canonical": {"value": lambda w: "b"},
})  # fmt: skip
OVERRIDES.update({
    "store.ProfileEntry": {"profile": lambda w: _quality_profile()},
    "MemoryStore.put_profile": {"entry": lambda w: rs.ProfileEntry(
        f"p-{next(_ids)}", "contact", T0, "crm", "kim", _quality_profile())},
    "SQLStore.put_profile": {"entry": lambda w: rs.ProfileEntry(
        f"p-{next(_ids)}", "contact", T0, "crm", "kim", _quality_profile())},
    "report.build_report": {"created_at": lambda w: dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
    "report.Report": {"title": lambda w: "t",
                      "created_at": lambda w: dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
    "report.Report.from_dict": {"data": lambda w: rp.build_report(health=[1.0]).to_dict()},
    "report.Report.from_json": {"text": lambda w: rp.build_report(health=[1.0]).to_json()},
})  # fmt: skip
INSTANCES["Report"] = lambda w: rp.build_report(health=[1.0])


def _health_score() -> Any:
    steward = rk.Steward(rk.bundled_schema("contact"), health=rq.HealthModel())
    record = steward.capture({"first_name": "Ada", "last_name": "Lovelace"}, source="crm")
    return steward.health(record.id)


OVERRIDES.update({
    "VariantEdits": {"replacements": lambda w: {"london": "London"}, "edits": lambda w: (),
                     "dry_run": lambda w: True},
    "quality.Derivation": {"enricher": lambda w: "phone", "version": lambda w: "1",
                           "reads": lambda w: ["phone"]},
    "quality.DimensionScore": {"measure": lambda w: 0.5, "points": lambda w: 10,
                               "detail": lambda w: {}},
    "quality.Enrichment": {"enrichers": lambda w: ["phone"]},
    "quality.HealthInputs": {"records": lambda w: [], "issues": lambda w: [],
                             "duplicates": lambda w: [], "consents": lambda w: []},
    "quality.HealthScore": {
        "score": lambda w: _health_score().score, "model": lambda w: _health_score().model,
        "names": lambda w: _health_score().names, "versions": lambda w: _health_score().versions,
        "weights": lambda w: _health_score().weights,
        "measures": lambda w: _health_score().measures,
        "points": lambda w: _health_score().points, "details": lambda w: _health_score().details,
    },
    "quality.HealthScore.from_dict": {"data": lambda w: _health_score().to_dict()},
    "quality.Measured": {"values": lambda w: [0.5], "details": lambda w: [{}]},
    "MemoryStore.put_health": {"scores": lambda w: []},
    "SQLStore.put_health": {"scores": lambda w: []},
})  # fmt: skip
INSTANCES.update({
    "Profile": lambda w: _quality_profile(),
    "FieldProfile": lambda w: _quality_profile().field("city"),
    "VariantCluster": lambda w: rq.VariantCluster("k", [("a", 2), ("b", 1)]),
    "ProfileDiff": lambda w: rq.compare_profiles(_quality_profile(), _quality_profile()),
})
# Each field type's coerce/dump/load, each built-in normalizer's normalize and each
# built-in validator's validate.
FIELD_TYPES = {
    "Text": rk.Text(max_length=10), "Email": rk.Email(), "Phone": rk.Phone(region="US"),
    "Picklist": rk.Picklist(values=("Retail", "Tech")), "Date": rk.Date(),
    "DateTime": rk.DateTime(), "Integer": rk.Integer(), "Decimal": rk.Decimal(places=2),
    "MoneyType": rk.MoneyType(currency="USD"), "Boolean": rk.Boolean(), "URL": rk.URL(),
    "Country": rk.Country(), "Subdivision": rk.Subdivision(country_field=None),
    "Reference": rk.Reference(to="company"),
}  # fmt: skip
INSTANCES.update({f"{k}()": (lambda t: lambda w: t)(v) for k, v in FIELD_TYPES.items()})
# A raw value each field type accepts, and what it becomes.
SAMPLES: dict[str, tuple[Any, Any]] = {
    "Date": ("2024-01-02", dt.date(2024, 1, 2)), "DateTime": ("2024-01-02T03:04:05Z", T0),
    "Integer": ("42", 42), "Decimal": ("1.25", decimal.Decimal("1.25")),
    "MoneyType": ("USD 12.50", rk.Money(decimal.Decimal("12.50"), "USD")),
    "Boolean": ("yes", True), "Picklist": ("Retail", "Retail"),
}  # fmt: skip
for _kind, _ftype in FIELD_TYPES.items():
    _raw, _typed = SAMPLES.get(_kind, ("Ada", "Ada"))
    OVERRIDES[f"{_kind}.coerce"] = {"value": (lambda v: lambda w: v)(_raw)}
    OVERRIDES[f"{_kind}.dump"] = {"value": (lambda v: lambda w: v)(_typed)}
    OVERRIDES[f"{_kind}.load"] = {"data": (lambda v: lambda w: v)(_ftype.dump(_typed))}
RULES = {
    "Normalizers.text": rr.Normalizers.text(), "Normalizers.name": rr.Normalizers.name(),
    "Normalizers.case": rr.Normalizers.case("upper"),
    "Normalizers.phone": rr.Normalizers.phone(region="US"),
    "Normalizers.email": rr.Normalizers.email(),
    "Normalizers.picklist": rr.Normalizers.picklist(("Retail", "Tech")),
    "Normalizers.country": rr.Normalizers.country(),
    "Normalizers.subdivision": rr.Normalizers.subdivision(),
    "Normalizers.url": rr.Normalizers.url(), "Normalizers.date": rr.Normalizers.date(),
    "Normalizers.boolean": rr.Normalizers.boolean(),
    "Normalizers.money": rr.Normalizers.money(currency="USD"),
    "Validators.required": rr.Validators.required(),
    "Validators.not_blank": rr.Validators.not_blank(),
    "Validators.pattern": rr.Validators.pattern("^[a-z]+$"),
    "Validators.length": rr.Validators.length(max=5),
    "Validators.range": rr.Validators.range(min=0, max=10),
    "Validators.one_of": rr.Validators.one_of(("a",)),
    "Validators.email": rr.Validators.email(),
    "Validators.phone": rr.Validators.phone(region="US"),
    "Validators.country": rr.Validators.country(),
    "Validators.subdivision": rr.Validators.subdivision(),
    "Validators.url": rr.Validators.url(),
}  # fmt: skip
INSTANCES.update({f"{k}()": (lambda r: lambda w: r)(v) for k, v in RULES.items()})


def _instance_targets() -> list[Target]:
    world = World()
    out: list[Target] = []
    for label, build in INSTANCES.items():
        obj = build(world)
        for attr in dir(obj):
            if attr.startswith("_") or f"{label.removesuffix('()')}.{attr}" in EXEMPT:
                continue
            raw = inspect.getattr_static(obj, attr)
            if isinstance(raw, property | functools.cached_property | staticmethod | classmethod):
                continue  # properties take nothing; static and class methods come from the class
            method = getattr(obj, attr)
            if not inspect.ismethod(method):
                continue  # a callable attribute (a strategy, a hook's function) is data
            params = _params(method)
            if params:
                out.append(Target(f"{label.removesuffix('()')}.{attr}",
                                  (lambda b, a: lambda w: getattr(b(w), a))(build, attr),
                                  params))
    return out


TARGETS: list[Target] = _module_targets() + _instance_targets()

# -- calling -------------------------------------------------------------------------------


class Hung(BaseException):
    """A call ran past `SLOW` seconds (a BaseException, so no ``except Exception`` eats it)."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def stop(*_: object) -> None:
        raise Hung

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _standard_streams_kept() -> Iterator[list[int]]:
    """
    Restore stdin, stdout and stderr if a call closed or replaced one; list which it did.

    A path of ``True`` or ``1`` that reaches ``open`` is file descriptor 1: the call closes
    the test run's own output. The descriptor is put back and the call fails the test.
    """
    saved: dict[int, tuple[int, tuple[int, int]]] = {}
    for fd in (0, 1, 2):
        with contextlib.suppress(OSError):
            info = os.fstat(fd)
            saved[fd] = (os.dup(fd), (info.st_dev, info.st_ino))
    touched: list[int] = []
    try:
        yield touched
    finally:
        for fd, (copy, identity) in saved.items():
            try:
                info = os.fstat(fd)
                same = (info.st_dev, info.st_ino) == identity
            except OSError:
                same = False
            if not same:
                touched.append(fd)
                os.dup2(copy, fd)
            os.close(copy)


def assemble(target: Target, world: World, garbage: dict[str, Any]) -> tuple[list[Any],
                                                                             dict[str, Any]]:
    """The arguments for one call: *garbage* where given, valid values elsewhere."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    by_keyword = False
    for p in target.params:
        value = garbage[p.name] if p.name in garbage else target.valid(world, p)
        if value is NO_VALID:
            value = None
        if value is OMIT:
            by_keyword = True  # later positional parameters go by name
            continue
        if p.kind is p.VAR_POSITIONAL:
            if not by_keyword:
                args.extend(value if isinstance(value, tuple) else (value,))
        elif p.kind is p.KEYWORD_ONLY or (by_keyword and p.kind is p.POSITIONAL_OR_KEYWORD):
            kwargs[p.name] = value
        else:
            args.append(value)
    return args, kwargs


def _consume(result: Any) -> None:
    """Run what a call returns lazily: an iterator's first items, a context manager's block."""
    if isinstance(result, Iterator) and not isinstance(result, rk.Lifecycle | rk.Schema):
        for _ in itertools.islice(result, 3):
            pass
    elif isinstance(result, contextlib.AbstractContextManager) and not isinstance(
        result, rs.SQLStore
    ):
        with result:
            pass


def call(target: Target, world: World, garbage: dict[str, Any]) -> None:
    """
    Call *target* once; fail on any exception that is not a RecordkitError, or on slowness.
    """
    fn = target.get(world)
    args, kwargs = assemble(target, world, garbage)
    shown = {name: rk_shorten(value) for name, value in garbage.items()}
    start = time.perf_counter()
    with _standard_streams_kept() as touched:
        try:
            with _deadline(SLOW):
                _consume(fn(*args, **kwargs))
        except rk.RecordkitError:
            pass
        except Hung:
            pytest.fail(f"{target.label} with {shown}: no answer after {SLOW} s")
        except Exception as exc:
            raise AssertionError(
                f"{target.label} with {shown} raised {type(exc).__name__}: "
                f"{rk_shorten(exc, 300)}"
            ) from exc
    assert not touched, f"{target.label} with {shown} closed file descriptors {touched}"
    elapsed = time.perf_counter() - start
    assert elapsed < SLOW, f"{target.label} with {shown} took {elapsed:.1f} s"


def rk_shorten(value: object, limit: int = 80) -> str:
    """Show *value* in a failure message, whatever it is."""
    from recordkit._errors import shorten

    return shorten(value, limit)


@st.composite
def garbage_for(draw: st.DrawFn, target: Target) -> dict[str, Any]:
    """Hostile values for one parameter (the rest stay valid) or for all of them."""
    names = [p.name for p in target.params]
    chosen = draw(st.sampled_from([*names, "*all*"]))
    picked = names if chosen == "*all*" else [chosen]
    out: dict[str, Any] = {}
    for p in target.params:
        if p.name not in picked:
            continue
        if p.kind is p.VAR_POSITIONAL:
            out[p.name] = tuple(draw(st.lists(HOSTILE, min_size=1, max_size=2)))
        else:
            out[p.name] = draw(HOSTILE)
    return out


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=[t.label for t in TARGETS])
@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)
@given(data=st.data())
def test_hostile_values_raise_only_recordkit_errors(target: Target, data: st.DataObject) -> None:
    """Hostile values in any parameter give a RecordkitError or an answer, within SLOW s."""
    call(target, World(), data.draw(garbage_for(target)))


def test_every_required_parameter_has_a_valid_value() -> None:
    """One-at-a-time fuzzing needs the other parameters valid: the tables must cover them."""
    missing = [
        f"{t.label}({p.name})"
        for t in TARGETS
        for p in t.params
        if t.provider(p) is _no_valid
    ]
    assert [] == missing


KNOWN_REFUSALS = {
    # Plugins by name: no enricher or health dimension plugin is installed here.
    "quality.enricher",
    "quality.health_dimension",
    # The world steward keeps no health scores (it has no HealthModel).
    "Steward.health",
    "Steward.lowest_health",
    "Steward.rescore",
    # The world's duplicate check reads an in-memory Index: it has its index already.
    "DuplicateCheck.bind",
    # The world steward's check scores with weighted rules: points have nothing to learn.
    "Steward.learn",
}


@pytest.mark.parametrize("target", TARGETS, ids=[t.label for t in TARGETS])
def test_valid_arguments_are_accepted(target: Target) -> None:
    """The valid values the tables give are valid: a call with all of them succeeds."""
    world = World()
    args, kwargs = assemble(target, world, {})
    if target.label in KNOWN_REFUSALS:
        with pytest.raises(rk.RecordkitError):
            _consume(target.get(world)(*args, **kwargs))
    else:
        _consume(target.get(world)(*args, **kwargs))


def test_targets_cover_the_public_surface() -> None:
    """The fuzz reaches the facade, the stores and the subpackages' functions."""
    labels = {t.label for t in TARGETS}
    expected = {"Steward.capture", "Steward.update", "MemoryStore.query", "SQLStore.query",
                "SQLStore", "load_schema", "Actor", "rules.normalize_url", "Integer.coerce",
                "Normalizers.url.normalize", "Validators.url.validate", "Matcher.for_schema"}
    assert set() == expected - labels
