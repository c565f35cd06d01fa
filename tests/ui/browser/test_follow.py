"""Progress, results and batches in headless Chromium: a running job's bar moves live
when the job reports progress (through the UI's event stream, no reload), on its page
and in the running lists; a result and a batch render without a script error; an
operator cancels the rest of a batch from its page.

Each page touched is photographed into /tmp/ui-shots/f3-*.png for a look by eye.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from reqless.client import Client
from tests.ui.browser.site import open_page

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/ui-shots")


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"f3-{name}.png"), full_page=True)


def _put(client: Client, jid: str, *options: str, queue: str = "q") -> None:
    client("queue.put", "w", queue, jid, "app.jobs.Import", '{"file": "orders.csv"}', 0, *options)


def _connected(page: Page) -> None:
    """Wait until the live stream is open (the dot turns green)."""
    page.wait_for_selector("[data-live-indicator].green", timeout=10_000)


def _bar(page: Page, jid: str) -> str:
    return page.locator(f'[data-progress="{jid}"]').first.inner_text()


def test_the_progress_bar_moves_live_on_the_job_page(page: Page, ui_client: Client) -> None:
    _put(ui_client, "j1")
    ui_client("queue.pop", "q", "w1", 1)
    assert open_page(page, "/jobs/j1").status == 200
    holder = page.locator('[data-progress="j1"]')
    assert holder.is_hidden()  # no report yet
    _connected(page)
    loads = page.evaluate("() => performance.getEntriesByType('navigation').length")
    ui_client("job.progress", "j1", "w1", 0.3, "rows 300 of 1000")
    page.wait_for_function(
        "() => document.querySelector('[data-progress=\"j1\"] progress').value === 0.3",
        timeout=10_000,
    )
    assert holder.is_visible()
    text = _bar(page, "j1")
    assert "30 %" in text and "rows 300 of 1000" in text and "updated" in text
    ui_client("job.progress", "j1", "w1", 0.85, "rows 850 of 1000")
    page.wait_for_function(
        "() => document.querySelector('[data-progress=\"j1\"] progress').value === 0.85",
        timeout=10_000,
    )
    assert "85 %" in _bar(page, "j1") and "rows 850 of 1000" in _bar(page, "j1")
    # Moved in place: the page was not loaded again.
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == loads
    _shoot(page, "job-progress")


@pytest.mark.parametrize(("path", "name"), [("/queues/q/running", "queue-running"),
                                            ("/workers/w1", "worker")])  # fmt: skip
def test_running_lists_move_their_compact_bars_live(
    page: Page, ui_client: Client, path: str, name: str
) -> None:
    _put(ui_client, "j1")
    _put(ui_client, "j2")
    ui_client("queue.pop", "q", "w1", 2)
    ui_client("job.progress", "j2", "w1", 0.1, "warming up")
    assert open_page(page, path).status == 200
    assert "10 %" in _bar(page, "j2")
    _connected(page)
    ui_client("job.progress", "j1", "w1", 0.6, "resizing")
    page.wait_for_function(
        "() => document.querySelector('[data-progress=\"j1\"] progress').value === 0.6",
        timeout=10_000,
    )
    assert "60 %" in _bar(page, "j1") and "resizing" in _bar(page, "j1")
    _shoot(page, name)


def test_a_completed_job_shows_its_result_batch_and_trace(page: Page, ui_client: Client) -> None:
    ui_client("batch.open", "import-2026-12-07")
    carrier = json.dumps({"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
    _put(ui_client, "j1", "batch", "import-2026-12-07", "trace", carrier)
    ui_client("queue.pop", "q", "w1", 1)
    ui_client("job.progress", "j1", "w1", 1, "done")
    result = {"imported": 1000, "skipped": [17, 42], "report": {"rows": 1000, "ms": 812}}
    ui_client("job.complete", "j1", "w1", "q", "{}", "result", json.dumps(result))
    assert open_page(page, "/jobs/j1").status == 200
    panel = page.locator("section.result")
    assert "imported" in panel.inner_text() and "1000" in panel.inner_text()
    assert page.locator('[data-progress="j1"]').count() == 0  # not running any more
    page.locator(".kv.trace summary").click()
    assert "4bf92f3577b34da6a3ce929d0e0e4736" in page.locator(".kv.trace").inner_text()
    _shoot(page, "job-result")
    page.locator('[data-job-field="batch"] a').click()
    page.wait_for_url("**/batches/import-2026-12-07")


@pytest.mark.parametrize("outcome", ["complete", "fail"])
def test_the_page_of_a_job_follows_it_live_when_it_ends(
    page: Page, ui_client: Client, outcome: str
) -> None:
    _put(ui_client, "j1")
    ui_client("queue.pop", "q", "w1", 1)
    assert open_page(page, "/jobs/j1").status == 200
    _connected(page)
    loads = page.evaluate("() => performance.getEntriesByType('navigation').length")
    assert page.locator("section.result, section.failure").count() == 0
    if outcome == "complete":
        result = {"imported": 1000, "skipped": [17, 42]}
        ui_client("job.complete", "j1", "w1", "q", "{}", "result", json.dumps(result))
        panel = page.locator("section.result")
        panel.wait_for(timeout=10_000)
        # The viewer is set up as at load: its tree and its controls.
        page.locator("section.result .json-viewer").wait_for(timeout=10_000)
        assert "imported" in panel.inner_text() and "1000" in panel.inner_text()
    else:
        ui_client("job.fail", "j1", "w1", "import-error", "orders.csv: line 17 is not CSV")
        panel = page.locator("section.failure")
        panel.wait_for(timeout=10_000)
        assert "line 17 is not CSV" in panel.inner_text()
        assert panel.locator("button.copy").is_visible()
    # The facts and actions follow: no worker, lock or "Time out" for an ended job.
    page.wait_for_function(
        "() => !document.querySelector('[data-job-field=\"worker\"]')", timeout=10_000
    )
    head = page.locator('[data-patch="job-head"]').inner_text()
    assert "expires" not in head and "Time out" not in head
    assert ("Retry" in head) == (outcome == "fail")
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == loads
    _shoot(page, f"job-{outcome}-live")


def test_a_long_result_opens_on_request(page: Page, ui_client: Client) -> None:
    _put(ui_client, "j1")
    ui_client("queue.pop", "q", "w1", 1)
    result = {f"file-{i:02}.csv": {"rows": i * 10} for i in range(30)}
    ui_client("job.complete", "j1", "w1", "q", "{}", "result", json.dumps(result))
    assert open_page(page, "/jobs/j1").status == 200
    viewer = page.locator("section.result .json-viewer")
    assert viewer.is_hidden()
    page.locator("details.result-more > summary").click()
    assert viewer.is_visible() and "file-29.csv" in viewer.inner_text()
    _shoot(page, "job-result-long")


def test_batches_list_and_cancel_the_rest(page: Page, ui_client: Client) -> None:
    done = json.dumps({"klass": "app.jobs.Report", "queue": "reports", "data": {"to": "ops"}})
    ui_client("batch.open", "nightly", "on_complete", done)
    for i in range(5):
        _put(ui_client, f"n{i}", "batch", "nightly")
    ui_client("queue.pop", "q", "w1", 2)
    ui_client("job.complete", "n0", "w1", "q", "{}")
    ui_client("job.fail", "n1", "w1", "boom", "it broke", "{}")
    ui_client("batch.open", "empty-one")
    ui_client("batch.close", "empty-one")
    assert open_page(page, "/batches").status == 200
    rows = page.locator('table[data-kind="batches"] tbody tr')
    assert [rows.nth(i).get_attribute("data-id") for i in range(rows.count())] in (
        ["empty-one", "nightly"], ["nightly", "empty-one"],  # same second: either order
    )  # fmt: skip
    nightly = page.locator('tr[data-id="nightly"]').inner_text()
    assert "1 complete" in nightly and "1 failed" in nightly and "3 pending" in nightly
    _shoot(page, "batches")
    page.locator('tr[data-id="nightly"] a').first.click()
    page.wait_for_url("**/batches/nightly")
    assert "app.jobs.Report" in page.locator("main").inner_text()
    assert page.locator("table.jobs tbody tr").count() == 5
    _shoot(page, "batch")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('[data-action="batch-cancel"]').click()
    confirm = page.locator("dialog[open] button", has_text="Cancel the rest")
    if confirm.count():
        confirm.first.click()
    page.wait_for_function("() => document.body.innerText.includes('3 canceled')", timeout=10_000)
    got = json.loads(ui_client("batch.get", "nightly"))
    assert (got["canceled"], got["pending"], got["state"]) == (3, 0, "open")
    _shoot(page, "batch-after-cancel")
