"""Helpers shared by the action tests (no tests here): a dump of every key, to show
that a rejected request changed nothing, and quick ways to make failed jobs."""

from __future__ import annotations

from typing import Any

from redis import Redis

from reqless.client import Client
from reqless.ui import Role
from reqless.ui.audit import AUDIT_KEY


def dump(redis: Redis) -> dict[str, Any]:
    """Every key with its type and value (the audit list left out: it records
    rejected requests' neighbours, not data)."""
    out: dict[str, Any] = {}
    for key in sorted(str(name) for name in redis.keys("*")):
        if key == AUDIT_KEY:
            continue
        kind = redis.type(key)
        if kind == "string":
            value: Any = redis.get(key)
        elif kind == "hash":
            value = redis.hgetall(key)
        elif kind == "list":
            value = redis.lrange(key, 0, -1)
        elif kind == "set":
            value = sorted(redis.smembers(key))
        elif kind == "zset":
            value = redis.zrange(key, 0, -1, withscores=True)
        else:
            value = kind
        out[key] = (kind, value, redis.ttl(key) > 0)
    return out


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
