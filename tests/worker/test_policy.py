"""The supervision policy, without processes: tables of situations and their decisions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reqless.workers.policy import Action, Decision, Limits, SlotState, decide

LIMITS = Limits(shutdown_timeout=30, kill_grace=5, heartbeat_share=0.5, check_interval=0.2)
#: A job started at monotonic 100 (wall 1000), with a 60 s lock and a 10 s time limit.
JOB = SlotState(started_at=100, timeout=10, lock_length=60, lock_expires=1060)


def at(seconds: float, slot: SlotState = JOB, stopping: float | None = None) -> Decision:
    """The decision `seconds` after the job started (the wall clock moves with it)."""
    return decide(slot, 100 + seconds, 1000 + seconds, stopping, LIMITS)


def halted(reason: Action, when: float, slot: SlotState = JOB) -> SlotState:
    return SlotState(slot.started_at, slot.timeout, slot.lock_length, slot.lock_expires,
                     reason, 100 + when, slot.lost)  # fmt: skip


def lost(slot: SlotState = JOB) -> SlotState:
    return SlotState(slot.started_at, slot.timeout, slot.lock_length, slot.lock_expires,
                     slot.halted, slot.halted_at, True)  # fmt: skip


NO_LIMIT = SlotState(started_at=100, timeout=0, lock_length=60, lock_expires=1060)
WATCHED = SlotState(started_at=100, timeout=10)  # a parent's view: no lock to keep


@pytest.mark.parametrize(
    ("situation", "decision", "expected"),
    [
        ("just started", at(0), Action.WAIT),
        ("half the lock left: not yet", at(29.9, NO_LIMIT), Action.WAIT),
        ("less than half the lock left", at(30.1, NO_LIMIT), Action.HEARTBEAT),
        ("lock long gone, no limit", at(500, NO_LIMIT), Action.HEARTBEAT),
        ("time limit reached", at(10), Action.TIMEOUT),
        ("time limit passed", at(12), Action.TIMEOUT),
        ("interrupted for its limit, within the grace", at(12, halted(Action.TIMEOUT, 10)),
         Action.WAIT),
        ("interrupted for its limit, grace over", at(15, halted(Action.TIMEOUT, 10)),
         Action.KILL),
        ("interrupted late: the grace runs from the limit", at(15, halted(Action.TIMEOUT, 14)),
         Action.KILL),
        ("nobody interrupted it (a watching parent)", at(15, WATCHED), Action.KILL),
        ("a watching parent, within the grace (it acts on KILL only)", at(14.9, WATCHED),
         Action.TIMEOUT),
        ("a watching parent never heartbeats", at(500, SlotState(started_at=100)), Action.WAIT),
        ("lock lost", at(1, lost()), Action.LOST),
        ("lock lost beats the time limit", at(11, lost()), Action.LOST),
        ("lost and interrupted: wait for it", at(2, halted(Action.LOST, 1, lost())),
         Action.WAIT),
        ("lost, interrupted, did not stop", at(6, halted(Action.LOST, 1, lost(NO_LIMIT))),
         Action.KILL),
        ("stopping, within the shutdown timeout", at(5, NO_LIMIT, stopping=101), Action.WAIT),
        ("stopping, shutdown timeout over", at(31, NO_LIMIT, stopping=101), Action.SHUTDOWN),
        ("the time limit beats the shutdown", at(10.5, stopping=80), Action.TIMEOUT),
        ("handed back, did not stop", at(36, halted(Action.SHUTDOWN, 31, NO_LIMIT), 101),
         Action.KILL),
        ("stopping does not stop heartbeats", at(30.1, NO_LIMIT, stopping=120), Action.HEARTBEAT),
    ],
)  # fmt: skip
def test_the_policy_decides(situation: str, decision: Decision, expected: Action) -> None:
    assert decision.action is expected, situation


def test_next_check_is_the_next_moment_something_is_due() -> None:
    limits = Limits(shutdown_timeout=30, kill_grace=5, check_interval=100)
    job = SlotState(started_at=100, timeout=10, lock_length=60, lock_expires=1060)
    # The time limit (at 110) comes before the heartbeat (at wall 1030).
    assert decide(job, 100, 1000, None, limits).next_check == 110
    # Interrupted at 110: the kill is due at 115.
    stopped = SlotState(100, 10, 60, 1060, Action.TIMEOUT, 110)
    assert decide(stopped, 111, 1011, None, limits).next_check == 115
    # No limit: the heartbeat, 30 s of wall time from now.
    free = SlotState(started_at=100, lock_length=60, lock_expires=1060)
    assert decide(free, 100, 1000, None, limits).next_check == 130
    # Never later than the check interval (notices and stops come at any time).
    assert decide(free, 100, 1000, None, LIMITS).next_check == pytest.approx(100.2)


def test_a_negative_shutdown_timeout_waits_for_ever() -> None:
    limits = Limits(shutdown_timeout=-1, kill_grace=5)
    assert decide(NO_LIMIT, 10_000, 1001, 101, limits).action is Action.WAIT


seconds = st.floats(min_value=0, max_value=1e5, allow_nan=False)


@given(
    started=seconds, timeout=st.floats(0, 1e3), grace=st.floats(0, 1e3), elapsed=seconds,
    stop_after=st.none() | seconds, halt_after=st.none() | st.floats(0, 1e3),
    is_lost=st.booleans(), shutdown_timeout=st.floats(-1, 1e3),
)  # fmt: skip
def test_properties(
    started: float, timeout: float, grace: float, elapsed: float, stop_after: float | None,
    halt_after: float | None, is_lost: bool, shutdown_timeout: float,
) -> None:  # fmt: skip
    limits = Limits(shutdown_timeout=shutdown_timeout, kill_grace=grace)
    now = started + elapsed
    stopping = None if stop_after is None else started + stop_after
    halted_at = None if halt_after is None else started + halt_after
    halt = Action.LOST if halted_at is not None else None
    slot = SlotState(started, timeout, 60, None, halt, halted_at, is_lost)
    decision = decide(slot, now, now, stopping, limits)
    # It always looks again, soon, and never in the past.
    assert now <= decision.next_check <= now + limits.check_interval
    # Nothing is killed before it was due to stop plus the grace.
    dues = [t for t in (halted_at, started + timeout if timeout > 0 else None) if t is not None]
    if stopping is not None and shutdown_timeout >= 0:
        dues.append(stopping + shutdown_timeout)
    if decision.action is Action.KILL:
        assert dues and now >= min(dues) + grace
    elif dues:
        assert now < min(dues) + grace
    # An interrupted job is never interrupted again: it waits, or is killed.
    if halt is not None:
        assert decision.action in (Action.WAIT, Action.KILL)
    # With no limit, no stop and no interruption, the job is left alone (no lock to keep).
    if timeout == 0 and stopping is None and halt is None and not is_lost:
        assert decision.action is Action.WAIT
    # Deterministic: the same question gets the same answer.
    assert decide(slot, now, now, stopping, limits) == decision
