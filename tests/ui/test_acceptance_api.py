"""The UI acceptance checks that need no browser: CSRF, roles, paging
bounds, bulk guards and the security default of `reqless ui`.

The browser halves live in tests/ui/browser/. "Redis unchanged" is always proved by
a dump of every key (type, value, expiry) before and after.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any
from urllib.parse import quote

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer, free_port
from reqless.ui import Role, UISettings
from tests.ui.browser.dataset import Dataset, Names, populate
from tests.ui.browser.mutations import Mutation, mutations
from tests.ui.browser.redis_dump import dump
from tests.ui.conftest import CSRF_HEADER, ORIGIN, UI, MakeUI


@pytest.fixture
def dataset(ui_server: LocalServer, ui_client: Client) -> Dataset:
    return populate(ui_server.url, Names.plain())


def _s(value: str) -> str:
    return quote(value, safe="")


# --- 8. Security defaults ---------------------------------------------------------


def test_ui_on_all_interfaces_without_auth_exits_2(ui_server: LocalServer) -> None:
    command = [sys.executable, "-m", "reqless.cli.main", "ui", "--host", "0.0.0.0"]
    # A free port: were the refusal gone, the UI would start there (and time out).
    command += ["--port", str(free_port()), "--redis-url", ui_server.url]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:  # it started serving: the default failed
        pytest.fail("reqless ui --host 0.0.0.0 started without authentication")
    assert done.returncode == 2, done.stderr
    # The message names the options that would fix it.
    assert "--basic-auth" in done.stderr
    assert "--insecure-no-auth" in done.stderr


# --- 3. CSRF ------------------------------------------------------------------------


def _forged(ui: UI, mutation: Mutation, variant: str) -> Any:
    token = ui.csrf_token()
    headers = {"Origin": ORIGIN, CSRF_HEADER: token}
    if variant == "cross-origin":
        headers["Origin"] = "http://evil.example"
    elif variant == "cross-site fetch":
        headers["Sec-Fetch-Site"] = "cross-site"
    elif variant == "no token":
        del headers[CSRF_HEADER]
    elif variant == "mismatched token":
        headers[CSRF_HEADER] = "f" * 64 if token != "f" * 64 else "e" * 64
    elif variant == "form-encoded":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return ui.http.request(mutation.method, mutation.path, content="a=1", headers=headers)
    elif variant == "text/plain":
        headers["Content-Type"] = "text/plain"
        return ui.http.request(mutation.method, mutation.path, content="{}", headers=headers)
    return ui.http.request(mutation.method, mutation.path, json=mutation.body, headers=headers)


VARIANTS = [
    "cross-origin",
    "cross-site fetch",
    "no token",
    "mismatched token",
    "form-encoded",
    "text/plain",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_forged_mutations_are_rejected_and_change_nothing(
    ui: UI, ui_redis: Redis, dataset: Dataset, variant: str
) -> None:
    ui.get("/api/v1/info")  # any housekeeping a first read does happens before the dump
    before = dump(ui_redis)
    wrong = []
    for mutation in mutations(dataset):
        reply = _forged(ui, mutation, variant)
        if reply.status_code not in (403, 415):
            wrong.append(f"{mutation}: {reply.status_code} {reply.text[:200]}")
    assert not wrong, "\n".join(wrong)
    assert dump(ui_redis) == before


def test_get_on_every_mutation_path_changes_nothing(
    ui: UI, ui_redis: Redis, dataset: Dataset
) -> None:
    ui.get("/api/v1/info")
    before = dump(ui_redis)
    for mutation in mutations(dataset):
        reply = ui.get(mutation.path)
        assert reply.status_code < 500, f"{mutation}: {reply.status_code}"
    assert dump(ui_redis) == before


def test_a_same_origin_mutation_with_the_token_is_accepted(ui: UI, dataset: Dataset) -> None:
    """The control case: the checks above fail for the forgery, not for every request."""
    reply = ui.post(f"/api/v1/queues/{_s(dataset.names.queue)}/pause")
    assert reply.status_code == 200, reply.text


# --- 4. Roles ----------------------------------------------------------------------


def _as(role: Role) -> Any:
    return lambda request: role


def _rejected(ui: UI, redis: Redis, calls: list[Mutation], code: set[str]) -> None:
    before = dump(redis)
    wrong = []
    for mutation in calls:
        reply = ui.call(mutation.method, mutation.path, mutation.body)
        got = reply.json().get("error", {}).get("code") if reply.status_code == 403 else None
        if reply.status_code != 403 or got not in code:
            wrong.append(f"{mutation}: {reply.status_code} {reply.text[:200]}")
    assert not wrong, "\n".join(wrong)
    assert dump(redis) == before


def test_viewer_gets_403_on_every_mutation(
    make_ui: MakeUI, ui_redis: Redis, dataset: Dataset
) -> None:
    viewer = make_ui(authorize=_as(Role.VIEWER))
    viewer.get("/api/v1/info")
    _rejected(viewer, ui_redis, mutations(dataset), {"forbidden"})


def test_read_only_mode_gets_403_on_every_mutation(
    make_ui: MakeUI, ui_redis: Redis, dataset: Dataset
) -> None:
    read_only = make_ui(UISettings(read_only=True))
    read_only.get("/api/v1/info")
    _rejected(read_only, ui_redis, mutations(dataset), {"read_only", "forbidden"})


def test_operator_cannot_reach_admin_actions(
    make_ui: MakeUI, ui_redis: Redis, dataset: Dataset
) -> None:
    operator = make_ui(authorize=_as(Role.OPERATOR))
    operator.get("/api/v1/info")
    admin_only = [m for m in mutations(dataset) if m.role is Role.ADMIN]
    assert len(admin_only) >= 10
    _rejected(operator, ui_redis, admin_only, {"forbidden"})


def test_operator_may_run_operator_actions(make_ui: MakeUI, dataset: Dataset) -> None:
    operator = make_ui(authorize=_as(Role.OPERATOR))
    queue = _s(dataset.names.queue)
    assert operator.post(f"/api/v1/queues/{queue}/pause").status_code == 200
    assert operator.post(f"/api/v1/jobs/{_s(dataset.waiting[2])}/track").status_code == 200


def test_info_tells_the_viewer_it_may_not_change_anything(make_ui: MakeUI) -> None:
    viewer = make_ui(authorize=_as(Role.VIEWER))
    body = viewer.get("/api/v1/info").json()
    assert "viewer" in str(body)


# --- 5. Pagination bounds --------------------------------------------------------


def _lists(data: Dataset) -> list[tuple[str, str | None]]:
    """Paged endpoints, with the key of the page when it sits inside the reply."""
    n = data.names
    return [
        (f"/api/v1/queues/{_s(n.queue)}/jobs?state=waiting", None),
        (f"/api/v1/failed/{_s(n.group)}/jobs", None),
        ("/api/v1/tracked", None),
        ("/api/v1/completed", None),
        ("/api/v1/recurring", None),
        (f"/api/v1/workers/{_s(n.worker)}", "running"),
        (f"/api/v1/throttles/{_s(n.throttle)}?list=pending", "jobs"),
        ("/api/v1/tags", None),
        (f"/api/v1/tags/{_s('batch')}/jobs", None),
    ]


def _get(ui: UI, path: str, **params: int) -> Any:
    joiner = "&" if "?" in path else "?"
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return ui.get(f"{path}{joiner}{query}")


def _page(reply: Any, key: str | None) -> dict[str, Any]:
    body: dict[str, Any] = reply.json()
    return body[key] if key else body


@pytest.mark.parametrize("index", range(9))
def test_list_bounds(ui: UI, dataset: Dataset, index: int) -> None:
    path, key = _lists(dataset)[index]
    first = _get(ui, path, offset=0, limit=1)
    assert first.status_code == 200, first.text
    body = _page(first, key)
    assert {"items", "offset", "limit", "total", "has_more"} <= set(body)
    assert body["offset"] == 0 and body["limit"] == 1 and len(body["items"]) <= 1
    total = body["total"]
    assert total is None or total >= 1, f"{path}: the dataset has items here"
    if total is not None:
        last = _page(_get(ui, path, offset=total - 1, limit=1), key)
        assert len(last["items"]) == 1 and last["has_more"] is False
    past = _get(ui, path, offset=100_000, limit=25)
    assert past.status_code == 200 and _page(past, key)["items"] == []
    assert _get(ui, path, offset=0, limit=500).status_code == 200
    for bad in ({"offset": -1}, {"limit": 501}, {"limit": 0}, {"limit": -5}):
        reply = _get(ui, path, **bad)
        assert reply.status_code == 400, f"{path} {bad}: {reply.status_code}"
        error = reply.json()["error"]
        assert error["code"] == "invalid_argument"
        assert next(iter(bad)) in error["message"] + str(error.get("details"))


def test_pages_past_the_end_show_an_empty_state_not_an_error(ui: UI, dataset: Dataset) -> None:
    queue = _s(dataset.names.queue)
    past = ui.get(f"/queues/{queue}/waiting?offset=100000")
    assert past.status_code == 200
    assert "offset=" in past.text  # a link back to the last page
    assert ui.get(f"/queues/{queue}/waiting?offset=-1").status_code == 400
    assert ui.get(f"/failed/{_s(dataset.names.group)}?limit=501").status_code == 400


# --- 7. Bulk guards (the browser test runs the 3,000-job retry) ---------------------


def test_expected_total_mismatch_is_409_and_changes_nothing(
    ui: UI, ui_redis: Redis, ui_client: Client
) -> None:
    queue = ui_client.queues["bulk"]
    for n in range(40):
        queue.put("app.Job", {"n": n})
    for job in queue.pop(40):
        job.fail("boom", "it broke")
    before = dump(ui_redis)
    reply = ui.post("/api/v1/failed/boom/retry", {"expected_total": 20})
    assert reply.status_code == 409, reply.text
    assert "40" in reply.text  # the current size comes back
    selector = {"group": "boom"}
    body = {"action": "retry", "selector": selector, "expected_total": 20}
    assert ui.post("/api/v1/jobs/bulk", body).status_code == 409
    assert dump(ui_redis) == before


def test_cascade_cancel_of_a_chain_is_one_core_call(
    ui: UI, ui_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = ui_client.queues["chain"]
    first = queue.put("app.Job", {})
    second = queue.put("app.Job", {}, depends=[first])
    third = queue.put("app.Job", {}, depends=[second])
    ui.get("/api/v1/info")
    sent: list[tuple[str, tuple[Any, ...]]] = []
    runner = ui_client._runner
    original = runner.call

    def recording(command: str, *args: Any) -> Any:
        sent.append((command, args))
        return original(command, *args)

    monkeypatch.setattr(runner, "call", recording)
    reply = ui.post(f"/api/v1/jobs/{first}/cancel", {"with_dependents": True})
    assert reply.status_code == 200, reply.text
    cancels = [args for command, args in sent if command == "job.cancel"]
    assert len(cancels) == 1
    assert set(cancels[0]) == {first, second, third}
    assert set(reply.json().get("cancelled", reply.json().get("jids", []))) == {
        first,
        second,
        third,
    }
    assert ui_client.jobs[first] is None and ui_client.jobs[third] is None


def _finish(ui: UI, operation_id: str) -> dict[str, Any]:
    for _ in range(600):
        progress: dict[str, Any] = ui.get(f"/api/v1/operations/{operation_id}").json()
        if progress.get("finished_at"):
            return progress
        time.sleep(0.1)
    raise AssertionError(f"operation {operation_id} did not finish: {progress}")


@pytest.mark.slow
def test_retry_all_of_a_big_group_through_the_api(ui: UI, ui_client: Client) -> None:
    queue = ui_client.queues["big"]
    queue.put_many({"klass": "app.Job", "data": {"n": n}} for n in range(1500))
    for job in queue.pop(1500):
        job.fail("big-failure", "boom")
    reply = ui.post("/api/v1/failed/big-failure/retry", {"expected_total": 1500})
    assert reply.status_code == 202, reply.text
    progress = _finish(ui, reply.json()["operation_id"])
    assert progress["ok"] == 1500 and progress["total"] == 1500
    assert ui_client.jobs.failed().get("big-failure", 0) == 0
    assert ui_client.queues["big"].counts["waiting"] == 1500
