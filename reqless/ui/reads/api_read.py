"""The JSON read endpoints (all GET, viewer and up).

Each handler parses and bounds its parameters, calls the `reads` function that
the HTML pages also use, and returns its result as JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reqless.ui.errors import ApiError
from reqless.ui.http import audit, context, openapi, paging, paths, security
from reqless.ui.reads import (
    batches,
    completed,
    config,
    failed,
    groups,
    info,
    jobs,
    patterns,
    queues,
    recurring,
    search,
    stats,
    summary,
    tags,
    throttles,
    tracked,
    workers,
)
from reqless.ui.reads.health import ui_version
from reqless.ui.roles import Role

__all__ = ["routes"]

API = "/api/v1"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def flag(query: Mapping[str, str], name: str) -> bool:
    """A boolean query parameter (`1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`)."""
    raw = query.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ApiError.invalid(name, f"{raw!r} is not a boolean (use 1 or 0)")


def text(query: Mapping[str, str], name: str, maximum: int = 500) -> str:
    """A free-text query parameter of at most `maximum` characters."""
    value = query.get(name, "")
    if len(value) > maximum:
        raise ApiError.invalid(name, f"at most {maximum} characters, got {len(value)}")
    return value


def _handler(read: Callable[[Request], Any]) -> Callable[[Request], Response]:
    def endpoint(request: Request) -> Response:
        context.require(request, Role.VIEWER)
        return security.json_response(read(request))

    endpoint.__name__ = read.__name__
    endpoint.__doc__ = read.__doc__
    return endpoint


def _summary(request: Request) -> Any:
    return summary.summary(context.ui(request), context.instance(request), context.user(request))


def _queues(request: Request) -> Any:
    query = request.query_params
    return queues.list_queues(
        context.instance(request),
        context.ui(request).settings,
        sort=query.get("sort", "name") or "name",
        order=query.get("order", "asc") or "asc",
        q=text(query, "q"),
        with_stats=flag(query, "with_stats"),
        fresh=flag(query, "fresh"),
        page=paging.page(query, default_limit=paging.MAX_LIMIT),
    )


def _queue(request: Request) -> Any:
    return queues.queue_detail(
        context.instance(request),
        context.ui(request).settings,
        paths.segment(request, "queue"),
        fresh=flag(request.query_params, "fresh"),
    )


def _queue_jobs(request: Request) -> Any:
    query = request.query_params
    return queues.queue_jobs(
        context.instance(request),
        context.ui(request).settings,
        paths.segment(request, "queue"),
        query.get("state", "waiting") or "waiting",
        paging.page(query),
    )


def _queue_groups(request: Request) -> Any:
    return groups.groups(
        context.instance(request),
        paths.segment(request, "queue"),
        paging.page(request.query_params),
    )


def _group_jobs(request: Request) -> Any:
    return groups.group_jobs(
        context.instance(request),
        context.ui(request).settings,
        paths.segment(request, "queue"),
        paths.segment(request, "group"),
        paging.page(request.query_params),
    )


def _queue_stats(request: Request) -> Any:
    return stats.stats_day(
        context.instance(request),
        paths.segment(request, "queue"),
        request.query_params.get("date") or None,
    )


def _queue_history(request: Request) -> Any:
    query = request.query_params
    days = paging.int_param(query, "days", 7)
    return stats.history(
        context.instance(request),
        paths.segment(request, "queue"),
        days,
        fresh=flag(query, "fresh"),
    )


def _jobs(request: Request) -> Any:
    return jobs.jobs_multi(
        context.instance(request),
        context.ui(request).settings,
        request.query_params.getlist("jid"),
    )


def _job(request: Request) -> Any:
    return jobs.job_view(
        context.instance(request), context.ui(request).settings, paths.segment(request, "jid")
    )


def _job_data(request: Request) -> Any:
    reveal = flag(request.query_params, "reveal")
    if reveal:
        context.require(request, Role.ADMIN)
    jid = paths.segment(request, "jid")
    result = jobs.job_data(context.instance(request), context.ui(request).settings, jid, reveal)
    if reveal:
        _audit_reveal(request, jid)
    return result


def _audit_reveal(request: Request, jid: str) -> None:
    """Every reveal of a redacted payload is audited (docs/ui.md, Reading the pages)."""
    audit.record(request, "reveal", [jid], {}, "ok")


def _job_graph(request: Request) -> Any:
    depth = paging.int_param(request.query_params, "depth", 1, minimum=1, maximum=3)
    return jobs.job_graph(context.instance(request), paths.segment(request, "jid"), depth)


def _failed(request: Request) -> Any:
    query = request.query_params
    return failed.groups(
        context.instance(request),
        context.ui(request).settings,
        sort=query.get("sort", "count") or "count",
        q=text(query, "q"),
        page=paging.page(query, default_limit=paging.MAX_LIMIT),
    )


def _failed_jobs(request: Request) -> Any:
    return failed.group_jobs(
        context.instance(request),
        context.ui(request).settings,
        paths.segment(request, "group"),
        paging.page(request.query_params),
    )


def _failed_clusters(request: Request) -> Any:
    settings = context.ui(request).settings
    limit = paging.int_param(
        request.query_params, "limit", settings.scan_limit, minimum=1, maximum=settings.scan_limit
    )
    return failed.clusters(
        context.instance(request), settings, paths.segment(request, "group"), limit
    )


def _tracked(request: Request) -> Any:
    query = request.query_params
    return tracked.tracked(
        context.instance(request),
        context.ui(request).settings,
        query.get("state", "all") or "all",
        paging.page(query),
    )


def _completed(request: Request) -> Any:
    return completed.completed(
        context.instance(request), context.ui(request).settings, paging.page(request.query_params)
    )


def _recurring(request: Request) -> Any:
    query = request.query_params
    return recurring.recurring(
        context.instance(request),
        context.ui(request).settings,
        queue=text(query, "queue"),
        q=text(query, "q"),
        sort=query.get("sort", "next_run") or "next_run",
        page=paging.page(query),
        fresh=flag(query, "fresh"),
    )


def _workers(request: Request) -> Any:
    return workers.workers(
        context.instance(request),
        context.ui(request).settings,
        paging.page(request.query_params, default_limit=paging.MAX_LIMIT),
    )


def _worker(request: Request) -> Any:
    return workers.worker_detail(
        context.instance(request),
        context.ui(request).settings,
        paths.segment(request, "worker"),
        paging.page(request.query_params),
    )


def _throttles(request: Request) -> Any:
    query = request.query_params
    return throttles.throttles(
        context.instance(request),
        paging.page(query, default_limit=paging.MAX_LIMIT),
        fresh=flag(query, "fresh"),
    )


def _throttle(request: Request) -> Any:
    query = request.query_params
    return throttles.throttle_detail(
        context.instance(request),
        context.ui(request).settings,
        paths.segment(request, "id"),
        query.get("list", "locks") or "locks",
        paging.page(query),
    )


def _tags(request: Request) -> Any:
    return tags.top_tags(context.instance(request), paging.page(request.query_params))


def _tag_jobs(request: Request) -> Any:
    return tags.tag_jobs(
        context.instance(request),
        context.ui(request).settings,
        paths.segment(request, "tag"),
        paging.page(request.query_params),
    )


def _search(request: Request) -> Any:
    query = request.query_params
    return search.search(
        context.instance(request),
        context.ui(request).settings,
        text(query, "q"),
        text(query, "cursor", 2000) or None,
    )


def _config(request: Request) -> Any:
    return config.config(context.instance(request))


def _patterns(request: Request) -> Any:
    return patterns.patterns(context.instance(request))


def _patterns_preview(request: Request) -> Any:
    query = request.query_params
    return patterns.preview(
        context.instance(request),
        patterns.parse_identifiers(text(query, "identifiers", 100_000) or None),
        patterns.parse_priorities(text(query, "priorities", 100_000) or None),
    )


def _batches(request: Request) -> Any:
    return batches.batches(
        context.instance(request), context.ui(request).settings, paging.page(request.query_params)
    )


def _batch(request: Request) -> Any:
    return batches.batch_detail(
        context.instance(request),
        context.ui(request).settings,
        paths.segment(request, "id"),
        paging.page(request.query_params),
    )


def _info(request: Request) -> Any:
    return info.info(context.ui(request), context.instance(request), context.user(request))


_PAGE = ("offset", "limit")

#: path, handler, summary, query parameters (also the OpenAPI description).
_TABLE: tuple[tuple[str, Callable[[Request], Any], str, tuple[str, ...]], ...] = (
    ("/summary", _summary, "Overview: health, totals, warnings, throughput", ()),
    ("/queues", _queues, "Queue list", ("sort", "order", "q", "with_stats", "fresh", *_PAGE)),
    ("/queues/{queue}", _queue, "One queue with settings overrides", ("fresh",)),
    ("/queues/{queue}/jobs", _queue_jobs, "Jobs of a queue in one state", ("state", *_PAGE)),
    ("/queues/{queue}/groups", _queue_groups, "Fair groups of a queue, next served first", _PAGE),
    (
        "/queues/{queue}/groups/{group}/jobs",
        _group_jobs,
        "Waiting jobs of a fair group, in hand-out order",
        _PAGE,
    ),
    ("/queues/{queue}/stats", _queue_stats, "One UTC day of queue stats", ("date",)),
    ("/queues/{queue}/history", _queue_history, "Daily stats history", ("days", "fresh")),
    ("/jobs", _jobs, "Several jobs by jid (repeat jid, at most 500)", ("jid",)),
    ("/jobs/{jid}", _job, "A job or a recurring template", ()),
    ("/jobs/{jid}/data", _job_data, "The full payload (reveal: admins)", ("reveal",)),
    ("/jobs/{jid}/graph", _job_graph, "Dependency graph", ("depth",)),
    ("/failed", _failed, "Failure groups", ("sort", "q", *_PAGE)),
    ("/failed/{group}/jobs", _failed_jobs, "Jobs of a failure group, newest first", _PAGE),
    ("/failed/{group}/clusters", _failed_clusters, "Failure messages clustered", ("limit",)),
    ("/tracked", _tracked, "Tracked jobs: counts and a page", ("state", *_PAGE)),
    ("/completed", _completed, "Retained completed jobs", _PAGE),
    ("/recurring", _recurring, "Recurring templates", ("queue", "q", "sort", "fresh", *_PAGE)),
    ("/workers", _workers, "Workers", _PAGE),
    ("/workers/{worker}", _worker, "One worker's running and stalled jobs", _PAGE),
    ("/throttles", _throttles, "Throttles", ("fresh", *_PAGE)),
    ("/throttles/{id}", _throttle, "One throttle and a job page", ("list", *_PAGE)),
    ("/batches", _batches, "Batches, newest first", _PAGE),
    ("/batches/{id}", _batch, "One batch and a page of its jobs", _PAGE),
    ("/tags", _tags, "Top tags", _PAGE),
    ("/tags/{tag}/jobs", _tag_jobs, "Jobs with a tag", _PAGE),
    ("/search", _search, "Search", ("q", "cursor")),
    ("/config", _config, "Configuration options", ()),
    ("/queue-patterns", _patterns, "Queue patterns and their expansion", ()),
    (
        "/queue-patterns/preview",
        _patterns_preview,
        "Expansion of proposed patterns",
        ("identifiers", "priorities"),
    ),
    ("/info", _info, "Versions, Redis info, settings, the current user", ()),
)


def _openapi(request: Request) -> Any:
    """The OpenAPI 3.1 document of this API."""
    described = {API + path: (summary, params) for path, _read, summary, params in _TABLE}
    return openapi.document(request.app.routes, described, ui_version())


def routes() -> list[BaseRoute]:
    """Every read endpoint, GET only, under `/api/v1`."""
    made: list[BaseRoute] = [
        Route(API + path, _handler(read), methods=["GET"], name=f"api{path}")
        for path, read, _summary_text, _params in _TABLE
    ]
    made.append(Route(API + "/openapi.json", _handler(_openapi), methods=["GET"]))
    return made
