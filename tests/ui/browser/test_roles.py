"""Acceptance, roles, in the browser: a viewer sees a clean read-only UI (no action
controls at all, not even disabled ones); an operator sees no admin controls.
The API half (403 on every mutation) is in tests/ui/test_acceptance_api.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from reqless.server import LocalServer
from reqless.ui import Role, UISettings
from tests.ui.browser.conftest import Serve
from tests.ui.browser.dataset import Names, populate
from tests.ui.browser.live_server import LiveServer
from tests.ui.browser.site import data_pages, open_page
from tests.ui.browser.tabs import Tabs

pytestmark = pytest.mark.browser

#: Controls that change something (docs/ui.md, Actions), as the DOM contract marks them.
CONTROLS = "[data-action], form[data-api-form], [data-bulk-bar], input[data-select]"

#: Endpoints only admins may call (min role A; docs/ui.md, Actions).
ADMIN_ENDPOINT = re.compile(
    r"/api/v1/(config/|throttles/|queue-patterns/|workers/|jobs/[^/]+/requeue-with-data"
    r"|queues/[^/]+/(throttle|settings)$)"
)


def _as(role: Role) -> Callable[[Any], Role]:
    return lambda request: role


def _controls(page: Page) -> list[str]:
    return list(
        page.evaluate(
            """(sel) => [...document.querySelectorAll(sel)].map(
                 el => el.outerHTML.slice(0, 160))""",
            CONTROLS,
        )
    )


def _admin_controls(page: Page) -> list[str]:
    found = page.evaluate(
        """() => [...document.querySelectorAll('[data-endpoint]')].map(el => [
             el.getAttribute('data-method') || '', el.getAttribute('data-endpoint') || '',
             el.outerHTML.slice(0, 160)])"""
    )
    wrong = []
    for method, endpoint, html in found:
        path = endpoint.split("?")[0]
        if ADMIN_ENDPOINT.search(path) or (
            method == "DELETE" and re.search(r"/queues/[^/]+$", path)
        ):
            wrong.append(html)
    return wrong


@pytest.mark.parametrize("how", ["hook", "read-only"])
def test_viewer_sees_no_action_controls(
    serve: Serve,
    watched_tabs: Callable[[LiveServer], Tabs],
    ui_server: LocalServer,
    ui_client: object,
    how: str,
) -> None:
    data = populate(ui_server.url, Names.plain())
    settings = UISettings(read_only=True) if how == "read-only" else None
    live = serve(settings, authorize=_as(Role.VIEWER) if how == "hook" else None)
    page = watched_tabs(live).page()
    wrong = []
    for path in data_pages(data):
        visit = open_page(page, path)
        assert visit.status == 200, path
        if page.locator("body").get_attribute("data-role") != "viewer":
            wrong.append(f"{path}: body data-role is not viewer")
        wrong += [f"{path}: {html}" for html in _controls(page)]
    assert not wrong, "\n".join(wrong)


def test_operator_sees_no_admin_controls(
    serve: Serve,
    watched_tabs: Callable[[LiveServer], Tabs],
    ui_server: LocalServer,
    ui_client: object,
) -> None:
    data = populate(ui_server.url, Names.plain())
    page = watched_tabs(serve(authorize=_as(Role.OPERATOR))).page()
    wrong = []
    seen_any = False
    for path in data_pages(data):
        open_page(page, path)
        seen_any = seen_any or bool(_controls(page))
        wrong += [f"{path}: {html}" for html in _admin_controls(page)]
    assert seen_any, "an operator should see the operator actions"
    assert not wrong, "\n".join(wrong)


def test_admin_sees_admin_controls(page: Page, ui_server: LocalServer, ui_client: object) -> None:
    """The control case: the admin pages do carry the admin endpoints checked above."""
    populate(ui_server.url, Names.plain())
    found = []
    for path in ["/config", "/throttles", "/workers", "/queue-patterns"]:
        open_page(page, path)
        found += _admin_controls(page)
    assert len(found) >= 4
