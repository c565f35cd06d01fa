"""The shared counts snapshot: its contents, its cache and its single computation."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.ui import UISettings
from reqless.ui.live import snapshot
from reqless.ui.state import UIState


def _state(client: Client, **settings: Any) -> UIState:
    return UIState.build(client, UISettings(**settings), None)


def test_empty_database(ui_client: Client) -> None:
    state = _state(ui_client)
    found = snapshot.current(state, state.default_instance)
    assert found["queues"] == []
    assert found["totals"] == dict.fromkeys(snapshot.COUNT_KEYS, 0)
    assert found["queue_count"] == found["paused_count"] == 0
    assert found["failed_total"] == found["failed_groups"] == 0
    assert found["tracked_total"] == found["recurring_total"] == 0
    assert found["workers"] == {"active": 0, "quiet": 0, "stale": 0}
    assert isinstance(found["at"], float)


def test_counts_every_part(ui_client: Client, ui_redis: Redis) -> None:
    first = ui_client.queues["first"]
    second = ui_client.queues["second"]
    first.put("Klass", {}, jid="w1")
    first.put("Klass", {}, jid="w2")
    first.put("Klass", {}, jid="later", delay=3600)
    first.recur("Klass", {}, interval=60, jid="rec")
    second.put("Klass", {}, jid="run")
    second.put("Klass", {}, jid="fails")
    popped = second.pop(2)
    failing = next(job for job in popped if job.jid == "fails")
    failing.fail("boom", "it broke")
    ui_client.track("w1")
    second.pause()

    state = _state(ui_client)
    found = snapshot.current(state, state.default_instance)
    by_name = {q["name"]: q for q in found["queues"]}
    assert by_name["first"]["counts"]["waiting"] == 2
    assert by_name["first"]["counts"]["scheduled"] == 1
    assert by_name["first"]["counts"]["recurring"] == 1
    assert by_name["second"]["counts"]["running"] == 1
    assert by_name["second"]["paused"] is True
    assert found["totals"]["waiting"] == 2
    assert found["totals"]["running"] == 1
    assert found["queue_count"] == 2
    assert found["paused_count"] == 1
    assert found["failed_total"] == 1
    assert found["failed_groups"] == 1
    assert found["tracked_total"] == 1
    assert found["recurring_total"] == 1
    # The test worker popped just now and still holds a lock.
    assert found["workers"] == {"active": 1, "quiet": 0, "stale": 0}


def test_cached_until_max_age(ui_client: Client) -> None:
    state = _state(ui_client)
    inst = state.default_instance
    first = snapshot.current(state, inst, max_age=60)
    ui_client.queues["q"].put("Klass", {})
    assert snapshot.current(state, inst, max_age=60) is first
    assert snapshot.computations(state, inst) == 1
    fresh = snapshot.current(state, inst, max_age=0)
    assert fresh["totals"]["waiting"] == 1
    assert snapshot.computations(state, inst) == 2


def test_concurrent_callers_share_one_computation(
    ui_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _state(ui_client)
    inst = state.default_instance
    release = threading.Event()
    entered = threading.Event()
    real = snapshot.compute

    def held(*args: Any) -> dict[str, Any]:
        entered.set()
        assert release.wait(10)
        return real(*args)

    monkeypatch.setattr(snapshot, "compute", held)
    results: list[dict[str, Any]] = []
    callers = [
        threading.Thread(target=lambda: results.append(snapshot.current(state, inst, 60)))
        for _ in range(20)
    ]
    for caller in callers:
        caller.start()
    assert entered.wait(10)
    release.set()
    for caller in callers:
        caller.join(10)
    assert len(results) == 20
    assert all(result is results[0] for result in results)
    assert snapshot.computations(state, inst) == 1


def test_error_reaches_every_waiting_caller(
    ui_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = _state(ui_client)

    def broken(*args: Any) -> dict[str, Any]:
        raise RuntimeError("redis fell over")

    monkeypatch.setattr(snapshot, "compute", broken)
    with pytest.raises(RuntimeError, match="fell over"):
        snapshot.current(state, state.default_instance)
    monkeypatch.undo()
    # The failure is not cached: the next caller computes again.
    assert snapshot.current(state, state.default_instance)["queue_count"] == 0


@pytest.mark.parametrize(
    ("last_seen_ago", "holding", "status"),
    [(5, 0, "active"), (None, 1, "active"), (3000, 2, "active"), (120, 0, "quiet"),
     (1200, 0, "stale"), (None, 0, "stale")],
)  # fmt: skip
def test_worker_status(last_seen_ago: float | None, holding: int, status: str) -> None:
    now = 1_000_000.0
    seen = None if last_seen_ago is None else now - last_seen_ago
    assert snapshot.worker_status(UISettings(), seen, holding, now) == status
