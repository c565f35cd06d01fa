"""Handlers of the recurring-template endpoints (A-R1..A-R6; docs/ui.md, Actions)."""

from __future__ import annotations

import json
from typing import Any

from reqless._calls import job as job_calls
from reqless._calls import server as server_calls
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.actions.jobs import as_list
from reqless.ui.errors import ApiError
from reqless.ui.http import paging
from reqless.ui.roles import Role

__all__ = ["add_tags", "delete", "move", "pause", "remove_tag", "resume", "update"]

_EDITABLE = ("priority", "retries", "interval_s", "backlog", "klass", "data", "throttles")
_MAX_COUNT = 1_000_000


def _template(call: Call) -> tuple[str, dict[str, Any]]:
    jid = call.segment("jid")
    template = call.inst.client._run(server_calls.get_recurring(jid))
    if template is None:
        raise ApiError.not_found(f"recurring template {jid!r} does not exist")
    return jid, template


def _pairs(body: fields.Body) -> list[tuple[str, Any]]:
    """The `recurringJob.update` pairs of the fields given, each checked first."""
    pairs: list[tuple[str, Any]] = []
    if "priority" in body:
        value = fields.integer(body["priority"], "priority", fields.INT32_MIN, fields.INT32_MAX)
        pairs.append(("priority", value))
    if "retries" in body:
        pairs.append(("retries", fields.integer(body["retries"], "retries", 0, _MAX_COUNT)))
    if "interval_s" in body:
        interval = paging.number(body["interval_s"], "interval_s")
        if interval <= 0:
            raise ApiError.invalid("interval_s", "must be greater than 0")
        pairs.append(("interval", interval))
    if "backlog" in body:
        pairs.append(("backlog", fields.integer(body["backlog"], "backlog", 0, _MAX_COUNT)))
    if "klass" in body:
        pairs.append(("klass", fields.name(body, "klass")))
    if "data" in body:
        pairs.append(("data", json.dumps(body["data"], ensure_ascii=False, allow_nan=False)))
    if "throttles" in body:
        value = body["throttles"]
        throttles = [] if value == [] else fields.string_list(body, "throttles", 100)
        pairs.append(("throttles", json.dumps(throttles)))
    return pairs


def update(call: Call) -> Done:
    """A-R1: one `recurringJob.update` with every changed pair.

    Operators may change the priority alone; every other field needs an admin.
    """
    call.require(Role.OPERATOR)
    fields.only(call.body, set(_EDITABLE))
    if not call.body:
        raise ApiError.invalid("body", f"give at least one of {', '.join(_EDITABLE)}")
    if set(call.body) != {"priority"}:
        call.require(Role.ADMIN)
    pairs = _pairs(call.body)
    jid, _template_now = _template(call)
    call.inst.client._run(job_calls.recurring_changes(jid, pairs))
    return Done({"jid": jid, "updated": [key for key, _ in pairs]}, [jid], dict(call.body))


def move(call: Call) -> Done:
    """A-R2: move the template to another queue (its schedule is kept)."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"queue"})
    queue = fields.name(call.body, "queue")
    jid, template = _template(call)
    call.inst.client._run(job_calls.recurring_changes(jid, [("queue", queue)]))
    params = {"queue": queue, "from_queue": template.get("queue")}
    return Done({"jid": jid, "queue": queue}, [jid], params)


def add_tags(call: Call) -> Done:
    """A-R3 (add)."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"tags"})
    tags = fields.string_list(call.body, "tags", 100)
    jid, _template_now = _template(call)
    now = call.inst.client._run(job_calls.recurring_tag(jid, tuple(tags)))
    return Done({"jid": jid, "tags": as_list(now)}, [jid], {"tags": tags})


def remove_tag(call: Call) -> Done:
    """A-R3 (remove)."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    tag = call.segment("tag")
    jid, _template_now = _template(call)
    now = call.inst.client._run(job_calls.recurring_tag(jid, (tag,), remove=True))
    return Done({"jid": jid, "tags": as_list(now)}, [jid], {"tag": tag})


def delete(call: Call) -> Done:
    """A-R4: delete the template; jobs it already spawned stay."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid, template = _template(call)
    call.inst.client._run(job_calls.recurring_cancel(jid))
    return Done({"jid": jid, "deleted": True}, [jid], {"queue": template.get("queue")})


def pause(call: Call) -> Done:
    """A-R5: the template stays listed but spawns nothing until resumed."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid, template = _template(call)
    was = bool(template.get("paused"))
    call.inst.client._run(job_calls.recurring_pause(jid))
    return Done({"jid": jid, "paused": True}, [jid], {"was_paused": was})


def resume(call: Call) -> Done:
    """A-R6: spawn again from now on, with one run at most for the paused time."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid, template = _template(call)
    was = bool(template.get("paused"))
    call.inst.client._run(job_calls.recurring_resume(jid))
    return Done({"jid": jid, "paused": False}, [jid], {"was_paused": was})
