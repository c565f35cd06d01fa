"""Batches under SIGKILL (issue 25): a batch of 1,000 jobs, one in 50 failing, and one of
1,000 that all complete, while the workers running them are killed again and again.
Each callback is put exactly once (only on_complete for the failing batch) and run
once, with the counts the ledger agrees with. `python -m tests.reliability` runs it too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reqless.server import ServerKind
from tests.reliability import batches


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_batch_callbacks_fire_exactly_once_while_workers_are_killed(
    kind: ServerKind, tmp_path: Path
) -> None:
    report = batches.batch_kills(kind, tmp_path, jobs=1000, kills=20)
    summary = report.summary()
    assert report.notes["problems"] == [], summary
    assert report.put == 2000
    assert report.lost == [] and report.failed == [] and report.overlapping == [], summary
    assert report.notes["kills"] == 20 and report.notes["program kills"] == 4, summary
    # Kills landed mid-job: some members ran again.
    assert report.run_more_than_once, summary
    assert report.notes["failed on purpose"] == 20
    assert report.notes["callbacks put"] == [
        f"{batches.SUCCEEDING}-complete", f"{batches.SUCCEEDING}-success",
        f"{batches.FAILING}-complete",
    ]  # fmt: skip
    assert report.notes["batch counts"][batches.FAILING] == {
        "total": 1000, "complete": 980, "failed": 20, "canceled": 0, "pending": 0,
    }  # fmt: skip
    assert report.notes["batch counts"][batches.SUCCEEDING] == {
        "total": 1000, "complete": 1000, "failed": 0, "canceled": 0, "pending": 0,
    }  # fmt: skip


def _ledger(*lines: tuple[str, str, dict[str, object]]) -> list[dict[str, object]]:
    """Ledger lines (event, jid, extra fields), a second apart, all from pid 1."""
    return [{"event": event, "jid": jid, "t": float(t), "pid": 1, "worker": "w", **extra}
            for t, (event, jid, extra) in enumerate(lines)]  # fmt: skip


def test_problems_names_every_broken_promise() -> None:
    counts = {"total": 2, "complete": 1, "failed": 1, "canceled": 0}
    given = {"id": "b", **counts}
    entries = _ledger(
        ("start", "b-0000", {}), ("end", "b-0000", {"outcome": "ok"}),
        ("acked", "b-0000", {}),
        ("start", "b-0001", {}),  # killed before its end: it never ran to an end
        ("start", "b-complete", {"callback": given}), ("end", "b-complete", {"outcome": "ok"}),
        ("start", "b-complete", {"callback": {**given, "failed": 0}}),
        ("end", "b-complete", {"outcome": "ok"}),
    )  # fmt: skip
    found = batches.problems(
        planned={"b-0000": False, "b-0001": True},
        final={"b-0000": "complete", "b-0001": "complete"},
        batches={"b": {"state": "finished", "pending": 0, **counts}},
        puts={"b-success": 1, "b-complete": 1},
        entries=entries,
    )
    assert found == [
        "b-0001 never ran to an end",
        "batch b: {'state': 'finished', 'pending': 0, 'total': 2, 'complete': 1, 'failed': 1, "
        "'canceled': 0} but the ledger says {'total': 2, 'complete': 2, 'failed': 0, "
        "'canceled': 0, 'pending': 0}",
        "b-0001 ended complete, planned failed",
        "callback b-success put 1 times, not 0",
        "callback b-complete ran 2 times, not 1",
        f"callback b-complete was given {[given, {**given, 'failed': 0}]}, the batch says {given}",
    ]


def test_problems_finds_none_in_a_clean_run() -> None:
    counts = {"total": 1, "complete": 0, "failed": 1, "canceled": 0}
    given = {"id": "b", **counts}
    entries = _ledger(
        ("start", "b-0000", {}), ("end", "b-0000", {"outcome": "raised"}),
        ("start", "b-complete", {"callback": given}), ("end", "b-complete", {"outcome": "ok"}),
        ("acked", "b-complete", {}),
    )  # fmt: skip
    assert batches.problems(
        planned={"b-0000": True}, final={"b-0000": "failed"},
        batches={"b": {"state": "finished", "pending": 0, **counts}},
        puts={"b-success": 0, "b-complete": 1}, entries=entries,
    ) == []  # fmt: skip
