"""The script's entry point: zero keys, command lookup, the `now` argument."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.exceptions import ResponseError

from reqless.core import CoreError, CoreRunner
from reqless.server import LocalServer
from tests.helpers import Core


def raw_call(redis: Redis, core: Core, numkeys: int, *args: str | int) -> object:
    """Call the core in the runner's form, bypassing the runner's argument handling."""
    core.runner.load()
    if core.runner.mode == "function":
        return redis.fcall(core.runner.script.library_name, numkeys, *args)
    return redis.evalsha(core.runner.script.sha, numkeys, *args)


def test_keys_are_rejected(redis: Redis, core: Core) -> None:
    with pytest.raises(ResponseError, match="No Keys should be provided"):
        raw_call(redis, core, 1, "somekey", "queue.length", 0, "q")


def test_missing_command(redis: Redis, core: Core) -> None:
    with pytest.raises(ResponseError, match="Must provide a command"):
        raw_call(redis, core, 0)


def test_unknown_command(core: Core) -> None:
    core.fails("no.such.command", 0, match="Unknown command no.such.command")


@pytest.mark.parametrize("now", ["", "abc", "nan", "inf", "-inf"])
def test_now_must_be_a_finite_number(redis: Redis, core: Core, now: str) -> None:
    with pytest.raises(ResponseError, match='Arg "now" missing or not a number'):
        raw_call(redis, core, 0, "queue.length", now, "q")


@pytest.mark.parametrize("now", ["0x10", " 5 ", "1e3", "-12.5"])
def test_now_accepts_lua_number_forms(redis: Redis, core: Core, now: str) -> None:
    assert raw_call(redis, core, 0, "queue.length", now, "q") == 0


def test_noscript_is_recovered(redis: Redis) -> None:
    runner = CoreRunner(redis, mode="script")
    redis.script_flush()
    assert runner.call("queue.length", "q", now=0) == 0


def test_a_flushed_function_library_is_loaded_again(redis: Redis) -> None:
    runner = CoreRunner(redis)
    assert runner.call("queue.length", "q", now=0) == 0
    redis.function_flush()
    assert runner.call("queue.length", "q", now=0) == 0
    names = [entry[1] for entry in redis.function_list()]
    assert names == [runner.script.library_name]


def test_two_versions_of_the_library_share_a_server(redis: Redis) -> None:
    from reqless.core.script import library_text

    runner = CoreRunner(redis)
    runner.call("queue.length", "q", now=0)
    other = library_text(
        runner.script.text.replace("-- reqless core", "-- other core", 1), "reqless_other"
    )
    redis.function_load(other)
    assert redis.fcall("reqless_other", 0, "queue.length", 0, "q") == 0
    assert runner.call("queue.length", "q", now=0) == 0


def test_a_server_that_refuses_function_load_is_run_by_script(
    server: LocalServer, redis: Redis
) -> None:
    redis.function_flush()
    redis.acl_setuser(
        "limited", enabled=True, passwords=["+pw"], keys=["*"], channels=["*"],
        commands=["+@all", "-function"],
    )  # fmt: skip
    try:
        limited = Redis(port=server.port, username="limited", password="pw", decode_responses=True)
        runner = CoreRunner(limited)
        assert runner.call("queue.length", "q", now=0) == 0
        assert runner.mode == "script"
        limited.close()
    finally:
        redis.acl_deluser("limited")


def test_errors_point_into_the_sources(core: Core) -> None:
    with pytest.raises(CoreError) as info:
        core("queue.put", 0, "worker", "queue")
    assert 'Put(): Arg "jid" missing' in str(info.value)
    assert info.value.location is not None and info.value.location.startswith("src/")
