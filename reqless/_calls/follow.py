"""Calls that follow jobs: a running job's progress, waiting for a job, batches.

The features are described in docs/concepts.md and the pages on progress,
results and batches; the commands in docs/core-commands.md (job.progress,
job.wait, batch.*).
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

from reqless import _validate
from reqless._calls.call import Call, owned
from reqless.exceptions import ArgumentError
from reqless.types import Arg, BatchCallback, BatchPayload, JobWaitPayload
from reqless.util import as_list

__all__ = [
    "MAX_BATCH_ID",
    "MAX_PROGRESS_MESSAGE",
    "batch_cancel",
    "batch_canceled",
    "batch_close",
    "batch_get",
    "batch_id",
    "batch_jobs",
    "batch_list",
    "batch_open",
    "job_progress",
    "job_wait",
]

#: The longest progress message the core keeps, in bytes.
MAX_PROGRESS_MESSAGE = 1024
#: The longest batch id the core accepts, in characters.
MAX_BATCH_ID = 256
#: The most jids one batch.canceled call asks about.
MAX_CANCELED_ASKED = 1000

_CALLBACK_KEYS = frozenset({"klass", "queue", "data", "priority"})


def batch_id(value: object) -> str:
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= MAX_BATCH_ID
        or any(ord(char) < 32 or ord(char) == 127 for char in value)
    ):
        raise ArgumentError(
            f"batch id must be a string of 1 to {MAX_BATCH_ID} characters without control "
            f"characters, not {value!r}"
        )
    return value


def _paging(offset: object, limit: object) -> tuple[int, int]:
    offset = _validate.nonnegative_int("offset", offset)
    if isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 1:
        raise ArgumentError(f"limit must be a whole number > 0, not {limit!r}")
    return offset, int(limit)


def _callback(option: str, value: object) -> str:
    """The callback `value` of `option` as the JSON text the core takes."""
    if not isinstance(value, Mapping):
        raise ArgumentError(f"{option} must be a mapping with klass, queue and data, not {value!r}")
    unknown = set(value) - _CALLBACK_KEYS
    if unknown:
        raise ArgumentError(f"{option} has unknown keys {sorted(unknown)!r}")
    klass = _validate.name(f"{option} klass", value.get("klass"))
    queue = _validate.name(f"{option} queue", value.get("queue"))
    data = value.get("data", {})
    if not isinstance(data, dict):
        raise ArgumentError(f"{option} data must be a dict, not {data!r}")
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"{option} data must be JSON-serialisable: {exc}") from exc
    callback: dict[str, Any] = {"klass": klass, "queue": queue, "data": data}
    if value.get("priority") is not None:
        callback["priority"] = _validate.number(f"{option} priority", value["priority"])
    return json.dumps(callback, allow_nan=False)


def _callback_or_none(value: Any) -> BatchCallback | None:
    # The core writes false for an absent callback.
    if not isinstance(value, dict):
        return None
    callback: BatchCallback = {
        "klass": str(value["klass"]),
        "queue": str(value["queue"]),
        "data": value["data"] if isinstance(value.get("data"), dict) else {},
    }
    if isinstance(value.get("priority"), int | float):
        callback["priority"] = float(value["priority"])
    return callback


def _batch(entry: dict[str, Any]) -> BatchPayload:
    finished = entry.get("finished")
    return {
        "id": str(entry["id"]),
        "state": str(entry["state"]),
        "total": int(entry["total"]),
        "pending": int(entry["pending"]),
        "complete": int(entry["complete"]),
        "failed": int(entry["failed"]),
        "canceled": int(entry["canceled"]),
        "created": float(entry["created"]),
        "finished": float(finished) if isinstance(finished, int | float) and finished else None,
        "on_success": _callback_or_none(entry.get("on_success")),
        "on_complete": _callback_or_none(entry.get("on_complete")),
    }


def _parse_batch(reply: Any) -> BatchPayload:
    return _batch(json.loads(reply))


def _parse_batch_or_none(reply: Any) -> BatchPayload | None:
    return None if reply is None else _parse_batch(reply)


def _parse_batches(reply: Any) -> list[BatchPayload]:
    return [_batch(entry) for entry in as_list(json.loads(reply))]


def _parse_jids(reply: Any) -> list[str]:
    return [str(jid) for jid in as_list(json.loads(reply))]


def _parse_wait(reply: Any) -> JobWaitPayload:
    value = json.loads(reply)
    wake = value.get("wake")
    return {"state": str(value["state"]), "wake": str(wake) if wake else None}


def job_progress(jid: str, worker: str, fraction: float, message: str = "") -> Call[float]:
    """Report the running job's progress (a heartbeat too); the reply is the new deadline.

    `fraction` is from 0 to 1, `message` at most 1024 bytes (UTF-8).
    """
    jid, worker = _validate.name("jid", jid), _validate.name("worker", worker)
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, numbers.Real)
        or not math.isfinite(fraction)
        or not 0 <= fraction <= 1
    ):
        raise ArgumentError(f"fraction must be a number from 0 to 1, not {fraction!r}")
    message = _validate.text("message", message)
    size = len(message.encode())
    if size > MAX_PROGRESS_MESSAGE:
        raise ArgumentError(
            f"message is {size} bytes, over the limit of {MAX_PROGRESS_MESSAGE} bytes"
        )
    args: tuple[Arg, ...] = (jid, worker, repr(float(fraction)), message)
    # As a heartbeat: sent twice, the job holds the same progress and deadline.
    return Call("job.progress", args, lambda reply: float(reply or 0), owned(jid), repeatable=True)


def job_wait(jid: str) -> Call[JobWaitPayload]:
    """Start waiting for job `jid` to finish: its state, and the key to BLPOP if unfinished."""
    jid = _validate.name("jid", jid)
    # Sent twice, the job pushes one more token when it finishes, which expires unread.
    return Call("job.wait", (jid,), _parse_wait, repeatable=True)


def batch_open(
    bid: str,
    on_success: Mapping[str, Any] | None = None,
    on_complete: Mapping[str, Any] | None = None,
) -> Call[str]:
    """Open batch `bid`; each callback is {klass, queue, data, priority?}. The reply is the id."""
    args: list[Arg] = [batch_id(bid)]
    if on_success is not None:
        args += ["on_success", _callback("on_success", on_success)]
    if on_complete is not None:
        args += ["on_complete", _callback("on_complete", on_complete)]
    # Sent again after it ran, it would be refused: the batch exists.
    return Call("batch.open", tuple(args), str, repeatable=False)


def batch_close(bid: str) -> Call[BatchPayload]:
    """Close batch `bid` (no more jobs join it); the reply is the batch."""
    # Closing a closed batch changes nothing.
    return Call("batch.close", (batch_id(bid),), _parse_batch, repeatable=True)


def batch_get(bid: str) -> Call[BatchPayload | None]:
    """Batch `bid`, or None when it is unknown (or expired)."""
    return Call("batch.get", (batch_id(bid),), _parse_batch_or_none, repeatable=True)


def batch_jobs(bid: str, offset: int = 0, limit: int = 25) -> Call[list[str]]:
    """Jids of batch `bid`, sorted, `limit` of them from `offset`."""
    bid = batch_id(bid)
    offset, limit = _paging(offset, limit)
    return Call("batch.jobs", (bid, offset, limit), _parse_jids, repeatable=True)


def batch_canceled(bid: str, jids: list[str]) -> Call[list[str]]:
    """Those of `jids` that were canceled as jobs of batch `bid`, in their order."""
    bid = batch_id(bid)
    asked = _validate.names("jids", jids)
    if not 1 <= len(asked) <= MAX_CANCELED_ASKED:
        raise ArgumentError(f"jids must name 1 to {MAX_CANCELED_ASKED} jobs, not {len(asked)}")
    return Call("batch.canceled", (bid, *asked), _parse_jids, repeatable=True)


def batch_list(offset: int = 0, limit: int = 25) -> Call[list[BatchPayload]]:
    """Batches, newest first, `limit` of them from `offset`."""
    offset, limit = _paging(offset, limit)
    return Call("batch.list", (offset, limit), _parse_batches, repeatable=True)


def batch_cancel(bid: str) -> Call[list[str]]:
    """Cancel every unfinished job of batch `bid`; the reply lists the canceled jids."""
    # As job.cancel: a second run would report nothing canceled.
    return Call("batch.cancel", (batch_id(bid),), _parse_jids, repeatable=False)
