"""A primary killed mid-run and its replica promoted, through Sentinel and in a
cluster (tests/reliability/failover.py). With durable acknowledgement nothing
acknowledged is lost and no job runs twice at once; without it, what was lost
is counted and its count agrees with the server (docs/reliability.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reqless.server import ServerKind
from tests.reliability.failover import Topology, failover


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("topology", ["sentinel", "cluster"])
def test_with_durable_acknowledgement_a_failover_loses_nothing(
    kind: ServerKind, topology: Topology, tmp_path: Path
) -> None:
    report = failover(kind, tmp_path, topology, durable=True, jobs=90)
    summary = report.summary()
    assert report.put >= 60, summary  # the producer went on after the switch
    assert report.lost == [], summary
    assert report.lost_completes == [], summary
    assert report.overlapping == [], summary
    assert report.failed == [], summary
    assert report.completed == report.put, summary


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("topology", ["sentinel", "cluster"])
def test_without_it_a_failover_reports_what_it_lost(topology: Topology, tmp_path: Path) -> None:
    report = failover("valkey", tmp_path, topology, durable=False, jobs=90)
    summary = report.summary()
    # The replica was left half a second behind before the kill: what it had not
    # received is gone, and the report counts it (puts lost, completed jobs run
    # again) instead of hiding it.
    assert len(report.lost) + len(report.lost_completes) > 0, summary
    assert report.completed + len(report.lost) + len(report.failed) == report.put, summary
    assert summary["failover (s)"] < 30
