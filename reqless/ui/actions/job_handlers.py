"""Handlers of the single-job endpoints (actions A-J1..A-J12; docs/ui.md, Actions)."""

from __future__ import annotations

import json

from reqless._calls import job as job_calls
from reqless._calls import server as server_calls
from reqless.exceptions import CoreError
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.actions.cancel import MAX_CASCADE, dependents_closure
from reqless.ui.actions.jobs import (
    as_list,
    conflict,
    data_sha256,
    get_job,
    origin_queue,
    requeue,
    require_job,
    retry_problem,
)
from reqless.ui.errors import ApiError
from reqless.ui.roles import Role

__all__ = [
    "add_dependencies",
    "add_tags",
    "cancel",
    "free_unique",
    "move",
    "priority",
    "remove_dependency",
    "remove_tag",
    "requeue_with_data",
    "retry",
    "timeout",
    "track",
    "untrack",
]


def _moved(call: Call, jid: str, queue: str, delay: float) -> dict[str, object]:
    after = get_job(call.inst, jid) or {}
    return {"jid": jid, "queue": queue, "delay_s": delay, "state": after.get("state")}


def retry(call: Call) -> Done:
    """A-J1: requeue a failed job into its queue (or `queue`), after `delay_s`."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"queue", "delay_s"})
    queue = fields.optional_name(call.body, "queue")
    delay = fields.seconds(call.body, "delay_s")
    jid = call.segment("jid")
    job = require_job(call.inst, jid)
    problem = retry_problem(job)
    if problem:
        raise conflict(job, problem)
    target = queue or origin_queue(job)
    if target is None:
        raise conflict(job, "has no queue to retry into; choose one")
    requeue(call.inst, job, target, delay)
    return Done(_moved(call, jid, target, delay), [jid], {"queue": target, "delay_s": delay})


def move(call: Call) -> Done:
    """A-J2: requeue a job in any state into `queue` (a running job's worker loses it)."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"queue", "delay_s"})
    queue = fields.name(call.body, "queue")
    delay = fields.seconds(call.body, "delay_s")
    jid = call.segment("jid")
    job = require_job(call.inst, jid)
    requeue(call.inst, job, queue, delay)
    params = {"queue": queue, "delay_s": delay, "from_state": job.get("state")}
    return Done(_moved(call, jid, queue, delay), [jid], params)


def cancel(call: Call) -> Done:
    """A-J3: cancel a job; with `with_dependents`, its transitive dependents too."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"with_dependents"})
    cascade = fields.boolean(call.body, "with_dependents")
    jid = call.segment("jid")
    job = require_job(call.inst, jid)
    if job.get("state") == "complete":
        raise conflict(job, "is complete; completed jobs cannot be cancelled")
    dependents = as_list(job.get("dependents"))
    if dependents and not cascade:
        raise ApiError(
            "conflict",
            f"job {jid} has {len(dependents)} dependent job(s); cancel them too "
            "with with_dependents",
            {"jid": jid, "state": job.get("state"), "dependents": dependents},
        )
    jids, too_many = dependents_closure(call.inst, [jid])
    if too_many:
        raise ApiError(
            "too_large",
            f"job {jid} has more than {MAX_CASCADE} transitive dependents",
            {"limit": MAX_CASCADE},
        )
    # One call for the whole set: the core accepts a job only with its dependents.
    call.inst.client._run(job_calls.cancel_many(jids))
    return Done(
        {"cancelled": jids},
        jids,
        {"with_dependents": cascade},
        {"cancelled": len(jids)},
    )


def priority(call: Call) -> Done:
    """A-J4: set the priority (a 32-bit signed integer)."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"priority"})
    if "priority" not in call.body:
        raise ApiError.invalid("priority", "is required")
    value = fields.integer(call.body["priority"], "priority", fields.INT32_MIN, fields.INT32_MAX)
    jid = call.segment("jid")
    require_job(call.inst, jid)
    call.inst.client._run(job_calls.set_priority(jid, value)[0])
    return Done({"jid": jid, "priority": value}, [jid], {"priority": value})


def add_tags(call: Call) -> Done:
    """A-J5."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"tags"})
    tags = fields.string_list(call.body, "tags", 100)
    jid = call.segment("jid")
    require_job(call.inst, jid)
    now = call.inst.client._run(job_calls.tag(jid, tuple(tags)))
    return Done({"jid": jid, "tags": as_list(now)}, [jid], {"tags": tags})


def remove_tag(call: Call) -> Done:
    """A-J6."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid, tag = call.segment("jid"), call.segment("tag")
    require_job(call.inst, jid)
    now = call.inst.client._run(job_calls.tag(jid, (tag,), remove=True))
    return Done({"jid": jid, "tags": as_list(now)}, [jid], {"tag": tag})


def track(call: Call) -> Done:
    """A-J7."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid = call.segment("jid")
    require_job(call.inst, jid)
    added = call.inst.client._run(job_calls.track(jid))
    return Done({"jid": jid, "tracked": True, "changed": added}, [jid])


def untrack(call: Call) -> Done:
    """A-J8 (also for a tracked jid whose job expired: A-TR1 for one jid)."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid = call.segment("jid")
    job = get_job(call.inst, jid)
    if job is not None and not job.get("tracked"):
        raise conflict(job, "is not tracked")
    try:
        call.inst.client._run(job_calls.untrack(jid))
    except CoreError:
        # The core refuses only a jid that is neither a job nor tracked.
        raise ApiError.not_found(f"job {jid!r} does not exist and is not tracked") from None
    return Done({"jid": jid, "tracked": False}, [jid])


def free_unique(call: Call) -> Done:
    """A-J13: free the unique key the job holds, so that the next put naming it is
    put. The job itself is left as it is."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid = call.segment("jid")
    job = require_job(call.inst, jid)
    key = job.get("unique")
    if not isinstance(key, str) or not key:
        raise conflict(job, "was put without a unique key")
    holder = call.inst.client._run(server_calls.unique_holder(key))
    if holder != jid:
        # Freeing it now would free the key of another job, or nothing.
        held = f"is held by job {holder}" if holder else "is not held"
        raise conflict(job, f"does not hold its unique key {key!r}: it {held}")
    call.inst.client._run(server_calls.free_unique(key))
    return Done({"jid": jid, "unique": key, "freed": True}, [jid], {"unique": key})


def timeout(call: Call) -> Done:
    """A-J9: take a running job from its worker now."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid = call.segment("jid")
    job = require_job(call.inst, jid)
    if job.get("state") != "running":
        raise conflict(job, f"is {job.get('state')}, not running")
    call.inst.client._run(job_calls.timeout(jid))
    return Done({"jid": jid, "state": "stalled"}, [jid], {"worker": job.get("worker")})


def requeue_with_data(call: Call) -> Done:
    """A-J10: requeue with an edited payload, if the stored one is unchanged."""
    call.require(Role.ADMIN)
    fields.only(call.body, {"data", "queue", "expected_data_sha256"})
    if "data" not in call.body:
        raise ApiError.invalid("data", "is required")
    data = json.dumps(call.body["data"], ensure_ascii=False, allow_nan=False)
    queue = fields.optional_name(call.body, "queue")
    expected = fields.name(call.body, "expected_data_sha256")
    jid = call.segment("jid")
    job = require_job(call.inst, jid)
    if job.get("state") == "running":
        raise conflict(job, "is running; time it out or wait before editing its data")
    current = data_sha256(job)
    if current != expected.lower():
        raise ApiError(
            "conflict",
            f"job {jid}: the payload changed since it was read",
            {"jid": jid, "state": job.get("state"), "data_sha256": current},
        )
    target = queue or origin_queue(job)
    if target is None:
        raise conflict(job, "has no queue; choose one")
    requeue(call.inst, job, target, 0.0, data=data)
    params = {"queue": target, "data": call.body["data"], "previous_data_sha256": current}
    return Done(_moved(call, jid, target, 0.0), [jid], params)


def _depends_job(call: Call) -> tuple[str, dict[str, object]]:
    jid = call.segment("jid")
    job = require_job(call.inst, jid)
    if job.get("state") != "depends":
        raise conflict(job, f"is {job.get('state')}, not depends")
    return jid, job


def remove_dependency(call: Call) -> Done:
    """A-J11: one dependency (path `{dep}`) or all; with none left the job waits."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    jid, job = _depends_job(call)
    dep = call.segment("dep") if "dep" in call.request.path_params else None
    if dep is not None and dep not in as_list(job.get("dependencies")):
        raise ApiError.not_found(f"job {jid} does not depend on {dep!r}")
    deps = () if dep is None else (dep,)
    call.inst.client._run(job_calls.remove_dependency(jid, deps, every=dep is None))
    after = get_job(call.inst, jid) or {}
    body = {
        "jid": jid,
        "state": after.get("state"),
        "dependencies": as_list(after.get("dependencies")),
    }
    return Done(body, [jid], {"dependency": dep or "all"})


def add_dependencies(call: Call) -> Done:
    """A-J12."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"jids"})
    deps = fields.jid_list(call.body)
    jid, _job = _depends_job(call)
    if jid in deps:
        raise ApiError.invalid("jids", "a job cannot depend on itself")
    call.inst.client._run(job_calls.add_dependency(jid, tuple(deps)))
    after = get_job(call.inst, jid) or {}
    body = {"jid": jid, "dependencies": as_list(after.get("dependencies"))}
    return Done(body, [jid], {"jids": deps})
