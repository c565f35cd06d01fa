"""Acceptance, every action, API half: every action (docs/ui.md, Actions) works through the JSON
API, and the
core shows its state change (read back through the client, not through the UI)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from tests.ui.browser.dataset import Dataset, Names, populate
from tests.ui.browser.mutations import Mutation, mutations
from tests.ui.conftest import UI

Check = Callable[[Client, Redis, Dataset], bool]


def _job(client: Client, jid: str) -> dict[str, Any]:
    reply = client("job.get", jid)
    return json.loads(reply) if reply else {}


def _recurring(client: Client, jid: str) -> dict[str, Any]:
    reply = client("recurringJob.get", jid)
    return json.loads(reply) if reply else {}


def _throttle(client: Client, tid: str) -> dict[str, Any]:
    reply = client("throttle.get", tid)
    return json.loads(reply) if reply else {}


def _queue_names(client: Client) -> list[str]:
    return client.queues.names


CHECKS: dict[str, Check] = {
    "A-J1": lambda c, r, d: _job(c, d.failed[0]).get("state") == "waiting",
    "A-J2": lambda c, r, d: _job(c, d.waiting[2]).get("queue") == d.names.other_queue,
    "A-J3": lambda c, r, d: _job(c, d.waiting[2]) == {},
    "A-J4": lambda c, r, d: _job(c, d.waiting[2]).get("priority") == 25,
    "A-J5": lambda c, r, d: "added" in _job(c, d.waiting[2]).get("tags", []),
    "A-J6": lambda c, r, d: d.names.tag not in _job(c, d.waiting[2]).get("tags", []),
    "A-J7": lambda c, r, d: bool(_job(c, d.waiting[2]).get("tracked")),
    "A-J8": lambda c, r, d: not _job(c, d.tracked).get("tracked"),
    "A-J9": lambda c, r, d: _job(c, d.running).get("state") == "stalled",
    "A-J10": lambda c, r, d: json.loads(_job(c, d.failed[0]).get("data", "{}")) == {"edited": True},
    "A-J11": lambda c, r, d: _job(c, d.depends_child).get("state") == "waiting",
    "A-J12": lambda c, r, d: d.waiting[3] in _job(c, d.depends_child).get("dependencies", []),
    "A-R1": lambda c, r, d: _recurring(c, d.recurring).get("interval") == 60,
    "A-R1 priority": lambda c, r, d: _recurring(c, d.recurring).get("priority") == 5,
    "A-R2": lambda c, r, d: _recurring(c, d.recurring).get("queue") == d.names.other_queue,
    "A-R3": lambda c, r, d: True,  # add and remove share the id: checked by tags below
    "A-R4": lambda c, r, d: _recurring(c, d.recurring) == {},
    "A-R5": lambda c, r, d: _recurring(c, d.recurring).get("paused") is True,
    "A-R6": lambda c, r, d: "paused" not in _recurring(c, d.recurring),
    "A-Q1": lambda c, r, d: bool(c.queues[d.names.queue].counts["paused"]),
    "A-Q2": lambda c, r, d: not c.queues[d.names.queue].counts["paused"],
    "A-Q1 bulk": lambda c, r, d: bool(c.queues[d.names.queue].counts["paused"]),
    "A-Q5": lambda c, r, d: d.names.queue not in _queue_names(c),
    "A-T1 queue": lambda c, r, d: c.queues[d.names.queue].throttle.maximum() == 3,
    "A-T4 queue": lambda c, r, d: _throttle(c, f"ql:q:{d.names.queue}").get("rate") == 10,
    "A-T5 queue": lambda c, r, d: "rate" not in _throttle(c, f"ql:q:{d.names.queue}"),
    "A-G1": lambda c, r, d: r.hget(f"ql:q:{d.names.queue}-group-weights", "fair-1") == "3",
    "A-C1 queue": lambda c, r, d: str(c.config.get(f"{d.names.queue}-heartbeat")) == "120",
    "A-FG1": lambda c, r, d: c.jobs.failed().get(d.names.group, 0) == 0,
    "A-FG2": lambda c, r, d: (
        c.jobs.failed().get(d.names.group, 0) == 0
        and c.queues[d.names.other_queue].counts["waiting"] >= len(d.failed)
    ),
    "A-FG3": lambda c, r, d: all(_job(c, jid) == {} for jid in d.failed),
    "A-TR1": lambda c, r, d: r.zscore("ql:tracked", "ghost-jid") is None,
    "A-T1": lambda c, r, d: c.throttles[d.names.throttle].maximum() == 5,
    "A-T3": lambda c, r, d: c.throttles[d.names.throttle].maximum() == 0,
    "A-T4": lambda c, r, d: _throttle(c, d.names.throttle).get("per") == 60,
    "A-T5": lambda c, r, d: "rate" not in _throttle(c, d.names.throttle),
    "A-C1": lambda c, r, d: str(c.config.get("heartbeat")) == "90",
    "A-C2": lambda c, r, d: d.names.config_key not in c.config.all,
    "A-P1": lambda c, r, d: c.queue_patterns.get_queue_identifier_patterns().get("x") == ["q*"],
    "A-P2": lambda c, r, d: "q*" in str(c.queue_patterns.get_queue_priority_patterns()),
    "A-W1": lambda c, r, d: d.names.worker not in [w["name"] for w in c.workers.counts],
    "A-W2": lambda c, r, d: True,  # no worker is stale yet; the call itself must succeed
    "bulk": lambda c, r, d: bool(_job(c, d.waiting[4]).get("tracked")),
}

#: Actions whose check needs the opposite state first.
PREPARE: dict[str, Callable[[Client, Redis, Dataset], object]] = {
    "A-Q2": lambda c, r, d: c.queues[d.names.queue].pause(),
    "A-R6": lambda c, r, d: c.jobs.get_recurring(d.recurring).pause(),
    "A-TR1": lambda c, r, d: r.zadd("ql:tracked", {"ghost-jid": 1.0}),
    "A-T5": lambda c, r, d: c("throttle.set", d.names.throttle, 2, 0, "rate", 5, "per", 10),
    "A-T5 queue": lambda c, r, d: c(
        "throttle.set", f"ql:q:{d.names.queue}", 0, 0, "rate", 5, "per", 10
    ),
}


def _body(mutation: Mutation, client: Client, data: Dataset) -> Any:
    if mutation.action == "A-J10":
        stored = _job(client, data.failed[0])["data"]
        sha = hashlib.sha256(str(stored).encode("utf-8")).hexdigest()
        return {**mutation.body, "expected_data_sha256": sha}
    return mutation.body


def _finish(ui: UI, operation_id: str) -> dict[str, Any]:
    progress: dict[str, Any] = {}
    for _ in range(300):
        progress = ui.get(f"/api/v1/operations/{operation_id}").json()
        if progress.get("finished_at"):
            return progress
        time.sleep(0.05)
    raise AssertionError(f"operation {operation_id} did not finish: {progress}")


def _placeholder() -> Dataset:
    """A dataset with made-up jids: enough to list the mutations for test ids."""
    jids = [f"jid-{n}" for n in range(5)]
    return Dataset(Names.plain(), waiting=jids, failed=jids[:3], running="r", tracked="t")


IDS = [f"{m.action} {m.method}" for m in mutations(_placeholder())]


@pytest.mark.parametrize("index", range(len(IDS)), ids=IDS)
def test_every_action_works_from_the_api(
    ui: UI, ui_server: LocalServer, ui_client: Client, ui_redis: Redis, index: int
) -> None:
    data = populate(ui_server.url, Names.plain())
    mutation = mutations(data)[index]
    prepare = PREPARE.get(mutation.action)
    if prepare:
        prepare(ui_client, ui_redis, data)
    reply = ui.call(mutation.method, mutation.path, _body(mutation, ui_client, data))
    assert reply.status_code in (200, 202), f"{mutation}: {reply.status_code} {reply.text[:300]}"
    if reply.status_code == 202:
        progress = _finish(ui, reply.json()["operation_id"])
        assert not progress.get("errors"), progress
    assert CHECKS[mutation.action](ui_client, ui_redis, data), f"{mutation}: core unchanged"


def test_recurring_tags_add_and_remove(ui: UI, ui_server: LocalServer, ui_client: Client) -> None:
    data = populate(ui_server.url, Names.plain())
    path = f"/api/v1/recurring/{data.recurring}/tags"
    assert ui.post(path, {"tags": ["nightly"]}).status_code == 200
    assert "nightly" in _recurring(ui_client, data.recurring)["tags"]
    assert ui.delete(f"{path}/nightly").status_code == 200
    assert "nightly" not in _recurring(ui_client, data.recurring)["tags"]
