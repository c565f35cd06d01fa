"""A worker whose lock expired and whose job went elsewhere can no longer touch
it: its late calls are refused and change nothing (issue 12, item 2, with
explicit times instead of SIGSTOP)."""

from __future__ import annotations

import pytest
from redis import Redis

from tests.helpers import Core


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("job.heartbeat", ("jid", "late")),
        ("job.complete", ("jid", "late", "queue", "{}")),
        ("job.completeAndRequeue", ("jid", "late", "queue", "{}", "other")),
        ("job.fail", ("jid", "late", "group", "message")),
        ("job.retry", ("jid", "queue", "late")),
    ],
)
def test_late_calls_of_the_old_holder_are_refused(
    core: Core, redis: Redis, command: str, args: tuple[str, ...]
) -> None:
    core("config.set", 0, "grace-period", 0)
    core.put(0, "jid")
    core.pop(1, worker="late")
    [taken] = core.pop(62, worker="new")  # the lock (60 s) expired at 61
    assert taken["worker"] == "new"
    core.fails(command, 70, *args, match="another worker")
    history = [entry["what"] for entry in core.job("jid")["history"]]
    assert history == ["put", "popped", "timed-out", "popped"]
    core("job.complete", 71, "jid", "new", "queue", "{}")
    assert core.job("jid")["state"] == "complete"
