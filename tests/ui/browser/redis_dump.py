"""A comparable picture of a whole Redis database, to prove a request changed nothing."""

from __future__ import annotations

from typing import Any

from redis import Redis

__all__ = ["dump"]


def _value(redis: Redis, key: str, kind: str) -> Any:
    if kind == "string":
        return redis.get(key)
    if kind == "hash":
        return sorted(redis.hgetall(key).items())
    if kind == "list":
        return redis.lrange(key, 0, -1)
    if kind == "set":
        return sorted(redis.smembers(key))
    if kind == "zset":
        return redis.zrange(key, 0, -1, withscores=True)
    if kind == "stream":
        return redis.xrange(key)
    return None


def dump(redis: Redis) -> dict[str, tuple[str, Any, bool]]:
    """key -> (TYPE, value, has an expiry) for every key (a TTL that merely ticked
    down is not a change, so only its presence is compared)."""
    picture: dict[str, tuple[str, Any, bool]] = {}
    for key in redis.scan_iter(count=1000):
        kind = redis.type(key)
        picture[key] = (str(kind), _value(redis, key, str(kind)), redis.ttl(key) >= 0)
    return picture
