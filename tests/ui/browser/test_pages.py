"""Acceptance: every page renders, empty and with data, and no page sends a request to any
other origin (the tab guard fails the test on one), in headless Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from reqless.client import Client
from reqless.server import LocalServer
from tests.ui.browser.dataset import Names, populate, populate_scaled
from tests.ui.browser.live_server import LiveServer
from tests.ui.browser.site import LISTS, data_pages, empty_pages, open_page
from tests.ui.browser.tabs import Guard, Tabs

pytestmark = pytest.mark.browser


def _render_all(page: Page, paths: list[str]) -> list[str]:
    """Open each path; return what went wrong (all pages are tried)."""
    wrong = []
    for path in paths:
        visit = open_page(page, path)
        if visit.status != 200:
            wrong.append(f"{path}: HTTP {visit.status}")
            continue
        if page.locator("main").count() != 1:
            wrong.append(f"{path}: no <main>")
        if not page.locator("body").get_attribute("data-page"):
            wrong.append(f"{path}: body has no data-page")
        if " · " not in page.title():
            wrong.append(f"{path}: title {page.title()!r} is not '<application> · <page>'")
        stylesheets = page.evaluate("() => document.styleSheets.length")
        if not stylesheets:
            wrong.append(f"{path}: unstyled (no stylesheet)")
    return wrong


def test_every_page_renders_on_an_empty_database(page: Page, ui_client: Client) -> None:
    wrong = _render_all(page, empty_pages())
    assert not wrong, "\n".join(wrong)


def test_every_page_renders_with_data(
    page: Page, ui_server: LocalServer, ui_client: Client
) -> None:
    data = populate(ui_server.url, Names.plain())
    wrong = _render_all(page, data_pages(data))
    assert not wrong, "\n".join(wrong)


def test_pages_show_the_objects_they_are_about(
    page: Page, ui_server: LocalServer, ui_client: Client
) -> None:
    data = populate(ui_server.url, Names.plain())
    n = data.names
    expected = {
        "/queues": [n.queue, n.other_queue],
        "/failed": [n.group],
        f"/failed/{n.group}": ["card declined"],
        "/workers": [n.worker],
        "/throttles": [n.throttle],
        "/config": [n.config_key],
        f"/jobs/{data.failed[0]}": [n.klass, n.group, "card declined", n.log, "order"],
        f"/jobs/{data.recurring}": [n.klass, n.queue],
    }
    # Job rows cut the jid in the middle: find them by their row id.
    rows = {f"/failed/{n.group}": data.failed, "/recurring": [data.recurring]}
    wrong = []
    for path, texts in expected.items():
        visit = open_page(page, path)
        wrong += [f"{path}: {text!r} not shown" for text in texts if text not in visit.text]
    for path, jids in rows.items():
        open_page(page, path)
        for jid in jids:
            if page.locator(f'tr[data-id="{jid}"]').count() != 1:
                wrong.append(f"{path}: no row for {jid}")
    assert not wrong, "\n".join(wrong)


def test_unknown_job_is_a_404_page_offering_a_prefix_search(
    page: Page, guard: Guard, ui_client: Client
) -> None:
    guard.allow("404")
    visit = open_page(page, "/jobs/no-such-jid")
    assert visit.status == 404
    assert page.locator("main").count() == 1
    assert "no-such-jid" in visit.text
    assert page.locator('a[href*="jid%3Ano-such-jid"], a[href*="jid:no-such-jid"]').count() >= 1


def test_pages_work_without_javascript(
    tabs: Tabs, ui_server: LocalServer, ui_client: Client
) -> None:
    """Readable with scripts off; every chart shows as its table."""
    data = populate(ui_server.url, Names.plain())
    page = tabs.page(tabs.context(java_script_enabled=False))
    visit = open_page(page, f"/queues/{data.names.queue}/stats")
    assert visit.status == 200
    assert page.locator("figure[data-chart] table").count() >= 2
    assert page.locator("figure[data-chart] table").first.is_visible()
    assert data.names.queue in visit.text


def test_narrow_screens_do_not_scroll_sideways(
    tabs: Tabs, ui_server: LocalServer, ui_client: Client, live: LiveServer
) -> None:
    """All pages work at 375 px."""
    data = populate(ui_server.url, Names.plain())
    page = tabs.page(tabs.context(viewport={"width": 375, "height": 740}))
    wrong = []
    for path in ["/", "/queues", f"/queues/{data.names.queue}", f"/jobs/{data.failed[0]}"]:
        open_page(page, path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 376:
            wrong.append(f"{path}: {width}px wide at a 375px viewport")
    assert page.locator("[data-nav-toggle]").is_visible()
    assert not wrong, "\n".join(wrong)


def test_tables_fit_a_1280px_window(
    tabs: Tabs, ui_server: LocalServer, ui_client: Client, live: LiveServer
) -> None:
    """The widest lists (queues, failure groups, config) need no sideways scroll at
    1280 px; the sidebar and its border run the full height of the page."""
    populate(ui_server.url, Names.plain())
    # Empty known queues get a Forget button beside Pause: the widest actions cell.
    for name in ("emptied-one", "emptied-two"):
        ui_client.jobs.get_job(ui_client.queues[name].put("K", {})).cancel()
    page = tabs.page(tabs.context(viewport={"width": 1280, "height": 800}))
    wrong = []
    for path in ["/", "/queues", "/failed", "/config"]:
        open_page(page, path)
        wide = page.evaluate(
            """() => [...document.querySelectorAll('main .table-wrap')]
                 .filter(w => w.scrollWidth > w.clientWidth + 1)
                 .map(w => `${w.scrollWidth}px table in a ${w.clientWidth}px box`)"""
        )
        wrong += [f"{path}: {text}" for text in wide]
        short = page.evaluate(
            """() => { const nav = document.querySelector('nav.nav').getBoundingClientRect();
                       const layout = document.querySelector('.layout').getBoundingClientRect();
                       return layout.height - nav.height; }"""
        )
        if short > 1:
            wrong.append(f"{path}: the sidebar stops {short}px short of the page's end")
    assert not wrong, "\n".join(wrong)


def test_no_request_leaves_the_origin(
    page: Page, guard: Guard, ui_server: LocalServer, ui_client: Client
) -> None:
    """No request to another origin, said out loud (the guard checks it in every browser test)."""
    data = populate(ui_server.url, Names.plain())
    paths = data_pages(data)
    for path in paths:
        open_page(page, path)
    assert len(guard.requests) > len(paths)  # pages, scripts, styles, API calls, streams
    assert any("/static/" in url for url in guard.requests)
    assert guard.foreign_requests == []


def test_every_page_renders_with_the_target_shape_at_small_scale(
    page: Page, ui_server: LocalServer, ui_client: Client
) -> None:
    """Every page renders with the large data set at 1 %: 2 queues, 10,000 waiting, 1,000 failed
    in 2 groups, 50 tracked, 5 workers, 100 recurring templates."""
    populate_scaled(ui_server.url, scale=0.01)
    paths = [*LISTS, "/queues/queue-000", "/queues/queue-000/stats", "/failed/group-00"]
    paths += ["/tracked", "/workers/worker-000", "/tags/t1"]
    wrong = _render_all(page, paths)
    assert not wrong, "\n".join(wrong)
