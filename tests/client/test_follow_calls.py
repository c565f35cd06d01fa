"""The calls that follow jobs (reqless/_calls/follow.py), against a real core.

Jobs join batches and get popped through raw core calls, so these tests hold the
calls alone, whatever the client's own `put` offers.
"""

from __future__ import annotations

from typing import Any

import pytest

from reqless._calls import Call, follow
from reqless.client import Client
from reqless.exceptions import ArgumentError, LostLockError, ReqlessError


def _raw(client: Client, command: str, *args: Any) -> Any:
    return client._run(Call(command, args, lambda reply: reply, repeatable=False))


def _put(client: Client, jid: str, *options: Any, queue: str = "q") -> None:
    _raw(client, "queue.put", "w", queue, jid, "k.K", "{}", 0, *options)


def _pop(client: Client, worker: str = "w1", queue: str = "q") -> None:
    _raw(client, "queue.pop", queue, worker, 1)


def test_progress_is_stored_on_the_running_job_and_extends_its_lock(client: Client) -> None:
    _put(client, "j1")
    _pop(client)
    deadline = client._run(follow.job_progress("j1", "w1", 0.25, "a quarter, ünïcode"))
    job = client._run(Call("job.get", ("j1",), lambda reply: reply, repeatable=True))
    assert '"fraction":0.25' in job and "a quarter" in job
    assert deadline > 0


def test_progress_by_a_worker_that_lost_the_job_raises_lost_lock(client: Client) -> None:
    _put(client, "j1")
    _pop(client)
    with pytest.raises(LostLockError):
        client._run(follow.job_progress("j1", "someone-else", 0.5))
    with pytest.raises(LostLockError):
        client._run(follow.job_progress("nope", "w1", 0.5))


def test_wait_gives_the_key_for_an_unfinished_job_and_none_once_finished(client: Client) -> None:
    _put(client, "j1")
    waiting = client._run(follow.job_wait("j1"))
    assert waiting["state"] == "waiting" and waiting["wake"]
    _pop(client)
    _raw(client, "job.complete", "j1", "w1", "q", "{}")
    assert client._run(follow.job_wait("j1")) == {"state": "complete", "wake": None}
    with pytest.raises(ReqlessError, match="does not exist"):
        client._run(follow.job_wait("nope"))


def test_a_batch_opens_counts_its_jobs_and_puts_its_callbacks_on_close(client: Client) -> None:
    done = {"klass": "app.Done", "queue": "cb", "data": {"n": 1}, "priority": 5}
    assert client._run(follow.batch_open("b1", on_complete=done)) == "b1"
    for jid in ("j1", "j2"):
        _put(client, jid, "batch", "b1")
    batch = client._run(follow.batch_get("b1"))
    assert batch is not None
    assert (batch["state"], batch["total"], batch["pending"]) == ("open", 2, 2)
    assert batch["on_success"] is None and batch["finished"] is None
    assert batch["on_complete"] == {**done, "priority": 5.0}
    assert client._run(follow.batch_jobs("b1")) == ["j1", "j2"]
    assert client._run(follow.batch_jobs("b1", 1, 1)) == ["j2"]
    assert client._run(follow.batch_cancel("b1")) == ["j1", "j2"]
    assert client._run(follow.batch_canceled("b1", ["j2", "x", "j1"])) == ["j2", "j1"]
    closed = client._run(follow.batch_close("b1"))
    assert (closed["state"], closed["canceled"], closed["pending"]) == ("finished", 2, 0)
    assert isinstance(closed["finished"], float)
    assert client._run(follow.batch_get("unknown")) is None


def test_batches_are_listed_newest_first_and_paged(client: Client) -> None:
    for bid in ("old", "mid", "new"):
        client._run(follow.batch_open(bid))
    # Created in the same second, so order by time alone is not asserted; paging is.
    listed = [b["id"] for b in client._run(follow.batch_list())]
    assert sorted(listed) == ["mid", "new", "old"]
    assert [b["id"] for b in client._run(follow.batch_list(1, 1))] == [listed[1]]
    assert client._run(follow.batch_list(5, 5)) == []


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda: follow.job_progress("", "w", 0.5), "jid"),
        (lambda: follow.job_progress("j", "", 0.5), "worker"),
        (lambda: follow.job_progress("j", "w", 1.5), "fraction"),
        (lambda: follow.job_progress("j", "w", -0.1), "fraction"),
        (lambda: follow.job_progress("j", "w", float("nan")), "fraction"),
        (lambda: follow.job_progress("j", "w", True), "fraction"),
        (lambda: follow.job_progress("j", "w", "0.5"), "fraction"),  # type: ignore[arg-type]
        (lambda: follow.job_progress("j", "w", 0.5, "é" * 513), "message"),
        (lambda: follow.job_progress("j", "w", 0.5, None), "message"),  # type: ignore[arg-type]
        (lambda: follow.job_wait(""), "jid"),
        (lambda: follow.batch_open(""), "batch id"),
        (lambda: follow.batch_open("x" * 257), "batch id"),
        (lambda: follow.batch_open("a\nb"), "batch id"),
        (lambda: follow.batch_open("b", "app.Done"), "on_success"),  # type: ignore[arg-type]
        (lambda: follow.batch_open("b", {"klass": "", "queue": "q", "data": {}}), "klass"),
        (lambda: follow.batch_open("b", None, {"klass": "K", "data": {}}), "on_complete queue"),
        (lambda: follow.batch_open("b", {"klass": "K", "queue": "q", "data": [1]}), "data"),
        (lambda: follow.batch_open("b", {"klass": "K", "queue": "q", "data": {"s": {1}}}), "data"),
        (
            lambda: follow.batch_open("b", {"klass": "K", "queue": "q", "data": {"x": 1e999}}),
            "data",
        ),
        (lambda: follow.batch_open("b", {"klass": "K", "queue": "q", "prio": 1}), "unknown"),
        (
            lambda: follow.batch_open("b", {"klass": "K", "queue": "q", "priority": "hi"}),
            "priority",
        ),
        (lambda: follow.batch_close(7), "batch id"),  # type: ignore[arg-type]
        (lambda: follow.batch_get(""), "batch id"),
        (lambda: follow.batch_jobs("b", -1), "offset"),
        (lambda: follow.batch_jobs("b", 0, 0), "limit"),
        (lambda: follow.batch_list(True), "offset"),
        (lambda: follow.batch_list(0, 2.5), "limit"),  # type: ignore[arg-type]
        (lambda: follow.batch_cancel(""), "batch id"),
        (lambda: follow.batch_canceled("", ["j"]), "batch id"),
        (lambda: follow.batch_canceled("b", []), "jids must name 1 to 1000"),
        (lambda: follow.batch_canceled("b", ["j"] * 1001), "jids must name 1 to 1000"),
        (lambda: follow.batch_canceled("b", "j1"), "jids"),  # type: ignore[arg-type]
        (lambda: follow.batch_canceled("b", ["j", ""]), "jids"),
    ],
)
def test_bad_arguments_are_refused_before_sending(build: Any, named: str) -> None:
    with pytest.raises(ArgumentError, match=named):
        build()


def test_a_refused_open_writes_nothing(client: Client) -> None:
    with pytest.raises(ArgumentError):
        client._run(follow.batch_open("b", {"klass": "K", "queue": "q", "data": {"x": object()}}))
    assert client._run(follow.batch_get("b")) is None
    assert client._run(follow.batch_list()) == []
