"""The UI in namespaces: `reqless ui --namespace` makes one instance per namespace,
and a namespace's pages, reads and live stream never show another's jobs."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis
from starlette.testclient import TestClient

from reqless.cli.ui_command import parse_ui_args
from reqless.client import Client
from reqless.server import LocalServer
from reqless.ui import UISettings, create_app
from reqless.ui.live import relay
from reqless.ui.state import UIState

WAIT_S = 10.0


@pytest.fixture
def spaces(server: LocalServer, redis: Redis) -> Iterator[dict[str, Client]]:
    """Clients of namespaces a and b and of the shared layout, on each server kind."""
    made = {name: Client(server.url, namespace=name or None) for name in ("a", "b", "")}
    yield made
    for client in made.values():
        client.database.close()


def test_the_instance_of_a_namespace_shows_its_jobs_only(spaces: dict[str, Client]) -> None:
    for name in ("a", "b", ""):
        spaces[name].queues[f"q{name}"].put("K", {}, jid=f"j{name}")
    app = create_app({"a": spaces["a"], "b": spaces["b"]}, UISettings())
    with TestClient(app, base_url="http://127.0.0.1") as http:
        for name in ("a", "b"):
            body = http.get(f"/i/{name}/api/v1/queues").json()
            assert [q["name"] for q in body["items"]] == [f"q{name}"]
            assert http.get(f"/i/{name}/api/v1/jobs/j{name}").status_code == 200
        assert http.get("/i/a/api/v1/jobs/jb").status_code == 404
        assert http.get("/i/b/api/v1/jobs/j").status_code == 404
        page = http.get("/i/a/queues").text
        assert "qa" in page and "qb" not in page


def test_the_live_stream_of_a_namespace_hears_its_events_only(spaces: dict[str, Client]) -> None:
    state = UIState.build({"a": spaces["a"], "plain": spaces[""]}, UISettings(), None)
    try:
        the_relay = relay.get(state, state.instances["a"])
        signals: queue.Queue[None] = queue.Queue()
        inbox = the_relay.subscribe(relay.EventFilter(), lambda: signals.put(None), 100)
        assert the_relay.wait_ready(WAIT_S)
        spaces[""].queues["q"].put("K", {}, jid="elsewhere")
        spaces["a"].queues["q"].put("K", {}, jid="here")
        spaces["a"].track("here")
        items: list[tuple[str, dict[str, Any]]] = []
        deadline = time.monotonic() + WAIT_S
        while len(items) < 2 and time.monotonic() < deadline:
            signals.get(timeout=max(0.01, deadline - time.monotonic()))
            items.extend(inbox.take())
        events = [(e["channel"], e["kind"], e["jid"]) for topic, e in items if topic == "events"]
        assert events[:2] == [("ql:{a}:log", "put", "here"), ("ql:{a}:track", "track", "here")]
        assert all(jid != "elsewhere" for _, _, jid in events)
    finally:
        relay.shutdown(state)


def test_reqless_ui_makes_one_instance_per_namespace() -> None:
    one = parse_ui_args(["--namespace", "a", "--namespace", "b"], environ={})
    assert one.instances == {"a": "redis://127.0.0.1:6379/0", "b": "redis://127.0.0.1:6379/0"}
    assert one.namespaces == {"a": "a", "b": "b"}
    two = parse_ui_args(
        ["--url", "x=redis://h1:6379/0", "--url", "y=redis://h2:6379/0", "--namespace", "a"],
        environ={},
    )
    assert two.namespaces == {"x-a": "a", "y-a": "a"}
    from_env = parse_ui_args([], environ={"REQLESS_NAMESPACE": "orders"})
    assert from_env.namespaces == {"orders": "orders"}
    assert parse_ui_args([], environ={}).namespaces == {}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--namespace", "a b"], "'--namespace': namespace 'a b' may not contain"),
        (["--namespace", "eu:orders"], "cannot name a UI instance"),
    ],
)
def test_reqless_ui_refuses_bad_namespaces(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        parse_ui_args(argv, environ={})
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
