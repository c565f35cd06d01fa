"""job.process() drops a job, rather than failing it, when the server is unreachable."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless.client import Client
from reqless.job import Job


class Unreachable:
    """Handlers that hit a connection error or a time-out, or a plain error."""

    @staticmethod
    def connection(job: Job) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    @staticmethod
    def timeout(job: Job) -> None:
        raise RedisTimeoutError("Timeout reading from socket")

    @staticmethod
    def plain(job: Job) -> None:
        raise RuntimeError("a real failure")


def _run(client: Client, queue: str) -> Job:
    jid = client.queues[queue].put(f"{__name__}.Unreachable", {})
    job = client.queues[queue].pop()
    assert job is not None and job.jid == jid
    job.process()
    found = client.jobs[jid]
    assert isinstance(found, Job)
    return found


def test_a_connection_error_leaves_the_job_running_for_lock_expiry(client: Client) -> None:
    job = _run(client, "connection")
    assert job.state == "running"
    assert job.failure == {}


def test_a_time_out_leaves_the_job_running_for_lock_expiry(client: Client) -> None:
    assert _run(client, "timeout").state == "running"


def test_other_errors_still_fail_the_job(client: Client) -> None:
    job = _run(client, "plain")
    assert job.state == "failed"
    assert job.failure["group"] == "plain-RuntimeError"
