"""Single-job actions (A-J1..A-J12) and the pieces bulk actions share with them.

Every action reads the job when it runs and checks its state then, not when the
page was drawn: a job that changed state gives 409 `conflict` with the current state
(docs/ui.md, Actions). Bulk actions make the same checks and report a skip instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from reqless._calls import queue as queue_calls
from reqless._calls import server as server_calls
from reqless.ui.errors import ApiError
from reqless.ui.state import Instance

__all__ = [
    "UI_WORKER",
    "as_list",
    "conflict",
    "data_sha256",
    "get_job",
    "get_jobs",
    "origin_queue",
    "requeue",
    "require_job",
    "retry_problem",
]

#: The worker name the UI gives `job.requeue`; it differs from any real worker, so a
#: worker holding a moved job is told it lost the lock.
UI_WORKER = "reqless-ui"


def as_list(value: Any) -> list[Any]:
    """The core writes empty lists as `{}`."""
    return list(value) if isinstance(value, list) else []


def get_job(inst: Instance, jid: str) -> dict[str, Any] | None:
    return inst.client._run(server_calls.get_job(jid))


def get_jobs(inst: Instance, jids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The jobs that exist among `jids`, by jid (one `job.getMulti`)."""
    if not jids:
        return {}
    found = as_list(inst.client._run(queue_calls.existing(jids)))
    return {job["jid"]: job for job in found}


def require_job(inst: Instance, jid: str) -> dict[str, Any]:
    job = get_job(inst, jid)
    if job is None:
        raise ApiError.not_found(f"job {jid!r} does not exist")
    return job


def conflict(job: dict[str, Any], problem: str) -> ApiError:
    """409 naming the state the job is in now."""
    return ApiError(
        "conflict",
        f"job {job['jid']}: {problem}",
        {"jid": job["jid"], "state": job.get("state")},
    )


def origin_queue(job: dict[str, Any]) -> str | None:
    """The job's queue, else the queue of its newest `put` (completed jobs have none)."""
    if job.get("queue"):
        return str(job["queue"])
    for entry in reversed(as_list(job.get("history"))):
        if isinstance(entry, dict) and entry.get("what") == "put" and entry.get("queue"):
            return str(entry["queue"])
    return None


def retry_problem(job: dict[str, Any]) -> str | None:
    """Why A-J1 may not retry this job, or None."""
    if job.get("state") != "failed":
        return f"is {job.get('state')}, not failed"
    return None


def data_sha256(job: dict[str, Any]) -> str:
    """The hex SHA-256 of the stored payload text (the A-J10 stale-data guard)."""
    return hashlib.sha256(str(job.get("data", "")).encode("utf-8")).hexdigest()


def requeue(
    inst: Instance,
    job: dict[str, Any],
    queue: str,
    delay: float = 0.0,
    data: str | None = None,
) -> str:
    """`job.requeue` with the job's own data, priority, tags, retries and throttles.

    Dependencies are never added: `depends` is always the empty list, which the core
    reads as "keep what the job has". (Filling it from the job's dependents, as the
    Ruby UI did, can deadlock a job with the jobs waiting on it.) Returns the new
    state, `waiting` or `scheduled`.
    """
    # The job's own data goes as stored: a refusal is the core's (422).
    call = queue_calls.requeue_stored(
        UI_WORKER,
        queue,
        job["data"] if data is None else data,
        jid=job["jid"],
        klass=job["klass"],
        delay=delay,
        priority=job.get("priority", 0),
        tags=as_list(job.get("tags")),
        retries=job.get("retries", 5),
        depends=[],
        throttles=as_list(job.get("throttles")),
    )
    inst.client._run(call)
    return "scheduled" if delay > 0 else "waiting"
