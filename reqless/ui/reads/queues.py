"""Queues: the queue list, one queue and its jobs by state."""

from __future__ import annotations

import math
import time
from typing import Any

from reqless._calls import config as config_calls
from reqless._calls import queue as queue_calls
from reqless._calls import server as server_calls
from reqless.keys import KeySpace
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads import groups, recurring
from reqless.ui.reads.rows import as_list, load_rows, number, rows_of
from reqless.ui.reads.shapes import ListPage
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = [
    "COUNT_KEYS",
    "JOB_STATES",
    "SORTS",
    "counts_of",
    "latency_cached",
    "list_queues",
    "queue_detail",
    "queue_jobs",
    "queue_row",
    "queue_throttle",
    "state_jids",
    "today_of",
]

COUNT_KEYS = ("running", "waiting", "scheduled", "stalled", "depends", "throttled", "recurring")
JOB_STATES = ("waiting", "running", "scheduled", "stalled", "depends", "throttled", "recurring")
#: Today's stats and latency are refreshed at most this often.
STATS_TTL_S = 30.0
#: Per-queue overrides and the defaults the core falls back to (docs/configuration.md).
OVERRIDES = {"heartbeat": "60", "max-pop-retry": "1"}

_TODAY_SORTS = {
    "popped": "popped",
    "completed": "completed",
    "failures": "failures",
    "wait_mean": "wait_mean_s",
    "run_mean": "run_mean_s",
}
SORTS = ("name", "paused", *COUNT_KEYS, "latency", *_TODAY_SORTS)


def counts_of(raw: dict[str, Any]) -> dict[str, int]:
    """The seven counts of a core count object."""
    return {key: int(raw.get(key, 0) or 0) for key in COUNT_KEYS}


def today_of(stats: dict[str, Any]) -> dict[str, Any]:
    """The `today` part of a Queue from one `queue.stats` reply."""
    wait = stats.get("wait") or {}
    run = stats.get("run") or {}
    return {
        "popped": int(wait.get("count", 0) or 0),
        "completed": int(run.get("count", 0) or 0),
        "failures": int(stats.get("failures", 0) or 0),
        "still_failed": int(stats.get("failed", 0) or 0),
        "lock_expiries": int(stats.get("retries", 0) or 0),
        "wait_mean_s": number(wait.get("mean")) if wait.get("count") else None,
        "run_mean_s": number(run.get("mean")) if run.get("count") else None,
    }


def queue_throttles(inst: Instance, names: list[str]) -> dict[str, dict[str, Any]]:
    """Each queue's own throttle: maximum, in use, pending and expiry (no TTL codes).

    Read straight from the throttle keys in one round trip for all `names`: a page of
    500 queues would otherwise cost a core call and a pipeline per queue.
    """
    pipe = inst.client.database.pipeline(transaction=False)
    for name in names:
        key = inst.client.keys.throttle(KeySpace.queue_throttle_id(name))
        pipe.hget(key, "maximum")
        pipe.ttl(key)
        pipe.zcard(f"{key}-locks")
        pipe.zcard(f"{key}-pending")
    replies = pipe.execute() if names else []
    throttles = {}
    for index, name in enumerate(names):
        maximum, ttl, in_use, pending = replies[4 * index : 4 * index + 4]
        limit = number(maximum)
        usable = limit is not None and math.isfinite(limit) and limit > 0
        throttles[name] = {
            "id": KeySpace.queue_throttle_id(name),
            "maximum": int(limit) if usable and limit is not None else 0,
            "in_use": int(in_use),
            "pending": int(pending),
            "expires_in_s": int(ttl) if int(ttl) >= 0 else None,
        }
    return throttles


def queue_throttle(inst: Instance, name: str) -> dict[str, Any]:
    """One queue's own throttle (see `queue_throttles`)."""
    return queue_throttles(inst, [name])[name]


def _latency(inst: Instance, name: str, now: float) -> float | None:
    """Age of the job that would be popped next, from its newest `put` entry."""
    peeked = as_list(inst.client._run(queue_calls.peek(name, 0, 1)))
    if not peeked:
        return None
    for entry in reversed(as_list(peeked[0].get("history"))):
        if isinstance(entry, dict) and entry.get("what") == "put":
            when = number(entry.get("when"))
            return None if when is None else max(0.0, now - when)
    return None


def _stats_part(inst: Instance, name: str, fresh: bool) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        now = time.time()
        stats = inst.client._run(queue_calls.stats(name, now))
        return {"latency_s": _latency(inst, name, now), "today": today_of(stats)}

    part: dict[str, Any] = inst.cache.get(("queue-stats", name), STATS_TTL_S, compute, fresh)
    return part


def latency_cached(inst: Instance, name: str) -> float | None:
    """The queue's head-of-line latency, refreshed at most every 30 s."""
    latency: float | None = _stats_part(inst, name, False)["latency_s"]
    return latency


def queue_row(
    inst: Instance, raw: dict[str, Any], with_stats: bool = True, fresh: bool = False
) -> dict[str, Any]:
    """The Queue shape from a core count object (or a snapshot queue entry)."""
    if "counts" in raw:
        raw = {"name": raw["name"], "paused": raw.get("paused"), **raw["counts"]}
    return _queue(inst, raw, with_stats, fresh)


