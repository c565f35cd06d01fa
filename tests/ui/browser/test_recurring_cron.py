"""A cron template's page shows its schedule, policies and next fire times, and
pauses it from a click (A-R5)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page

from reqless.client import Client
from tests.ui.browser.site import open_page
from tests.ui.browser.tabs import Guard

pytestmark = pytest.mark.browser


def test_the_template_page_shows_a_cron_schedule_and_pauses_it(
    page: Page, guard: Guard, ui_client: Client
) -> None:
    jid = ui_client.queues["reports"].recur(
        "app.Report", {}, jid="weekday-report", cron="30 9 * * mon-fri",
        timezone="Europe/Berlin", overlap="skip", catchup="all", jitter=30,
    )  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 1000})
    visit = open_page(page, f"/jobs/{jid}")
    assert visit.status == 200
    assert "cron 30 9 * * mon-fri (Europe/Berlin)" in visit.text
    assert page.locator('[data-template-field="overlap"]').inner_text().startswith("skip: ")
    assert page.locator('[data-template-field="catchup"]').inner_text().startswith("all: ")
    assert "30 s" in page.locator('[data-template-field="jitter"]').inner_text()
    times = page.locator("[data-fire-time]")
    assert times.count() == 5
    expected = ui_client.jobs.get_recurring(jid).next_fire_times(5)
    for row, moment in zip(times.all(), expected, strict=True):
        assert row.is_visible()
        assert moment.strftime("%a %Y-%m-%d 09:30:00") in row.inner_text()
    if shots := os.environ.get("REQLESS_SHOTS"):  # for a person to look at the page
        page.screenshot(path=f"{shots}/template-cron.png", full_page=True)

    button = page.locator(f'[data-endpoint$="/recurring/{jid}/pause"]')
    assert button.is_visible() and button.inner_text().strip() == "Pause"
    button.click()
    badge = page.locator('h1 [data-template-field="paused"]')
    badge.wait_for()
    assert ui_client.jobs.get_recurring(jid).paused is True
    assert page.locator("[data-fire-time]").count() == 0
    assert "paused: spawns nothing until resumed" in page.locator("body").inner_text()
    assert page.locator(f'[data-endpoint$="/recurring/{jid}/resume"]').is_visible()
    if shots:
        page.screenshot(path=f"{shots}/template-cron-paused.png", full_page=True)
