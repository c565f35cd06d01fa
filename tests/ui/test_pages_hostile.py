"""Hostile values appear escaped on every page that shows them (docs/ui.md, Response headers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from tests.helpers import any_class_name
from tests.ui.conftest import UI, MakeUI

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PRE = "</pre>"
JS_URL = "javascript:alert(1)"
MIXED = 'it\'s "quoted" \\ back\\slash \x00 nul \u202e rtl'
HOSTILE = f"{SCRIPT}{IMG}{PRE}{JS_URL}{MIXED}"
BIG = "A" * (1 << 20)


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_safe(html: str, where: str) -> None:
    """No script but ours, no event handler, no style attribute, no javascript: URL."""
    assert "<script>alert" not in html, where
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        names = dict(attrs)
        assert tag != "img", (where, attrs)
        assert "style" not in names, (where, tag)
        assert not any(name.startswith("on") for name in names), (where, tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            value = (names.get(name) or "").strip().lower()
            assert not value.startswith("javascript:"), (where, tag, attrs)
        if tag == "script":
            kind = names.get("type")
            assert kind == "application/json" or (kind == "module" and names.get("src")), where


@pytest.fixture
def hostile_client(ui_server: LocalServer, ui_redis: Redis) -> Iterator[Client]:
    """A client whose worker name is hostile too."""
    made = Client(ui_server.url, hostname=f"w{SCRIPT}{IMG}", retry_window=0)
    yield made
    made.database.close()


def _populate(client: Client) -> dict[str, str]:
    queue_name = f"q{SCRIPT}/{IMG}"
    queue = client.queues[queue_name]
    data = {"payload": HOSTILE, HOSTILE: [HOSTILE, 1, None, True], "link": JS_URL}
    tags = [f"t{SCRIPT}", f"t{IMG}"]
    jids = {}
    jids["failed"] = queue.put(f"K{SCRIPT}", data, tags=tags)
    jids["running"] = queue.put(f"K{IMG}", data, tags=tags)
    popped = {job.jid: job for job in queue.pop(2)}
    jids["waiting"] = queue.put(f"K{PRE}", {"big": BIG}, tags=tags)
    jids["recurring"] = queue.recur(f"K{SCRIPT}", data, interval=60, tags=tags)
    failing = popped[jids["failed"]]
    failing.log(f"log {SCRIPT}", {"detail": HOSTILE})
    failing.fail(f"g{SCRIPT}{IMG}", f"message {HOSTILE}\nsecond {SCRIPT}")
    popped[jids["running"]].log(HOSTILE, {"x": IMG})
    client.track(jids["running"])
    return {**jids, "queue": queue_name}


def test_hostile_values_are_escaped_everywhere(make_ui: MakeUI, hostile_client: Client) -> None:
    ui: UI = make_ui(clients=hostile_client)
    with any_class_name():
        jids = _populate(hostile_client)
    queue = jids["queue"]
    group = f"g{SCRIPT}{IMG}"
    worker = hostile_client.worker_name

    def seg(value: str) -> str:
        return quote(value, safe="")

    pages = [
        "/",
        "/queues",
        f"/queues/{seg(queue)}",
        f"/queues/{seg(queue)}/running",
        f"/queues/{seg(queue)}/recurring",
        f"/queues/{seg(queue)}/stats",
        f"/queues/{seg(queue)}/settings",
        "/failed",
        f"/failed/{seg(group)}",
        f"/failed/{seg(group)}?cluster=1",
        "/tracked",
        "/recurring",
        "/workers",
        f"/workers/{seg(worker)}",
        "/throttles",
        "/tags",
        f"/tags/{seg('t' + SCRIPT)}",
        "/config",
        "/queue-patterns",
        "/search?q=" + seg("data:alert"),
        "/search?q=" + seg(f"error:{SCRIPT}"),
        *(f"/jobs/{seg(jid)}" for key, jid in jids.items() if key != "queue"),
    ]
    seen_escaped = False
    for path in pages:
        response = ui.get(path)
        assert response.status_code == 200, (path, response.text[:2000])
        assert_safe(response.text, path)
        seen_escaped = seen_escaped or "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    job_page = ui.get(f"/jobs/{seg(jids['failed'])}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in job_page
    assert "&lt;/pre&gt;" in job_page
    # Control characters are shown as escapes, not written raw into the page.
    assert "\\u202e" in job_page and "\\u0000" in job_page
    assert seen_escaped


def test_big_payload_is_cut_with_show_all(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put("app.Big", {"big": BIG})
    html = ui.get(f"/jobs/{jid}").text
    assert "data-show-all" in html
    assert len(html) < 600_000
    assert 'data-raw-url="/api/v1/jobs/' in html


def test_page_data_is_json_escaped(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues[f"q{SCRIPT}"].put("app.Job", {})
    html = ui.get(f"/jobs/{jid}").text
    block = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert block is not None
    assert "<" not in block.group(1)
    assert "\\u003cscript\\u003e" in block.group(1)


def test_http_links_in_payloads_are_safe(ui: UI, ui_client: Client) -> None:
    jid = ui_client.queues["q"].put(
        "app.Job", {"site": "https://example.com/a?b=1", "evil": JS_URL}
    )
    html = ui.get(f"/jobs/{jid}").text
    assert 'href="https://example.com/a?b=1" rel="noopener noreferrer"' in html
    assert 'href="javascript' not in html
