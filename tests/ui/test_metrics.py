"""`GET /metrics`: Prometheus text, only with `--metrics`."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from reqless.client import Client
from reqless.server import start_server
from reqless.ui import UISettings
from reqless.ui.live import snapshot
from reqless.ui.roles import Role
from reqless.ui.settings import BasicUser

from .conftest import UI, MakeUI


def _samples(
    ui: UI, path: str = "/metrics"
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = ui.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_off_by_default(make_ui: MakeUI) -> None:
    response = make_ui().get("/metrics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_exposes_the_counts(make_ui: MakeUI, ui_client: Client) -> None:
    q = ui_client.queues["q"]
    q.put("Klass", {}, jid="waits")
    q.put("Klass", {}, jid="fails")
    q.put("Klass", {}, jid="done")
    q.put("Klass", {}, jid="later", delay=3600)
    for job in q.pop(2):
        if job.jid == "fails":
            job.fail("broken", "bad")
        else:
            job.complete()
    ui_client.queues["paused"].pause()
    ui_client.queues["paused"].put("Klass", {})
    ui_client.track("later")

    samples = _samples(make_ui(UISettings(metrics=True)))
    assert _value(samples, "reqless_up") == 1
    assert _value(samples, "reqless_queue_jobs", queue="q", state="waiting") == 1
    assert _value(samples, "reqless_queue_jobs", queue="q", state="scheduled") == 1
    assert _value(samples, "reqless_queue_jobs", queue="q", state="running") == 0
    assert _value(samples, "reqless_queue_paused", queue="paused") == 1
    assert _value(samples, "reqless_queue_paused", queue="q") == 0
    assert _value(samples, "reqless_queue_latency_seconds", queue="q") >= 0
    assert _value(samples, "reqless_failed_jobs", group="broken") == 1
    assert _value(samples, "reqless_workers", status="active") == 1
    assert _value(samples, "reqless_tracked_jobs") == 1
    assert _value(samples, "reqless_queue_today_popped", queue="q") == 2
    assert _value(samples, "reqless_queue_today_completed", queue="q") == 1
    assert _value(samples, "reqless_queue_today_failures", queue="q") == 1
    assert _value(samples, "reqless_queue_today_lock_expiries", queue="q") == 0
    assert _value(samples, "reqless_scrape_duration_seconds") >= 0


def test_values_are_cached_between_scrapes(make_ui: MakeUI, ui_client: Client) -> None:
    ui = make_ui(UISettings(metrics=True))
    state = ui.http.app.state.ui  # type: ignore[attr-defined]
    _samples(ui)
    computed = snapshot.computations(state, state.default_instance)
    ui_client.queues["q"].put("Klass", {})
    samples = _samples(ui)
    assert snapshot.computations(state, state.default_instance) == computed
    assert ("reqless_queue_jobs", (("queue", "q"), ("state", "waiting"))) not in samples


def test_instance_label_and_a_down_instance(make_ui: MakeUI, ui_client: Client) -> None:
    server = start_server("valkey")
    stopped = Client(server.url, retry_window=0)
    try:
        server.stop()
        ui_client.queues["q"].put("Klass", {})
        ui = make_ui(UISettings(metrics=True), clients={"main": ui_client, "gone": stopped})
        samples = _samples(ui)
        assert _value(samples, "reqless_up", instance="main") == 1
        assert _value(samples, "reqless_up", instance="gone") == 0
        assert (
            _value(samples, "reqless_queue_jobs", instance="main", queue="q", state="waiting") == 1
        )
        # Served once, outside the instance prefix.
        assert ui.get("/i/main/metrics").status_code == 404
    finally:
        stopped.database.close()
        server.stop()


def test_login_only_with_metrics_auth(make_ui: MakeUI) -> None:
    users = (BasicUser("viewer", "secret", Role.VIEWER),)
    open_metrics = make_ui(UISettings(metrics=True, basic_users=users))
    assert open_metrics.get("/metrics").status_code == 200
    guarded = make_ui(UISettings(metrics=True, metrics_auth=True, basic_users=users))
    assert guarded.get("/metrics").status_code == 401
    assert guarded.get("/metrics", auth=("viewer", "secret")).status_code == 200
