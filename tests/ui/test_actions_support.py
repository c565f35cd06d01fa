"""Helpers shared by the action tests (no tests here): a dump of every key, to show
that a rejected request changed nothing, and quick ways to make failed jobs."""

from __future__ import annotations

from typing import Any

from redis import Redis

from reqless.client import Client
from reqless.keys import UI_AUDIT as AUDIT_KEY
from reqless.ui import Role
from tests.helpers import snapshot


def dump(redis: Redis) -> dict[str, Any]:
    """Every key with its type and value, the audit list left out (it records
    rejected requests' neighbours, not data)."""
    state = snapshot(redis)
    state.pop(AUDIT_KEY, None)
    return state


def failed_jobs(client: Client, queue: str, group: str, count: int, **put: Any) -> list[str]:
    """Put, pop and fail `count` jobs in `group`; returns their jids."""
    q = client.queues[queue]
    jids = q.put_many({"klass": "tests.Job", "data": {"n": n}, **put} for n in range(count))
    failed: list[str] = []
    while len(failed) < count:
        for job in q.pop(min(500, count - len(failed))):
            job.fail(group, f"boom {job.jid}")
            failed.append(job.jid)
    assert sorted(failed) == sorted(jids)
    return jids


def as_role(role: Role | None) -> Any:
    """An `authorize` hook giving every request `role`."""
    return lambda request: role
