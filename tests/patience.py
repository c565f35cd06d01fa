"""How long a test waits for real processes and servers to do something.

A test that starts a worker program, a `reqless` command or a server waits on the
condition it needs, never for a fixed time, and gives up only after `PATIENCE`.
The bound matters only when something is really broken: a passing test returns as
soon as its condition holds. It is that large because the suite runs in two
processes under coverage on two cores, beside other work: there, starting a
worker program and getting one job through it has taken more than 15 seconds,
and a lock expiry to reach another worker more than 20.

A check of how *soon* something happens (a stop within the shutdown timeout)
is an assertion on the measured time, not a short wait.
"""

from __future__ import annotations

__all__ = ["PATIENCE"]

#: Seconds to wait for work done by real processes before failing. pytest's own
#: per-test `timeout` (pyproject.toml) is larger, so that this one, which names
#: what was awaited, fires first.
PATIENCE = 60.0
