"""
Changing who may do what: a policy change is itself checked and audited.
"""

from __future__ import annotations

import hashlib
import json

from recordkit._errors import RecordkitError, shorten
from recordkit._steward_change import Change, Event
from recordkit._steward_core import SYSTEM
from recordkit._steward_index import _IndexKeeping
from recordkit.governance import AccessPolicy, Action, Actor

__all__ = ["_PolicyVerbs"]


class _PolicyVerbs(_IndexKeeping):
    """
    The access policy's own change.
    """

    def set_access(self, access: AccessPolicy, *, actor: Actor = SYSTEM) -> None:
        """
        Replace the steward's access policy, as *actor*.

        The current policy decides: *actor* needs the ``policy`` action. The change is
        recorded in the audit trail (a ``policy`` event with the new policy's digest, and
        its plain data when it has ``to_dict``), then takes effect for every later call.

        Raises:
            AccessDenied: the current policy refuses *actor* the ``policy`` action.
            RecordkitError: *access* has no ``check`` method.

        .. versionadded:: 0.2.0
        """
        self._check_actor(actor)
        if not isinstance(access, AccessPolicy):
            raise RecordkitError(
                f"access must have a check(actor, action, schema, record, fields) method, "
                f"got {shorten(access)}"
            )
        to_dict = getattr(access, "to_dict", None)
        data = to_dict() if callable(to_dict) else {"policy": type(access).__name__}
        text = json.dumps(data, sort_keys=True, default=str)
        detail = {
            "policy": data,
            "digest": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        }
        event = Event(self, "policy", [], (), detail, values=False)
        self._commit(
            Change(actor, self._now(), (), lambda _: [event], grants=[(self, Action.POLICY)])
        )
        self.access = access
        self._sights.clear()
