"""The connection a CoreRunner keeps: dropped by the server, shared by threads, forked."""

from __future__ import annotations

import os
import threading

import pytest
from redis import Redis
from redis.exceptions import DataError

from reqless.core import CoreRunner
from reqless.core.held_connection import _pack
from reqless.server import LocalServer


def _held_id(redis: Redis, runner: CoreRunner) -> int:
    runner.call("config.get", "heartbeat")
    name = f"held-{id(runner)}"
    runner._held.execute("CLIENT", "SETNAME", name)  # type: ignore[union-attr]
    clients = redis.client_list()
    return int(next(entry["id"] for entry in clients if entry["name"] == name))


def test_a_connection_the_server_closed_while_idle_is_replaced_before_sending(
    server: LocalServer, redis: Redis
) -> None:
    user = server.client()
    try:
        runner = CoreRunner(user)
        redis.hset("ql:config", "heartbeat", "77")
        redis.client_kill_filter(_id=str(_held_id(redis, runner)))
        # A pop (which is never sent twice) must not fail: the dead connection is
        # noticed before the command goes out.
        assert runner.call("config.get", "heartbeat") == "77"
        assert runner.call("queue.pop", "q", "w", 1) == "[]"
    finally:
        user.close()


def test_threads_calling_at_once_each_get_their_own_reply(
    server: LocalServer, redis: Redis
) -> None:
    user = server.client()
    runner = CoreRunner(user)
    for index in range(8):
        redis.hset("ql:config", f"opt{index}", str(index))
    wrong: list[tuple[int, object]] = []

    def ask(index: int) -> None:
        for _ in range(200):
            got = runner.call("config.get", f"opt{index}")
            if got != str(index):
                wrong.append((index, got))

    threads = [threading.Thread(target=ask, args=(index,)) for index in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not wrong
    finally:
        user.close()


def test_a_forked_child_uses_a_connection_of_its_own(server: LocalServer, redis: Redis) -> None:
    user = server.client()
    try:
        runner = CoreRunner(user)
        parent_id = _held_id(redis, runner)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            ok = runner.call("config.get", "heartbeat") == "60"
            child = runner._held._connection  # type: ignore[union-attr]
            own = child is not None and runner._held._pid == os.getpid()  # type: ignore[union-attr]
            os._exit(0 if ok and own else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert runner.call("config.get", "heartbeat") == "60"
        assert _held_id(redis, runner) == parent_id  # the parent's connection is untouched
    finally:
        user.close()


def test_many_runners_of_one_connection_share_one_kept_connection(
    server: LocalServer, redis: Redis
) -> None:
    user = server.client()
    try:
        for _ in range(300):  # more than redis-py's pool allows (100)
            assert CoreRunner(user).call("config.get", "heartbeat") == "60"
        in_use = len(user.connection_pool._in_use_connections)
        assert in_use <= 1
    finally:
        user.close()


def test_commands_are_packed_as_redis_py_packs_them(redis: Redis) -> None:
    connection = redis.connection_pool.get_connection()
    try:
        parts = ("FCALL", "lib", 0, "queue.put", "1.5", "é", 7, 0.1, -2.5e-9, "", "a b")
        ours = b"".join(_pack(connection, parts))
        theirs = b"".join(connection._command_packer.pack(*parts))
        assert ours == theirs
        with pytest.raises(DataError):
            _pack(connection, ("FCALL", object()))
    finally:
        redis.connection_pool.release(connection)


def test_a_value_that_cannot_be_sent_leaves_the_connection_usable(redis: Redis) -> None:
    runner = CoreRunner(redis)
    with pytest.raises(DataError):
        runner.call("config.get", object())  # type: ignore[arg-type]
    assert runner.call("config.get", "heartbeat") == "60"
