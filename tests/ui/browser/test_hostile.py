"""Acceptance, hostile data: hostile data in every field appears as text on every page.

The dataset puts markup, `javascript:` URLs, quotes, backslashes, NUL, RTL marks and
1 MiB strings into payloads, class names, tags, queue, worker, group and throttle
names, failure messages and log entries. The tab guard fails the test on any
dialog, console error, page error or CSP violation; here we also check that the
markup stayed text (no element was made from it, no link follows `javascript:`).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from reqless.client import Client
from reqless.server import LocalServer
from tests.ui.browser.dataset import HOSTILE, Dataset, Names, populate
from tests.ui.browser.site import data_pages, open_page

pytestmark = pytest.mark.browser

#: What of HOSTILE survives as visible text (HTML drops NUL; RTL marks stay).
VISIBLE = HOSTILE.split("\x00")[0].strip()

#: Pages that name the hostile objects, and which of them each must show.
SHOWN = {
    "/queues": ["queue", "other_queue"],
    "/failed": ["group"],
    "/workers": ["worker"],
    "/throttles": ["throttle"],
    "/tags": ["tag"],
    "/config": ["config_key"],
}


def _injected(page: Page) -> list[str]:
    """Elements or links that could only come from data taken as markup."""
    return list(
        page.evaluate(
            """() => {
              const found = [];
              for (const img of document.querySelectorAll('img')) {
                if (img.getAttribute('src') === 'x') found.push('img src=x');
              }
              for (const script of document.querySelectorAll('script')) {
                if ((script.textContent || '').includes("alert('s')") &&
                    script.type !== 'application/json') found.push('script element');
              }
              for (const a of document.querySelectorAll('a[href]')) {
                const href = a.href.trim().toLowerCase();
                if (href.startsWith('javascript:')) found.push('javascript: link');
              }
              for (const el of document.querySelectorAll('[onerror], [onclick], [onload]')) {
                found.push('event handler attribute on ' + el.tagName);
              }
              return found;
            }"""
        )
    )


@pytest.fixture
def hostile(ui_server: LocalServer, ui_client: Client) -> Dataset:
    return populate(ui_server.url, Names.hostile(big=True), failed=2, waiting=3)


def test_hostile_data_is_text_on_every_page(page: Page, hostile: Dataset) -> None:
    wrong = []
    for path in data_pages(hostile):
        visit = open_page(page, path)
        if visit.status != 200:
            wrong.append(f"{path}: HTTP {visit.status}")
        wrong += [f"{path}: {what}" for what in _injected(page)]
    assert not wrong, "\n".join(wrong)


def test_hostile_names_show_as_the_same_text(page: Page, hostile: Dataset) -> None:
    wrong = []
    for path, fields in SHOWN.items():
        visit = open_page(page, path)
        for name in fields:
            value = getattr(hostile.names, name).split("\x00")[0].strip()
            if value not in visit.text:
                wrong.append(f"{path}: {name} {value[:40]!r}… not shown as text")
    assert not wrong, "\n".join(wrong)


def test_job_page_shows_hostile_payload_message_and_log_as_text(
    page: Page, hostile: Dataset
) -> None:
    visit = open_page(page, f"/jobs/{hostile.failed[0]}")
    assert visit.status == 200
    text = visit.text
    assert VISIBLE in text  # klass, group, message and log all carry it
    assert f"m{VISIBLE}" in text  # the failure message
    assert f"l{VISIBLE}" in text  # the log entry of the timeline
    assert f"w{VISIBLE}" in text  # the worker that failed it
    # The 1 MiB payload is cut on the page and offers the rest on demand.
    assert page.locator("[data-json-viewer]").count() >= 1
    assert len(page.content()) < 6 * 1024 * 1024
    assert not _injected(page)
