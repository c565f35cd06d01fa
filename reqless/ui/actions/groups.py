"""Handler of the fair-group endpoint: set a group's weight (A-G1); docs/ui.md, Actions."""

from __future__ import annotations

from reqless._calls import groups as group_calls
from reqless.exceptions import ArgumentError
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.errors import ApiError
from reqless.ui.reads.groups import group_info
from reqless.ui.roles import Role

__all__ = ["set_weight"]


def set_weight(call: Call) -> Done:
    """A-G1: `PUT /queues/{queue}/groups/{group}/weight` with `{"weight": n}`; the group
    then takes n jobs per turn (1 is the default and clears the setting)."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"weight"})
    if "weight" not in call.body:
        raise ApiError.invalid("weight", "is required")
    # Only the JSON type here: the call checks the range (1..1000) and says so.
    weight = fields.integer(call.body["weight"], "weight")
    queue, group = call.segment("queue"), call.segment("group")
    try:
        built = group_calls.queue_group_weight(queue, group, weight)
    except ArgumentError as exc:
        raise ApiError.invalid("weight", str(exc)) from exc
    before = group_info(call.inst, queue, group)
    now = call.inst.client._run(built)
    params = {"weight": now, "previous_weight": before["weight"] if before else 1}
    return Done({"queue": queue, "group": group, "weight": now}, [queue, group], params)
