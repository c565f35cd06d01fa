"""Handlers of the throttle endpoints: set maximum (A-T1), set expiry (A-T2), set
a rate window (A-T4), delete (A-T3) and clear the rate window (A-T5); docs/ui.md,
Actions. The queue-throttle endpoints share `set_throttle` and `clear_rate_of`."""

from __future__ import annotations

from typing import Any

from reqless._calls import server as server_calls
from reqless.exceptions import ArgumentError
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import TEN_YEARS_S
from reqless.ui.roles import Role

__all__ = ["clear_rate", "clear_rate_of", "delete", "set_throttle", "update"]

_MAX_MAXIMUM = 1_000_000_000


def _current(call: Call, tid: str) -> dict[str, Any]:
    reply: dict[str, Any] = call.inst.client._run(server_calls.throttle_get(tid))
    return reply


def _number(value: Any, field: str) -> Any:
    # The shape only: the call checks the range and says so (ArgumentError).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError.invalid(field, f"must be a number, got {value!r}")
    return value


def _rate_window(body: fields.Body) -> tuple[Any, Any]:
    """`rate` and `per` from the body: both numbers, or both absent."""
    rate, per = body.get("rate"), body.get("per")
    if (rate is None) != (per is None):
        missing = "per" if per is None else "rate"
        raise ApiError.invalid(missing, "rate and per go together: give both or neither")
    if rate is None:
        return None, None
    return _number(rate, "rate"), _number(per, "per")


def set_throttle(call: Call, tid: str) -> Done:
    """`throttle.set` with the maximum given (else the current one), when given a
    new expiry, and when given a rate window (`rate` starts per `per` seconds).
    Without `expires_in_s` the core keeps any expiry: it can never remove one (only
    delete can); without `rate` and `per` it keeps any rate window."""
    fields.only(call.body, {"maximum", "expires_in_s", "rate", "per"})
    if not call.body.keys() & {"maximum", "expires_in_s", "rate", "per"}:
        raise ApiError.invalid("body", "give maximum, expires_in_s and/or rate and per")
    maximum = call.body.get("maximum")
    if maximum is not None:
        maximum = fields.integer(maximum, "maximum", 0, _MAX_MAXIMUM)
    expires = call.body.get("expires_in_s")
    if expires is not None:
        expires = fields.integer(expires, "expires_in_s", 1, int(TEN_YEARS_S))
    rate, per = _rate_window(call.body)
    before = _current(call, tid)
    if maximum is None:
        # A templated throttle reports its template's maximum: setting only a rate
        # keeps the limit it works under now.
        maximum = int(before.get("maximum", 0) or 0)
    try:
        built = server_calls.throttle_set(tid, maximum, expires, rate=rate, per=per)
    except ArgumentError as exc:  # the rate window's values, checked by the call
        raise ApiError.invalid("per" if str(exc).startswith("per") else "rate", str(exc)) from exc
    # Without an expiry the core keeps the one the throttle has.
    call.inst.client._run(built)
    after = _current(call, tid)
    ttl = int(after.get("ttl", -1))
    body = {
        "id": tid,
        "maximum": maximum,
        "expires_in_s": ttl if ttl > 0 else None,
        "rate": after.get("rate"),
        "per": after.get("per"),
    }
    params = {
        "maximum": maximum,
        "expires_in_s": expires,
        "previous_maximum": before.get("maximum"),
    }
    if rate is not None:
        params.update(rate=rate, per=per, previous_rate=before.get("rate"),
                      previous_per=before.get("per"))  # fmt: skip
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


def clear_rate_of(call: Call, tid: str) -> Done:
    """`throttle.clearRate`: the throttle keeps its maximum and loses its rate window;
    jobs held on the window go back to their queues."""
    fields.only(call.body, set())
    before = _current(call, tid)
    call.inst.client._run(server_calls.throttle_clear_rate(tid))
    params = {"previous_rate": before.get("rate"), "previous_per": before.get("per")}
    return Done({"id": tid, "rate": None, "per": None}, [tid], params)


def clear_rate(call: Call) -> Done:
    """A-T5: `DELETE /throttles/{id}/rate`."""
    call.require(Role.ADMIN)
    return clear_rate_of(call, call.segment("id"))
