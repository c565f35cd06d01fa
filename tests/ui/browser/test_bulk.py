"""Acceptance, bulk guards, in the browser: retry-all of a 3,000-job failure group runs as an
operation with visible progress and leaves the group empty. (The 409 on an
expected-total mismatch and the one-call cascade cancel are API checks, in
tests/ui/test_acceptance_api.py.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from reqless.client import Client
from tests.ui.browser.site import open_page

pytestmark = pytest.mark.browser

GROUP = "payments.Timeout"
SIZE = 3_000


def _fail_many(client: Client, queue_name: str, group: str, size: int) -> None:
    queue = client.queues[queue_name]
    queue.put_many({"klass": "app.jobs.Charge", "data": {"n": n}} for n in range(size))
    popped = 0
    while popped < size:
        jobs = queue.pop(min(500, size - popped))
        assert jobs, "the queue ran dry before every job was popped"
        for job in jobs:
            job.fail(group, "timed out talking to the payment provider")
        popped += len(jobs)


def test_retry_all_of_a_3000_job_group_shows_progress_and_empties_it(
    page: Page, ui_client: Client
) -> None:
    _fail_many(ui_client, "payments", GROUP, SIZE)
    assert ui_client.jobs.failed()[GROUP] == SIZE
    open_page(page, "/failed")
    button = page.locator(f'[data-endpoint$="/failed/{GROUP}/retry"]').first
    button.click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for(state="visible")
    assert "3,000" in dialog.inner_text() or "3000" in dialog.inner_text()
    # More than 100 jobs: the number must be typed before the button enables.
    confirm = dialog.locator('button[type="submit"]')
    assert confirm.is_disabled()
    dialog.locator('input[inputmode="numeric"]:not([name])').fill("3000")
    confirm.click()
    page.locator("#toasts progress").first.wait_for(state="attached")
    finished = page.locator("#toasts .rq-toast").filter(
        has_text=re.compile(r"done|finished", re.IGNORECASE)
    )
    finished.first.wait_for(timeout=45_000)
    assert ui_client.jobs.failed().get(GROUP, 0) == 0
    assert ui_client.queues["payments"].counts["waiting"] == SIZE


def _tracked(client: Client, jids: list[str]) -> list[bool]:
    return [bool(job.tracked) for job in client.jobs.get(*jids)]


def test_bulk_bar_tracks_the_selected_rows(page: Page, ui_client: Client) -> None:
    queue = ui_client.queues["picked"]
    jids = [queue.put("app.Job", {"n": n}) for n in range(4)]
    open_page(page, "/queues/picked/waiting")
    bar = page.locator("[data-bulk-bar]").first
    assert bar.is_hidden()  # nothing selected yet
    for jid in jids[:2]:
        page.locator(f'tr[data-id="{jid}"] input[data-select]').check()
    assert bar.is_visible()
    bar.locator('[data-bulk-action="track"], [data-bulk="track"]').click()
    for _ in range(100):
        if _tracked(ui_client, jids) == [True, True, False, False]:
            break
        page.wait_for_timeout(50)
    assert _tracked(ui_client, jids) == [True, True, False, False]


def test_select_all_matching_reaches_past_the_visible_page(page: Page, ui_client: Client) -> None:
    queue = ui_client.queues["many"]
    jids = queue.put_many({"klass": "app.Job", "data": {"n": n}} for n in range(30))
    open_page(page, "/queues/many/waiting?limit=25")
    assert page.locator("tr[data-id] input[data-select]").count() == 25
    page.locator("tr[data-id] input[data-select]").first.check()
    bar = page.locator("[data-bulk-bar]").first
    bar.get_by_text(re.compile(r"Select all 30 matching")).click()
    bar.locator('[data-bulk-action="track"], [data-bulk="track"]').click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for(state="visible")  # "all matching" always confirms, with N and the limit
    assert "30" in dialog.inner_text()
    dialog.locator('button[type="submit"]').click()
    for _ in range(100):
        if all(_tracked(ui_client, jids)):
            break
        page.wait_for_timeout(50)
    assert all(_tracked(ui_client, jids))
