"""Fair groups served by a real worker program (issue 24): with 100,000 jobs of
group A waiting and being worked, the 10 jobs of group B put next all start
within about the first 20 pops after their put, not behind A's backlog.

Each job writes a `start` line to a ledger file as it starts (the fault tests'
`Recorded` job); the test writes a mark once B's put has returned, and counts the
A jobs that started between that mark and the last of B's starts. Round-robin
between the two groups gives about one A start per B start; a queue that served
A's backlog first would start no B job for 100,000 pops.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reqless.client import Client
from reqless.server import LocalServer
from tests.patience import PATIENCE
from tests.reliability.harness import RECORDED, Fleet, wait_until
from tests.reliability.ledger import Ledger

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

#: Group A's backlog, put in chunks of `CHUNK` jobs per call.
BACKLOG = 100_000
CHUNK = 5_000
LATE = 10
#: A starts tolerated between B's put and B's last start: about one per B job
#: (the turns alternate) plus the jobs the two children already had in hand.
MOST_A_STARTS = 20


def test_a_small_group_is_served_promptly_behind_a_large_backlog(
    server: LocalServer, tmp_path: Path
) -> None:
    client = Client(server.url, hostname="test")
    queue = client.queues["q"]
    ledger = Ledger(tmp_path / "ledger.jsonl")
    data = {"ledger": str(ledger.path), "sleep": 0}
    backlog = queue.put_many(
        ({"klass": RECORDED, "data": data, "group": "A"} for _ in range(BACKLOG)),
        chunk_size=CHUNK,
    )
    assert len(backlog) == BACKLOG
    fleet = Fleet(server.url, tmp_path / "worker", ["q"], workers=2, name="fair")
    try:
        fleet.start()

        def starts() -> list[dict[str, Any]]:
            return [entry for entry in ledger.entries() if entry["event"] in ("start", "b-put")]

        # Both children are taking A's jobs before B's arrive.
        wait_until(lambda: len(starts()) >= 20, PATIENCE, "the worker to start A's jobs")
        late = set(queue.put_many([{"klass": RECORDED, "data": data, "group": "B"}] * LATE))
        ledger.write("b-put")

        def b_started() -> int:
            return sum(1 for entry in starts() if entry.get("jid") in late)

        wait_until(lambda: b_started() == LATE, PATIENCE, "B's jobs to start")
    finally:
        fleet.stop()
    lines = starts()
    mark = next(i for i, entry in enumerate(lines) if entry["event"] == "b-put")
    last_b = max(i for i, entry in enumerate(lines) if entry.get("jid") in late)
    a_between = [entry for entry in lines[mark:last_b] if entry.get("jid") not in late]
    assert len(a_between) <= MOST_A_STARTS, (
        f"{len(a_between)} of A's jobs started between B's put and B's last start"
    )
    # A's backlog was still there: B did not just come after the end of it.
    a_started = sum(1 for entry in lines if entry.get("jid") not in late)
    assert a_started < BACKLOG - 1000
