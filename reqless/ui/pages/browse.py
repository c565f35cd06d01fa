"""Events, Config, Queue patterns, About,
Search (docs/ui.md, Reading the pages) and Audit."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reqless.ui.errors import ApiError
from reqless.ui.http import audit as audit_log
from reqless.ui.http import paths
from reqless.ui.http.context import instance, require, ui, user
from reqless.ui.pages import pager
from reqless.ui.pages.links import linker
from reqless.ui.pages.render import render
from reqless.ui.reads import config as config_reads
from reqless.ui.reads import info as info_reads
from reqless.ui.reads import patterns
from reqless.ui.reads import search as search_reads
from reqless.ui.roles import Role

__all__ = ["about", "audit", "config", "events", "queue_patterns", "search"]

MAX_QUERY = 500
EVENT_FILTERS = ("kind", "queue", "worker", "jid", "group")
EVENT_KINDS = (
    "put",
    "popped",
    "completed",
    "failed",
    "stalled",
    "canceled",
    "lock_lost",
    "advanced",
    "track",
    "untrack",
    "config_set",
    "config_unset",
)


def events(request: Request) -> Response:
    """The live tail: rendered empty, filled by the event stream."""
    filters = {name: request.query_params.get(name, "") for name in EVENT_FILTERS}
    return render(
        request,
        "pages/events.html",
        "events",
        "Events",
        filters=filters,
        kinds=EVENT_KINDS,
        stream_topics="events,counts",
        stream_queue=filters["queue"] or None,
        stream_jid=filters["jid"] or None,
        stream_worker=filters["worker"] or None,
        page_data={"filters": filters, "buffer": 1000},
    )


def config(request: Request) -> Response:
    """Every config option with its default and source."""
    return render(
        request,
        "pages/config.html",
        "config",
        "Config",
        config=config_reads.config(instance(request)),
        stream_topics="events",
    )


def queue_patterns(request: Request) -> Response:
    """Identifier and priority patterns with their expansion now."""
    found = patterns.patterns(instance(request))
    return render(
        request,
        "pages/patterns.html",
        "queue-patterns",
        "Queue patterns",
        patterns=found,
        page_data={
            "identifiers": found.get("identifiers") or {},
            "priorities": found.get("priorities") or [],
        },
    )


def about(request: Request) -> Response:
    """Versions, Redis highlights, settings in effect, the current user."""
    found = info_reads.info(ui(request), instance(request), user(request))
    return render(request, "pages/about.html", "about", "About", info=found)


def search(request: Request) -> Response:
    """The search box: straight to a named thing, or typed and scanned results."""
    q = request.query_params.get("q", "").strip()
    cursor = request.query_params.get("cursor") or None
    if len(q) > MAX_QUERY:
        raise ApiError.invalid("q", f"at most {MAX_QUERY} characters")
    result: dict[str, Any] | None = None
    if q:
        result = search_reads.search(instance(request), ui(request).settings, q, cursor)
        if result.get("kind") == "redirect":
            return RedirectResponse(paths.url_prefix(request) + str(result["path"]), 303)
    return render(
        request,
        "pages/search.html",
        "search",
        "Search",
        search_q=q,
        result=result,
        selector={"search": q} if result and result.get("kind") == "jobs" else None,
        bulk=["retry", "move", "cancel", "priority", "tag", "track", "untrack", "timeout"],
    )


def audit(request: Request) -> Response:
    """The audit records kept in Redis (admins; only with --audit-redis)."""
    require(request, Role.ADMIN)
    if not ui(request).settings.audit_redis:
        raise ApiError.not_found("the audit trail is kept in Redis only with --audit-redis")
    query = request.query_params
    filters = {name: query.get(name, "") for name in ("user", "action", "target")}
    pg = pager.read_page(query)
    records = audit_log.read(instance(request), **filters)
    shown = records[pg.offset : pg.offset + pg.limit]
    return render(
        request,
        "pages/audit.html",
        "audit",
        "Audit",
        filters=filters,
        rows=shown,
        pager=pager.build(linker(request), pg, len(records), len(shown)),
        hidden=pager.hidden_fields(query, ("limit", "offset")),
    )
