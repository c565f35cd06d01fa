"""What a job's handler leaves behind: a job that calls sys.exit() (or raises
another BaseException) is failed and the worker carries on; a handler that
returns leaving its job running is reported."""

from __future__ import annotations

import logging
import signal
from pathlib import Path

import pytest

from reqless.client import Client
from tests.worker.conftest import JobsModule, StartWorker, get_job, job_state, lines, wait_for
from tests.worker.test_serial_worker import make_worker, run_worker, states

pytestmark = pytest.mark.timeout(120, method="thread")


def assert_failed_for_exit(client: Client, jid: str, klass: str) -> None:
    """The job failed in `q-SystemExit` with a message naming sys.exit and a traceback."""
    job = get_job(client, jid)
    assert job.state == "failed"
    assert job.failure["group"] == "q-SystemExit"
    message = job.failure["message"]
    assert message.startswith(f"{klass} called sys.exit(3): a job must not stop its worker")
    assert "Traceback (most recent call last):" in message
    assert 'sys.exit(data["exit"])' in message


def test_sys_exit_in_a_job_fails_it_and_the_worker_carries_on(
    client: Client, jobs_module: JobsModule, tmp_path: Path
) -> None:
    done = jobs_module.file("done")
    exits = client.queues["q"].put(jobs_module.klass, {"exit": 3}, priority=1)
    after = client.queues["q"].put(jobs_module.klass, {"done": done})

    run_worker(
        make_worker(client, tmp_path),
        lambda: wait_for(lambda: states(client, [after], "complete"), message="the next job"),
    )

    assert_failed_for_exit(client, exits, jobs_module.klass)
    assert [line[0] for line in lines(done)] == [after]


@pytest.mark.parametrize("greenlets", [0, 2], ids=["serial-children", "gevent-children"])
def test_a_job_that_exits_or_interrupts_does_not_take_its_child_down(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker, greenlets: int
) -> None:
    if greenlets:
        pytest.importorskip("gevent")
    runs = jobs_module.file("runs")
    queue = client.queues["q"]
    exits = queue.put(jobs_module.klass, {"runs": runs, "exit": 3}, priority=3)
    interrupts = queue.put(jobs_module.klass, {"runs": runs, "interrupt": True}, priority=2)
    after = queue.put(jobs_module.klass, {"runs": runs}, priority=1)
    flags = ["-q", "q", "--workers", "1"] + (["--greenlets", str(greenlets)] if greenlets else [])
    worker = start_worker(*flags)

    # With greenlets the jobs run side by side: wait for all three to be settled.
    wait_for(
        lambda: (
            [job_state(client, jid) for jid in (exits, interrupts, after)]
            == ["failed", "failed", "complete"]
        ),
        20,
        "the three jobs to be settled",
    )

    assert_failed_for_exit(client, exits, jobs_module.klass)
    interrupted = get_job(client, interrupts)
    assert (interrupted.state, interrupted.failure["group"]) == ("failed", "q-KeyboardInterrupt")
    assert "raised KeyboardInterrupt, which is not an Exception" in interrupted.failure["message"]
    # One child ran all three: it was not restarted in between.
    assert len({line[1] for line in lines(runs)}) == 1
    assert "worker child" not in worker.stderr().replace("started worker child", "")
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0


def test_a_handler_that_leaves_its_job_running_is_reported(
    client: Client, jobs_module: JobsModule, tmp_path: Path, records: list[logging.LogRecord]
) -> None:
    done = jobs_module.file("done")
    left = client.queues["q"].put(jobs_module.klass, {"done": done, "leave": True})

    run_worker(make_worker(client, tmp_path), lambda: wait_for(lambda: lines(done)))

    warnings = [r.getMessage() for r in records if "returned without completing" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in records]
    assert left in warnings[0]
    assert jobs_module.klass in warnings[0]
    assert "test-worker" in warnings[0]
    assert job_state(client, left) == "running"


def test_a_handler_that_settles_its_job_is_not_reported(
    client: Client, jobs_module: JobsModule, tmp_path: Path, records: list[logging.LogRecord]
) -> None:
    jid = client.queues["q"].put(jobs_module.klass, {})

    run_worker(
        make_worker(client, tmp_path),
        lambda: wait_for(lambda: states(client, [jid], "complete")),
    )

    assert not [r for r in records if "returned without completing" in r.getMessage()]


def test_a_job_dropped_for_an_unreachable_server_is_not_reported_as_left_running(
    client: Client, jobs_module: JobsModule, tmp_path: Path, records: list[logging.LogRecord]
) -> None:
    done = jobs_module.file("done")
    dropped = client.queues["q"].put(jobs_module.klass, {"done": done, "unreachable": True})

    run_worker(make_worker(client, tmp_path), lambda: wait_for(lambda: lines(done)))

    messages = [r.getMessage() for r in records]
    assert any(f"dropped job {dropped}" in message for message in messages), messages
    assert not [m for m in messages if "returned without completing" in m], messages
    assert job_state(client, dropped) == "running"  # its lock expiry hands it out again
