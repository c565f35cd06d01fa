"""The script's entry point: zero keys, command lookup, the `now` argument."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.exceptions import ResponseError

from reqless.core import CoreError, CoreRunner
from tests.helpers import Core


def test_keys_are_rejected(redis: Redis, core: Core) -> None:
    sha = core.runner.script.sha
    core.runner.load()
    with pytest.raises(ResponseError, match="No Keys should be provided"):
        redis.evalsha(sha, 1, "somekey", "queue.length", 0, "q")


def test_missing_command(redis: Redis, core: Core) -> None:
    core.runner.load()
    with pytest.raises(ResponseError, match="Must provide a command"):
        redis.evalsha(core.runner.script.sha, 0)


def test_unknown_command(core: Core) -> None:
    core.fails("no.such.command", 0, match="Unknown command no.such.command")


@pytest.mark.parametrize("now", ["", "abc", "nan", "inf", "-inf"])
def test_now_must_be_a_finite_number(redis: Redis, core: Core, now: str) -> None:
    core.runner.load()
    with pytest.raises(ResponseError, match='Arg "now" missing or not a number'):
        redis.evalsha(core.runner.script.sha, 0, "queue.length", now, "q")


@pytest.mark.parametrize("now", ["0x10", " 5 ", "1e3", "-12.5"])
def test_now_accepts_lua_number_forms(redis: Redis, core: Core, now: str) -> None:
    core.runner.load()
    assert redis.evalsha(core.runner.script.sha, 0, "queue.length", now, "q") == 0


def test_noscript_is_recovered(redis: Redis) -> None:
    runner = CoreRunner(redis)
    redis.script_flush()
    assert runner.call("queue.length", "q", now=0) == 0


def test_errors_point_into_the_sources(core: Core) -> None:
    with pytest.raises(CoreError) as info:
        core("queue.put", 0, "worker", "queue")
    assert 'Put(): Arg "jid" missing' in str(info.value)
    assert info.value.location is not None and info.value.location.startswith("src/")
