"""The job page shows a job's unique key and frees it from a click (A-J13)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from reqless.client import Client
from tests.ui.browser.site import open_page
from tests.ui.browser.tabs import Guard

pytestmark = pytest.mark.browser


def test_the_job_page_shows_the_key_and_frees_it(
    page: Page, guard: Guard, ui_client: Client
) -> None:
    jid = ui_client.queues["q"].put("app.Job", {}, unique="invoice:42")
    visit = open_page(page, f"/jobs/{jid}")
    assert visit.status == 200
    field = page.locator('[data-job-field="unique"]')
    assert "invoice:42" in field.inner_text()
    button = field.locator('[data-endpoint$="/free-unique"]')
    assert button.is_visible() and button.inner_text().strip() == "Free this key"
    button.click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    dialog.locator('button[type="submit"]').click()
    for _ in range(100):
        if ui_client.jobs.unique_holder("invoice:42") is None:
            break
        page.wait_for_timeout(50)
    assert ui_client.jobs.unique_holder("invoice:42") is None
    assert ui_client.jobs.get_job(jid).state == "waiting"
