"""Controls follow the role (docs/ui.md, Roles and read-only mode); links keep any name intact."""

from __future__ import annotations

import re
from html import unescape

from reqless.client import Client
from reqless.ui import UISettings
from reqless.ui.roles import Role
from tests.ui.conftest import MakeUI

CONTROL_HOOKS = (
    "data-action=",
    "data-api-form",
    "data-select ",
    "data-bulk-bar",
    "data-patterns-save",
)


def _data(client: Client) -> dict[str, str]:
    queue = client.queues["jobs"]
    failed = queue.put("app.Fail", {}, tags=["x", "y"])
    running = queue.put("app.Run", {})
    popped = {job.jid: job for job in queue.pop(2)}
    popped[failed].fail("grp", "boom")
    waiting = queue.put("app.Wait", {}, tags=["x", "y"])
    template = queue.recur("app.Every", {}, interval=30)
    client.throttles["named"].set_maximum(2)
    return {"failed": failed, "running": running, "waiting": waiting, "template": template}


def _pages(jids: dict[str, str]) -> list[str]:
    return [
        "/",
        "/queues",
        "/queues/jobs",
        "/queues/jobs/running",
        "/queues/jobs/recurring",
        "/failed",
        "/failed/grp",
        "/tracked",
        "/recurring",
        "/workers",
        "/throttles",
        "/throttles/named",
        "/tags/x",
        "/config",
        "/queue-patterns",
        *(f"/jobs/{jid}" for jid in jids.values()),
    ]


def test_viewers_see_no_controls(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui(settings=UISettings(read_only=True))
    jids = _data(ui_client)
    for path in _pages(jids):
        html = ui.get(path).text
        for hook in CONTROL_HOOKS:
            assert hook not in html, (path, hook)
        assert 'data-role="viewer"' in html
    assert ui.get("/queues/jobs/settings").status_code == 200
    assert "need the admin role" in ui.get("/queues/jobs/settings").text


def test_operators_see_no_admin_controls(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui(authorize=lambda request: Role.OPERATOR)
    jids = _data(ui_client)
    job = ui.get(f"/jobs/{jids['failed']}").text
    assert 'data-action="retry"' in job
    assert "requeue-with-data" not in job
    queues = ui.get("/queues").text
    assert 'data-action="pause"' in queues
    assert 'data-action="forget-queue"' not in queues
    assert "/settings" not in ui.get("/queues/jobs").text
    config = ui.get("/config").text
    assert "data-api-form" not in config
    throttles = ui.get("/throttles").text
    assert 'data-action="throttle-delete"' not in throttles
    workers = ui.get("/workers").text
    assert "forget" not in workers.lower().split("<main", 1)[1].split("max-worker-age", 1)[0]


def test_admins_see_admin_controls(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui()
    jids = _data(ui_client)
    job = ui.get(f"/jobs/{jids['waiting']}").text
    assert "requeue-with-data" in job
    assert 'name="expected_data_sha256"' in job
    assert "data-api-form" in ui.get("/config").text
    assert 'data-action="throttle-delete"' in ui.get("/throttles").text
    assert 'href="/queues/jobs/settings"' in ui.get("/queues/jobs").text


def _hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def test_names_with_slashes_round_trip_through_links(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui()
    name = 'team/a?b#c%d "q"'
    queue = ui_client.queues[name]
    jid = queue.put("app.Job", {}, tags=[name])
    job = queue.pop()
    assert job is not None
    job.fail(name, "failed")
    overview = ui.get("/queues").text
    encoded = "/queues/team%2Fa%3Fb%23c%25d%20%22q%22"
    assert encoded in _hrefs(overview)
    page = ui.get(encoded)
    assert page.status_code == 200
    assert "team/a?b#c%d" in unescape(page.text)
    for link in ("/failed/team%2Fa%3Fb%23c%25d%20%22q%22", "/tags/team%2Fa%3Fb%23c%25d%20%22q%22"):
        assert link in _hrefs(ui.get(f"/jobs/{jid}").text)
        assert ui.get(link).status_code == 200
    tabs = _hrefs(page.text)
    assert encoded + "/stats" in tabs
    assert ui.get(encoded + "/stats").status_code == 200


def test_pages_under_several_instances(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui(clients={"one": ui_client, "two": ui_client})
    ui_client.queues["a/b"].put("app.Job", {})
    html = ui.get("/i/two/queues").text
    assert 'href="/i/two/queues/a%2Fb"' in html
    assert 'data-root="/i/two"' in html
    assert 'href="/i/one/queues"' in html  # the switcher keeps the page
    assert ui.get("/i/two/queues/a%2Fb").status_code == 200


def test_pager_links_and_past_the_end(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui()
    queue = ui_client.queues["many"]
    for n in range(30):
        queue.put("app.Job", {"n": n})
    first = ui.get("/queues/many/waiting?limit=25").text
    assert "page 1 of 2" in first
    assert "/queues/many/waiting?limit=25&amp;offset=25" in first
    past = ui.get("/queues/many/waiting?limit=25&offset=100").text
    assert "past the end" in past
    assert "offset=25" in past
    assert ui.get("/queues/many/waiting?offset=-1").status_code == 400


def test_pages_follow_the_mount_path(ui_client: Client) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.testclient import TestClient

    from reqless.ui import create_app

    host = Starlette(routes=[Mount("/ops", app=create_app(ui_client))])
    ui_client.queues["a/b"].put("app.Job", {})
    with TestClient(host, base_url="http://127.0.0.1") as http:
        response = http.get("/ops/queues")
        assert response.status_code == 200
        html = response.text
        assert 'href="/ops/queues/a%2Fb"' in html
        assert 'href="/ops/static/app.css"' in html
        assert 'data-api="/ops/api/v1"' in html
        assert http.get("/ops/queues/a%2Fb").status_code == 200
        assert http.get("/ops/static/app.css").status_code == 200
