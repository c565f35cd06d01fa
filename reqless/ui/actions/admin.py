"""Handlers of the config (A-C1/A-C2) and worker (A-W1/A-W2) endpoints (docs/ui.md, Actions)."""

from __future__ import annotations

import json
import math
import time
from typing import Any

from reqless._calls import config as config_calls
from reqless._calls import server as server_calls
from reqless._calls.config import number_problem
from reqless.ui.actions import body as fields
from reqless.ui.actions.call import Call, Done
from reqless.ui.errors import ApiError
from reqless.ui.roles import Role

__all__ = ["NUMERIC_KEYS", "config_set", "config_unset", "forget_stale", "forget_worker"]

NUMERIC_KEYS = frozenset({
    "heartbeat", "grace-period", "jobs-history", "jobs-history-count",
    "max-job-history", "max-pop-retry", "max-worker-age",
})  # fmt: skip
_NUMERIC_SUFFIXES = ("-heartbeat", "-max-pop-retry")
# The core's config.set refuses values that would stop work and shows why, but
# keeps taking any `heartbeat` and `jobs-history` (the specification's examples
# set `heartbeat 0`, `heartbeat -10`, `jobs-history -1`): for these the UI
# applies the Python client's rule itself, so a popped job's lock cannot be
# born expired.
_LAX_IN_CORE = ("heartbeat", "jobs-history")
_MAX_VALUE_LENGTH = 10_000


def is_numeric_key(key: str) -> bool:
    """Whether the core reads this option as a number (global or per queue)."""
    return key in NUMERIC_KEYS or any(
        key.endswith(suffix) and len(key) > len(suffix) for suffix in _NUMERIC_SUFFIXES
    )


def _config_value(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ApiError.invalid("value", "must be a string or a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ApiError.invalid("value", "must be a finite number")
    text = value if isinstance(value, str) else json.dumps(value)
    if not text.strip():
        raise ApiError.invalid("value", "must not be empty (unset the option instead)")
    if len(text) > _MAX_VALUE_LENGTH:
        raise ApiError.invalid("value", f"at most {_MAX_VALUE_LENGTH} characters")
    if is_numeric_key(key):
        try:
            number = float(text)
        except ValueError:
            raise ApiError.invalid("value", f"{key} takes a number, got {text!r}") from None
        if not math.isfinite(number):
            raise ApiError.invalid("value", f"{key} takes a finite number")
        if key in _LAX_IN_CORE or key.endswith("-heartbeat"):
            problem = number_problem(key, text.strip())
            if problem is not None:
                raise ApiError.invalid("value", f"{key} {problem}")
    return text


def config_set(call: Call) -> Done:
    """A-C1: `config.set`; the core refuses values that would stop work (422, its message)."""
    call.require(Role.ADMIN)
    fields.only(call.body, {"value"})
    key = call.segment("key")
    if not key.strip():
        raise ApiError.invalid("key", "must not be empty")
    if "value" not in call.body:
        raise ApiError.invalid("value", "is required")
    text = _config_value(key, call.body["value"])
    old = call.inst.client._run(config_calls.get_text(key))
    call.inst.client._run(config_calls.set_text(key, text))
    return Done({"key": key, "value": text, "previous": old}, [key], {"value": text, "old": old})


def config_unset(call: Call) -> Done:
    """A-C2: back to the default (or to nothing, for keys without one)."""
    call.require(Role.ADMIN)
    fields.only(call.body, set())
    key = call.segment("key")
    old = call.inst.client._run(config_calls.get_text(key))
    call.inst.client._run(config_calls.unset(key))
    now = call.inst.client._run(config_calls.get_text(key))
    return Done({"key": key, "value": now, "previous": old}, [key], {"old": old})


def _worker_counts(call: Call) -> dict[str, dict[str, Any]]:
    rows = call.inst.client._run(server_calls.workers_counts()) or []
    return {row["name"]: dict(row) for row in rows}


def forget_worker(call: Call) -> Done:
    """A-W1: drop a worker from the registry (its job set stays)."""
    call.require(Role.ADMIN)
    fields.only(call.body, set())
    worker = call.segment("worker")
    row = _worker_counts(call).get(worker)
    if row is None:
        raise ApiError.not_found(f"worker {worker!r} is not known")
    held = int(row.get("jobs", 0)) + int(row.get("stalled", 0))
    call.inst.client._run(server_calls.worker_forget([worker]))
    return Done({"worker": worker, "forgotten": True, "held_jobs": held}, [worker], {"held": held})


def forget_stale(call: Call) -> Done:
    """A-W2: forget the stale workers (not seen within the quiet threshold) that
    hold no jobs."""
    call.require(Role.ADMIN)
    fields.only(call.body, set())
    rows = _worker_counts(call)
    cutoff = time.time() - call.settings.worker_quiet_s
    client = call.inst.client
    seen = client.database.zrangebyscore(client.keys.WORKERS, "-inf", cutoff, withscores=True)
    stale = [str(entry[0]) for entry in seen if str(entry[0]) in rows]
    idle = [
        name
        for name in stale
        if not int(rows[name].get("jobs", 0)) and not int(rows[name].get("stalled", 0))
    ]
    if idle:
        call.inst.client._run(server_calls.worker_forget(idle))
    body = {"forgotten": idle, "count": len(idle), "stale_holding_jobs": len(stale) - len(idle)}
    return Done(body, idle, {"quiet_s": call.settings.worker_quiet_s}, {"forgotten": len(idle)})
