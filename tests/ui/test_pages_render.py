"""Every page renders (200) with empty data and with data in every state."""

from __future__ import annotations

import re

import pytest
from redis import Redis

from reqless.client import Client
from reqless.ui import UISettings
from tests.ui.conftest import UI, MakeUI

EMPTY_PAGES = [
    "/",
    "/queues",
    "/queues/nothing",
    "/queues/nothing/waiting",
    "/queues/nothing/stats",
    "/queues/nothing/history",
    "/queues/nothing/settings",
    "/failed",
    "/failed/none",
    "/tracked",
    "/tracked?state=expired",
    "/completed",
    "/recurring",
    "/workers",
    "/throttles",
    "/throttles/ql:q:nothing",
    "/tags",
    "/tags/none",
    "/events",
    "/config",
    "/queue-patterns",
    "/about",
    "/search",
]


def _no_inline_code(html: str) -> None:
    """No style attribute and no executable inline script (docs/ui.md, Response headers)."""
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE)
    for match in re.finditer(r"<script\b([^>]*)>", html, re.IGNORECASE):
        attributes = match.group(1)
        if 'type="application/json"' in attributes:
            continue
        assert 'type="module"' in attributes and "src=" in attributes, match.group(0)
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE)


@pytest.mark.parametrize("path", EMPTY_PAGES)
def test_pages_render_empty(ui: UI, path: str) -> None:
    response = ui.get(path)
    assert response.status_code == 200, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<title>reqless · " in html
    assert 'data-page="' in html
    assert '<meta name="csrf-token" content="' in html
    _no_inline_code(html)


def _populate(client: Client, redis: Redis) -> dict[str, str]:
    """One job in every state, plus a template, tags, a tracked job and a throttle."""
    queue = client.queues["work"]
    jids = {}
    jids["waiting"] = queue.put("app.Waiting", {"n": 1}, tags=["alpha", "beta"])
    jids["scheduled"] = queue.put("app.Later", {"n": 2}, delay=3600)
    jids["depends"] = queue.put("app.After", {"n": 3}, depends=[jids["waiting"]])
    jids["recurring"] = queue.recur("app.Every", {"n": 4}, interval=60)
    other = client.queues["other"]
    jids["failed"] = other.put("app.Fails", {"n": 5}, tags=["alpha"])
    jids["running"] = other.put("app.Runs", {"n": 6}, tags=["beta"])
    jids["done"] = other.put("app.Done", {"n": 7})
    popped = other.pop(3)
    by_jid = {job.jid: job for job in popped}
    by_jid[jids["failed"]].fail("app.Error", "boom\nline two")
    by_jid[jids["done"]].complete()
    client.track(jids["running"])
    # A tracked jid whose job is gone (the "expired" tab); the core refuses to
    # track a missing job, so the entry is written as an expired job leaves it.
    redis.zadd("ql:tracked", {"gone-jid": 1.0})
    throttled = client.queues["limited"]
    client.throttles["tight"].set_maximum(1)
    jids["throttle_holder"] = throttled.put("app.T", {}, throttles=["tight"])
    jids["throttled"] = throttled.put("app.T", {}, throttles=["tight"])
    throttled.pop()
    throttled.pop()
    return jids


def test_pages_render_with_data(ui: UI, ui_client: Client, ui_redis: Redis) -> None:
    jids = _populate(ui_client, ui_redis)
    paths = [
        "/",
        "/queues",
        "/queues?group=1",
        "/queues?sort=waiting&order=desc",
        "/queues/work",
        "/queues/other/stats",
        "/queues/other/history?days=30",
        "/queues/work/settings",
        "/failed",
        "/failed/app.Error",
        "/failed/app.Error?cluster=1",
        "/tracked",
        "/tracked?state=expired",
        "/tracked?state=running",
        "/completed",
        "/recurring",
        "/workers",
        "/workers/ui-test-worker",
        "/throttles",
        "/throttles/tight",
        "/throttles/tight?list=pending",
        "/tags",
        "/tags/alpha",
        "/config",
        "/queue-patterns",
        "/about",
        "/search?q=jid:" + jids["failed"][:6],
        "/search?q=queue:work%20class:Waiting",
        "/search?q=worker:ui",
    ]
    for state in (
        "waiting",
        "running",
        "scheduled",
        "stalled",
        "depends",
        "throttled",
        "recurring",
    ):
        paths.append(f"/queues/work/{state}")
        paths.append(f"/queues/other/{state}")
        paths.append(f"/queues/limited/{state}")
    for jid in jids.values():
        paths.append(f"/jobs/{jid}")
    for path in paths:
        response = ui.get(path)
        assert response.status_code == 200, (path, response.text[:3000])
        _no_inline_code(response.text)
    queue_page = ui.get("/queues/work").text
    assert jids["waiting"] in queue_page
    job_page = ui.get(f"/jobs/{jids['failed']}").text
    assert "boom" in job_page and "line two" in job_page
    assert 'data-action="retry"' in job_page


def test_search_for_an_exact_jid_redirects(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("app.Job", {})
    response = ui.get(f"/search?q={jid}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/jobs/{jid}")


@pytest.mark.parametrize(
    "path",
    ["/queues?limit=501", "/queues?offset=-1", "/failed/x?limit=0", "/queues/q/history?days=8"],
)
def test_bad_parameters_give_400_pages(ui: UI, path: str) -> None:
    response = ui.get(path)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")


def test_unknown_tab_is_404(ui: UI) -> None:
    assert ui.get("/queues/q/bogus").status_code == 404


def test_dependency_graph_renders_on_the_server(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["chain"]
    first = queue.put("app.First", {})
    second = queue.put("app.Second", {}, depends=[first])
    third = queue.put("app.Third", {}, depends=[second])
    page = ui.get(f"/jobs/{second}").text
    assert f'href="/jobs/{second}?graph=1"' in page
    graph = ui.get(f"/jobs/{second}?graph=1").text
    assert 'class="graph-svg"' in graph
    for jid in (first, second, third):
        assert f'href="/jobs/{jid}"' in graph
    _no_inline_code(graph)


def test_throttled_tab_shows_throttle_use(ui: UI, ui_client: Client) -> None:
    ui_client.throttles["gate"].set_maximum(1)
    queue = ui_client.queues["gated"]
    queue.put("app.Job", {}, throttles=["gate"])
    queue.put("app.Job", {}, throttles=["gate"])
    queue.pop()
    queue.pop()
    html = ui.get("/queues/gated/throttled").text
    assert 'href="/throttles/gate"' in html
    assert "1 / 1" in html


def test_title_uses_the_application_option(ui: UI, ui_client: Client) -> None:
    ui_client.config["application"] = "Billing <jobs>"
    html = ui.get("/queues").text
    assert "<title>Billing &lt;jobs&gt; · Queues</title>" in html


def test_environment_badge_and_its_stylesheet(make_ui: MakeUI) -> None:
    ui = make_ui(settings=UISettings(environment_label="production", environment_color="#b60205"))
    html = ui.get("/").text
    assert '<span class="env-badge">production</span>' in html
    assert 'href="/environment.css"' in html
    css = ui.get("/environment.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "background: #b60205" in css.text
    hostile = make_ui(
        settings=UISettings(environment_label="x", environment_color="red;}body{display:none")
    )
    assert hostile.get("/environment.css").text == ""
