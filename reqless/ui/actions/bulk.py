"""Multi-job actions (docs/ui.md, Actions): one action applied to a list of jids, chunk by chunk.

Parameters are checked once, before any job is touched. Each chunk of at most 100
jids is read with one `job.getMulti`, so every job's state is checked when its turn
comes; jobs that no longer qualify are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reqless._calls import job as job_calls
from reqless.exceptions import CoreError
from reqless.ui.actions import body as fields
from reqless.ui.actions.cancel import cancel_selection
from reqless.ui.actions.jobs import as_list, get_jobs, origin_queue, requeue, retry_problem
from reqless.ui.actions.tally import CHUNK, Tally, chunks
from reqless.ui.errors import ApiError
from reqless.ui.state import Instance

__all__ = ["ACTIONS", "BulkPlan", "plan", "run"]

Job = dict[str, Any]
#: Applies the action to one job that exists; returns a skip reason or None.
Apply = Callable[[Instance, Job], str | None]

ACTIONS = ("retry", "move", "cancel", "priority", "tag", "untag", "track", "untrack", "timeout")


@dataclass(frozen=True)
class BulkPlan:
    """A checked bulk action: what to do with each job."""

    action: str
    params: dict[str, Any]
    apply: Apply | None = None
    #: Audit parameters (the checked ones).
    summary: dict[str, Any] = field(default_factory=dict)


def _retry(params: fields.Body) -> Apply:
    queue = fields.optional_name(params, "queue")
    delay = fields.seconds(params, "delay_s")

    def apply(inst: Instance, job: Job) -> str | None:
        problem = retry_problem(job)
        if problem:
            return problem
        target = queue or origin_queue(job)
        if target is None:
            return "has no queue to retry into"
        requeue(inst, job, target, delay)
        return None

    return apply


def _move(params: fields.Body) -> Apply:
    queue = fields.name(params, "queue")
    delay = fields.seconds(params, "delay_s")

    def apply(inst: Instance, job: Job) -> str | None:
        requeue(inst, job, queue, delay)
        return None

    return apply


def _priority(params: fields.Body) -> Apply:
    value = fields.integer(params.get("priority"), "priority", fields.INT32_MIN, fields.INT32_MAX)

    def apply(inst: Instance, job: Job) -> str | None:
        inst.client._run(job_calls.set_priority(job["jid"], value)[0])
        return None

    return apply


def _tags(params: fields.Body, remove: bool) -> Apply:
    tags = fields.string_list(params, "tags", 100)

    def apply(inst: Instance, job: Job) -> str | None:
        if remove and not set(tags) & set(as_list(job.get("tags"))):
            return "does not carry the tag"
        inst.client._run(job_calls.tag(job["jid"], tuple(tags), remove=remove))
        return None

    return apply


def _track(inst: Instance, job: Job) -> str | None:
    if job.get("tracked"):
        return "is already tracked"
    inst.client._run(job_calls.track(job["jid"]))
    return None


def _untrack(inst: Instance, job: Job) -> str | None:
    if not job.get("tracked"):
        return "is not tracked"
    inst.client._run(job_calls.untrack(job["jid"]))
    return None


def _timeout(inst: Instance, job: Job) -> str | None:
    if job.get("state") != "running":
        return f"is {job.get('state')}, not running"
    inst.client._run(job_calls.timeout(job["jid"]))
    return None


def plan(action: Any, params: Any) -> BulkPlan:
    """Check the action and its parameters (400 on any problem)."""
    if action not in ACTIONS:
        raise ApiError.invalid("action", f"must be one of {', '.join(ACTIONS)}")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ApiError.invalid("params", "must be a JSON object")
    allowed: dict[str, set[str]] = {
        "retry": {"queue", "delay_s"},
        "move": {"queue", "delay_s"},
        "cancel": {"with_dependents"},
        "priority": {"priority"},
        "tag": {"tags"},
        "untag": {"tags"},
    }
    fields.only(params, allowed.get(action, set()))
    builders: dict[str, Callable[[], Apply | None]] = {
        "retry": lambda: _retry(params),
        "move": lambda: _move(params),
        "cancel": lambda: None,
        "priority": lambda: _priority(params),
        "tag": lambda: _tags(params, remove=False),
        "untag": lambda: _tags(params, remove=True),
        "track": lambda: _track,
        "untrack": lambda: _untrack,
        "timeout": lambda: _timeout,
    }
    apply = builders[action]()
    if action == "cancel":
        fields.boolean(params, "with_dependents")
    return BulkPlan(action, dict(params), apply, dict(params))


def run(inst: Instance, bulk: BulkPlan, jids: Sequence[str], tally: Tally) -> None:
    """Apply the plan to `jids` in chunks; stops between chunks when asked to."""
    if bulk.action == "cancel":
        with_dependents = bool(bulk.params.get("with_dependents", False))
        cancel_selection(inst, jids, tally, with_dependents=with_dependents)
        return
    assert bulk.apply is not None
    for part in chunks(jids, CHUNK):
        if tally.stopping:
            return
        jobs = get_jobs(inst, part)
        for jid in part:
            job = jobs.get(jid)
            if job is None:
                _missing(inst, bulk, jid, tally)
                continue
            try:
                reason = bulk.apply(inst, job)
            except CoreError as exc:
                tally.error(jid, str(exc))
                continue
            if reason is None:
                tally.succeeded()
            else:
                tally.skip(jid, reason)


def _missing(inst: Instance, bulk: BulkPlan, jid: str, tally: Tally) -> None:
    # A tracked jid whose job expired can still be untracked (A-TR1).
    if bulk.action == "untrack":
        try:
            if inst.client._run(job_calls.untrack(jid)):
                tally.succeeded()
                return
        except CoreError:
            pass
    tally.skip(jid, "does not exist")
