"""The job board: a child's records are read by its parent, even after the child was killed."""

from __future__ import annotations

import os
import signal

from reqless.workers.board import JID_BYTES, BoardEntry, JobBoard
from reqless.workers.policy import Action


def test_a_killed_childs_records_stay_readable_by_its_parent() -> None:
    board = JobBoard(children=2, slots=3)
    pid = os.fork()
    if pid == 0:  # the child: record two jobs, interrupt one, end one, then die hard
        view = board.view(1)
        first = view.claim("a" * 32, 10.0, 5.0)
        view.claim("b", 11.0, 0.0, retry_delay=30.0)
        view.halted(first, Action.TIMEOUT, 15.5)
        view.release(view.claim("gone", 12.0, 0.0))
        os.kill(os.getpid(), signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WTERMSIG(status) == signal.SIGKILL
    assert board.entries(0) == []
    assert board.entries(1) == [
        BoardEntry("a" * 32, 10.0, 5.0, Action.TIMEOUT, 15.5),
        BoardEntry("b", 11.0, 0.0, None, None, retry_delay=30.0),
    ]
    board.clear(1)
    assert board.entries(1) == []


def test_a_view_refuses_more_jobs_than_slots_and_overlong_jids() -> None:
    view = JobBoard(children=1, slots=1).view(0)
    assert view.claim("x" * (JID_BYTES + 1), 1.0, 0.0) is None
    index = view.claim("x", 1.0, 0.0)
    assert index == 0
    assert view.claim("y", 1.0, 0.0) is None
    view.release(index)
    assert view.claim("y", 1.0, 0.0) == 0
