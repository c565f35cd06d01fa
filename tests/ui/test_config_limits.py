"""The config endpoint (A-C1) refuses values that would stop all work, and shows
the core's own message when the core is the one that refuses (issue 19)."""

from __future__ import annotations

import pytest
from redis import Redis

from tests.ui.conftest import UI
from tests.ui.test_actions_support import dump


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [("max-pop-retry", 0, "must be at least 1"),
     ("q-max-pop-retry", "0", "must be at least 1"),
     ("grace-period", -1, "must be at least 0"),
     ("jobs-history-count", 2.5, "must be a whole number")],
)  # fmt: skip
def test_the_core_refuses_and_the_ui_shows_its_message(
    ui: UI, ui_redis: Redis, key: str, value: object, why: str
) -> None:
    before = dump(ui_redis)
    reply = ui.put(f"/api/v1/config/{key}", {"value": value})
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "core_error"
    assert error["message"].startswith(f'config.set(): option "{key}" {why} (')
    assert dump(ui_redis) == before


@pytest.mark.parametrize(
    ("key", "value"), [("heartbeat", -5), ("heartbeat", 0), ("q-heartbeat", "0"),
                       ("jobs-history", -1)],
)  # fmt: skip
def test_values_the_core_keeps_for_the_specification_are_refused_here(
    ui: UI, ui_redis: Redis, key: str, value: object
) -> None:
    before = dump(ui_redis)
    reply = ui.put(f"/api/v1/config/{key}", {"value": value})
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["message"].startswith(f"value: {key} must be at least")
    assert dump(ui_redis) == before


def test_good_values_are_stored(ui: UI, ui_redis: Redis) -> None:
    for key, value in (("max-pop-retry", 2), ("heartbeat", 0.5), ("grace-period", 0)):
        assert ui.put(f"/api/v1/config/{key}", {"value": value}).status_code == 200
    assert ui_redis.hgetall("ql:config") == {
        "max-pop-retry": "2", "heartbeat": "0.5", "grace-period": "0",
    }  # fmt: skip
