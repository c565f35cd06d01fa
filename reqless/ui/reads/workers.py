"""Workers: the registry with last seen and status, and one worker's jobs."""

from __future__ import annotations

import time
from typing import Any

from reqless._calls import config as config_calls
from reqless._calls import server as server_calls
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import Page, list_response
from reqless.ui.live import snapshot
from reqless.ui.reads.rows import as_list, load_rows
from reqless.ui.reads.shapes import Worker
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["STATUSES", "status_of", "worker_detail", "workers"]

STATUSES = ("active", "quiet", "stale")


def status_of(settings: UISettings, last_seen: float | None, running: int, now: float) -> str:
    """active: seen recently or holding unexpired locks; quiet: seen lately; else stale.

    The same rule as the counts snapshot, so badges and this list agree.
    """
    return snapshot.worker_status(settings, last_seen, running, now)


def _last_seen(inst: Instance) -> dict[str, float]:
    members: list[tuple[str, float]] = inst.client.database.zrange(
        inst.client.keys.WORKERS, 0, -1, withscores=True
    )  # type: ignore[assignment]
    return {str(name): float(score) for name, score in members}


def _worker(
    settings: UISettings, raw: dict[str, Any], seen: dict[str, float], now: float
) -> Worker:
    name = str(raw["name"])
    running = int(raw.get("jobs", 0) or 0)
    last = seen.get(name)
    return {
        "name": name,
        "running": running,
        "stalled": int(raw.get("stalled", 0) or 0),
        "last_seen_at": last,
        "status": status_of(settings, last, running, now),
    }


def workers(inst: Instance, settings: UISettings, page: Page | None = None) -> dict[str, Any]:
    """Every registered worker, most recently seen first, with status counts."""
    page = page or Page(0, 500)
    now = time.time()
    raw = as_list(inst.client._run(server_calls.workers_counts()))
    seen = _last_seen(inst)
    items = [_worker(settings, item, seen, now) for item in raw]
    counts = {status: 0 for status in STATUSES}
    for item in items:
        counts[item["status"]] += 1
    stale_holding = [
        item["name"] for item in items if item["status"] == "stale" and item["stalled"] > 0
    ]
    max_age = inst.client._run(config_calls.get_text("max-worker-age"))
    return {
        **list_response(items[page.offset : page.offset + page.limit], page, len(items)),
        "counts": counts,
        "stale_holding": stale_holding,
        "max_worker_age_s": float(max_age) if max_age is not None else None,
        "active_within_s": settings.worker_active_s,
        "quiet_within_s": settings.worker_quiet_s,
    }


def worker_detail(inst: Instance, settings: UISettings, name: str, page: Page) -> dict[str, Any]:
    """One worker and pages of its running and stalled jobs (latest deadline first)."""
    now = time.time()
    held = inst.client._run(server_calls.worker_jobs(name))
    running = [str(j) for j in as_list(held.get("jobs"))]
    stalled = [str(j) for j in as_list(held.get("stalled"))]
    seen = _last_seen(inst)
    if name not in seen and not running and not stalled:
        raise ApiError.not_found(f"no worker named {name!r}")
    worker = _worker(
        settings, {"name": name, "jobs": len(running), "stalled": len(stalled)}, seen, now
    )
    out: dict[str, Any] = {"worker": worker}
    for label, jids in (("running", running), ("stalled", stalled)):
        rows, _missing = load_rows(inst, settings, jids[page.offset : page.offset + page.limit])
        out[label] = list_response(rows, page, len(jids))
    return out
