"""Named example lifecycles and schemas shared by the lifecycle tests (and the docs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import recordkit as rk

GOVERNANCE = rk.bundled_lifecycle("governance")
BUSINESS = rk.bundled_lifecycle("business")

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def at(days: float) -> dt.datetime:
    """A point in time *days* after T0."""
    return T0 + dt.timedelta(days=days)


DEAL = rk.Schema(
    "deal",
    [
        rk.Field("name", rk.Text(), required=True),
        rk.Field("amount", rk.Decimal()),
        rk.Field("contract_link", rk.URL()),
        rk.Field("owner", rk.Text()),
        rk.Field("last_contacted", rk.Date()),
    ],
    owner_field="owner",
)

DEAL_STAGES = rk.Lifecycle(
    "pipeline",
    [
        rk.State("prospecting", initial=True),
        rk.State("qualification"),
        rk.State("proposal"),
        rk.State("negotiation"),
        rk.State("closed_won", final=True, guards=[rk.requires_fields("contract_link")]),
        rk.State("closed_lost", final=True),
    ],
    [
        rk.Edge("prospecting", "qualification", event="qualify"),
        rk.Edge("qualification", "proposal", event="propose"),
        rk.Edge("proposal", "negotiation", event="negotiate"),
        rk.Edge("negotiation", "closed_won", event="win"),
        rk.Edge("prospecting", "closed_lost", event="lose"),
        rk.Edge("qualification", "closed_lost", event="lose"),
        rk.Edge("proposal", "closed_lost", event="lose"),
        rk.Edge("negotiation", "closed_lost", event="lose"),
    ],
    attribute="stage",
    forward_only=True,
    reason_codes=["data_error", "reopened"],
)

DEAL_YAML = """
lifecycle: pipeline
attribute: stage
forward_only: true
reason_codes: [data_error, reopened]
states:
  prospecting: {initial: true}
  qualification: {}
  proposal: {}
  negotiation: {}
  closed_won: {final: true, guards: [{requires: [contract_link]}]}
  closed_lost: {final: true}
transitions:
  - {event: qualify, from: prospecting, to: qualification}
  - {event: propose, from: qualification, to: proposal}
  - {event: negotiate, from: proposal, to: negotiation}
  - {event: win, from: negotiation, to: closed_won}
  - {event: lose, from: [prospecting, qualification, proposal, negotiation], to: closed_lost}
"""


def deal(record_id: str = "d1", **values: Any) -> rk.Record:
    """A deal record created at T0."""
    return rk.Record(record_id, "deal", {"name": "Acme renewal", **values}, created_at=T0)


def contact(record_id: str = "c1", **values: Any) -> rk.Record:
    """A contact record created at T0."""
    base = {"first_name": "Ada", "last_name": "Lovelace"}
    return rk.Record(record_id, "contact", {**base, **values}, created_at=T0)


class Ticks:
    """A clock for a Steward that moves forward only when told."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, days: float) -> dt.datetime:
        self.now += dt.timedelta(days=days)
        return self.now
