"""`recur`'s catch-up limit: an explicit default (every missed run, as the README
shows), and every other value as given.

A template made 390 s ago with a 5 s interval has missed 78 intervals when the
queue is first peeked; the core spawns the children then (docs/concepts.md, Scheduled and recurring
jobs).
"""

from __future__ import annotations

from typing import Any

import pytest

from reqless import defaults
from tests.aio.conftest import Runner, Surface

MISSED_S = 390
INTERVAL_S = 5


async def _spawned(s: Surface, **options: Any) -> tuple[int, float]:
    """How many children one peek spawns for a template that missed 78 intervals."""
    queue = "ticks"
    jid = await s(lambda c: c.queues[queue].recur(
        "app.Tick", {}, INTERVAL_S, offset=-MISSED_S, **options
    ))  # fmt: skip
    children = await s(lambda c: c.queues[queue].peek(0, 500))
    return len(children), float(s.raw.hget(f"ql:r:{jid}", "backlog") or 0)


def test_the_default_backlog_spawns_every_missed_run_as_the_readme_shows(
    both: Runner,
) -> None:
    async def scenario(s: Surface) -> None:
        count, stored = await _spawned(s)
        assert stored == defaults.RECUR_BACKLOG == 0
        assert 78 <= count <= 79

    both(scenario)


@pytest.mark.parametrize(
    ("backlog", "least", "most"), [(0, 78, 79), (1, 1, 2), (3, 3, 4), (10, 10, 11)]
)
def test_an_explicit_backlog_is_kept_as_the_core_specifies(
    both: Runner, backlog: int, least: int, most: int
) -> None:
    async def scenario(s: Surface) -> None:
        count, stored = await _spawned(s, backlog=backlog)
        assert stored == backlog
        assert least <= count <= most

    both(scenario)
