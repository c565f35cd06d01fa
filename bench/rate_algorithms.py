"""Rate-window algorithms compared on bursty traces (issue 24): which one the core uses, and why.

    .venv/bin/python -m bench.rate_algorithms                 # rate 50 per 1 s, every trace
    .venv/bin/python -m bench.rate_algorithms --rate 100 --per 60

A pure simulation, no server. Each algorithm decides, for every start attempt of a
trace, whether the job may start now; a refused attempt is dropped (its job stays
waiting and is tried again by a later attempt of the trace). For each algorithm and
trace it reports:

- the most starts admitted in any sliding window (t - per, t], and the excess over
  `rate` (the accuracy: 0 means the limit is exact);
- the starts admitted over the whole trace (so an algorithm cannot look exact by
  refusing nearly everything);
- the stored entries per key (the largest number of numbers it kept at once);
- the stored values it read or wrote per decision (mean over the trace).

The algorithms: a sliding log (the start times of the last `per` seconds; the core's,
a sorted set in the server), a sliding-window counter (this and the previous fixed
window's counts, the previous one weighted by how much of it still overlaps), a
fixed window (one count per aligned window) and GCRA (one theoretical arrival time,
burst = rate).
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "ALGORITHMS",
    "FixedWindow",
    "Gcra",
    "Outcome",
    "SlidingLog",
    "SlidingWindowCounter",
    "busiest_window",
    "simulate",
    "table",
    "traces",
]


@dataclass
class SlidingLog:
    """The start times within the last `per` seconds; admits while fewer than `rate`."""

    rate: int
    per: float
    log: deque[float] = field(default_factory=deque)
    touched: int = 0
    most_stored: int = 0

    def admit(self, now: float) -> bool:
        """Trim starts that left the window, count the rest, log this start if admitted."""
        while self.log and self.log[0] <= now - self.per:
            self.log.popleft()
            self.touched += 1
        self.touched += 1  # the count (a sorted set keeps it: ZCARD)
        if len(self.log) >= self.rate:
            return False
        self.log.append(now)
        self.touched += 1
        self.most_stored = max(self.most_stored, len(self.log))
        return True


@dataclass
class SlidingWindowCounter:
    """Counts of the current and previous aligned windows; the previous one weighted by
    the share of it the sliding window still covers (it assumes its starts were even)."""

    rate: int
    per: float
    window: int = -1
    current: int = 0
    previous: int = 0
    touched: int = 0
    most_stored: int = 3  # window number, current and previous counts

    def admit(self, now: float) -> bool:
        """Roll the windows forward, estimate the sliding count, count this start if admitted."""
        window = math.floor(now / self.per)
        if window != self.window:
            self.previous = self.current if window == self.window + 1 else 0
            self.current = 0
            self.window = window
            self.touched += 2
        self.touched += 3
        overlap = 1 - (now / self.per - window)
        if self.previous * overlap + self.current >= self.rate:
            return False
        self.current += 1
        self.touched += 1
        return True


@dataclass
class FixedWindow:
    """One count per aligned window of `per` seconds; admits while below `rate`."""

    rate: int
    per: float
    window: int = -1
    count: int = 0
    touched: int = 0
    most_stored: int = 2  # window number and count

    def admit(self, now: float) -> bool:
        """Start a new count in a new window, admit while the count is below `rate`."""
        window = math.floor(now / self.per)
        if window != self.window:
            self.window, self.count = window, 0
            self.touched += 1
        self.touched += 2
        if self.count >= self.rate:
            return False
        self.count += 1
        self.touched += 1
        return True


@dataclass
class Gcra:
    """Generic cell rate algorithm: one theoretical arrival time, burst = rate.

    Starts are spaced `per / rate` apart in the long run; up to `rate` may come at once.
    """

    rate: int
    per: float
    tat: float = -math.inf
    touched: int = 0
    most_stored: int = 1  # the theoretical arrival time

    def admit(self, now: float) -> bool:
        """Admit when the start fits the burst allowance; then move the arrival time on."""
        interval = self.per / self.rate
        tat = max(self.tat, now)
        self.touched += 1
        # per / rate summed rate times can land a rounding error above per.
        if tat + interval - now > self.per * (1 + 1e-9):
            return False
        self.tat = tat + interval
        self.touched += 1
        return True


Algorithm = SlidingLog | SlidingWindowCounter | FixedWindow | Gcra
ALGORITHMS: dict[str, Callable[[int, float], Algorithm]] = {
    "sliding log": SlidingLog,
    "sliding-window counter": SlidingWindowCounter,
    "fixed window": FixedWindow,
    "GCRA (burst = rate)": Gcra,
}


def traces(rate: int, per: float, seconds: float, seed: int = 24) -> dict[str, list[float]]:
    """Start attempts (sorted times) that stress each algorithm's weak point."""
    rng = random.Random(seed)
    windows = int(seconds / per)
    edge = per / 1000
    # 2 x rate attempts just before and just after every aligned window boundary.
    edges = sorted(
        t for k in range(1, windows) for t in (k * per - edge, k * per + edge) for _ in range(rate)
    )
    # A burst at the end of each window, then a steady trickle: the counter's even-spread
    # assumption meets a previous window whose starts all came at its very end.
    late = [k * per + per * 0.999 for k in range(windows) for _ in range(rate)]
    trickle = [k * per / (4 * rate) for k in range(int(seconds * 4 * rate / per))]
    poisson, t = [], 0.0
    while t < seconds:
        t += rng.expovariate(3 * rate / per)
        poisson.append(t)
    return {
        "bursts at window edges": edges,
        "late bursts + trickle": sorted(late + trickle),
        "Poisson, 3x the rate": poisson,
        # Workers that always have jobs: an attempt every per/(20 x rate) seconds.
        "saturated (always waiting)": [
            k * per / (20 * rate) for k in range(int(seconds * 20 * rate / per))
        ],
        "all at once": [per / 2] * (10 * rate),
    }


