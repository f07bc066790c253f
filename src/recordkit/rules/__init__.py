"""
The rule engine: normalize messy values to standard ones and say what is wrong with the rest.

A rule has one job: a `Normalizer` returns a value's standard form and whether that changed
it; a `Validator` returns `Issue` objects. Rules compose (`chain`, `all_of`, `any_of`,
`when`, `tuned`), attach to fields or to the whole record (`require`, `require_any`, `on_field`,
`where`), and gather into a versioned `RuleSet` bound to a schema, built from each field
type's defaults plus the schema's own rules (Python or YAML) and rules plugins register
under the ``recordkit.rules`` entry-point group.

The normalizer functions (`normalize_phone`, `normalize_email`, `normalize_country`…) are
plain functions of one value that never raise; the matcher calls them on columns too.
"""

from recordkit.rules._batch import (
    BatchOutcome,
    RowIssues,
    RowSummary,
    chunks_of,
    run_batch,
)
from recordkit.rules._checks import Validators
from recordkit.rules._chunk import ChunkResult, RuleStats, run_chunk
from recordkit.rules._compose import all_of, any_of, chain, tuned, when
from recordkit.rules._contact import normalize_email, normalize_phone, normalize_url, parse_phone
from recordkit.rules._enforcement import Enforcement, EnforcementMode
from recordkit.rules._issue import Change, Issue, Outcome, Severity
from recordkit.rules._normalizers import Handoff, Normalizers
from recordkit.rules._placeholders import PLACEHOLDERS, is_placeholder
from recordkit.rules._places import (
    country_candidates,
    country_code,
    normalize_country,
    normalize_subdivision,
    subdivision_candidates,
    subdivision_code,
)
from recordkit.rules._plan import CompiledRules, FieldPlan, Step
from recordkit.rules._record_rules import on_field, require, require_any, where
from recordkit.rules._revalidate import RecordDelta, Revalidation, revalidate
from recordkit.rules._rule import Normalizer, Validator, normalizer, validator
from recordkit.rules._ruleset import RuleSet
from recordkit.rules._spec import ENTRY_POINT_GROUP, compile_rule, plugin_names
from recordkit.rules._text import clean_text, fold_key, normalize_case, normalize_name
from recordkit.rules._values import (
    normalize_boolean,
    normalize_date,
    normalize_money,
    normalize_picklist,
    picklist_table,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLACEHOLDERS",
    "BatchOutcome",
    "Change",
    "ChunkResult",
    "CompiledRules",
    "Enforcement",
    "EnforcementMode",
    "FieldPlan",
    "Handoff",
    "Issue",
    "Normalizer",
    "Normalizers",
    "Outcome",
    "RecordDelta",
    "Revalidation",
    "RowIssues",
    "RowSummary",
    "RuleSet",
    "RuleStats",
    "Severity",
    "Step",
    "Validator",
    "Validators",
    "all_of",
    "any_of",
    "chain",
    "chunks_of",
    "clean_text",
    "compile_rule",
    "country_candidates",
    "country_code",
    "fold_key",
    "is_placeholder",
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
    "normalizer",
    "on_field",
    "parse_phone",
    "picklist_table",
    "plugin_names",
    "require",
    "require_any",
    "revalidate",
    "run_batch",
    "run_chunk",
    "subdivision_candidates",
    "subdivision_code",
    "tuned",
    "validator",
    "when",
    "where",
]
