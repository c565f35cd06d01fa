"""Configuration through both clients: the same values, checks and decoding."""

from __future__ import annotations

from typing import Any

import pytest

from reqless.exceptions import ReqlessError
from tests.aio.conftest import Runner, Surface
from tests.helpers import snapshot


async def get(s: Surface, option: str, default: Any = None) -> Any:
    """`config.get(option, default)` of either client."""
    return await s(lambda c: c.config.get(option, default))


async def put(s: Surface, option: str, value: Any) -> None:
    """`config[option] = value`, or `await config.set(option, value)`."""
    if s.is_async:
        await s.client.config.set(option, value)
    else:
        s.client.config[option] = value


def test_read_write_and_defaults(both: Runner) -> None:
    async def scenario(s: Surface) -> None:
        assert await get(s, "heartbeat") == 60
        assert await get(s, "application") == "reqless"
        assert await get(s, "missing") is None and await get(s, "missing", 0) == 0
        await put(s, "heartbeat", 30)
        await put(s, "mine", '{"a": 1}')
        assert await get(s, "heartbeat") == 30 and await get(s, "mine") == {"a": 1}
        every = await s(lambda c: c.config.all() if s.is_async else c.config.all)
        assert every["heartbeat"] == "30" and every["grace-period"] == "10"
        if s.is_async:
            assert await s.client.config.has("mine")
            await s.client.config.unset("heartbeat")
        else:
            assert "mine" in s.client.config
            del s.client.config["heartbeat"]
        assert await get(s, "heartbeat") == 60
        assert await s(lambda c: c.config.pop("mine")) == {"a": 1}
        assert await get(s, "mine") is None
        assert await s(lambda c: c.config.setdefault("fresh", 5)) == 5
        await s(lambda c: c.config.update({"a": 1}, a=2, b=3))
        assert (await get(s, "a"), await get(s, "b")) == (1, 3)
        await s(lambda c: c.config.clear())
        assert await get(s, "a") is None

    both(scenario)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("heartbeat", "soon", "must be a number"),
        ("heartbeat", 0, "must be at least 0.001"),
        ("jobs-history-count", 1.5, "must be a whole number"),
        ("q-heartbeat", -1, "must be at least"),
        ("anything", True, "values are strings or numbers"),
        ("", 1, "config option names are non-empty strings"),
    ],
)
def test_bad_values_are_refused_before_sending(
    both: Runner, option: str, value: Any, message: str
) -> None:
    async def scenario(s: Surface) -> None:
        before = snapshot(s.raw)
        with pytest.raises(ReqlessError, match=message):
            await put(s, option, value)
        with pytest.raises(ReqlessError, match=message):
            await s(lambda c: c.config.update({"fine": 1, option: value}))
        assert snapshot(s.raw) == before

    both(scenario)
