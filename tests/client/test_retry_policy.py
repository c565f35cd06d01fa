"""reqless.retry_policy: the schedule of pauses both clients follow, without a server."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless import defaults
from reqless.retry_policy import RetrySchedule, located, may_retry

ROOT = Path(__file__).resolve().parents[2]
#: The error of a command that reached the server and may have run.
IN_FLIGHT = RedisConnectionError("Connection closed by server.")
#: The error of a command that never left: the connection could not be made.
NOT_SENT = RedisConnectionError("Error 111 connecting to localhost:1. Connection refused.")


def _pauses(schedule: RetrySchedule, exc: Exception, times: list[float]) -> list[float | None]:
    return [schedule.next_pause(exc, now) for now in times]


def test_pauses_double_up_to_the_cap() -> None:
    schedule = RetrySchedule("queue.peek", window=100, started=0, repeatable=True)
    pauses = _pauses(schedule, IN_FLIGHT, [0.0] * 7)
    base, cap = defaults.RETRY_BACKOFF_BASE, defaults.RETRY_BACKOFF_CAP
    expected = [min(base * 2**n, cap) for n in range(7)]
    assert pauses == pytest.approx(expected)
    assert pauses[-1] == cap and schedule.attempts == 7


def test_the_last_pause_ends_with_the_window_and_then_it_gives_up() -> None:
    schedule = RetrySchedule("queue.peek", window=2, started=10, repeatable=True)
    assert schedule.next_pause(IN_FLIGHT, now=11.98) == pytest.approx(0.02)
    assert schedule.next_pause(IN_FLIGHT, now=12.0) is None
    assert schedule.next_pause(IN_FLIGHT, now=13.0) is None


def test_a_zero_window_never_retries() -> None:
    assert (
        RetrySchedule("queue.peek", window=0, started=5, repeatable=True).next_pause(NOT_SENT, 5)
        is None
    )


def test_a_command_that_may_have_run_is_not_sent_again_unless_repeatable() -> None:
    assert (
        RetrySchedule("queues.pop", window=10, started=0, repeatable=False).next_pause(IN_FLIGHT, 0)
        is None
    )
    assert RetrySchedule("queue.put", window=10, started=0, repeatable=True).next_pause(
        IN_FLIGHT, 0
    ) == (defaults.RETRY_BACKOFF_BASE)


def test_a_command_that_never_left_is_sent_again_whatever_it_is() -> None:
    schedule = RetrySchedule("queues.pop", window=10, started=0, repeatable=False)
    assert schedule.next_pause(NOT_SENT, 0) == defaults.RETRY_BACKOFF_BASE
    assert may_retry(False, NOT_SENT, left=1)
    assert not may_retry(False, IN_FLIGHT, left=1)
    assert may_retry(True, IN_FLIGHT, left=1)
    assert not may_retry(True, IN_FLIGHT, left=0)


def test_it_warns_once_per_command(caplog: pytest.LogCaptureFixture) -> None:
    schedule = RetrySchedule("job.get", window=10, started=0, repeatable=True)
    with caplog.at_level(logging.WARNING, logger="reqless"):
        _pauses(schedule, IN_FLIGHT, [0, 1, 2])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "job.get" in warnings[0] and "10.0s" in warnings[0]


def test_a_connect_time_out_says_where() -> None:
    error = located(RedisTimeoutError("Timeout connecting to server"), "db.example:6380")
    assert isinstance(error, RedisConnectionError)
    assert str(error) == "timed out connecting to db.example:6380"
    assert located(IN_FLIGHT, "db.example:6380") is IN_FLIGHT


@pytest.mark.parametrize("path", ["reqless/client.py", "reqless/aio/client.py"])
def test_both_clients_follow_the_schedule(path: str) -> None:
    tree = ast.parse((ROOT / path).read_text())
    imported = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert ("reqless.retry_policy", "RetrySchedule") in imported
    # Only `sync_client` needs the sync client; the policy is not borrowed from it.
    assert {name for module, name in imported if module == "reqless.client"} <= {"Client"}
