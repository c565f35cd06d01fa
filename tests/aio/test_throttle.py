"""Throttles through both clients."""

from __future__ import annotations

from typing import Any

import pytest

from reqless.exceptions import ReqlessError
from tests.aio.conftest import Runner, Surface
from tests.helpers import snapshot

KLASS = "tests.aio.jobs.Noop"


def test_maximum_ttl_locks_pending_release_and_delete(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        throttle = s.client.throttles["th"]
        assert throttle.name == "th" and throttle == s.client.throttles["th"]
        assert await s(lambda c: throttle.maximum()) == 0
        assert await s(lambda c: throttle.ttl()) == -2
        await s(lambda c: throttle.set_maximum(1))
        await s(lambda c: throttle.set_maximum(expiration=100))
        assert await s(lambda c: throttle.maximum()) == 1
        assert 0 < await s(lambda c: throttle.ttl()) <= 100
        first = await s(lambda c: c.queues["q"].put(KLASS, {}, throttles=["th"]))
        second = await s(lambda c: c.queues["q"].put(KLASS, {}, throttles=["th"]))
        await s(lambda c: c.queues["q"].pop(2))
        assert await s(lambda c: throttle.locks()) == [first]
        assert await s(lambda c: throttle.pending()) == [second]
        await s(lambda c: throttle.release(first))
        assert await s(lambda c: throttle.pending()) == []
        await s(lambda c: throttle.delete())
        assert await s(lambda c: throttle.maximum()) == 0

    both(scenario)


@pytest.mark.parametrize(
    ("maximum", "expiration", "message"),
    [
        ("3", None, "maximum must be a number"),
        (True, None, "maximum must be a number"),
        (1, float("inf"), "expiration must be finite"),
    ],
)
def test_bad_input_is_refused_before_sending(
    both: Runner, maximum: Any, expiration: Any, message: str
) -> None:
    async def scenario(s: Surface) -> None:
        before = snapshot(s.raw)
        with pytest.raises(ReqlessError, match=message):
            await s(lambda c: c.throttles["th"].set_maximum(maximum, expiration))
        assert snapshot(s.raw) == before

    both(scenario)
