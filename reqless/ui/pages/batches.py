"""Batches: the list, newest first, and one batch with its counts, callbacks and jobs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from reqless.ui.http import paths
from reqless.ui.http.context import instance, ui
from reqless.ui.pages import pager
from reqless.ui.pages.links import linker
from reqless.ui.pages.render import render
from reqless.ui.reads import batches

__all__ = ["batch_list", "batch_page"]


def batch_list(request: Request) -> Response:
    """Every batch the core still keeps, newest first, paged."""
    pg = pager.read_page(request.query_params)
    result = batches.batches(instance(request), ui(request).settings, pg)
    items = result["items"]
    return render(
        request,
        "pages/batches.html",
        "batches",
        "Batches",
        rows=items,
        pager=pager.build(linker(request), pg, None, len(items), result["has_more"]),
        hidden=pager.hidden_fields(request.query_params, ("limit", "offset")),
        stream_topics="counts",
    )


def batch_page(request: Request) -> Response:
    """One batch: counts, callbacks, a page of its jobs, and its actions."""
    bid = paths.segment(request, "bid")
    pg = pager.read_page(request.query_params)
    result = batches.batch_detail(instance(request), ui(request).settings, bid, pg)
    jobs = result["jobs"]
    items = jobs["items"]
    return render(
        request,
        "pages/batch.html",
        "batch",
        f"Batch {bid}",
        bid=bid,
        batch=result["batch"],
        rows=items,
        pager=pager.build(linker(request), pg, jobs["total"], len(items)),
        hidden=pager.hidden_fields(request.query_params, ("limit", "offset")),
        stream_topics="counts,events",
    )
