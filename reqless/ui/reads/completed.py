"""Completed jobs: retained completed jobs, newest first, with retention settings."""

from __future__ import annotations

from typing import Any

from reqless._calls import config as config_calls
from reqless._calls import server as server_calls
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.rows import as_list, load_jobs, rows_of
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["completed"]


def _first_put(job: dict[str, Any]) -> float | None:
    for entry in as_list(job.get("history")):
        if isinstance(entry, dict) and entry.get("what") == "put":
            when = entry.get("when")
            return float(when) if isinstance(when, (int, float)) else None
    return None


def completed(inst: Instance, settings: UISettings, page: Page) -> dict[str, Any]:
    """A page of `jobs.completed` with each job's queue (from its last put) and total time."""
    jids = [
        str(j) for j in as_list(inst.client._run(server_calls.completed(page.offset, page.limit)))
    ]
    jobs = load_jobs(inst, jids)
    loaded = [jobs[jid] for jid in jids if jid in jobs]
    rows = rows_of(inst, settings, loaded)
    for row, job in zip(rows, loaded, strict=True):
        row["queue"] = row["put_queue"]
        first = _first_put(job)
        done = row["completed_at"]
        row["total_s"] = None if first is None or done is None else max(0.0, done - first)
    total = int(inst.client.database.zcard(inst.client.keys.COMPLETED))
    retention = {
        key: inst.client._run(config_calls.get_text(key))
        for key in ("jobs-history", "jobs-history-count")
    }
    return {**list_response(rows, page, total), "retention": retention}
