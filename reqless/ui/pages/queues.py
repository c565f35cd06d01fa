"""The Queues page and the queue detail page with its tabs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reqless.keys import KeySpace
from reqless.ui.errors import ApiError
from reqless.ui.http import paths
from reqless.ui.http.context import instance, ui
from reqless.ui.http.paging import Page, int_param
from reqless.ui.pages import charts, pager
from reqless.ui.pages.links import linker
from reqless.ui.pages.render import render
from reqless.ui.reads import groups as group_reads
from reqless.ui.reads import queues as reads
from reqless.ui.reads import stats as stats_reads
from reqless.ui.reads import throttles
from reqless.ui.state import Instance

__all__ = ["JOB_TABS", "TABS", "queue_list", "queue_page"]

JOB_TABS = ("waiting", "running", "scheduled", "stalled", "depends", "throttled", "recurring")
TABS = (*JOB_TABS, "groups", "stats", "history", "settings")
HISTORY_DAYS = (7, 30, 90)
_SEPARATORS = re.compile(r"[:.]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: The bulk actions that make sense for the jobs of each tab.
BULK_BY_TAB = {
    "waiting": ["move", "cancel", "priority", "tag", "track", "untrack"],
    "running": ["timeout", "move", "cancel", "priority", "tag", "track", "untrack"],
    "scheduled": ["move", "cancel", "priority", "tag", "track", "untrack"],
    "stalled": ["timeout", "move", "cancel", "priority", "tag", "track", "untrack"],
    "depends": ["move", "cancel", "priority", "tag", "track", "untrack"],
    "throttled": ["move", "cancel", "priority", "tag", "track", "untrack"],
}


def _group_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Queues under headers by their name's first `:` or `.` part, with summed counts."""
    groups: dict[str, dict[str, Any]] = {}
    for queue in items:
        name = str(queue.get("name", ""))
        head = _SEPARATORS.split(name, 1)[0] if _SEPARATORS.search(name) else ""
        group = groups.setdefault(head, {"name": head, "members": [], "counts": {}})
        group["members"].append(queue)
        for key, value in (queue.get("counts") or {}).items():
            group["counts"][key] = group["counts"].get(key, 0) + int(value or 0)
    return sorted(groups.values(), key=lambda g: (g["name"] == "", g["name"]))


def queue_list(request: Request) -> Response:
    """Every queue with counts, latency and today's stats; sort, filter, group."""
    query = request.query_params
    pg = pager.read_page(query)
    if "limit" not in query:
        pg = Page(pg.offset, 100)
    sort = query.get("sort", "name")
    order = query.get("order", "asc")
    needle = query.get("q", "")
    grouped = query.get("group") == "1"
    fresh = query.get("fresh") == "1"
    result = reads.list_queues(
        instance(request),
        ui(request).settings,
        sort=sort,
        order=order,
        q=needle,
        with_stats=True,
        fresh=fresh,
        page=pg,
    )
    items = result["items"]
    return render(
        request,
        "pages/queues.html",
        "queues",
        "Queues",
        queues=items,
        groups=_group_rows(items) if grouped else None,
        grouped=grouped,
        sort=sort,
        order=order,
        needle=needle,
        pager=pager.build(
            linker(request), pg, result.get("total"), len(items), result.get("has_more")
        ),
        hidden=pager.hidden_fields(query, ("limit", "offset")),
        stream_topics="counts",
    )


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def queue_page(request: Request) -> Response:
    """One queue: header counts and the tab named in the path."""
    inst = instance(request)
    settings = ui(request).settings
    name = paths.segment(request, "queue")
    tab = paths.segment(request, "tab") if "tab" in request.path_params else None
    if tab is not None and tab not in TABS:
        raise ApiError.not_found(f"a queue has no tab named {tab!r}")
    detail = reads.queue_detail(
        inst, settings, name, fresh=request.query_params.get("fresh") == "1"
    )
    counts = detail.get("counts") or {}
    if tab is None:
        tab = "waiting" if any(counts.get(k) for k in JOB_TABS) else "stats"
    has_groups = group_reads.has_groups(inst, name)
    context: dict[str, Any] = {"queue": detail, "name": name, "tab": tab, "has_groups": has_groups}
    query = request.query_params
    if tab in JOB_TABS:
        pg = pager.read_page(query)
        state = tab
        listing = reads.queue_jobs(inst, settings, name, state, pg)
        items = listing["items"]
        context.update(
            rows=items,
            total=listing.get("total"),
            pager=pager.build(
                linker(request), pg, listing.get("total"), len(items), listing.get("has_more")
            ),
            hidden=pager.hidden_fields(query, ("limit", "offset")),
            selector={"queue": name, "state": state} if state != "recurring" else None,
            bulk=BULK_BY_TAB.get(state, []),
            throttle_states=_throttle_states(inst, items) if state == "throttled" else {},
        )
    elif tab == "groups":
        context.update(_groups_context(request, inst, name))
    elif tab == "stats":
        context.update(_stats_context(request, inst, name))
    elif tab == "settings":
        context["queue_throttle"] = throttles.throttle_info(inst, KeySpace.queue_throttle_id(name))
    elif tab == "history":
        context.update(_history_context(request, inst, name))
    return render(
        request,
        "pages/queue.html",
        "queue",
        f"Queue {name}",
        stream_topics="counts,events",
        stream_queue=name,
        **context,
    )


