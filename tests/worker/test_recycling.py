"""Recycling worker children (`--max-jobs-per-child`, `--max-memory-per-child`): the
child finishes its jobs, exits 0, and is replaced in its slot; nothing is handed back."""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.workers.recycling import Recycler, SlotTurns, rss_megabytes
from reqless.workers.settings import WorkerSettings
from tests.worker.conftest import JobsModule, StartWorker, get_job, job_state, lines, wait_for

#: A job that allocates 200 MB and keeps it (a module-level list), then completes.
HOG_MODULE = """\
import os

_KEPT = []


class Hog:
    @staticmethod
    def process(job):
        _KEPT.append(b"x" * (200 * 1024 * 1024))
        with open({runs!r}, "a") as handle:
            handle.write(f"{{job.jid}} {{os.getpid()}}\\n")
        job.complete()
"""


def put_jobs(client: Client, jobs_module: JobsModule, count: int, queue: str = "q") -> list[str]:
    runs = jobs_module.file("runs.txt")
    return [client.queues[queue].put(jobs_module.klass, {"runs": runs}) for _ in range(count)]


def all_complete(client: Client, jids: list[str]) -> bool:
    return all(job_state(client, jid) == "complete" for jid in jids)


def assert_nothing_handed_back(client: Client, jids: list[str], stderr: str) -> None:
    for jid in jids:
        job = get_job(client, jid)
        assert job.retries_left == job.original_retries, jid
        assert not [entry for entry in job.history if entry.get("what") == "worker-died"], jid
    assert "handed back" not in stderr


def pids_in_order(jobs_module: JobsModule) -> list[str]:
    return [line[1] for line in lines(jobs_module.file("runs.txt"))]


def test_a_child_is_replaced_after_max_jobs_per_child(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    jids = put_jobs(client, jobs_module, 12)
    worker = start_worker("-q", "q", "--workers", "1", "--max-jobs-per-child", "5")
    wait_for(lambda: all_complete(client, jids), message="12 jobs complete")
    pids = pids_in_order(jobs_module)
    assert len(pids) == 12  # each ran once
    per_child = list(Counter(pids).values())
    assert per_child == [5, 5, 2], pids
    assert len(set(pids)) == 3  # the pid changed after each 5 jobs
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0
    stderr = worker.stderr()
    assert_nothing_handed_back(client, jids, stderr)
    assert "recycles: it started 5 jobs (max 5 per child)" in stderr
    assert "exited: status 0" in stderr


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param(["--greenlets", "3"], id="gevent"),
        pytest.param(["--asyncio", "--concurrency", "3"], id="asyncio"),
    ],
)
def test_concurrent_children_count_jobs_across_their_slots(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker, mode: list[str]
) -> None:
    if "--greenlets" in mode:
        pytest.importorskip("gevent")
    jids = put_jobs(client, jobs_module, 8)
    worker = start_worker("-q", "q", "--workers", "1", "--max-jobs-per-child", "4", *mode)
    wait_for(lambda: all_complete(client, jids), message="8 jobs complete")
    pids = pids_in_order(jobs_module)
    assert len(pids) == 8
    assert list(Counter(pids).values()) == [4, 4], pids
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0
    assert_nothing_handed_back(client, jids, worker.stderr())


def test_a_child_holding_too_much_memory_is_replaced(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs = jobs_module.file("runs.txt")
    hog_module = f"{jobs_module.name}_hog"
    (jobs_module.directory / f"{hog_module}.py").write_text(HOG_MODULE.format(runs=runs))
    queue = client.queues["q"]
    jids = [queue.put(f"{hog_module}.Hog", {}) for _ in range(2)]
    worker = start_worker("-q", "q", "--workers", "1", "--max-memory-per-child", "150")
    wait_for(lambda: all_complete(client, jids), message="both hogs complete")
    pids = pids_in_order(jobs_module)
    assert len(pids) == 2 and pids[0] != pids[1]  # the first child was recycled
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0
    stderr = worker.stderr()
    assert "(max 150 MB per child)" in stderr
    assert_nothing_handed_back(client, jids, stderr)


def test_a_replacement_keeps_its_slots_round_robin_turn(
    client: Client, jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    runs = jobs_module.file("runs.txt")
    by_jid = {}
    for _ in range(2):
        for name in ("a", "b", "c"):
            by_jid[client.queues[name].put(jobs_module.klass, {"runs": runs})] = name
    worker = start_worker("-q", "a", "-q", "b", "-q", "c", "--round-robin", "--workers", "1",
                          "--max-jobs-per-child", "1")  # fmt: skip
    wait_for(lambda: all_complete(client, list(by_jid)), message="6 jobs complete")
    order = [by_jid[line[0]] for line in lines(runs)]
    pids = [line[1] for line in lines(runs)]
    assert len(set(pids)) == 6  # one child per job
    # Each replacement asks the next queue first, as the slot's one child would have.
    assert order == ["a", "b", "c", "a", "b", "c"]
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-memory-per-child", "0"], "must be a number of megabytes > 0, got '0'"),
        (["--max-memory-per-child", "-5"], "must be a number of megabytes > 0, got '-5'"),
        (["--max-memory-per-child", "lots"], "must be a number of megabytes > 0, got 'lots'"),
        (["--max-jobs-per-child", "0"], "must be a whole number >= 1, got '0'"),
        (["--max-jobs-per-child", "2.5"], "must be a whole number >= 1, got '2.5'"),
    ],
)
def test_bad_recycling_limits_exit_2_naming_the_option(
    start_worker: StartWorker, flags: list[str], message: str
) -> None:
    worker = start_worker("-q", "q", *flags)
    assert worker.wait() == 2
    assert f"Invalid value for '{flags[0]}': {message}" in worker.stderr()


def test_settings_check_the_recycling_limits() -> None:
    assert WorkerSettings(max_jobs_per_child=5, max_memory_per_child=150.5).max_jobs_per_child == 5
    for bad in ({"max_jobs_per_child": 0}, {"max_jobs_per_child": 1.5},
                {"max_memory_per_child": 0}, {"max_memory_per_child": -1},
                {"max_memory_per_child": "x"}):  # fmt: skip
        name = next(iter(bad))
        with pytest.raises(ReqlessError, match=f"^{name} must be"):
            WorkerSettings(**bad)


def test_the_recycler_counts_started_and_reserved_jobs() -> None:
    recycler = Recycler(max_jobs=3, max_memory=None)
    assert recycler.room(10) == 3
    recycler.job_started()
    recycler.reserved += 1
    assert recycler.room(10) == 1 and not recycler.due()
    recycler.job_started()
    assert recycler.room(10) == 0 and recycler.due()
    assert Recycler(None, rss_megabytes() / 2).due()  # this process holds more than half itself
    assert not Recycler(None, rss_megabytes() * 4).due()
    turns = SlotTurns(3)
    turns.save(2, 7)
    assert (turns.get(0), turns.get(2)) == (0, 7)
