"""A rate window held by real worker programs (issue 24): two `reqless-py-worker`
programs with 4 children each share one queue whose jobs carry a throttle of 50
starts per second, for 20 seconds.

The bound is the core's (docs/concepts.md, Throttles): no window of `per` seconds
admits more than `rate` starts, by the callers' clocks. It is checked on the start
times the core itself wrote to the throttle's log (`ql:th:<tid>-starts`), which the
test copies every 0.1 s, well within the second an entry lives there. The ledger,
written by each job as it starts, shows that the copy missed no start, and the
throughput (at least 90 % of the bound) that the test cannot pass by starting nothing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from bench.rate_algorithms import busiest_window
from reqless.client import Client
from reqless.server import LocalServer
from tests.helpers import Core
from tests.patience import PATIENCE
from tests.reliability.harness import RECORDED, Fleet, wait_until
from tests.reliability.ledger import Ledger

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

THROTTLE = "api"
RATE = 50
PER = 1.0
SECONDS = 20.0
#: Starts at most in any `SECONDS` interval: SECONDS/PER disjoint windows of `per`.
BOUND = int(SECONDS / PER) * RATE
#: More jobs than the run can start, so that the workers are never short of work.
JOBS = BOUND + 500
#: Seconds between copies of the starts log (an entry stays there `PER` seconds).
COPY_EVERY = 0.1


def test_a_late_callers_start_does_not_overfill_a_window(core: Core, redis: Redis) -> None:
    # Worker programs' clocks are read before their calls reach the server, so calls
    # arrive a few milliseconds out of order; here by much more, to show it plainly.
    # The late start is logged at the log's clock (11.15), not at 10.5.
    core("throttle.set", 0, THROTTLE, 0, 0, "rate", 2, "per", 1)
    for index in range(4):
        core.put(0, f"j{index}", "q", "throttles", f'["{THROTTLE}"]')
    logged: dict[str, float] = {}
    for now in (10.0, 10.1, 11.15):  # the start at 11.15 trims 10.0 and 10.1 from the log
        assert len(core.pop(now, "q")) == 1
        copy_starts(redis, logged)
    core.pop(10.5, "q")  # a caller whose clock read 10.5, arriving last
    copy_starts(redis, logged)
    assert busiest_window(list(logged.values()), 1.0) <= 2, sorted(logged.values())


def copy_starts(redis: Redis, into: dict[str, float]) -> None:
    """Add the throttle's logged starts (member "<time> <jid>" -> time) to `into`."""
    logged: list[Any] = redis.zrange(f"ql:th:{THROTTLE}-starts", 0, -1, withscores=True)
    for member, score in logged:
        into[str(member).split(" ", 1)[1]] = float(score)


def test_two_worker_programs_never_exceed_the_rate_window(
    server: LocalServer, redis: Redis, tmp_path: Path
) -> None:
    client = Client(server.url, hostname="test")
    client("throttle.set", THROTTLE, 0, 0, "rate", RATE, "per", PER)
    ledger = Ledger(tmp_path / "ledger.jsonl")
    data = {"ledger": str(ledger.path), "sleep": 0}
    client.queues["q"].put_many(
        {"klass": RECORDED, "data": data, "throttles": [THROTTLE]} for _ in range(JOBS)
    )
    fleets = [
        Fleet(server.url, tmp_path / name, ["q"], workers=4, name=name) for name in ("a", "b")
    ]
    core_starts: dict[str, float] = {}  # jid -> the core's start time
    try:
        for fleet in fleets:
            fleet.start()
        wait_until(lambda: redis.exists(f"ql:th:{THROTTLE}-starts") == 1, PATIENCE, "a start")
        first = time.time()
        while time.time() < first + SECONDS + 2 * PER:
            copy_starts(redis, core_starts)
            time.sleep(COPY_EVERY)
        copy_starts(redis, core_starts)
    finally:
        for fleet in fleets:
            fleet.stop()
    started = {entry["jid"] for entry in ledger.entries() if entry["event"] == "start"}
    # Every job a worker started is in the copy of the log: no start escaped the check.
    assert started <= core_starts.keys(), f"{len(started - core_starts.keys())} starts missed"
    times = sorted(core_starts.values())
    busiest = busiest_window(times, PER)
    assert busiest <= RATE, f"a window of {PER}s admitted {busiest} starts (rate {RATE})"
    begin = times[0]
    in_run = [t for t in times if begin <= t < begin + SECONDS]
    assert len(in_run) <= BOUND
    # Close to the rate, so that the run really ran into the window, on both programs.
    assert len(in_run) >= 0.9 * BOUND, (
        f"{len(in_run)} starts in {SECONDS}s, expected close to {BOUND}\n"
        + "\n".join(fleet.log_tail(1500) for fleet in fleets)
    )
    # Both programs took part: the window held across them, not inside one.
    programs = {
        entry["worker"].rsplit("-", 1)[0] for entry in ledger.entries() if "worker" in entry
    }
    assert programs == {"a", "b"}
