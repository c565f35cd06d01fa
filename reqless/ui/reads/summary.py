"""The overview: health, totals, warnings, throughput, busiest queues, top groups.

Totals come from the shared counts snapshot (one per interval per process);
the rest is a handful of bounded reads. Warning links are paths relative to the
UI root of the instance (pages add the mount and instance prefix).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from reqless.ui.live import relay, snapshot
from reqless.ui.reads import failed, queues, tracked, workers
from reqless.ui.reads.health import core_version, redis_health
from reqless.ui.roles import Role, User
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance, UIState

__all__ = ["GROWTH_WINDOW_S", "summary"]

#: A failure group "grew" when its newest failure is this recent (docs/ui.md, Reading the pages).
GROWTH_WINDOW_S = 600.0
TOP_QUEUES = 10
TOP_GROUPS = 5
#: The expired-tracked warning reads up to 10,000 job states; shared this long.
EXPIRED_TTL_S = 10.0


def _path(*segments: str, **query: str) -> str:
    path = "".join("/" + quote(s, safe="") for s in segments)
    if query:
        path += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
    return path


def _health(state: UIState, inst: Instance, user: User | None) -> dict[str, Any]:
    redis = redis_health(inst)
    admin = user is not None and user.role >= Role.ADMIN
    return {
        "reachable": True,
        "server": redis["server"],
        "version": redis["version"],
        "used_memory": redis["used_memory"],
        "maxmemory": redis["maxmemory"],
        "eviction_policy": redis["eviction_policy"],
        "eviction_warning": redis["eviction_warning"],
        "core": core_version(inst),
        "read_only": state.settings.read_only,
        "auth_mode": state.settings.auth_mode if admin else None,
    }


def _warnings(
    inst: Instance,
    snap: dict[str, Any],
    not_draining: list[str],
    unserved: list[tuple[str, int]],
    stale_holding: list[str],
    grew: list[dict[str, Any]],
    expired_tracked: int,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    # An unserved queue is not draining either; its own line says why.
    not_draining = [name for name in not_draining if name not in dict(unserved)]
    stalled = int(snap["totals"].get("stalled", 0))
    if stalled:
        stalled_queues = [q["name"] for q in snap["queues"] if q["counts"]["stalled"]]
        out.append(
            {
                "kind": "stalled",
                "message": f"{stalled} stalled job(s) in {len(stalled_queues)} queue(s)",
                "count": stalled,
                "targets": stalled_queues,
                "path": _path("queues", stalled_queues[0], "stalled")
                if len(stalled_queues) == 1
                else _path("queues", sort="stalled", order="desc"),
            }
        )
    for name in not_draining:
        out.append(
            {
                "kind": "not_draining",
                "message": f"queue {name} has a backlog that is not draining",
                "targets": [name],
                "path": _path("queues", name),
            }
        )
    if stale_holding:
        out.append(
            {
                "kind": "stale_workers",
                "message": f"{len(stale_holding)} stale worker(s) still hold jobs",
                "count": len(stale_holding),
                "targets": stale_holding,
                "path": _path("workers"),
            }
        )
    for name, waiting in unserved:
        out.append(
            {
                "kind": "no_worker",
                "message": f"no worker serves queue {name}: {waiting} job(s) wait",
                "count": waiting,
                "targets": [name],
                "path": _path("queues", name),
            }
        )
    if grew:
        names = sorted(group["group"] for group in grew)
        # One line however many groups grew: a burst of failures is one event.
        out.append(
            {
                "kind": "group_grew",
                "message": f"failure group {names[0]} grew in the last 10 minutes"
                if len(names) == 1
                else f"{len(names)} failure groups grew in the last 10 minutes",
                "count": len(names),
                "targets": names,
                "path": _path("failed", names[0])
                if len(names) == 1
                else _path("failed", sort="newest"),
            }
        )
    if expired_tracked:
        out.append(
            {
                "kind": "tracked_expired",
                "message": f"{expired_tracked} tracked job(s) no longer exist",
                "count": expired_tracked,
                "path": _path("tracked", state="expired"),
            }
        )
    return out


def _throughput(state: UIState, inst: Instance) -> dict[str, Any] | None:
    return relay.throughput(state, inst)


def summary(state: UIState, inst: Instance, user: User | None = None) -> dict[str, Any]:
    """Everything the overview shows (see the module docstring)."""
    settings = state.settings
    snap = snapshot.current(state, inst)
    now = time.time()
    busiest = sorted(
        snap["queues"],
        key=lambda q: (-(q["counts"]["waiting"] + q["counts"]["scheduled"]), q["name"]),
    )[:TOP_QUEUES]
    top_queues = [queues.queue_row(inst, q) for q in busiest]
    # Latency is read (and cached 30 s) only for queues with a backlog.
    not_draining = [
        q["name"]
        for q in snap["queues"]
        if q["counts"]["waiting"] > 0 and not q["paused"] and _slow(inst, settings, q["name"])
    ]
    worker_list = workers.workers(inst, settings)
    group_list = failed.groups(inst, settings)
    grew = [
        g
        for g in group_list["items"]
        if g["newest"]
        and g["newest"]["failure"]
        and (g["newest"]["failure"]["when_at"] or 0) >= now - GROWTH_WINDOW_S
    ]
    expired = _expired_tracked(inst)
    completed_total = int(inst.client.database.zcard(inst.client.keys.COMPLETED))
    totals = {
        **snap["totals"],
        "failed": snap["failed_total"],
        "failed_groups": snap["failed_groups"],
        "tracked": snap["tracked_total"],
        "workers": snap["workers"],
        "completed": completed_total,
        "queues": snap["queue_count"],
        "paused": snap["paused_count"],
    }
    return {
        "at": snap["at"],
        "health": _health(state, inst, user),
        "totals": totals,
        "warnings": _warnings(
            inst,
            snap,
            not_draining,
            _unserved(inst, settings, snap, now),
            worker_list["stale_holding"],
            grew,
            expired,
        ),
        "throughput": _throughput(state, inst),
        "top_queues": top_queues,
        "top_groups": group_list["items"][:TOP_GROUPS],
    }


def _expired_tracked(inst: Instance) -> int:
    """Tracked jids whose job is gone (of the newest 10,000), at most 10 s old."""

    def compute() -> int:
        tabs, _total, _capped = tracked.tracked_states(inst)
        return sum(1 for _jid, tab in tabs if tab == "expired")

    count: int = inst.cache.get(("summary", "expired-tracked"), EXPIRED_TTL_S, compute)
    return count


def _slow(inst: Instance, settings: UISettings, name: str) -> bool:
    latency = queues.latency_cached(inst, name)
    return latency is not None and latency > settings.backlog_threshold_s


def _unserved(
    inst: Instance, settings: UISettings, snap: dict[str, Any], now: float
) -> list[tuple[str, int]]:
    """(queue, waiting) for the queues with waiting jobs that no worker serves.

    A worker that popped from a queue within its heartbeat holds a lock there
    (running > 0), and one blocked on it waits in `ql:waiting:<queue>`. Without
    either, the queue is unserved once its next job has waited longer than the
    active-worker window: a worker polling it would have taken that job.
    """
    candidates = [
        q
        for q in snap["queues"]
        if q["counts"]["waiting"] > 0 and not q["paused"] and q["counts"]["running"] == 0
    ]
    if not candidates:
        return []
    pipe = inst.client.database.pipeline(transaction=False)
    for q in candidates:
        pipe.zcount(inst.client.keys.waiting(q["name"]), now, "+inf")
    waiters = pipe.execute()
    out = []
    for q, waiting_workers in zip(candidates, waiters, strict=True):
        if waiting_workers:
            continue
        latency = queues.latency_cached(inst, q["name"])
        if latency is not None and latency > settings.worker_active_s:
            out.append((q["name"], int(q["counts"]["waiting"])))
    return out
