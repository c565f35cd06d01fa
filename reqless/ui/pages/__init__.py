"""The HTML pages, rendered on the server (readable without JavaScript).

`routes()` lists every page; `error_page()` draws the styled error pages
for the app's exception handlers and the security middleware.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from reqless.ui.pages import batches, browse, jobs, lists, overview, queues, workers
from reqless.ui.pages.errors import error_page

__all__ = ["error_page", "routes"]


def routes() -> list[BaseRoute]:
    """Every page; the API routes are listed before these by `create_app`."""
    return [
        Route("/", overview.overview),
        Route("/environment.css", overview.environment_css),
        Route("/queues", queues.queue_list),
        Route("/queues/{queue}", queues.queue_page),
        Route("/queues/{queue}/{tab}", queues.queue_page),
        Route("/jobs/{jid}", jobs.job_page),
        Route("/failed", lists.failed_groups),
        Route("/failed/{group}", lists.failed_group),
        Route("/tracked", lists.tracked),
        Route("/completed", lists.completed),
        Route("/recurring", lists.recurring),
        Route("/tags", lists.tags),
        Route("/tags/{tag}", lists.tag_jobs),
        Route("/workers", workers.worker_list),
        Route("/workers/{worker}", workers.worker_page),
        Route("/throttles", workers.throttle_list),
        Route("/throttles/{tid}", workers.throttle_page),
        Route("/batches", batches.batch_list),
        Route("/batches/{bid}", batches.batch_page),
        Route("/events", browse.events),
        Route("/config", browse.config),
        Route("/queue-patterns", browse.queue_patterns),
        Route("/about", browse.about),
        Route("/search", browse.search),
        Route("/audit", browse.audit),
    ]
