"""The shared counts snapshot: one computation per interval per process.

The overview, the navigation badges, the `counts` stream topic and /metrics all
read the same snapshot. It costs `queue.stalledCounts` + `failureGroups.counts` +
`workers.counts` plus two capped direct reads (`ZCARD ql:tracked`, the scores of
`ql:workers`), whatever the number of jobs. Callers that arrive while a
computation runs wait for it instead of starting their own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from reqless._calls import server as server_calls
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance, UIState

__all__ = ["COUNT_KEYS", "computations", "current", "worker_status"]

#: The per-queue counts, in the order the pages show them.
COUNT_KEYS: tuple[str, ...] = (
    "running",
    "waiting",
    "scheduled",
    "stalled",
    "depends",
    "throttled",
    "recurring",
)

#: Most workers whose last-seen time is read (direct reads are capped).
WORKER_CAP = 10_000

_PART = "snapshot"


@dataclass
class _Slot:
    """One instance's cached snapshot and the computation in flight, if any."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    value: dict[str, Any] | None = None
    computed_at: float = 0.0  # monotonic
    running: threading.Event | None = None
    error: BaseException | None = None
    computations: int = 0


def _slot(state: UIState, inst: Instance) -> _Slot:
    slots: dict[str, _Slot] = state.parts.setdefault(_PART, {})
    found = slots.get(inst.name)
    if found is None:
        # setdefault on a dict is atomic under the GIL, so two threads get the same slot.
        found = slots.setdefault(inst.name, _Slot())
    return found


def current(state: UIState, inst: Instance, max_age: float | None = None) -> dict[str, Any]:
    """The counts snapshot of `inst`, at most `max_age` seconds old.

    `max_age` defaults to the refresh floor; 0 asks for a fresh one (a manual
    refresh). Concurrent callers share one computation; an error in it (Redis
    down) is raised to every caller that waited for it.
    """
    age = state.settings.refresh_floor if max_age is None else max_age
    slot = _slot(state, inst)
    while True:
        with slot.lock:
            now = time.monotonic()
            if slot.value is not None and now - slot.computed_at <= age and age > 0:
                return slot.value
            if slot.running is None:
                slot.running = threading.Event()
                leader = True
            else:
                leader = False
            running = slot.running
        if leader:
            return _compute_as_leader(state, inst, slot, running)
        running.wait()
        with slot.lock:
            if slot.error is not None and slot.running is None:
                raise slot.error
            if slot.value is not None:
                # Joining a computation that was in flight is as fresh as this
                # caller could get by starting its own.
                return slot.value


def _compute_as_leader(
    state: UIState, inst: Instance, slot: _Slot, running: threading.Event
) -> dict[str, Any]:
    try:
        value = compute(inst, state.settings)
    except BaseException as exc:
        with slot.lock:
            slot.error = exc
            slot.running = None
        running.set()
        raise
    with slot.lock:
        slot.value = value
        slot.computed_at = time.monotonic()
        slot.error = None
        slot.running = None
        slot.computations += 1
    running.set()
    return value


def computations(state: UIState, inst: Instance) -> int:
    """How many snapshots of `inst` this process has computed (tests, metrics)."""
    return _slot(state, inst).computations


def worker_status(
    settings: UISettings, last_seen_at: float | None, holding: int, now: float
) -> str:
    """active / quiet / stale, by the thresholds of `UISettings`."""
    if holding > 0:
        return "active"
    if last_seen_at is None:
        return "stale"
    if now - last_seen_at <= settings.worker_active_s:
        return "active"
    if now - last_seen_at <= settings.worker_quiet_s:
        return "quiet"
    return "stale"


def compute(inst: Instance, settings: UISettings) -> dict[str, Any]:
    """Compute a snapshot now, uncached (callers normally use `current`)."""
    client = inst.client
    queue_rows: Any = client._run(server_calls.queue_counts())
    groups = client._run(server_calls.failure_counts())
    worker_rows: Any = client._run(server_calls.workers_counts())
    database = client.database
    tracked_total = int(database.zcard(client.keys.TRACKED))
    scored = database.zrevrange(client.keys.WORKERS, 0, WORKER_CAP - 1, withscores=True)
    seen: dict[str, float] = {str(pair[0]): float(pair[1]) for pair in scored}
    now = time.time()

    totals = dict.fromkeys(COUNT_KEYS, 0)
    queues = []
    paused = 0
    # The core answers `{}` rather than `[]` for an empty array in some replies.
    for row in queue_rows if isinstance(queue_rows, list) else []:
        counts = {key: int(row.get(key) or 0) for key in COUNT_KEYS}
        for key, value in counts.items():
            totals[key] += value
        is_paused = bool(row.get("paused"))
        paused += is_paused
        queues.append({"name": str(row["name"]), "paused": is_paused, "counts": counts})

    workers = {"active": 0, "quiet": 0, "stale": 0}
    for row in worker_rows if isinstance(worker_rows, list) else []:
        last = seen.get(row["name"])
        status = worker_status(settings, last, int(row.get("jobs") or 0), now)
        workers[status] += 1

    group_counts = groups if isinstance(groups, dict) else {}
    return {
        "at": now,
        "queues": queues,
        "totals": totals,
        "queue_count": len(queues),
        "paused_count": paused,
        "failed_total": sum(int(n) for n in group_counts.values()),
        "failed_groups": len(group_counts),
        "tracked_total": tracked_total,
        "recurring_total": totals["recurring"],
        "workers": workers,
    }
