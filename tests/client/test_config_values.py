"""Config values of the options the core reads as numbers (issue 8.5).

`client.config["heartbeat"] = "sixty"` used to be stored, after which every pop
raised; now the client refuses it, and a value some other client stored makes the
core use the default while our client logs a warning.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.logger import logger
from tests.helpers import snapshot

#: Each test taking `client` runs through the sync and the asyncio client.
BOTH_CLIENTS = True


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("heartbeat", "sixty", "must be a number"),
        ("heartbeat", "", "must be a number"),
        ("heartbeat", 0, "at least"),
        ("heartbeat", -5, "at least"),
        ("heartbeat", "inf", "not a finite number"),
        ("heartbeat", "1e400", "not a finite number"),
        ("jobs-history", "7 days", "must be a number"),
        ("jobs-history-count", 2.5, "whole number"),
        ("jobs-history-count", -1, "at least"),
        ("max-job-history", "lots", "must be a number"),
        ("max-pop-retry", 0, "at least"),
        ("grace-period", -1, "at least"),
        ("max-worker-age", "a day", "must be a number"),
        ("underpants-heartbeat", "soon", "must be a number"),
        ("underpants-max-pop-retry", 1.5, "whole number"),
    ],
)
def test_a_value_that_does_not_fit_a_numeric_option_is_refused(
    client: Client, redis: Redis, option: str, value: Any, problem: str
) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match=f"'{option}'") as info:
        client.config[option] = value
    assert problem in str(info.value)
    with pytest.raises(ReqlessError, match=f"'{option}'"):
        client.config.update({option: value})
    assert snapshot(redis) == before


@pytest.mark.parametrize(
    ("option", "value", "read"),
    [
        ("heartbeat", 30, 30),
        ("heartbeat", "0.5", 0.5),
        ("heartbeat", " 45 ", 45),
        ("grace-period", 0, 0),
        ("jobs-history", 7 * 86400, 604800),
        ("jobs-history-count", "500", 500),
        ("max-job-history", 0, 0),
        ("max-pop-retry", 3, 3),
        ("underpants-heartbeat", 5, 5),
        ("application", "sixty", "sixty"),
        ("my-option", "anything", "anything"),
    ],
)
def test_values_that_fit_are_stored(client: Client, option: str, value: Any, read: Any) -> None:
    client.config[option] = value
    assert client.config[option] == read


def test_a_bad_stored_value_does_not_stop_the_queue(
    client: Client, redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    # Written by a client that bypasses config.set (which refuses such text now).
    redis.hset("ql:config", mapping={"heartbeat": "sixty", "jobs-history": "7 days"})
    queue = client.queues["q"]
    queue.put("tests.jobs.Noop", {})
    job = queue.pop()
    assert job is not None
    assert 59 < job.ttl <= 60
    job.complete()
    assert client.jobs[job.jid] is not None

    logger.addHandler(caplog.handler)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        assert client.config["heartbeat"] == "sixty"
        client.config.all  # noqa: B018 - reading warns about each unusable value
    finally:
        logger.setLevel(level)
        logger.removeHandler(caplog.handler)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("'heartbeat'" in w and "uses the default" in w for w in warnings), warnings
    assert any("'jobs-history'" in w for w in warnings), warnings
