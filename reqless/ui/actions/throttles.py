"""Handlers of the throttle endpoints: set maximum (A-T1), set expiry (A-T2) and
delete (A-T3); docs/ui.md, Actions. The queue-throttle endpoint shares `set_throttle`."""

from __future__ import annotations

from typing import Any

from reqless._calls import server as server_calls
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import TEN_YEARS_S
from reqless.ui.roles import Role

__all__ = ["delete", "set_throttle", "update"]

_MAX_MAXIMUM = 1_000_000_000


def _current(call: Call, tid: str) -> dict[str, Any]:
    reply: dict[str, Any] = call.inst.client._run(server_calls.throttle_get(tid))
    return reply


def set_throttle(call: Call, tid: str) -> Done:
    """`throttle.set` with the maximum given (else the current one) and, when given,
    a new expiry. Without `expires_in_s` the core keeps any expiry: it can never
    remove one (only delete can)."""
    fields.only(call.body, {"maximum", "expires_in_s"})
    if "maximum" not in call.body and "expires_in_s" not in call.body:
        raise ApiError.invalid("body", "give maximum and/or expires_in_s")
    maximum = call.body.get("maximum")
    if maximum is not None:
        maximum = fields.integer(maximum, "maximum", 0, _MAX_MAXIMUM)
    expires = call.body.get("expires_in_s")
    if expires is not None:
        expires = fields.integer(expires, "expires_in_s", 1, int(TEN_YEARS_S))
    before = _current(call, tid)
    if maximum is None:
        maximum = int(before.get("maximum", 0) or 0)
    # Without an expiry the core keeps the one the throttle has.
    call.inst.client._run(server_calls.throttle_set(tid, maximum, expires))
    after = _current(call, tid)
    ttl = int(after.get("ttl", -1))
    body = {"id": tid, "maximum": maximum, "expires_in_s": ttl if ttl > 0 else None}
    params = {
        "maximum": maximum,
        "expires_in_s": expires,
        "previous_maximum": before.get("maximum"),
    }
    return Done(body, [tid], params)


def update(call: Call) -> Done:
    """`PUT /throttles/{id}`."""
    call.require(Role.ADMIN)
    return set_throttle(call, call.segment("id"))


def delete(call: Call) -> Done:
    """A-T3: delete the throttle's settings (it becomes unlimited; locks and
    pending lists stay)."""
    call.require(Role.ADMIN)
    fields.only(call.body, set())
    tid = call.segment("id")
    before = _current(call, tid)
    call.inst.client._run(server_calls.throttle_delete(tid))
    return Done({"id": tid, "deleted": True}, [tid], {"previous_maximum": before.get("maximum")})
