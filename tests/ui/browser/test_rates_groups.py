"""Rate windows, templated throttles and fair groups in headless Chromium: the pages
render without a script error, the reopening time counts down in the UI's format, and
a job's group links to its queue's group list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from reqless.client import Client
from tests.ui.browser.site import open_page

pytestmark = pytest.mark.browser


def _put(client: Client, jid: str, *options: str) -> None:
    client("queue.put", "w", "q", jid, "app.Job", "{}", 0, *options)


def test_a_full_window_counts_down_to_its_reopening(page: Page, ui_client: Client) -> None:
    ui_client("throttle.set", "api", 0, 0, "rate", 1, "per", 120)
    _put(ui_client, "j1", "throttles", '["api"]')
    _put(ui_client, "j2", "throttles", '["api"]')
    assert ui_client.queues["q"].pop() is not None
    assert open_page(page, "/throttles/api").status == 200
    facts = page.locator('[data-patch="throttle-facts"]')
    assert "1 per 120 s" in facts.inner_text()
    window = facts.locator("dt", has_text="window now").locator("xpath=following-sibling::dd")
    text = window.inner_text()
    assert "1 of 1 used" in text and "full" in text
    # The script writes the countdown as the UI does elsewhere ("in 1 min 59 s").
    assert re.search(r"reopens in \d", text), text


def test_a_templated_throttle_page_names_its_template(page: Page, ui_client: Client) -> None:
    ui_client("throttle.template.set", "customer:*", 2, "rate", 10, "per", 60)
    _put(ui_client, "j1", "throttles", '["customer:42"]')
    assert ui_client.queues["q"].pop() is not None
    assert open_page(page, "/throttles/customer%3A42").status == 200
    facts = page.locator('[data-patch="throttle-facts"]').inner_text()
    assert "customer:*" in facts and "10 per 60 s" in facts and "1 of 10 used" in facts
    assert page.locator('[data-action="throttle-delete"]').count() == 0


def test_from_a_job_to_its_group_and_back(page: Page, ui_client: Client) -> None:
    for jid, group in [("a1", "alpha"), ("b1", "beta"), ("a2", "alpha")]:
        _put(ui_client, jid, "group", group)
    assert open_page(page, "/jobs/a2").status == 200
    page.locator('[data-job-field="group"] a').click()
    page.wait_for_url(re.compile(r"/queues/q/groups\?group=alpha$"))
    rows = page.locator("table[data-list] tbody tr")
    assert [rows.nth(i).get_attribute("data-id") for i in range(rows.count())] == ["a1", "a2"]
    page.get_by_role("link", name="All groups").click()
    page.wait_for_url(re.compile(r"/queues/q/groups$"))
    groups = page.locator('table[data-kind="groups"] tbody tr')
    assert [groups.nth(i).get_attribute("data-id") for i in range(groups.count())] == [
        "alpha",
        "beta",
    ]
    assert page.locator('nav.tabs a[aria-current="page"]').inner_text().startswith("groups")


def test_the_groups_list_follows_new_groups_live(page: Page, ui_client: Client) -> None:
    _put(ui_client, "a1", "group", "alpha")
    assert open_page(page, "/queues/q/groups").status == 200
    _put(ui_client, "b1", "group", "beta")
    table = page.locator('table[data-kind="groups"]')
    for _ in range(100):
        if table.locator('tr[data-id="beta"]').count():
            break
        page.wait_for_timeout(100)
    assert table.locator('tr[data-id="beta"]').count() == 1
