"""The recurring pages show each schedule's backlog; 0 (catch up every missed
interval) reads "all", not a bare 0."""

from __future__ import annotations

import re

from reqless.client import Client
from tests.ui.conftest import UI


def _backlog_cells(html: str) -> dict[str, str]:
    rows = re.findall(r'<tr data-id="([^"]+)">(.*?)</tr>', html, re.S)
    cell = re.compile(r'<td class="num" title="missed intervals[^"]*">(.*?)</td>', re.S)
    return {jid: "".join(cell.findall(row)).strip() for jid, row in rows}


def test_the_recurring_list_shows_each_backlog(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["reports"]
    queue.recur("app.Report", {}, 60, jid="default")
    queue.recur("app.Report", {}, 60, jid="every-miss", backlog=0)
    queue.recur("app.Report", {}, 60, jid="last-four", backlog=4)
    page = ui.get("/recurring")
    assert page.status_code == 200
    assert ">backlog</th>" in page.text
    assert _backlog_cells(page.text) == {"default": "all", "every-miss": "all", "last-four": "4"}


def test_a_template_page_says_what_its_backlog_means(ui: UI, ui_client: Client) -> None:
    ui_client.queues["reports"].recur("app.Report", {}, 60, jid="every-miss", backlog=0)
    ui_client.queues["reports"].recur("app.Report", {}, 60, jid="last-four", backlog=4)
    assert "all missed intervals" in ui.get("/jobs/every-miss").text
    assert "4 missed interval(s) at most" in ui.get("/jobs/last-four").text
