"""List pages: failure groups, tracked, completed,
recurring and tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from reqless.ui.http import paths
from reqless.ui.http.context import instance, ui
from reqless.ui.http.paging import int_param
from reqless.ui.pages import pager
from reqless.ui.pages.links import linker
from reqless.ui.pages.render import render
from reqless.ui.reads import completed as completed_reads
from reqless.ui.reads import failed
from reqless.ui.reads import recurring as recurring_reads
from reqless.ui.reads import tags as tag_reads
from reqless.ui.reads import tracked as tracked_reads

__all__ = [
    "completed",
    "failed_group",
    "failed_groups",
    "recurring",
    "tag_jobs",
    "tags",
    "tracked",
]

ALL_BULK = ["retry", "move", "cancel", "priority", "tag", "track", "untrack", "timeout"]
TRACKED_TABS = tracked_reads.TABS


def _listing(request: Request, result: Mapping[str, Any]) -> dict[str, Any]:
    """The context of a paged list: its rows, pager and the fields the pager keeps."""
    pg = pager.read_page(request.query_params)
    items = result.get("items") or []
    return {
        "rows": items,
        "total": result.get("total"),
        "pager": pager.build(
            linker(request), pg, result.get("total"), len(items), result.get("has_more")
        ),
        "hidden": pager.hidden_fields(request.query_params, ("limit", "offset")),
    }


def failed_groups(request: Request) -> Response:
    """Failure groups with counts and their newest and oldest samples."""
    query = request.query_params
    sort = query.get("sort", "count")
    needle = query.get("q", "")
    pg = pager.read_page(query)
    result = failed.groups(instance(request), ui(request).settings, sort=sort, q=needle, page=pg)
    return render(
        request,
        "pages/failed.html",
        "failed",
        "Failed",
        result=result,
        sort=sort,
        needle=needle,
        stream_topics="counts",
        **_listing(request, result),
    )


def failed_group(request: Request) -> Response:
    """One failure group, newest first; optionally clustered by message."""
    group = paths.segment(request, "group")
    inst = instance(request)
    settings = ui(request).settings
    pg = pager.read_page(request.query_params)
    clustered = request.query_params.get("cluster") == "1"
    clusters = None
    if clustered:
        limit = int_param(request.query_params, "scan", settings.scan_limit, minimum=1)
        clusters = failed.clusters(inst, settings, group, limit)
    result = failed.group_jobs(inst, settings, group, pg)
    return render(
        request,
        "pages/failed_group.html",
        "failed-group",
        f"Failed: {group}",
        group=group,
        clusters=clusters,
        clustered=clustered,
        selector={"group": group},
        bulk=["retry", "move", "cancel", "priority", "tag", "track", "untrack"],
        stream_topics="counts",
        **_listing(request, result),
    )


def tracked(request: Request) -> Response:
    """Tracked jobs by state tab, most recently tracked first."""
    state = request.query_params.get("state", "all")
    pg = pager.read_page(request.query_params)
    result = tracked_reads.tracked(instance(request), ui(request).settings, state, pg)
    selector = {"tracked_state": state} if state != "expired" else None
    return render(
        request,
        "pages/tracked.html",
        "tracked",
        "Tracked",
        result=result,
        state=state,
        tabs=TRACKED_TABS,
        selector=selector,
        bulk=ALL_BULK if state != "expired" else [],
        stream_topics="counts,events",
        **_listing(request, result),
    )


def completed(request: Request) -> Response:
    """Retained completed jobs, newest first, with the retention in effect."""
    pg = pager.read_page(request.query_params)
    result = completed_reads.completed(instance(request), ui(request).settings, pg)
    return render(
        request,
        "pages/completed.html",
        "completed",
        "Completed",
        result=result,
        bulk=["move", "tag", "track", "untrack"],
        **_listing(request, result),
    )


def recurring(request: Request) -> Response:
    """Every recurring template of every queue."""
    query = request.query_params
    sort = query.get("sort", "next_run")
    queue = query.get("queue", "")
    needle = query.get("q", "")
    pg = pager.read_page(query)
    result = recurring_reads.recurring(
        instance(request), ui(request).settings, queue=queue, q=needle, sort=sort, page=pg
    )
    return render(
        request,
        "pages/recurring.html",
        "recurring",
        "Recurring",
        result=result,
        sort=sort,
        queue_filter=queue,
        needle=needle,
        stream_topics="counts",
        **_listing(request, result),
    )


def tags(request: Request) -> Response:
    """The top tags (used by two or more jobs)."""
    pg = pager.read_page(request.query_params)
    result = tag_reads.top_tags(instance(request), pg)
    return render(request, "pages/tags.html", "tags", "Tags", **_listing(request, result))


def tag_jobs(request: Request) -> Response:
    """The jobs carrying one tag."""
    tag = paths.segment(request, "tag")
    pg = pager.read_page(request.query_params)
    result = tag_reads.tag_jobs(instance(request), ui(request).settings, tag, pg)
    return render(
        request,
        "pages/tag.html",
        "tag",
        f"Tag {tag}",
        tag=tag,
        selector={"tag": tag},
        bulk=ALL_BULK,
        **_listing(request, result),
    )