def _throttle_states(inst: Instance, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """In use / max of each throttle holding back a job of this page."""
    wanted = dict.fromkeys(tid for row in rows for tid in row.get("throttles") or [])
    return {tid: throttles.throttle_info(inst, tid) for tid in wanted}


def _groups_context(request: Request, inst: Instance, name: str) -> dict[str, Any]:
    """The queue's groups in serving order or, with `?group=`, one group's jobs."""
    query = request.query_params
    pg = pager.read_page(query)
    group = query.get("group") or None
    if group is None:
        listing = group_reads.groups(inst, name, pg)
    else:
        listing = group_reads.group_jobs(inst, ui(request).settings, name, group, pg)
    items = listing["items"]
    return {
        "group": group,
        "group_info": group_reads.group_info(inst, name, group) if group else None,
        "group_rows" if group is None else "rows": items,
        "total": listing.get("total"),
        "pager": pager.build(
            linker(request), pg, listing.get("total"), len(items), listing.get("has_more")
        ),
        "hidden": pager.hidden_fields(query, ("limit", "offset")),
        "selector": None,  # explicit selections only: no "all matching" selector
        "bulk": BULK_BY_TAB["waiting"] if group else [],
    }


def _stats_context(request: Request, inst: Instance, name: str) -> dict[str, Any]:
    date = request.query_params.get("date") or _today()
    if not _DATE.match(date):
        raise ApiError.invalid("date", "must be YYYY-MM-DD (a UTC day)")
    day = stats_reads.stats_day(inst, name, date)
    wait = day.get("wait") or {}
    run = day.get("run") or {}
    return {
        "day": day,
        "date": date,
        "today": _today(),
        "wait_chart": charts.histogram(wait.get("histogram") or [], "wait time"),
        "run_chart": charts.histogram(run.get("histogram") or [], "run time"),
    }


_SERIES = (
    ("completed", "completed"),
    ("popped", "popped"),
    ("failures", "failures"),
    ("lock_expiries", "lock expiries"),
    ("wait.mean_s", "mean wait (s)"),
    ("run.mean_s", "mean run (s)"),
)


def _history_context(request: Request, inst: Instance, name: str) -> dict[str, Any]:
    days = int_param(request.query_params, "days", 7)
    if days not in HISTORY_DAYS:
        raise ApiError.invalid("days", "must be 7, 30 or 90")
    history = stats_reads.history(inst, name, days, fresh=request.query_params.get("fresh") == "1")
    items = history.get("items") or []
    return {
        "days": days,
        "history": items,
        "history_charts": [charts.daily_series(items, key, label) for key, label in _SERIES],
    }
