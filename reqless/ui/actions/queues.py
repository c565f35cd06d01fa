"""Handlers of the queue endpoints: pause/resume (A-Q1/A-Q2), forget (A-Q5), the
queue throttle (A-T1/A-T2/A-T4/A-T5) and per-queue config overrides (A-C1/A-C2);
docs/ui.md, Actions."""

from __future__ import annotations

from typing import Any

from reqless._calls import config as config_calls
from reqless._calls import queue as queue_calls
from reqless._calls import server as server_calls
from reqless.keys import KeySpace
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.actions.tally import Tally
from reqless.ui.actions.throttles import clear_rate_of, set_throttle
from reqless.ui.errors import ApiError
from reqless.ui.roles import Role

__all__ = [
    "COUNT_KEYS",
    "bulk",
    "clear_throttle_rate_of",
    "forget",
    "pause",
    "resume",
    "set_throttle_of",
    "settings",
]

COUNT_KEYS = ("running", "waiting", "scheduled", "stalled", "depends", "throttled", "recurring")
_SETTINGS = {"heartbeat": "heartbeat", "max_pop_retry": "max-pop-retry"}
_BOUNDS = {"heartbeat": (1, 10 * 366 * 86400), "max_pop_retry": (1, 1_000)}


def _known(call: Call) -> set[str]:
    names: list[str] = call.inst.client._run(server_calls.queue_names()) or []
    return set(names)


def _nonzero(call: Call, queue: str) -> dict[str, int]:
    found = call.inst.client._run(queue_calls.core_counts(queue))
    counts: dict[str, Any] = dict(found)
    return {key: int(counts.get(key, 0)) for key in COUNT_KEYS if int(counts.get(key, 0))}


def pause(call: Call) -> Done:
    """A-Q1: pops on the queue return nothing; running jobs go on."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    queue = call.segment("queue")
    call.inst.client._run(queue_calls.pause(queue))
    return Done({"queue": queue, "paused": True}, [queue])


def resume(call: Call) -> Done:
    """A-Q2."""
    call.require(Role.OPERATOR)
    fields.only(call.body, set())
    queue = call.segment("queue")
    call.inst.client._run(queue_calls.unpause(queue))
    return Done({"queue": queue, "paused": False}, [queue])


def forget(call: Call) -> Done:
    """A-Q5: drop the queue from the known list, only when every count is zero
    unless `force` (its job sets are not touched)."""
    call.require(Role.ADMIN)
    fields.only(call.body, {"force"})
    force = fields.boolean(call.body, "force")
    queue = call.segment("queue")
    if queue not in _known(call):
        raise ApiError.not_found(f"queue {queue!r} is not known")
    busy = _nonzero(call, queue)
    if busy and not force:
        raise ApiError(
            "conflict",
            f"queue {queue} still has jobs or templates; use force to forget it anyway",
            {"queue": queue, "counts": busy},
        )
    call.inst.client._run(server_calls.forget_queues([queue]))
    return Done({"queue": queue, "forgotten": True}, [queue], {"force": force, "counts": busy})


def bulk(call: Call) -> Done:
    """`POST /queues/bulk`: pause, resume or forget several queues."""
    call.require(Role.OPERATOR)
    fields.only(call.body, {"action", "queues", "force"})
    action = call.body.get("action")
    if action not in ("pause", "resume", "forget"):
        raise ApiError.invalid("action", "must be pause, resume or forget")
    queues = fields.string_list(call.body, "queues")
    force = fields.boolean(call.body, "force")
    tally = Tally(len(queues))
    if action == "forget":
        call.require(Role.ADMIN)
        known = _known(call)
        chosen = []
        for queue in queues:
            busy = {} if queue not in known else _nonzero(call, queue)
            if queue not in known:
                tally.skip(queue, "is not a known queue")
            elif busy and not force:
                tally.skip(queue, f"still has jobs: {busy}")
            else:
                chosen.append(queue)
        if chosen:
            call.inst.client._run(server_calls.forget_queues(chosen))
            tally.succeeded(len(chosen))
    else:
        toggle = queue_calls.pause if action == "pause" else queue_calls.unpause
        call.inst.client._run(toggle(*queues))
        tally.succeeded(len(queues))
    params: dict[str, Any] = {"action": action, "force": force}
    return Done(tally.result(), queues, params, tally.counts())


def set_throttle_of(call: Call) -> Done:
    """A-T1/A-T2 for the queue's own throttle `ql:q:<queue>`."""
    call.require(Role.ADMIN)
    queue = call.segment("queue")
    return set_throttle(call, KeySpace.queue_throttle_id(queue))


def clear_throttle_rate_of(call: Call) -> Done:
    """A-T5 for the queue's own throttle: remove its rate window."""
    call.require(Role.ADMIN)
    return clear_rate_of(call, KeySpace.queue_throttle_id(call.segment("queue")))


def settings(call: Call) -> Done:
    """A-C1/A-C2 for `<queue>-heartbeat` and `<queue>-max-pop-retry` (null unsets)."""
    call.require(Role.ADMIN)
    fields.only(call.body, set(_SETTINGS))
    if not call.body:
        raise ApiError.invalid("body", "give heartbeat and/or max_pop_retry")
    queue = call.segment("queue")
    changes: dict[str, int | None] = {}
    for field_name, suffix in _SETTINGS.items():
        if field_name in call.body:
            value = call.body[field_name]
            low, high = _BOUNDS[field_name]
            changes[f"{queue}-{suffix}"] = (
                None if value is None else fields.integer(value, field_name, low, high)
            )
    for key, value in changes.items():
        if value is None:
            call.inst.client._run(config_calls.unset(key))
        else:
            call.inst.client._run(config_calls.set(key, value))
    return Done({"queue": queue, "changed": changes}, [queue], dict(call.body))
