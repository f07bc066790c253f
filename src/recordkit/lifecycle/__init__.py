"""
Lifecycles: guarded state machines for a record's governance state and business stage.

A `Lifecycle` declares states, transitions (`Edge`), time-based transitions (`Timer`), a
policy (forward-only with audited overrides) and hooks; it is checked when built. A
`Machine` runs it over records of one schema: every move checks its guards, runs its hooks
and appends a `Transition` to the record's history, or raises `TransitionError` and changes
nothing. Two lifecycles ship as data (`bundled_lifecycle`): ``governance`` (drives
``Record.state``) and ``business`` (drives ``Record.stage``).

Examples:
    >>> from recordkit.lifecycle import bundled_lifecycle, to_mermaid
    >>> bundled_lifecycle("governance").names
    ('captured', 'normalized', 'validated', 'active', 'stale', 'retiring', 'retired', 'merged')
"""

from recordkit.lifecycle._adapt import from_rule, guard
from recordkit.lifecycle._diagram import Arrow, Diagram, Node, diagram, to_dot, to_mermaid
from recordkit.lifecycle._guards import (
    Guard,
    GuardIssue,
    field_equals,
    guard_from_spec,
    required_fields_valid,
    requires_fields,
    rules_pass,
)
from recordkit.lifecycle._history import became, transitions
from recordkit.lifecycle._hooks import Hook, HookKind, on_enter, on_exit, on_transition
from recordkit.lifecycle._io import (
    bundled_lifecycle,
    lifecycle_for,
    lifecycle_from_dict,
    lifecycle_to_dict,
    load_lifecycle,
)
from recordkit.lifecycle._lifecycles import Lifecycles
from recordkit.lifecycle._machine import Machine
from recordkit.lifecycle._model import Lifecycle
from recordkit.lifecycle._outcome import Moved, SweepResult, Swept
from recordkit.lifecycle._parts import Edge, State, Timer
from recordkit.schema import Transition

__all__ = [
    "Arrow",
    "Diagram",
    "Edge",
    "Guard",
    "GuardIssue",
    "Hook",
    "HookKind",
    "Lifecycle",
    "Lifecycles",
    "Machine",
    "Moved",
    "Node",
    "State",
    "SweepResult",
    "Swept",
    "Timer",
    "Transition",
    "became",
    "bundled_lifecycle",
    "diagram",
    "field_equals",
    "from_rule",
    "guard",
    "guard_from_spec",
    "lifecycle_for",
    "lifecycle_from_dict",
    "lifecycle_to_dict",
    "load_lifecycle",
    "on_enter",
    "on_exit",
    "on_transition",
    "required_fields_valid",
    "requires_fields",
    "rules_pass",
    "to_dot",
    "to_mermaid",
    "transitions",
]