def busiest_window(starts: list[float], per: float) -> int:
    """The most starts in any window (t - per, t] (the fullest one ends at a start)."""
    ordered = sorted(starts)
    most = 0
    for index, end in enumerate(ordered):
        most = max(most, index + 1 - bisect.bisect_right(ordered, end - per))
    return most


@dataclass(frozen=True)
class Outcome:
    """What one algorithm did on one trace."""

    busiest: int
    admitted: int
    attempts: int
    most_stored: int
    touched_per_decision: float

    def excess(self, rate: int) -> int:
        """Starts above `rate` in the fullest window (0: exact)."""
        return max(0, self.busiest - rate)


def simulate(make: Callable[[int, float], Algorithm], rate: int, per: float,
             attempts: list[float]) -> Outcome:  # fmt: skip
    """Run one algorithm over one trace."""
    algorithm = make(rate, per)
    starts = [t for t in attempts if algorithm.admit(t)]
    return Outcome(
        busiest=busiest_window(starts, per),
        admitted=len(starts),
        attempts=len(attempts),
        most_stored=algorithm.most_stored,
        touched_per_decision=algorithm.touched / max(len(attempts), 1),
    )


#: Work per decision in a server, where each store is a Redis key.
COST = {
    "sliding log": "O(log rate): ZREMRANGEBYSCORE + ZCOUNT + ZADD on a sorted set",
    "sliding-window counter": "O(1): a hash of 3 fields",
    "fixed window": "O(1): one counter",
    "GCRA (burst = rate)": "O(1): one number",
}


def table(rate: int, per: float, seconds: float) -> str:
    """The comparison as Markdown: accuracy per trace, then cost per algorithm."""
    all_traces = traces(rate, per, seconds)
    results = {
        name: {trace: simulate(make, rate, per, times) for trace, times in all_traces.items()}
        for name, make in ALGORITHMS.items()
    }
    lines = [
        f"Rate {rate} per {per:g} s, {seconds:g} s of each trace. Cells: the most starts in any "
        f"window of {per:g} s (excess over {rate}) / starts admitted in the whole trace.",
        "",
        "| algorithm | " + " | ".join(all_traces) + " | worst excess |",
        "|---|" + "---|" * (len(all_traces) + 1),
    ]
    for name, by_trace in results.items():
        cells = [f"{o.busiest} (+{o.excess(rate)}) / {o.admitted}" for o in by_trace.values()]
        worst = max(o.excess(rate) for o in by_trace.values())
        lines.append(f"| {name} | " + " | ".join(cells) + f" | **+{worst}** |")
    lines += [
        "",
        "| algorithm | stored entries per key (most) | stored values touched per decision "
        "(mean, worst trace) | work per decision in the server |",
        "|---|---|---|---|",
    ]
    for name, by_trace in results.items():
        stored = max(o.most_stored for o in by_trace.values())
        touched = max(o.touched_per_decision for o in by_trace.values())
        lines.append(f"| {name} | {stored} | {touched:.2f} | {COST[name]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the comparison for the given rate window."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.rate_algorithms",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rate", type=int, default=50, help="starts allowed per window")
    parser.add_argument("--per", type=float, default=1.0, help="the window, in seconds")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each trace")
    options = parser.parse_args(argv)
    if options.rate < 1 or options.per <= 0 or options.seconds < 2 * options.per:
        parser.error("--rate must be at least 1, --per above 0, --seconds at least 2 x --per")
    print(table(options.rate, options.per, options.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
