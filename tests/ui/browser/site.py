"""The UI's pages as paths, and helpers to open them in a watched tab."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from playwright.sync_api import Page

from tests.ui.browser.dataset import Dataset

__all__ = ["LISTS", "QUEUE_TABS", "Visit", "data_pages", "empty_pages", "open_page"]

#: The top-level pages, each readable with no data at all.
LISTS = [
    "/",
    "/queues",
    "/failed",
    "/tracked",
    "/completed",
    "/recurring",
    "/workers",
    "/throttles",
    "/tags",
    "/events",
    "/config",
    "/queue-patterns",
    "/about",
]

QUEUE_TABS = [
    "waiting",
    "running",
    "scheduled",
    "stalled",
    "depends",
    "throttled",
    "recurring",
    "groups",
    "stats",
    "history",
    "settings",
]


def _s(value: str) -> str:
    return quote(value, safe="")


def empty_pages() -> list[str]:
    """Every page that exists on an empty database (plus a search with no match)."""
    return [*LISTS, "/search?q=nothing-matches", "/queues/nothing-here"]


def data_pages(data: Dataset) -> list[str]:
    """Every page, aimed at the objects of `data` (all of them exist)."""
    n = data.names
    queue = _s(n.queue)
    jobs = [
        data.waiting[0],
        data.scheduled,
        data.running,
        data.stalled,
        data.throttled,
        data.depends_child,
        data.failed[0],
        data.completed,
        data.recurring,
    ]
    return [
        *LISTS,
        f"/queues/{queue}",
        *(f"/queues/{queue}/{tab}" for tab in QUEUE_TABS),
        f"/queues/{_s(n.other_queue)}/throttled",
        *(f"/jobs/{_s(jid)}" for jid in jobs),
        f"/failed/{_s(n.group)}",
        f"/workers/{_s(n.worker)}",
        f"/throttles/{_s(n.throttle)}",
        f"/throttles/{_s('ql:q:' + n.queue)}",
        f"/tags/{_s(n.tag)}",
        f"/tags/{_s('batch')}",
        f"/search?q={_s('tag:batch')}",
        f"/search?q={_s('tracked data:order')}",
        f"/search?q={_s('class:' + n.klass[1:7])}",
        f"/search?q={_s('error:declined')}",
        f"/search?q={_s(data.waiting[0])}",
    ]


@dataclass
class Visit:
    path: str
    status: int
    text: str


def open_page(page: Page, path: str) -> Visit:
    """Go to `path`, wait until the page and its script settled, return what it shows."""
    response = page.goto(path, wait_until="load")
    assert response is not None, path
    # Live pages hold a stream open, so "network idle" never comes; give the
    # module scripts a moment to run their start-up fetches instead.
    page.wait_for_timeout(120)
    return Visit(path, response.status, page.locator("body").inner_text())
