"""Workers and throttles: the lists and their detail pages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from reqless.ui.errors import ApiError
from reqless.ui.http import paths
from reqless.ui.http.context import instance, ui
from reqless.ui.pages import pager
from reqless.ui.pages.links import linker
from reqless.ui.pages.render import render
from reqless.ui.reads import throttles, workers

__all__ = ["throttle_list", "throttle_page", "worker_list", "worker_page"]


def worker_list(request: Request) -> Response:
    """Every registered worker with last seen and status."""
    pg = pager.read_page(request.query_params)
    result = workers.workers(instance(request), ui(request).settings, pg)
    items = result.get("items") or []
    forgettable = [w["name"] for w in items if w.get("status") == "stale" and not w.get("running")]
    return render(
        request,
        "pages/workers.html",
        "workers",
        "Workers",
        result=result,
        rows=items,
        stale_idle=forgettable,
        pager=pager.build(linker(request), pg, result.get("total"), len(items)),
        hidden=pager.hidden_fields(request.query_params, ("limit", "offset")),
        stream_topics="counts",
    )


def worker_page(request: Request) -> Response:
    """One worker's running and stalled jobs."""
    name = paths.segment(request, "worker")
    pg = pager.read_page(request.query_params)
    result = workers.worker_detail(instance(request), ui(request).settings, name, pg)
    running = result.get("running") or {}
    stalled = result.get("stalled") or {}
    longest = running if (running.get("total") or 0) >= (stalled.get("total") or 0) else stalled
    return render(
        request,
        "pages/worker.html",
        "worker",
        f"Worker {name}",
        name=name,
        worker=result.get("worker") or {},
        running=running,
        stalled=stalled,
        pager=pager.build(
            linker(request), pg, longest.get("total"), len(longest.get("items") or [])
        ),
        hidden=pager.hidden_fields(request.query_params, ("limit", "offset")),
        stream_topics="counts,events",
        stream_worker=name,
    )


def throttle_list(request: Request) -> Response:
    """Queue throttles and named throttles found by the capped scan."""
    pg = pager.read_page(request.query_params)
    fresh = request.query_params.get("fresh") == "1"
    result = throttles.throttles(instance(request), pg, fresh=fresh)
    items = result.get("items") or []
    return render(
        request,
        "pages/throttles.html",
        "throttles",
        "Throttles",
        result=result,
        rows=items,
        pager=pager.build(linker(request), pg, result.get("total"), len(items)),
        hidden=pager.hidden_fields(request.query_params, ("limit", "offset")),
    )


def throttle_page(request: Request) -> Response:
    """One throttle with the jobs holding its locks or pending on it."""
    tid = paths.segment(request, "tid")
    which = request.query_params.get("list", "locks")
    if which not in ("locks", "pending"):
        raise ApiError.invalid("list", "must be locks or pending")
    pg = pager.read_page(request.query_params)
    result = throttles.throttle_detail(instance(request), ui(request).settings, tid, which, pg)
    jobs = result.get("jobs") or {}
    items = jobs.get("items") or []
    return render(
        request,
        "pages/throttle.html",
        "throttle",
        f"Throttle {tid}",
        tid=tid,
        throttle=result.get("throttle") or {},
        which=which,
        rows=items,
        total=jobs.get("total"),
        pager=pager.build(linker(request), pg, jobs.get("total"), len(items)),
        hidden=pager.hidden_fields(request.query_params, ("limit", "offset")),
    )
