"""What a forking parent does with the jobs of a child that died.

The jobs a dead child held are found two ways: its records on the job board
(`reqless.workers.board`), and the server's list of the jobs its worker name
holds locks for (which also has jobs it popped and had not started). Each one
still running under the child's name goes back at once, while its lock still
keeps it from anybody else:

- a job that ran past its time limit is failed in group `<queue>-TimeoutError`,
  as the child would have failed it had it stopped;
- any other is retried (one retry used up), with a `worker-died` entry in its
  history naming the child and why it died; a job with no retry left is failed
  in group `<queue>-WorkerDied`.

The core refuses both calls for a job that is no longer the child's (completed,
taken back, handed to another worker), and such a job is left alone.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterable
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from reqless.exceptions import ReqlessError
from reqless.logger import logger
from reqless.workers.board import BoardEntry

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["HISTORY_EVENT", "death_reason", "hand_back", "timeout_message"]

#: The `what` of the history entry a dead child's retried job gets.
HISTORY_EVENT = "worker-died"


def death_reason(status: int) -> str:
    """How a child ended, from its `waitpid` status: `child killed by signal 9`, ..."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = f" ({signal.Signals(number).name})"
        except ValueError:
            name = ""
        return f"child killed by signal {number}{name}"
    return f"child exited with status {os.WEXITSTATUS(status)}"


def timeout_message(limit: float) -> str:
    """The failure message of a job stopped for its time limit."""
    return f"Job exceeded its time limit of {limit:g} seconds"


def hand_back(
    client: Client, worker: str, entries: Iterable[BoardEntry], reason: str, now: float
) -> list[str]:
    """Settle the jobs worker `worker` (a dead child) still holds; returns their jids.

    `entries` are the child's board records; `now` is `time.monotonic()`, to tell
    which of them ran past their time limit. Server problems are logged: the
    jobs then come back when their locks expire.
    """
    board = {entry.jid: entry for entry in entries}
    try:
        held = list(client.workers[worker]["jobs"])
        jids = list(dict.fromkeys([*board, *held]))
        jobs = client.jobs.get(*jids) if jids else []
    except (RedisError, ReqlessError) as exc:
        logger.warning("could not hand back the jobs of worker %s: %s", worker, exc)
        return []
    settled = []
    for job in jobs:
        if job.state != "running" or job.worker_name != worker:
            continue
        entry = board.get(job.jid)
        try:
            if entry is not None and entry.timeout > 0 and now >= entry.started_at + entry.timeout:
                _fail_timed_out(client, worker, job.jid, job.queue_name, entry.timeout)
            else:
                _retry(client, worker, job.jid, job.queue_name, reason)
        except (RedisError, ReqlessError) as exc:
            logger.info("left job %s of worker %s alone: %s", job.jid, worker, exc)
            continue
        settled.append(job.jid)
    return settled


def _fail_timed_out(client: Client, worker: str, jid: str, queue: str, limit: float) -> None:
    client("job.fail", jid, worker, f"{queue}-TimeoutError", timeout_message(limit))
    logger.error("job %s ran past its time limit of %gs and was killed; failed it", jid, limit)


def _retry(client: Client, worker: str, jid: str, queue: str, reason: str) -> None:
    message = f"worker {worker}: {reason} while running the job"
    left = int(client("job.retry", jid, queue, worker, 0, f"{queue}-WorkerDied", message))
    client("job.log", jid, HISTORY_EVENT, json.dumps({"worker": worker, "reason": reason}))
    if left < 0:
        logger.error("job %s: %s; no retries left, failed it", jid, message)
    else:
        logger.warning("job %s: %s; retried it (%s retries left)", jid, message, left)
