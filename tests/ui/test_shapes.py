"""The `TypedDict`s of reqless.ui.reads.shapes describe what the API really sends:
every key a shape declares is in the answer, and the answer has no other key."""

from __future__ import annotations

import time
from typing import Any, get_type_hints

from reqless import Client
from reqless.ui.reads import shapes

from .conftest import UI


def _keys(shape: type) -> set[str]:
    return set(get_type_hints(shape))


def _assert_shape(value: dict[str, Any], shape: type) -> None:
    assert set(value) == _keys(shape), f"{shape.__name__}: {sorted(set(value) ^ _keys(shape))}"


def test_throttles_workers_and_pages_have_their_declared_keys(ui: UI, ui_client: Client) -> None:
    ui_client("throttle.set", "named", 2, 1000)
    ui_client.queues["q"].put("K", {}, jid="j1", throttles=["named"])
    ui_client.database.zadd("ql:workers", {"w1": time.time()})
    throttles = ui.get("/api/v1/throttles").json()
    assert throttles["items"]
    for item in throttles["items"]:
        _assert_shape(item, shapes.Throttle)
    workers = ui.get("/api/v1/workers").json()
    assert workers["items"]
    for item in workers["items"]:
        _assert_shape(item, shapes.Worker)
    page = ui.get("/api/v1/queues/q/jobs", params={"state": "waiting"}).json()
    _assert_shape(page, shapes.ListPage)
    graph = ui.get("/api/v1/jobs/j1").json()
    for state in graph.get("throttle_states", []):
        _assert_shape(state, _merged(shapes.Throttle, shapes.ThrottleMembership))


def _merged(*parts: type) -> type:
    merged = type("Merged", (), {"__annotations__": {}})
    for part in parts:
        merged.__annotations__.update(get_type_hints(part))
    return merged


def test_an_error_answer_has_the_error_body_shape(ui: UI) -> None:
    reply = ui.get("/api/v1/jobs/no-such-jid")
    assert reply.status_code == 404
    body = reply.json()
    _assert_shape(body, shapes.ErrorBody)
    _assert_shape(body["error"], shapes.ErrorDetail)
