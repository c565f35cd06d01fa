"""Recurring templates: one template, a page of them, and the global list.

The next run is the template's score in its queue's `-recur` set.
"""

from __future__ import annotations

from typing import Any

from reqless import keys
from reqless._calls import server as server_calls
from reqless.ui.errors import ApiError
from reqless.ui.http.paging import Page, list_response
from reqless.ui.reads.payload import payload_view
from reqless.ui.reads.rows import as_list, number
from reqless.ui.settings import UISettings
from reqless.ui.state import Instance

__all__ = ["SORTS", "get_template", "recurring", "template_rows", "template_view"]

SORTS = ("next_run", "queue", "interval")
#: The full template list (for class filters and interval sorting) is shared briefly.
LIST_TTL_S = 10.0


def _row(raw: dict[str, Any], next_run: float | None) -> dict[str, Any]:
    return {
        "kind": "recurring",
        "jid": raw["jid"],
        "klass": raw.get("klass", ""),
        "queue": raw.get("queue", ""),
        "state": "recur",
        "priority": raw.get("priority", 0),
        "tags": as_list(raw.get("tags")),
        "retries": raw.get("retries", 0),
        "interval_s": number(raw.get("interval")),
        "count": int(number(raw.get("count")) or 0),
        "backlog": raw.get("backlog", 0),
        "next_run_at": next_run,
        "throttles": as_list(raw.get("throttles")),
    }


def _next_runs(inst: Instance, templates: list[dict[str, Any]]) -> list[float | None]:
    if not templates:
        return []
    pipe = inst.client.database.pipeline(transaction=False)
    for raw in templates:
        pipe.zscore(keys.queue(raw.get("queue", ""), "recur"), raw["jid"])
    return [None if score is None else float(score) for score in pipe.execute()]


def get_template(inst: Instance, jid: str) -> dict[str, Any] | None:
    """The core's template object, or None."""
    found: dict[str, Any] | None = inst.client._run(server_calls.get_recurring(jid))
    return found


def template_rows(inst: Instance, settings: UISettings, jids: list[str]) -> list[dict[str, Any]]:
    """Rows (no data) for the templates among `jids` that exist, in the order given."""
    templates = [t for t in (get_template(inst, jid) for jid in jids) if t is not None]
    return [_row(t, run) for t, run in zip(templates, _next_runs(inst, templates), strict=True)]


def template_view(inst: Instance, settings: UISettings, raw: dict[str, Any]) -> dict[str, Any]:
    """The Recurring shape (`reads.shapes.Recurring`): the payload and the most recent spawn."""
    view = _row(raw, _next_runs(inst, [raw])[0])
    view.update(payload_view(str(raw.get("data", "")), settings.redact_keys))
    count = view["count"]
    last: dict[str, Any] | None = None
    if count > 0:
        spawn = f"{raw['jid']}-{count}"
        job = inst.client._run(server_calls.get_job(spawn))
        last = {"jid": spawn, "state": job.get("state") if job else None}
    view["last_spawn"] = last
    return view


def _all_entries(inst: Instance) -> list[tuple[str, str, float]]:
    """(queue, jid, next run) of every template of every known queue."""
    names = as_list(inst.client._run(server_calls.queue_names()))
    pipe = inst.client.database.pipeline(transaction=False)
    for name in names:
        pipe.zrange(keys.queue(name, "recur"), 0, -1, withscores=True)
    out: list[tuple[str, str, float]] = []
    for name, members in zip(names, pipe.execute(), strict=True):
        out.extend((name, jid, float(score)) for jid, score in members)
    return out


def recurring(
    inst: Instance,
    settings: UISettings,
    *,
    queue: str = "",
    q: str = "",
    sort: str = "next_run",
    page: Page,
    fresh: bool = False,
) -> dict[str, Any]:
    """Templates of all queues, filtered by queue and class substrings, sorted, paged.

    Sorting by next run or queue uses only the `-recur` scores; a class filter or
    sorting by interval reads the templates themselves, at most `scan_limit` of
    them (`capped` says when that cut the list).
    """
    if sort not in SORTS:
        raise ApiError.invalid("sort", f"must be one of {', '.join(SORTS)}")
    entries = _all_entries(inst)
    if queue:
        entries = [e for e in entries if queue.lower() in e[0].lower()]
    if sort == "queue":
        entries.sort(key=lambda e: (e[0], e[2], e[1]))
    else:
        entries.sort(key=lambda e: (e[2], e[1]))
    capped = False
    if not q and sort != "interval":
        chosen = entries[page.offset : page.offset + page.limit]
        rows = template_rows(inst, settings, [jid for _queue, jid, _run in chosen])
        return {**list_response(rows, page, len(entries)), "capped": False, "examined": None}
    limit = settings.scan_limit
    capped = len(entries) > limit
    key = ("recurring-all", queue, limit)

    def compute() -> list[dict[str, Any]]:
        return template_rows(inst, settings, [jid for _queue, jid, _run in entries[:limit]])

    rows = inst.cache.get(key, LIST_TTL_S, compute, fresh)
    if q:
        rows = [row for row in rows if q.lower() in str(row["klass"]).lower()]
    if sort == "interval":
        rows = sorted(rows, key=lambda row: (row["interval_s"] or 0, row["jid"]))
    return {
        **list_response(rows[page.offset : page.offset + page.limit], page, len(rows)),
        "capped": capped,
        "examined": min(len(entries), limit),
    }
