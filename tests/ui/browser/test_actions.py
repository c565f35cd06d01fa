"""Acceptance, every action, browser half: the actions (docs/ui.md, Actions) work from the UI by
clicking, and
the core's state changes accordingly.

Each case opens a page, clicks the control whose `data-endpoint` names the action
(buttons and API forms of the DOM contract), answers the confirmation or the small
form the script shows, waits for the result, then reads the core through the client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Locator, Page

from reqless.client import Client
from reqless.server import LocalServer
from tests.ui.browser.dataset import Dataset, Names, populate
from tests.ui.browser.site import open_page
from tests.ui.browser.tabs import Guard

pytestmark = pytest.mark.browser

Check = Callable[[Client, Dataset], bool]


def _s(value: str) -> str:
    return quote(value, safe="")


def _job(client: Client, jid: str) -> dict[str, Any] | None:
    reply = client("job.get", jid)
    return json.loads(reply) if reply else None


def _recurring(client: Client, jid: str) -> dict[str, Any]:
    reply = client("recurringJob.get", jid)
    return json.loads(reply) if reply else {}


def _state(client: Client, jid: str) -> str | None:
    job = _job(client, jid)
    return None if job is None else str(job["state"])


@dataclass
class Case:
    """Click `endpoint` (a regex on data-endpoint) with `method` on the page at `path`."""

    action: str
    path: Callable[[Dataset], str]
    method: str
    endpoint: str
    check: Check
    fields: dict[str, str] = field(default_factory=dict)
    #: What the action deletes is what the page shows: the page then opens this path
    #: (the object's queue) instead of reloading into a 404.
    lands_on: Callable[[Dataset], str] | None = None
    #: Set up what the action needs before the page opens.
    prepare: Callable[[Client, Dataset], object] | None = None
    #: Field values that depend on the dataset (jids), merged over `fields`.
    fill: Callable[[Dataset], dict[str, str]] | None = None


CASES = [
    Case(
        "A-Q1 pause",
        lambda d: f"/queues/{_s(d.names.queue)}",
        "POST",
        r"/pause$",
        lambda c, d: bool(c.queues[d.names.queue].counts["paused"]),
    ),
    Case(
        "A-J1 retry",
        lambda d: f"/jobs/{d.failed[0]}",
        "POST",
        r"/retry$",
        lambda c, d: _state(c, d.failed[0]) == "waiting",
    ),
    Case(
        "A-J2 move",
        lambda d: f"/jobs/{d.waiting[2]}",
        "POST",
        r"/move$",
        lambda c, d: (_job(c, d.waiting[2]) or {}).get("queue") == d.names.other_queue,
        {"queue": "emails"},
    ),
    Case(
        "A-J3 cancel",
        lambda d: f"/jobs/{d.waiting[3]}",
        "POST",
        r"/cancel$",
        lambda c, d: _job(c, d.waiting[3]) is None,
        lands_on=lambda d: f"/queues/{_s(d.names.queue)}",
    ),
    Case(
        "A-J4 priority",
        lambda d: f"/jobs/{d.waiting[2]}",
        "PUT",
        r"/priority$",
        lambda c, d: (_job(c, d.waiting[2]) or {}).get("priority") == 25,
        {"priority": "25"},
    ),
    Case(
        "A-J5 add tag",
        lambda d: f"/jobs/{d.waiting[2]}",
        "POST",
        r"/tags$",
        lambda c, d: "urgent" in (_job(c, d.waiting[2]) or {}).get("tags", []),
        {"tags": "urgent"},
    ),
    Case(
        "A-J6 remove tag",
        lambda d: f"/jobs/{d.waiting[2]}",
        "DELETE",
        r"/tags/customer-42$",
        lambda c, d: "customer-42" not in (_job(c, d.waiting[2]) or {}).get("tags", []),
    ),
    Case(
        "A-J7 track",
        lambda d: f"/jobs/{d.waiting[2]}",
        "POST",
        r"/track$",
        lambda c, d: bool((_job(c, d.waiting[2]) or {}).get("tracked")),
    ),
    Case(
        "A-J8 untrack",
        lambda d: f"/jobs/{d.tracked}",
        "DELETE",
        r"/track$",
        lambda c, d: not (_job(c, d.tracked) or {}).get("tracked"),
    ),
    Case(
        "A-J9 time out",
        lambda d: f"/jobs/{d.running}",
        "POST",
        r"/timeout$",
        lambda c, d: _state(c, d.running) == "stalled",
    ),
    Case(
        "A-J11 remove dependency",
        lambda d: f"/jobs/{d.depends_child}",
        "DELETE",
        r"/dependencies(/[^/]+)?$",
        lambda c, d: _state(c, d.depends_child) == "waiting",
    ),
    Case(
        "A-R4 delete template",
        lambda d: f"/jobs/{d.recurring}",
        "DELETE",
        r"/recurring/[^/]+$",
        lambda c, d: c("recurringJob.get", d.recurring) in (None, "", False),
        lands_on=lambda d: f"/queues/{_s(d.names.queue)}",
    ),
    Case(
        "A-FG1 retry group",
        lambda d: "/failed",
        "POST",
        r"/failed/[^/]+/retry$",
        lambda c, d: c.jobs.failed().get(d.names.group, 0) == 0,
    ),
    Case(
        "A-FG3 cancel group",
        lambda d: f"/failed/{_s(d.names.group)}",
        "POST",
        r"/failed/[^/]+/cancel$",
        lambda c, d: _job(c, d.failed[1]) is None,
    ),
    Case(
        "A-C1 config set",
        lambda d: "/config",
        "PUT",
        r"/config/",
        lambda c, d: c.config.all != {},
        {"value": "75"},
    ),
    Case(
        "A-T1 throttle maximum",
        lambda d: "/throttles",
        "PUT",
        r"/throttles/stripe-api$",
        lambda c, d: c.throttles[d.names.throttle].maximum() == 4,
        {"maximum": "4"},
    ),
    Case(
        "A-W1 forget worker",
        lambda d: "/workers",
        "DELETE",
        r"/workers/[^/]+$",
        lambda c, d: d.names.worker not in [w["name"] for w in c.workers.counts],
    ),
    Case(
        "A-J10 requeue with edited data",
        lambda d: f"/jobs/{d.failed[0]}",
        "POST",
        r"/requeue-with-data$",
        lambda c, d: json.loads((_job(c, d.failed[0]) or {}).get("data", "{}")) == {"e": 1},
        {"data": '{"e": 1}'},
    ),
    Case(
        "A-J12 add dependency",
        lambda d: f"/jobs/{d.depends_child}",
        "POST",
        r"/dependencies$",
        lambda c, d: d.waiting[3] in (_job(c, d.depends_child) or {}).get("dependencies", []),
        fill=lambda d: {"jids": d.waiting[3]},
    ),
    Case(
        "A-R1 edit template",
        lambda d: f"/jobs/{d.recurring}",
        "PATCH",
        r"/recurring/[^/]+$",
        lambda c, d: _recurring(c, d.recurring).get("interval") == 60,
        {"interval_s": "60"},
    ),
    Case(
        "A-R1 template priority",
        lambda d: f"/jobs/{d.recurring}",
        "PATCH",
        r"/recurring/[^/]+$",
        lambda c, d: _recurring(c, d.recurring).get("priority") == 5,
        {"priority": "5"},
    ),
    Case(
        "A-R2 move template",
        lambda d: f"/jobs/{d.recurring}",
        "POST",
        r"/recurring/[^/]+/move$",
        lambda c, d: _recurring(c, d.recurring).get("queue") == "emails",
        {"queue": "emails"},
    ),
    Case(
        "A-R3 tag template",
        lambda d: f"/jobs/{d.recurring}",
        "POST",
        r"/recurring/[^/]+/tags$",
        lambda c, d: "nightly" in _recurring(c, d.recurring).get("tags", []),
        {"tags": "nightly"},
    ),
    Case(
        "A-Q2 resume",
        lambda d: f"/queues/{_s(d.names.queue)}",
        "POST",
        r"/resume$",
        lambda c, d: not c.queues[d.names.queue].counts["paused"],
        prepare=lambda c, d: c.queues[d.names.queue].pause(),
    ),
    Case(
        "A-Q5 forget queue",
        lambda d: "/queues",
        "DELETE",
        r"/queues/drained$",
        lambda c, d: "drained" not in c.queues.names,
        prepare=lambda c, d: c.jobs.get_job(c.queues["drained"].put("app.Job", {})).cancel(),
    ),
    Case(
        "A-FG2 unfail group",
        lambda d: "/failed",
        "POST",
        r"/unfail$",
        lambda c, d: c.jobs.failed().get(d.names.group, 0) == 0,
        {"queue": "emails"},
    ),
    Case(
        "A-TR1 untrack expired",
        lambda d: "/tracked?state=expired",
        "POST",
        r"/untrack-expired$",
        lambda c, d: c.database.zscore("ql:tracked", "ghost-jid") is None,
        prepare=lambda c, d: c.database.zadd("ql:tracked", {"ghost-jid": 1.0}),
    ),
    Case(
        "A-T1 queue throttle",
        lambda d: f"/queues/{_s(d.names.queue)}/settings",
        "PUT",
        r"/queues/[^/]+/throttle$",
        lambda c, d: c.queues[d.names.queue].throttle.maximum() == 3,
        {"maximum": "3"},
    ),
    Case(
        "A-T2 queue throttle expiry",
        lambda d: f"/queues/{_s(d.names.queue)}/settings",
        "PUT",
        r"/queues/[^/]+/throttle$",
        lambda c, d: c.queues[d.names.queue].throttle.ttl() > 0,
        {"expires_in_s": "600"},
    ),
    Case(
        "A-C1 queue heartbeat",
        lambda d: f"/queues/{_s(d.names.queue)}/settings",
        "PUT",
        r"/queues/[^/]+/settings$",
        lambda c, d: str(c.config.get(f"{d.names.queue}-heartbeat")) == "120",
        {"heartbeat": "120"},
    ),
    Case(
        "A-C2 config unset",
        lambda d: "/config",
        "DELETE",
        r"/config/billing-heartbeat$",
        lambda c, d: "billing-heartbeat" not in c.config.all,
    ),
    Case(
        "A-T4 throttle rate",
        lambda d: f"/throttles/{_s(d.names.throttle)}",
        "PUT",
        r"/throttles/stripe-api$",
        lambda c, d: '"rate":5' in str(c("throttle.get", d.names.throttle)).replace(" ", ""),
        {"rate": "5", "per": "2.5"},
    ),
    Case(
        "A-T5 clear throttle rate",
        lambda d: f"/throttles/{_s(d.names.throttle)}",
        "DELETE",
        r"/throttles/stripe-api/rate$",
        lambda c, d: '"rate"' not in str(c("throttle.get", d.names.throttle)),
        prepare=lambda c, d: c("throttle.set", d.names.throttle, 2, 0, "rate", 5, "per", 10),
    ),
    Case(
        "A-T4 queue throttle rate",
        lambda d: f"/queues/{_s(d.names.queue)}/settings",
        "PUT",
        r"/queues/[^/]+/throttle$",
        lambda c, d: '"per":60' in str(c("throttle.get", f"ql:q:{d.names.queue}")).replace(" ", ""),
        {"rate": "7", "per": "60"},
    ),
    Case(
        "A-G1 group weight",
        lambda d: f"/queues/{_s(d.names.queue)}/groups",
        "PUT",
        r"/groups/fair-1/weight$",
        lambda c, d: c.database.hget(f"ql:q:{d.names.queue}-group-weights", "fair-1") == "4",
        {"weight": "4"},
        prepare=lambda c, d: c(
            "queue.put", "w", d.names.queue, "grouped-1", "app.Job", "{}", 0, "group", "fair-1"
        ),
    ),
    Case(
        "A-T3 delete throttle",
        lambda d: "/throttles",
        "DELETE",
        r"/throttles/stripe-api$",
        lambda c, d: c.throttles[d.names.throttle].maximum() == 0,
    ),
]


def _control(page: Page, case: Case, values: dict[str, str]) -> Locator:
    """The first button, or form holding the fields to fill, for this endpoint."""
    need = next(iter(values), None)
    index = page.evaluate(
        """([pattern, method, need]) => {
             const re = new RegExp(pattern);
             const all = [...document.querySelectorAll('[data-endpoint]')];
             return all.findIndex(el =>
               (el.getAttribute('data-method') || 'POST').toUpperCase() === method &&
               re.test(decodeURIComponent(el.getAttribute('data-endpoint') || '')) &&
               (el.tagName === 'FORM'
                 ? !need || el.querySelector(`[name="${need}"]`)
                 : el.offsetParent !== null));
           }""",
        [case.endpoint, case.method, need],
    )
    assert index >= 0, f"{case.action}: no control for {case.method} {case.endpoint}"
    return page.locator("[data-endpoint]").nth(index)


def _answer_dialog(page: Page, values: dict[str, str], done: Callable[[], bool]) -> None:
    """Fill and confirm the dialog the script opened, if it opens one before the
    action is already `done` (reversible actions ask nothing)."""
    dialog = page.locator("dialog[open]")
    for _ in range(60):
        if dialog.count() or done():
            break
        page.wait_for_timeout(50)
    if not dialog.count():
        return
    for name, value in values.items():
        box = dialog.locator(f'[name="{name}"]')
        if box.count():
            box.first.fill(value)
    typed = dialog.locator('input[inputmode="numeric"]:not([name])')
    if typed.count():
        label = dialog.locator("label.rq-dialog-field").first.inner_text()
        typed.first.fill(re.sub(r"\D", "", label))
    dialog.locator('button[type="submit"]').click()


def _use(page: Page, control: Locator, values: dict[str, str], done: Callable[[], bool]) -> None:
    # Forms folded into <details> (edited requeue) open first, as a user would.
    tag = control.evaluate(
        "el => { const d = el.closest('details'); if (d) d.open = true; return el.tagName; }"
    )
    if tag == "FORM":
        for name, value in values.items():
            box = control.locator(f'[name="{name}"]')
            if box.count():
                box.first.fill(value)
        control.locator('[type="submit"]').first.click()
    else:
        control.click()
    _answer_dialog(page, values, done)


@pytest.mark.parametrize("case", CASES, ids=[case.action for case in CASES])
def test_action_from_the_ui_changes_the_core(
    page: Page, guard: Guard, ui_server: LocalServer, ui_client: Client, case: Case
) -> None:
    data = populate(ui_server.url, Names.plain())
    if case.prepare:
        case.prepare(ui_client, data)
    values = {**case.fields, **(case.fill(data) if case.fill else {})}
    visit = open_page(page, case.path(data))
    assert visit.status == 200
    _use(page, _control(page, case, values), values, lambda: case.check(ui_client, data))
    # Done when the core shows it; the toast region says what happened meanwhile.
    for _ in range(100):
        if case.check(ui_client, data):
            break
        page.wait_for_timeout(100)
    toasts = page.locator("#toasts").inner_text() if page.locator("#toasts").count() else ""
    assert case.check(ui_client, data), f"{case.action}: core unchanged; toasts: {toasts}"
    if case.lands_on:
        target = case.lands_on(data)
        page.wait_for_url(re.compile(re.escape(target) + r"$"))
        # The result toast came along to the new page.
        page.locator("#toasts").get_by_text("done").first.wait_for()
