"""The supervision policy: what to do now about one running job, and when to look again.

Every worker mode asks the same question about each job it runs: heartbeat it
now? stop it for its time limit? hand it back because the worker is stopping?
stop it because the server took it away? kill its process because it did not
stop when asked? `decide` answers it. It is a pure function: it reads no clock,
does no I/O and changes nothing, so it is tested with plain tables (see
tests/worker/test_policy.py). Each mode keeps only its primitives: how to
heartbeat, how to interrupt a thread, greenlet or task, and how to kill.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reqless import defaults

__all__ = ["Action", "Decision", "Limits", "SlotState", "decide"]


class Action(StrEnum):
    """What a worker does now about one running job."""

    #: Nothing is due; look again at `Decision.next_check`.
    WAIT = "wait"
    #: Extend the job's lock.
    HEARTBEAT = "heartbeat"
    #: Interrupt the job: it ran past its time limit (it is then failed).
    TIMEOUT = "timeout"
    #: Interrupt the job: the worker is stopping and the shutdown timeout ran out
    #: (it is then handed back to its queue).
    SHUTDOWN = "shutdown"
    #: Interrupt the job: the server took it away (it is left alone).
    LOST = "lost"
    #: The job was interrupted `kill_grace` seconds ago and still runs: kill the
    #: process running it (a greenlet, task or thread cannot be forced).
    KILL = "kill"


#: The actions that interrupt a job; their value is the reason `JobHalted` carries.
INTERRUPTS = frozenset({Action.TIMEOUT, Action.SHUTDOWN, Action.LOST})


@dataclass(frozen=True, slots=True)
class Limits:
    """The worker-wide settings the policy needs (all in seconds)."""

    #: Seconds a stopping worker lets a job finish before interrupting it (< 0: forever).
    shutdown_timeout: float = defaults.SHUTDOWN_TIMEOUT
    #: Seconds an interrupted job has to stop before its process is killed.
    kill_grace: float = defaults.KILL_GRACE
    #: A job is heartbeated when less than this share of its lock is left.
    heartbeat_share: float = defaults.HEARTBEAT_SHARE
    #: The longest a worker goes without looking (stop requests and notices come
    #: at any time; this bounds how late they are acted on).
    check_interval: float = defaults.WORKER_CHECK_INTERVAL


@dataclass(frozen=True, slots=True)
class SlotState:
    """One running job as its worker sees it.

    Times named `*_at` without `wall` are `time.monotonic()` readings (on Linux
    the same clock in every process); `lock_expires` is wall-clock Unix time, as
    the server reports it.
    """

    #: When the job started.
    started_at: float
    #: Its hard time limit in seconds (0: none).
    timeout: float = 0.0
    #: Seconds of lock one heartbeat gives it.
    lock_length: float = float(defaults.HEARTBEAT)
    #: When its lock expires (Unix time); None when this worker does not heartbeat
    #: it (the forking parent watches its children's jobs without heartbeating).
    lock_expires: float | None = None
    #: Why it was interrupted already (an interrupting `Action`), or None.
    halted: Action | None = None
    #: When it was interrupted.
    halted_at: float | None = None
    #: The server took it away (a heartbeat was refused, or a confirmed notice).
    lost: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do now, and when (a `time.monotonic()` reading) to ask again."""

    action: Action
    next_check: float


def decide(
    slot: SlotState, now: float, wall: float, stopping_since: float | None, limits: Limits
) -> Decision:
    """Decide what to do now about `slot`.

    Args:
        slot: the job.
        now: `time.monotonic()` now.
        wall: `time.time()` now (compared with `slot.lock_expires`).
        stopping_since: when the worker was asked to stop, or None.
        limits: the worker's settings.

    An interrupted job is killed `kill_grace` seconds after it should have stopped:
    after its interruption, or after its time limit or the shutdown timeout ran
    out even when nobody recorded an interruption (a process watching another's
    jobs, or a worker too stuck to interrupt anything). Otherwise the first
    reason to interrupt it wins: lost, then time limit, then shutdown; then a
    heartbeat when less than `heartbeat_share` of its lock is left.
    """
    soonest = now + limits.check_interval
    stop_at = _interrupt_due(slot, stopping_since, limits)
    if stop_at is not None and limits.kill_grace >= 0:
        kill_at = stop_at + limits.kill_grace
        if now >= kill_at:
            return Decision(Action.KILL, soonest)
        soonest = min(soonest, kill_at)
    if slot.halted is not None:
        return Decision(Action.WAIT, soonest)
    if slot.lost:
        return Decision(Action.LOST, soonest)
    deadline = _deadline(slot)
    if deadline is not None:
        if now >= deadline:
            return Decision(Action.TIMEOUT, soonest)
        soonest = min(soonest, deadline)
    shutdown_at = _shutdown_at(stopping_since, limits)
    if shutdown_at is not None:
        if now >= shutdown_at:
            return Decision(Action.SHUTDOWN, soonest)
        soonest = min(soonest, shutdown_at)
    if slot.lock_expires is not None:
        heartbeat_at = slot.lock_expires - slot.lock_length * limits.heartbeat_share
        if wall >= heartbeat_at:
            return Decision(Action.HEARTBEAT, soonest)
        soonest = min(soonest, now + (heartbeat_at - wall))
    return Decision(Action.WAIT, soonest)


def _deadline(slot: SlotState) -> float | None:
    return slot.started_at + slot.timeout if slot.timeout > 0 else None


def _shutdown_at(stopping_since: float | None, limits: Limits) -> float | None:
    if stopping_since is None or limits.shutdown_timeout < 0:
        return None
    return stopping_since + limits.shutdown_timeout


def _interrupt_due(slot: SlotState, stopping_since: float | None, limits: Limits) -> float | None:
    """When the job should have stopped (the earliest reason), or None: not yet asked to."""
    due = [slot.halted_at] if slot.halted_at is not None else []
    deadline = _deadline(slot)
    if deadline is not None:
        due.append(deadline)
    shutdown_at = _shutdown_at(stopping_since, limits)
    if shutdown_at is not None:
        due.append(shutdown_at)
    return min(due) if due else None
