"""Short versions of the fault scenarios (issue 12): real workers, real servers, real kills.

`python -m tests.reliability` runs the long versions and prints their figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reqless.server import ServerKind
from tests.reliability import scenarios
from tests.reliability.ledger import Report

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


def assert_nothing_lost(report: Report) -> None:
    """Every acknowledged put completed, none failed, none ran twice at once."""
    assert report.put > 0
    assert report.lost == [], report.summary()
    assert report.failed == [], report.summary()
    assert report.overlapping == [], report.summary()
    assert report.completed == report.put, report.summary()


def test_killed_worker_children_lose_no_job(kind: ServerKind, tmp_path: Path) -> None:
    report = scenarios.child_kills(kind, tmp_path, jobs=300, kills=10)
    assert_nothing_lost(report)
    assert report.notes["kills"] == 10
    assert report.lost_completes == []


def test_a_stopped_worker_cannot_complete_a_job_taken_from_it(
    kind: ServerKind, tmp_path: Path
) -> None:
    report = scenarios.stop_and_continue(kind, tmp_path)
    assert_nothing_lost(report)
    # The stopped run did not get its complete in: it was halted or refused.
    assert report.notes["first run"] != "acked", report.notes
    assert report.notes["history unchanged by the late run"], report.notes
    assert report.notes["history"] == ["put", "popped", "timed-out", "popped", "done"]


@pytest.mark.parametrize("fsync", ["always", "everysec"])
def test_a_killed_server_loses_no_acknowledged_write(
    kind: ServerKind, fsync: str, tmp_path: Path
) -> None:
    if fsync == "everysec" and kind == "redis":
        pytest.skip("everysec is measured on valkey only in CI (the long run does both)")
    report = scenarios.server_kill(kind, tmp_path, fsync=fsync)
    if fsync == "always":
        assert_nothing_lost(report)
        assert report.lost_completes == [], report.summary()
    else:
        # Only reported: a killed process loses nothing the kernel already has,
        # but everysec promises less (docs/reliability.md).
        assert report.completed + len(report.lost) + len(report.failed) == report.put


def test_reset_connections_and_a_paused_server_lose_no_job(
    kind: ServerKind, tmp_path: Path
) -> None:
    report = scenarios.network_faults(kind, tmp_path)
    assert_nothing_lost(report)
    assert report.notes["connections reset"] > 0


def test_a_dead_workers_job_comes_back_in_a_queue_nobody_pops(tmp_path: Path) -> None:
    report = scenarios.unpopped_queue("valkey", tmp_path)
    # The throttled job in the popped queue ran: the sweep freed the slot.
    assert report.completed == 1, report.summary()
    assert report.lost == [] and report.failed == [] and report.overlapping == []
