"""
Lifecycles as plain data: YAML/JSON documents and schema sections, both ways.

A document looks like::

    lifecycle: governance          # the name
    attribute: state               # or stage
    forward_only: false
    reason_codes: [data_error]     # codes an override may give
    states:
      captured: {initial: true, description: Taken in, not yet cleaned}
      active: {guards: [required_fields_valid]}
      retired: {final: true}
    transitions:
      - {event: activate, from: validated, to: active}
      - {event: retire, from: [captured, active], to: retired}
    timers:
      - {from: active, to: stale, after_days: 180, since: entered}

Loading is safe (``yaml.safe_load``; nothing is evaluated) and strict: an unknown key or a
wrong type is a `SchemaError` naming its path. Guards are written as plain data (see
`guard_from_spec`); hooks are code and are added in Python (`Lifecycle.with_hooks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

from recordkit._errors import SchemaError, shorten
from recordkit._files import read_definition, source_name
from recordkit._suggest import close_matches
from recordkit.lifecycle._guards import (
    Guard,
    _FieldEquals,
    _RequiredFieldsValid,
    _RequiresFields,
    _RulesPass,
    guard_from_spec,
)
from recordkit.lifecycle._model import Lifecycle
from recordkit.lifecycle._parts import Edge, State, Timer
from recordkit.schema import JSONObject, Schema

__all__ = [
    "BUNDLED_LIFECYCLES",
    "bundled_lifecycle",
    "lifecycle_for",
    "lifecycle_from_dict",
    "lifecycle_to_dict",
    "load_lifecycle",
]

BUNDLED_LIFECYCLES: Final = {
    "governance": "lifecycle_governance.yaml",
    "business": "stages_business.yaml",
}
_MAX_BYTES: Final = 1024 * 1024
_TOP: Final = (
    "lifecycle",
    "attribute",
    "description",
    "forward_only",
    "reason_codes",
    "states",
    "transitions",
    "timers",
)
_STATE: Final = ("label", "initial", "final", "description", "guards")
_EDGE: Final = ("event", "from", "to", "guards")
_TIMER: Final = ("from", "to", "after_days", "since")


def _keys(data: object, allowed: Sequence[str], path: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise SchemaError(f"expected a mapping, got {shorten(data)}", path=path)
    for key in data:
        if key not in allowed:
            raise SchemaError(
                f"unknown key {shorten(key)}",
                path=path or "(top)",
                suggestions=close_matches(key, allowed) if isinstance(key, str) else (),
            )
    return data


def _names(value: object, path: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise SchemaError(f"expected a state name or a list of them, got {shorten(value)}", path=path)


def _list(value: object, path: str) -> Sequence[Any]:
    if value is None:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise SchemaError(f"expected a list, got {shorten(value)}", path=path)
    return value


def _guards(value: object, path: str) -> list[Guard]:
    return [guard_from_spec(g, f"{path}[{i}]") for i, g in enumerate(_list(value, path))]


def lifecycle_from_dict(
    data: Mapping[str, object],
    *,
    attribute: str | None = None,
    name: str | None = None,
    source: str | None = None,
) -> Lifecycle:
    """
    Build a `Lifecycle` from plain data (a parsed YAML or JSON document, or a schema section).

    Args:
        data: the document.
        attribute: force the attribute (``stage`` for a schema's ``stages`` section).
        name: the name to use when the document has none.
        source: where the data came from, for error messages.

    Raises:
        SchemaError: naming the path of the first problem found.

    .. versionadded:: 0.1.0
    """
    source = None if source is None else source_name(source)
    try:
        doc = _keys(data, _TOP, "")
        raw_states = doc.get("states")
        if not isinstance(raw_states, Mapping) or not raw_states:
            raise SchemaError("a lifecycle needs a mapping of states", path="states")
        states = []
        for key, spec in raw_states.items():
            spec = _keys(spec if spec is not None else {}, _STATE, f"states.{key}")
            try:
                states.append(
                    State(
                        key,
                        label=spec.get("label", ""),
                        initial=spec.get("initial", False),
                        final=spec.get("final", False),
                        description=spec.get("description", ""),
                        guards=_guards(spec.get("guards"), "guards"),
                    )
                )
            except SchemaError as exc:
                raise exc.at(f"states.{key}") from None
        edges = []
        for i, spec in enumerate(_list(doc.get("transitions"), "transitions")):
            where = f"transitions[{i}]"
            spec = _keys(spec, _EDGE, where)
            if "from" not in spec or "to" not in spec:
                raise SchemaError("a transition needs 'from' and 'to'", path=where)
            guards = _guards(spec.get("guards"), f"{where}.guards")
            for source_state in _names(spec["from"], f"{where}.from"):
                for target in _names(spec["to"], f"{where}.to"):
                    extra = {"event": spec["event"]} if "event" in spec else {}
                    try:
                        edges.append(Edge(source_state, target, guards=guards, **extra))
                    except SchemaError as exc:
                        raise exc.at(where) from None
        timers = []
        for i, spec in enumerate(_list(doc.get("timers"), "timers")):
            where = f"timers[{i}]"
            spec = _keys(spec, _TIMER, where)
            if not all(k in spec for k in ("from", "to", "after_days")):
                raise SchemaError("a timer needs 'from', 'to' and 'after_days'", path=where)
            try:
                timers.append(
                    Timer(
                        spec["from"],
                        spec["to"],
                        spec["after_days"],
                        since=spec.get("since", "entered"),
                    )
                )
            except SchemaError as exc:
                raise exc.at(where) from None
        return Lifecycle(
            doc.get("lifecycle", name or "lifecycle"),
            states,
            edges,
            timers=timers,
            attribute=attribute or doc.get("attribute", "state"),
            forward_only=doc.get("forward_only", False),
            reason_codes=_list(doc.get("reason_codes"), "reason_codes"),
            description=doc.get("description", ""),
        )
    except SchemaError as exc:
        raise SchemaError(
            exc.reason, path=exc.path, source=source or exc.source, suggestions=exc.suggestions
        ) from None


def _guard_spec(g: Guard, path: str) -> Any:
    if isinstance(g, _RequiredFieldsValid):
        return "required_fields_valid"
    if isinstance(g, _RulesPass):
        return "rules_pass"
    if isinstance(g, _RequiresFields):
        return {"requires": list(g.fields)}
    if isinstance(g, _FieldEquals):
        return {"equals": {"field": g.field, "value": g.value}}
    raise SchemaError(f"guard {g.name!r} is code and has no plain-data form", path=path)


def lifecycle_to_dict(lifecycle: Lifecycle) -> JSONObject:
    """
    Return *lifecycle* as plain data that `lifecycle_from_dict` turns back into it.

    Hooks are code and are not included.

    Raises:
        SchemaError: a guard has no plain-data form (a Python callable).

    .. versionadded:: 0.1.0
    """
    if not isinstance(lifecycle, Lifecycle):
        raise SchemaError(f"lifecycle must be a Lifecycle, got {shorten(lifecycle)}")
    states: dict[str, Any] = {}
    for s in lifecycle.states:
        spec: dict[str, Any] = {}
        if s.label:
            spec["label"] = s.label
        if s.initial:
            spec["initial"] = True
        if s.final:
            spec["final"] = True
        if s.description:
            spec["description"] = s.description
        if s.guards:
            spec["guards"] = [_guard_spec(g, f"states.{s.name}") for g in s.guards]
        states[s.name] = spec
    transitions = []
    for i, e in enumerate(lifecycle.edges):
        edge: dict[str, Any] = {"event": e.event, "from": e.source, "to": e.target}
        if e.guards:
            edge["guards"] = [_guard_spec(g, f"transitions[{i}]") for g in e.guards]
        transitions.append(edge)
    out: dict[str, Any] = {
        "lifecycle": lifecycle.name,
        "attribute": lifecycle.attribute,
        "forward_only": lifecycle.forward_only,
    }
    if lifecycle.description:
        out["description"] = lifecycle.description
    if lifecycle.reason_codes:
        out["reason_codes"] = list(lifecycle.reason_codes)
    out["states"] = states
    out["transitions"] = transitions
    if lifecycle.timers:
        out["timers"] = [
            {
                "from": t.source,
                "to": t.target,
                "after_days": t.after / dt.timedelta(days=1),
                "since": t.since,
            }
            for t in lifecycle.timers
        ]
    return out


def _parse(text: str | bytes, source: str) -> Lifecycle:
    if len(text) > _MAX_BYTES:
        raise SchemaError(f"document too large (over {_MAX_BYTES} bytes)", source=source)
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:  # ValueError: not UTF-8
        raise SchemaError(f"not valid YAML: {shorten(str(exc), 200)}", source=source) from None
    return lifecycle_from_dict(data, source=source)


def load_lifecycle(path: str | Path) -> Lifecycle:
    """
    Load a lifecycle from a YAML (or JSON) file.

    Only a regular file is read, and at most 1 MiB of it: a directory, a FIFO or a device
    is refused without being opened for a blocking read.

    Raises:
        SchemaError: the file cannot be read or the definition is wrong (naming the file).

    .. versionadded:: 0.1.0
    """
    data = read_definition(path, limit=_MAX_BYTES, what="lifecycle")
    return _parse(data, source_name(path))


def bundled_lifecycle(name: str) -> Lifecycle:
    """
    One of the lifecycles shipped with recordkit: ``governance`` or ``business``.

    ``governance`` is the record's own lifecycle (captured → normalized → validated → active
    → stale / retiring → retired); ``business`` the buyer's stages (subscriber → lead → mql
    → sql → opportunity → customer → evangelist, or churned).

    .. versionadded:: 0.1.0
    """
    if not isinstance(name, str) or name not in BUNDLED_LIFECYCLES:
        raise SchemaError(
            f"no bundled lifecycle named {shorten(name)}",
            suggestions=close_matches(name, BUNDLED_LIFECYCLES) if isinstance(name, str) else (),
        )
    file = BUNDLED_LIFECYCLES[name]
    text = resources.files("recordkit").joinpath("data").joinpath(file).read_text("utf-8")
    return _parse(text, f"recordkit/data/{file}")


def lifecycle_for(schema: Schema, attribute: str) -> Lifecycle | None:
    """
    The lifecycle a schema declares for ``state`` or ``stage``, or ``None``.

    ``state`` reads the schema's ``lifecycle`` section, ``stage`` its ``stages`` section.

    A section is a bundled lifecycle's name or a full definition.

    .. versionadded:: 0.1.0
    """
    if not isinstance(schema, Schema):
        raise SchemaError(f"schema must be a Schema, got {shorten(schema)}")
    sections = {"state": "lifecycle", "stage": "stages"}
    key = sections.get(attribute) if isinstance(attribute, str) else None
    if key is None:
        raise SchemaError(f"attribute must be 'state' or 'stage', got {shorten(attribute)}")
    section = schema.extensions.get(key)
    if section is None:
        return None
    source = f"schema {schema.name}"
    if isinstance(section, str):
        try:
            found = bundled_lifecycle(section)
        except SchemaError as exc:
            raise exc.at(key, source=source) from None
        if found.attribute != attribute:
            raise SchemaError(
                f"{section!r} drives {found.attribute!r}, not {attribute!r}",
                path=key,
                source=source,
            )
        return found
    try:
        return lifecycle_from_dict(section, attribute=attribute, name=schema.name)
    except SchemaError as exc:
        raise exc.at(key, source=source) from None
