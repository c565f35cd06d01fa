"""Every mutating route of the real app, found by walking its route table: none
answers GET, and each refuses a change without the same-origin proof, and any
change in read-only mode, leaving Redis as it was (issue 12, web UI security)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from redis import Redis
from starlette.routing import BaseRoute, Mount, Route

from reqless.client import Client
from reqless.ui import UISettings, create_app

from .conftest import ORIGIN, MakeUI

_READS = {"GET", "HEAD"}


def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(route.routes or [], prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, set(route.methods or ())


def _mutating() -> list[tuple[str, str]]:
    app = create_app(Client("redis://127.0.0.1:1/0"))
    found = [(method, path) for path, methods in _walk(app.routes)
             for method in sorted(methods - _READS)]  # fmt: skip
    assert len(found) > 30, "the route table walk found too few changes"
    return found


MUTATING = _mutating()


def _concrete(path: str) -> str:
    # Path parameters get a plain name that exists (see the fixture) or not.
    return re.sub(r"\{[^}]+\}", "x", path)


def _dump(redis: Redis) -> dict[Any, Any]:
    return {key: redis.dump(key) for key in sorted(redis.keys("*"))}


@pytest.fixture
def world(ui_client: Client) -> Client:
    """A queue, a job and a throttle named `x`, so that the routes have something to change."""
    ui_client.queues["x"].put("Klass", {"a": 1}, jid="x")
    ui_client.throttles["x"].set_maximum(2)
    return ui_client


def test_no_route_that_changes_answers_get() -> None:
    for path, methods in _walk(create_app(Client("redis://127.0.0.1:1/0")).routes):
        if methods - _READS:
            assert not methods & _READS, f"{path} takes both {methods}"


@pytest.mark.parametrize(("method", "path"), MUTATING, ids=[f"{m} {p}" for m, p in MUTATING])
def test_every_change_needs_the_same_origin_proof(
    make_ui: MakeUI, world: Client, ui_redis: Redis, method: str, path: str
) -> None:
    ui = make_ui()
    ui.get("/")  # the CSRF cookie, as a page would get it
    before = _dump(ui_redis)
    headers = {"Content-Type": "application/json", "Origin": ORIGIN}
    answer = ui.http.request(method, _concrete(path), content=b"{}", headers=headers)
    assert answer.status_code == 403, (method, path, answer.status_code)
    assert answer.json()["error"]["code"] == "csrf"
    assert _dump(ui_redis) == before


@pytest.mark.parametrize(("method", "path"), MUTATING, ids=[f"{m} {p}" for m, p in MUTATING])
def test_read_only_refuses_every_change(
    make_ui: MakeUI, world: Client, ui_redis: Redis, method: str, path: str
) -> None:
    ui = make_ui(UISettings(read_only=True))
    before = _dump(ui_redis)
    answer = ui.call(method, _concrete(path), {})
    assert answer.status_code == 403, (method, path, answer.status_code)
    assert answer.json()["error"]["code"] == "read_only"
    assert _dump(ui_redis) == before
