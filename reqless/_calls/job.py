"""Calls on one job or recurring template, and the job payload fields both clients read."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from reqless import _validate
from reqless._calls.call import Call, owned, parse_json, parse_str
from reqless._calls.encoding import class_string
from reqless.exceptions import ArgumentError, CoreError, LostLockError, ReqlessError
from reqless.types import Arg
from reqless.util import as_list

__all__ = [
    "add_dependency",
    "cancel",
    "cancel_many",
    "checked_interval",
    "checked_priority",
    "checked_queue",
    "checked_result",
    "checked_retries",
    "complete",
    "complete_and_pop",
    "complete_and_requeue",
    "details",
    "fail",
    "handler_problem",
    "heartbeat",
    "log",
    "move",
    "recurring_cancel",
    "recurring_changes",
    "recurring_pause",
    "recurring_resume",
    "recurring_tag",
    "recurring_update",
    "remove_dependency",
    "retry",
    "set_priority",
    "tag",
    "timeout",
    "track",
    "untrack",
]


def _truthy_one(reply: Any) -> bool:
    return bool(reply == "1")


def _nothing(reply: Any) -> None:
    return None


def _as_is(reply: Any) -> Any:
    return reply


def checked_result(value: Any) -> str:
    """A job's result as the JSON text the core keeps; ArgumentError when it is not
    JSON-serialisable (its size is the core's to judge: `max-result-size`)."""
    try:
        return json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(
            f"result must be JSON-serialisable, not {type(value).__name__}: {exc}"
        ) from exc


def _result_args(result: Any) -> tuple[Arg, ...]:
    # None is no result: the job object then has no `result` field.
    return () if result is None else ("result", checked_result(result))


def complete(jid: str, worker: str, queue: str, data: str, result: Any = None) -> Call[str | bool]:
    """Complete the job, keeping `result` (a JSON value; None: none); the reply is
    "complete" (False for an empty reply)."""
    return Call("job.complete", (jid, worker, queue, data, *_result_args(result)),
                lambda reply: str(reply) if reply else False, owned(jid),
                repeatable=False, acknowledged=True)  # fmt: skip


def complete_and_requeue(
    jid: str, worker: str, queue: str, data: str, next_queue: str, delay: float | None,
    depends: list[str] | None,
) -> Call[bool]:  # fmt: skip
    """Complete the job and put it into `next_queue`."""
    args: tuple[Arg, ...] = (
        jid, worker, queue, data, _validate.name("queue name", next_queue),
        "delay", _validate.number("delay", 0 if delay is None else delay, minimum=0),
        "depends", json.dumps(_validate.names("depends", depends or [])),
    )  # fmt: skip
    return Call("job.completeAndRequeue", args, lambda reply: True, owned(jid),
                repeatable=False, acknowledged=True)  # fmt: skip


def complete_and_pop(
    jid: str, worker: str, queue: str, data: str, queues: list[str], result: Any = None
) -> Call[list[dict[str, Any]]]:
    """Complete the job (keeping `result` when given) and pop the worker's next one;
    the reply is the popped payloads."""
    args = (jid, worker, queue, data, *_result_args(result), 1, *queues)
    return Call("job.completeAndPop", args,
                lambda reply: list(json.loads(reply)["jobs"]), owned(jid),
                repeatable=False, acknowledged=True)  # fmt: skip


def fail(jid: str, worker: str, group: str, message: str, data: str) -> Call[bool]:
    """Fail the job into `group` with `message`."""
    args = (jid, worker, _validate.name("group", group), _validate.text("message", message), data)
    return Call("job.fail", args, bool, owned(jid), repeatable=False, acknowledged=True)


def _lost(jid: str) -> Callable[[ReqlessError], ReqlessError]:
    def translate(exc: ReqlessError) -> ReqlessError:
        return LostLockError(jid, str(exc))

    return translate


def heartbeat(jid: str, worker: str, data: str) -> Call[float]:
    """Extend the lock (and save `data`); the reply is the new deadline."""
    return Call("job.heartbeat", (jid, worker, data),
                lambda reply: float(reply or 0), _lost(jid), repeatable=True)  # fmt: skip


def retry(
    jid: str, queue: str, worker: str, delay: float, group: str | None, message: str | None
) -> Call[int]:
    """Hand the job back to be run again, using up one retry."""
    seconds = _validate.number("delay", delay, minimum=0)
    args: list[Arg] = [jid, queue, worker, str(seconds)]
    if group is not None:
        _validate.name("group", group)
    if message is not None:
        _validate.text("message", message)
    if group is not None and message is not None:  # the core needs both for a note
        args += [group, message]
    return Call("job.retry", tuple(args), int, owned(jid), repeatable=False, acknowledged=True)


def cancel(jid: str) -> Call[list[str]]:
    """Delete the job; the reply lists the jids cancelled."""
    return Call("job.cancel", (jid,), _as_is, repeatable=False)


def cancel_many(jids: Sequence[str]) -> Call[list[str]]:
    """Delete the jobs, all or none (a job goes only with its dependents); the
    reply lists the jids cancelled."""
    return Call("job.cancel", tuple(_validate.names("jids", jids)), _as_is, repeatable=False)


def track(jid: str) -> Call[bool]:
    """Track the job; True when it was not tracked before."""
    return Call("job.track", (_validate.name("jid", jid),), _truthy_one, repeatable=False)


def untrack(jid: str) -> Call[bool]:
    """Stop tracking the job; True when it was tracked."""
    return Call("job.untrack", (_validate.name("jid", jid),), _truthy_one, repeatable=False)


def tag(jid: str, tags: tuple[str, ...], remove: bool = False) -> Call[list[str]]:
    """Add (or remove) tags; the reply is the job's tags after the change."""
    command = "job.removeTag" if remove else "job.addTag"
    return Call(command, (jid, *_validate.names("tags", tags)), parse_json, repeatable=True)


def add_dependency(jid: str, jids: tuple[str, ...]) -> Call[int | bool]:
    """Make a job in state `depends` also wait for `jids`."""
    return Call("job.addDependency", (jid, *_validate.names("jids", jids)),
                lambda reply: reply or False, repeatable=False)  # fmt: skip


def remove_dependency(jid: str, jids: tuple[str, ...], every: bool) -> Call[int | bool]:
    """Stop waiting for `jids` (or for every job)."""
    args = ("all",) if every else tuple(_validate.names("jids", jids))
    return Call(
        "job.removeDependency", (jid, *args), lambda reply: reply or False, repeatable=False
    )


def move(
    jid: str, worker: str, queue: str, klass: str, data: str, delay: float | None,
    depends: list[str] | None, throttles: list[str], group: str | None = None,
) -> Call[str]:  # fmt: skip
    """Put the job into another queue, keeping its priority, tags, retries and fair
    group (a put without a group would take it out of its group)."""
    args: tuple[Arg, ...] = (
        worker, _validate.name("queue name", queue), jid, klass, data,
        _validate.number("delay", 0 if delay is None else delay, minimum=0),
        "depends", json.dumps(_validate.names("depends", depends or [])),
        "throttles", json.dumps(throttles or []),
    )  # fmt: skip
    if group is not None:
        args += ("group", group)
    return Call("queue.put", args, parse_str, repeatable=True)


def timeout(jid: str) -> Call[None]:
    """Take the job from its worker now, as if its lock had expired."""
    return Call("job.timeout", (jid,), _nothing, repeatable=False)


def log(jid: str, message: str, data: dict[str, Any] | None) -> Call[None]:
    """Append an entry to the job's history."""
    args: tuple[Arg, ...] = (jid, message) if data is None else (jid, message, json.dumps(data))
    return Call("job.log", args, _nothing, repeatable=False)


def _missing_job(jid: str) -> Callable[[ReqlessError], ReqlessError]:
    def translate(exc: ReqlessError) -> ReqlessError:
        # The core's text for this case is about a missing queue name.
        if "does not exist" not in str(exc):
            return exc
        if isinstance(exc, CoreError):  # still the core's refusal, worded for the job
            return CoreError(f"job {jid} does not exist", exc.location, exc.raw)
        return ReqlessError(f"job {jid} does not exist")

    return translate


def set_priority(jid: str, value: float) -> tuple[Call[None], float]:
    """Re-score the job; also returns the checked priority to keep."""
    checked = _validate.number("priority", value)
    return Call(
        "job.setPriority", (jid, checked), _nothing, _missing_job(jid), repeatable=True
    ), checked


def details(jid: str) -> Call[dict[str, list[Any]]]:
    """The job's history, dependencies and dependents (left out of a worker's pop)."""

    def parse(reply: Any) -> dict[str, list[Any]]:
        payload: dict[str, Any] = json.loads(reply) if reply else {}
        keys = ("history", "dependencies", "dependents")
        return {key: as_list(payload.get(key)) for key in keys}

    return Call("job.get", (jid,), parse, repeatable=True)


def recurring_update(jid: str, key: str, value: Arg) -> Call[int]:
    """Change one property of a recurring template."""
    return Call(
        "recurringJob.update", (jid, key, value), lambda reply: int(reply or 0), repeatable=True
    )


def recurring_changes(jid: str, pairs: list[tuple[str, Arg]]) -> Call[int]:
    """Change several properties of a recurring template in one call."""
    args = tuple(item for key, value in pairs for item in (_validate.name("property", key), value))
    return Call("recurringJob.update", (jid, *args), lambda reply: int(reply or 0),
                repeatable=True)  # fmt: skip


def recurring_klass(value: type | str) -> str:
    """The checked class path a recurring template is given."""
    return class_string(value)


def recurring_pause(jid: str) -> Call[int]:
    """Pause a recurring template: it stays listed but spawns nothing until resumed."""
    return Call("recurringJob.pause", (_validate.name("jid", jid),), lambda reply: int(reply),
                repeatable=True)  # fmt: skip


def recurring_resume(jid: str) -> Call[int]:
    """Resume a paused template from now on (one run at most for the paused time)."""
    return Call("recurringJob.resume", (_validate.name("jid", jid),), lambda reply: int(reply),
                repeatable=True)  # fmt: skip


def recurring_cancel(jid: str) -> Call[list[str]]:
    """Stop a template spawning; the reply is `[jid]`."""
    return Call("recurringJob.cancel", (jid,), lambda reply: [jid], repeatable=False)


def recurring_tag(jid: str, tags: tuple[str, ...], remove: bool = False) -> Call[list[str]]:
    """Add (or remove) a template's tags; the reply is its tags after the change."""
    command = "recurringJob.removeTag" if remove else "recurringJob.addTag"
    return Call(command, (jid, *_validate.names("tags", tags)),
                lambda reply: as_list(json.loads(reply)), repeatable=True)  # fmt: skip


def handler_problem(klass_name: str, queue: str, error: Exception | None) -> tuple[str, str]:
    """The failure group and message of a job whose handler cannot be found."""
    if error is not None:
        return f"{queue}-{type(error).__name__}", f"Failed to import {klass_name}"
    return (f"{queue}-method-missing",
            f'{klass_name} is missing a method "{queue}" or "process"')  # fmt: skip


def checked_priority(value: object) -> int | float:
    """A priority, checked."""
    return _validate.number("priority", value)


def checked_retries(value: object) -> int:
    """A retry budget, checked."""
    return _validate.nonnegative_int("retries", value)


def checked_interval(value: object) -> int | float:
    """A recurring interval, checked."""
    return _validate.positive("interval", value)


def checked_queue(value: object) -> str:
    """A queue name, checked."""
    return _validate.name("queue name", value)
