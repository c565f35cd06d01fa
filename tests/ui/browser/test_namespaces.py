"""The instance picker of `reqless ui --namespace a --namespace b`, in Chromium:
one instance per namespace, each page showing its own namespace's queues."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from reqless.client import Client
from reqless.server import LocalServer
from tests.ui.browser.conftest import Serve
from tests.ui.browser.tabs import Tabs


def test_the_instance_picker_switches_between_namespaces(
    serve: Serve,
    watched_tabs: Callable[..., Tabs],
    ui_server: LocalServer,
    ui_client: Client,
    tmp_path: Path,
) -> None:
    clients = {name: Client(ui_server.url, namespace=name) for name in ("a", "b")}
    try:
        for name, client in clients.items():
            client.queues[f"orders-{name}"].put("app.Job", {})
        live = serve(clients=clients)
        page = watched_tabs(live).page()
        page.goto(f"{live.url}/i/a/queues")
        expect(page.locator("main")).to_contain_text("orders-a")
        expect(page.locator("main")).not_to_contain_text("orders-b")
        picker = page.locator("details.switcher")
        picker.locator("summary").click()
        expect(picker.locator("a")).to_have_text(["a", "b"])
        shot = tmp_path / "instance-picker.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 0
        picker.locator("a", has_text="b").click()
        page.wait_for_url(f"{live.url}/i/b/queues")
        expect(page.locator("main")).to_contain_text("orders-b")
        expect(page.locator("main")).not_to_contain_text("orders-a")
    finally:
        for client in clients.values():
            client.database.close()
