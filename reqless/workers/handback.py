"""What a forking parent does with the jobs of a child that died.

The jobs a dead child held are found two ways: its records on the job board
(`reqless.workers.board`), and the server's list of the jobs its worker name
holds locks for (which also has jobs it popped and had not started). Each one
still running under the child's name goes back at once, while its lock still
keeps it from anybody else:

- a job that ran past its time limit is failed in group `<queue>-TimeoutError`,
  as the child would have failed it had it stopped, or retried with the delay
  the child noted on the board when its retry policy handles a time-out
  (`reqless.workers.timeout_retry`);
- any other is retried (one retry used up), with a `worker-died` entry in its
  history naming the child and why it died; a job with no retry left is failed
  in group `<queue>-WorkerDied`.

Each history entry is written before the retry, while the job is still the
dead child's: once retried, another worker may pop it at once, and its history
would otherwise say `popped` before why it came back.

The core refuses both calls for a job that is no longer the child's (completed,
taken back, handed to another worker), and such a job is left alone.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from reqless._calls import job as calls
from reqless.exceptions import DurabilityError, ReqlessError
from reqless.job_retry import RETRY_EVENT, RetryPolicy
from reqless.logger import logger
from reqless.workers.board import BoardEntry
from reqless.workers.timeout_retry import timeout_error, timeout_message

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job

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
                _settle_timed_out(client, worker, job, entry)
            else:
                _retry(client, worker, job.jid, job.queue_name, reason)
        except DurabilityError as exc:
            logger.error("job %s of worker %s: %s", job.jid, worker, exc)  # settled all the same
        except (RedisError, ReqlessError) as exc:
            logger.info("left job %s of worker %s alone: %s", job.jid, worker, exc)
            continue
        settled.append(job.jid)
    return settled


def _settle_timed_out(client: Client, worker: str, job: Job, entry: BoardEntry) -> None:
    jid, limit = job.jid, entry.timeout
    if entry.retry_delay is None:
        group, message = f"{job.queue_name}-TimeoutError", timeout_message(limit)
        client._run(calls.fail(jid, worker, group, message, job.data))
        logger.error("job %s ran past its time limit of %gs and was killed; failed it", jid, limit)
        return
    # The child planned the delay with the job's policy; the rest of the plan
    # (group, message, which retry) is the policy's own.
    plan = RetryPolicy(delay=entry.retry_delay).plan(job, timeout_error(limit))
    if plan.details is not None:
        client._run(calls.log(jid, RETRY_EVENT, plan.details))
    left = client._run(calls.retry(jid, job.queue_name, worker, plan.delay, plan.group,
                                   plan.message))  # fmt: skip
    logger.error("job %s ran past its time limit of %gs and was killed; %s", jid, limit,
                 f"retry {plan.retry} in {plan.delay:.3g} s" if left >= 0 else
                 "no retries left, failed it")  # fmt: skip


def _retry(client: Client, worker: str, jid: str, queue: str, reason: str) -> None:
    message = f"worker {worker}: {reason} while running the job"
    client._run(calls.log(jid, HISTORY_EVENT, {"worker": worker, "reason": reason}))
    left = client._run(calls.retry(jid, queue, worker, 0, f"{queue}-WorkerDied", message))
    if left < 0:
        logger.error("job %s: %s; no retries left, failed it", jid, message)
    else:
        logger.warning("job %s: %s; retried it (%s retries left)", jid, message, left)
