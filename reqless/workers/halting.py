"""What a worker does with a job it stopped: the same in every mode.

A job interrupted for its time limit is failed in group `<queue>-TimeoutError`
(or retried, when a retry policy handles a time-out: `reqless.workers.timeout_retry`);
one interrupted at shutdown is handed back to its queue at once (`job.timeout()`,
no retry used); one the server took away is left alone. A job that did not stop
within the kill grace is killed with its process by a watching forking parent
(`reqless.workers.handback` settles it then); a worker with no parent cannot
kill its own code, so it fails a timed-out job itself and logs that the code
runs on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reqless.logger import logger
from reqless.workers.base_worker import settle
from reqless.workers.policy import Action
from reqless.workers.timeout_retry import timeout_error, timeout_message, timeout_policy

if TYPE_CHECKING:
    from reqless.job import Job

__all__ = ["halt_outcome", "outlived_kill_grace", "settle_halted", "settle_timed_out"]


def halt_outcome(job: Any, reason: str, limit: float) -> tuple[str, str] | None:
    """Log why `job` was stopped; returns the failure (group, message) of a time-out, or None."""
    if reason == Action.TIMEOUT:
        logger.error("stopped job %s after its time limit of %gs", job.jid, limit)
        return f"{job.queue_name}-TimeoutError", timeout_message(limit)
    if reason == Action.SHUTDOWN:
        logger.warning("stopped job %s at shutdown; handing it back to its queue", job.jid)
    else:
        logger.warning("stopped job %s: the server took it away from this worker", job.jid)
    return None


def settle_halted(job: Job, reason: str, limit: float) -> None:
    """Fail, hand back or leave alone the stopped `job` (see the module)."""
    failure = halt_outcome(job, reason, limit)
    if failure is not None:
        settle_timed_out(job, failure, limit)
    elif reason == Action.SHUTDOWN:
        settle(job.timeout)


def settle_timed_out(job: Job, failure: tuple[str, str], limit: float) -> None:
    """Retry the timed-out `job` as its retry policy says, if one handles a time-out,
    else fail it with `failure` (group, message)."""
    policy = timeout_policy(job, job.retry_policy)
    if policy is not None:
        settle(job._retry_for, policy, timeout_error(limit))
    else:
        settle(job.fail, *failure)


def outlived_kill_grace(
    job: Any, reason: Action, limit: float, watched: bool
) -> tuple[str, str] | None:
    """`job` was interrupted for `reason` and still runs after the kill grace.

    `watched`: a forking parent watches this process, kills it and settles the
    job. Otherwise the code runs on, and the failure (group, message) the caller
    must give a timed-out job is returned (None: nothing to settle).
    """
    if watched:
        logger.error("job %s did not stop when interrupted (%s); the worker parent kills "
                     "this process", job.jid, reason.value)  # fmt: skip
        return None
    logger.error("job %s did not stop when interrupted (%s), and a worker cannot kill its "
                 "own code: it runs on", job.jid, reason.value)  # fmt: skip
    return halt_outcome(job, reason, limit) if reason is Action.TIMEOUT else None
