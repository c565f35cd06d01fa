"""Job metrics: runs started, completed and failed by queue, run and wait times."""

from __future__ import annotations

from reqless.client import Client
from tests.otel.conftest import Recorded
from tests.otel.test_spans import COMPLETES, run_next


def test_runs_are_counted_and_timed_by_queue(client: Client, recorded: Recorded) -> None:
    client.queues["q"].put(COMPLETES, {})
    client.queues["q"].put(COMPLETES, {})
    client.queues["other"].put("tests.otel.jobs.Raises", {}, retries=0)
    run_next(client)
    run_next(client)
    run_next(client, "other")
    assert recorded.total("reqless.jobs.started", **{"messaging.destination.name": "q"}) == 2
    assert recorded.total("reqless.jobs.completed", **{"messaging.destination.name": "q"}) == 2
    assert recorded.total("reqless.jobs.failed", **{"messaging.destination.name": "q"}) == 0
    assert recorded.total("reqless.jobs.started", **{"messaging.destination.name": "other"}) == 1
    assert recorded.total("reqless.jobs.completed", **{"messaging.destination.name": "other"}) == 0
    failed = {"messaging.destination.name": "other", "error.type": "ValueError"}
    assert recorded.total("reqless.jobs.failed", **failed) == 1
    for metric in ("reqless.job.run.duration", "reqless.job.wait.duration"):
        points = {dict(p.attributes)["messaging.destination.name"]: p
                  for p in recorded.points(metric)}  # fmt: skip
        assert points["q"].count == 2 and points["other"].count == 1, metric
        assert 0 <= points["q"].sum < 30, metric