def _queue(
    inst: Instance, raw: dict[str, Any], with_stats: bool, fresh: bool, with_throttle: bool = True
) -> dict[str, Any]:
    name = str(raw["name"])
    queue: dict[str, Any] = {
        "name": name,
        "paused": bool(raw.get("paused")),
        "counts": counts_of(raw),
        "latency_s": None,
        "throttle": queue_throttle(inst, name) if with_throttle else None,
        "today": None,
    }
    if with_stats:
        queue.update(_stats_part(inst, name, fresh))
    return queue


def _sort_key(sort: str) -> Any:
    def key(queue: dict[str, Any]) -> Any:
        if sort == "name":
            return (0, queue["name"])
        if sort == "paused":
            return (0, queue["paused"])
        if sort in COUNT_KEYS:
            return (0, queue["counts"][sort])
        if sort == "latency":
            value = queue["latency_s"]
        else:
            value = (queue["today"] or {}).get(_TODAY_SORTS[sort])
        # Unknown values sort after known ones whatever the order.
        return (0, value) if value is not None else (1, 0)

    return key


def list_queues(
    inst: Instance,
    settings: UISettings,
    *,
    sort: str = "name",
    order: str = "asc",
    q: str = "",
    with_stats: bool = False,
    fresh: bool = False,
    page: Page | None = None,
) -> ListPage:
    """Every known queue (one `queue.stalledCounts`), filtered by name, sorted, paged."""
    if sort not in SORTS:
        raise ApiError.invalid("sort", f"must be one of {', '.join(SORTS)}")
    if order not in ("asc", "desc"):
        raise ApiError.invalid("order", "must be asc or desc")
    page = page or Page(0, 500)
    raw = as_list(inst.client._run(server_calls.queue_counts()))
    needle = q.lower()
    raw = [item for item in raw if needle in str(item.get("name", "")).lower()]
    stats_needed = with_stats or sort not in ("name", "paused", *COUNT_KEYS)
    # Sort every queue on what the sort needs, then read throttles for the page only.
    queues = [_queue(inst, item, stats_needed, fresh, with_throttle=False) for item in raw]
    queues.sort(key=_sort_key(sort), reverse=order == "desc")
    chosen = queues[page.offset : page.offset + page.limit]
    throttles = queue_throttles(inst, [queue["name"] for queue in chosen])
    for queue in chosen:
        queue["throttle"] = throttles[queue["name"]]
        if not with_stats:
            queue["today"] = queue["latency_s"] = None
    return list_response(chosen, page, len(raw))


def _settings(inst: Instance, name: str) -> dict[str, Any]:
    stored: dict[str, str] = inst.client._run(config_calls.get_all())
    out = {}
    for option, default in OVERRIDES.items():
        override = stored.get(f"{name}-{option}")
        glob = stored.get(option, default)
        if override is not None:
            source, value = "override", override
        elif glob != default:
            source, value = "global", glob
        else:
            source, value = "default", default
        out[option] = {
            "key": f"{name}-{option}",
            "value": value,
            "override": override,
            "global": glob,
            "default": default,
            "source": source,
        }
    return out


def state_jids(inst: Instance, queue: str, state: str, offset: int, limit: int) -> list[Any]:
    """A page of the jids of the queue's jobs in `state`, in core order.

    Stalled has reqless's one meaning (docs/concepts.md): `queue.stalledJobs` adds
    the jobs handed back with `job.timeout` to the expired locks.
    """
    if state == "stalled":
        reply = inst.client._run(queue_calls.jobs_by_state(queue, "stalled", offset, limit))
    else:
        reply = inst.client._run(queue_calls.jobs_by_state(queue, state, offset, limit))
    return as_list(reply)


def queue_detail(
    inst: Instance, settings: UISettings, name: str, fresh: bool = False
) -> dict[str, Any]:
    """One queue with counts, latency, today's stats, throttle and settings overrides."""
    raw = inst.client._run(queue_calls.counts(name))
    queue = _queue(inst, {**raw, "name": name}, True, fresh)
    names = as_list(inst.client._run(server_calls.queue_names()))
    latency = queue["latency_s"]
    queue["known"] = name in names
    queue["settings"] = _settings(inst, name)
    queue["not_draining"] = bool(
        queue["counts"]["waiting"] > 0
        and not queue["paused"]
        and latency is not None
        and latency > settings.backlog_threshold_s
    )
    queue["backlog_threshold_s"] = settings.backlog_threshold_s
    return queue


def queue_jobs(inst: Instance, settings: UISettings, name: str, state: str, page: Page) -> ListPage:
    """A page of the queue's jobs in one state, in core order, with the state's total."""
    if state not in JOB_STATES:
        raise ApiError.invalid("state", f"must be one of {', '.join(JOB_STATES)}")
    found = inst.client._run(queue_calls.counts(name))
    counts = counts_of(dict(found))
    if state == "waiting":
        # The peek lists expired locks first, as a pop would take them.
        jobs = as_list(inst.client._run(queue_calls.peek(name, page.offset, page.limit)))
        rows = rows_of(inst, settings, jobs)
        for index, row in enumerate(rows):
            row["position"] = page.offset + index + 1
        # Jobs of fair groups wait behind their group's head, out of the peek's reach.
        shown = counts["waiting"] + counts["stalled"] - groups.hidden_waiting(inst, name)
        return list_response(rows, page, shown)
    jids = state_jids(inst, name, state, page.offset, page.limit)
    if state == "recurring":
        items = recurring.template_rows(inst, settings, jids)
        return list_response(items, page, counts["recurring"])
    rows, _missing = load_rows(inst, settings, jids)
    return list_response(rows, page, counts[state])
