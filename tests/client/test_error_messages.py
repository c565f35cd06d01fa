"""Error text users read is the core's message alone; the server's full text is kept.

Redis 7.0 and Valkey frame a script error differently (`script: <sha>, on
@user_script:N.` against `script: on @user_script:N.`); both fixtures run these.
"""

from __future__ import annotations

import logging

import pytest

from reqless.client import Client
from reqless.core import CoreError
from reqless.core.runner import core_message
from reqless.exceptions import LostLockError, ReqlessError
from reqless.job import Job
from reqless.logger import logger
from reqless.server import LocalServer

KLASS = "tests.client.test_error_messages.Gnome"

#: Each test taking `client` runs through the sync and the asyncio client.
BOTH_CLIENTS = True


class Gnome:
    """A job class whose handler completes a job that was moved meanwhile."""

    @staticmethod
    def process(job: Job) -> None:
        job.client.queues["elsewhere"].put(KLASS, {}, jid=job.jid, replace=True)
        job.complete()


def _noise(text: str) -> bool:
    return "user_script" in text or "script:" in text


def test_a_core_error_reads_as_the_core_message(client: Client) -> None:
    with pytest.raises(CoreError) as info:
        client("queue.put", "w", "q", "jid", "k", "{}", "x")
    error = info.value
    assert str(error) == 'Put(): Arg "delay" not a number: x'
    assert error.args == ('Put(): Arg "delay" not a number: x',)
    # The server's own text stays available for debugging.
    assert 'Put(): Arg "delay" not a number: x' in error.raw
    assert "user_function:" in error.raw  # FCALL of the loaded library
    assert error.location is not None and error.location.startswith("src/")


def test_lost_lock_errors_carry_no_script_noise(client: Client, server: LocalServer) -> None:
    jid = client.queues["q"].put(KLASS, {})
    client.queues["q"].pop()
    intruder = Client(server.url, hostname="intruder")
    try:
        stolen = intruder.jobs[jid]
        assert isinstance(stolen, Job)
        with pytest.raises(LostLockError) as info:
            stolen.heartbeat()
    finally:
        intruder.database.close()
    assert not _noise(str(info.value)), str(info.value)
    assert info.value.reason is not None and not _noise(info.value.reason)
    assert str(info.value).startswith(f"lost the lock on job {jid}: ")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_worker_log_lines_carry_no_script_noise(client: Client) -> None:
    client.queues["q"].put(KLASS, {})
    job = client.queues["q"].pop()
    assert job is not None
    collector, level = _Collector(), logger.level
    logger.addHandler(collector)
    logger.setLevel(logging.WARNING)
    try:
        job.process()
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)
    warnings = collector.lines
    assert warnings
    assert not any(_noise(line) for line in warnings), warnings


def test_priority_of_a_missing_job_says_the_job_does_not_exist(client: Client) -> None:
    job = client.jobs[client.queues["q"].put(KLASS, {})]
    assert isinstance(job, Job)
    job.cancel()
    with pytest.raises(ReqlessError) as info:
        job.priority = 5
    assert str(info.value) == f"job {job.jid} does not exist"


@pytest.mark.parametrize(
    ("raw", "message", "line"),
    [
        # Redis 7.0
        (
            'user_script:121: Put(): Arg "delay" not a number: x script: '
            "523449b480b95aff09b83761a034415d44ec669f, on @user_script:121.",
            'Put(): Arg "delay" not a number: x',
            121,
        ),
        # Valkey
        (
            "user_script:1584: Retry(): Job does not exist script: on @user_script:1584.",
            "Retry(): Job does not exist",
            1584,
        ),
        # An error raised by a server command inside the script has no leading line.
        (
            "WRONGTYPE Operation against a key holding the wrong kind of value script: "
            "523449b480b95aff09b83761a034415d44ec669f, on @user_script:7.",
            "WRONGTYPE Operation against a key holding the wrong kind of value",
            7,
        ),
        # Messages may span lines and mention "script:" themselves.
        (
            "user_script:9: Put(): data\nscript: x script: on @user_script:9.",
            "Put(): data\nscript: x",
            9,
        ),
        # Text in no known frame is kept whole.
        ("something else entirely", "something else entirely", None),
    ],
)
def test_core_message_strips_either_servers_frame(raw: str, message: str, line: int | None) -> None:
    assert core_message(raw) == (message, line)
