"""The whole key space in one round trip, and the invariants it must always satisfy.

Used by the stateful property tests after every call: each job lives in exactly
the structures its state implies (reqless/keys.py; docs/concepts.md, States), nothing refers to a
job
that does not exist, and no throttle holds more locks than its maximum.
"""

from __future__ import annotations

import json
from typing import Any

from redis import Redis

__all__ = ["Keyspace", "check_invariants", "read_keyspace"]

# Every key with its type, content and whether it has a TTL; one EVAL.
_SNAPSHOT = """
local out = {}
for _, key in ipairs(redis.call('keys', '*')) do
  local kind = redis.call('type', key)['ok']
  local value = {}
  if kind == 'string' then value = { redis.call('get', key) }
  elseif kind == 'hash' then value = redis.call('hgetall', key)
  elseif kind == 'list' then value = redis.call('lrange', key, 0, -1)
  elseif kind == 'set' then value = redis.call('smembers', key)
  elseif kind == 'zset' then value = redis.call('zrange', key, 0, -1, 'withscores')
  end
  out[#out + 1] = { key, kind, value, redis.call('pttl', key) >= 0 and 1 or 0 }
end
return out
"""

#: key -> (type, content, has a TTL); hashes as dicts, sets sorted, zsets as (member, score) pairs.
Keyspace = dict[str, tuple[str, Any, bool]]


def read_keyspace(redis: Redis) -> Keyspace:
    """Every key of the database, decoded (see `Keyspace`)."""
    rows: list[Any] = redis.eval(_SNAPSHOT, 0)
    space: Keyspace = {}
    for key, kind, value, ttl in rows:
        content: Any = value
        if kind == "hash":
            content = dict(zip(value[::2], value[1::2], strict=True))
        elif kind == "set":
            content = sorted(value)
        elif kind == "zset":
            content = list(zip(value[::2], value[1::2], strict=True))
        space[key] = (kind, content, bool(ttl))
    return space


_QUEUE_SETS = ("work", "locks", "scheduled", "depends", "throttled")


def _members(space: Keyspace, key: str) -> list[str]:
    if key not in space:
        return []
    kind, content, _ = space[key]
    if kind == "zset":
        return [member for member, _ in content]
    if kind in ("set", "list"):
        return list(content)
    return []


def _queues(space: Keyspace) -> set[str]:
    names = set(_members(space, "ql:queues"))
    for key in space:
        for suffix in _QUEUE_SETS:
            if key.startswith("ql:q:") and key.endswith("-" + suffix):
                names.add(key[len("ql:q:") : -len(suffix) - 1])
    return names


def _jobs(space: Keyspace) -> dict[str, dict[str, str]]:
    return {
        key[len("ql:j:") :]: content
        for key, (kind, content, _) in space.items()
        if key.startswith("ql:j:") and kind == "hash"
    }


def check_invariants(space: Keyspace) -> list[str]:
    """Every broken invariant, described; an empty list when all hold."""
    problems: list[str] = []
    jobs = _jobs(space)
    queues = _queues(space)
    homes: dict[str, set[tuple[str, str]]] = {jid: set() for jid in jobs}
    for queue in queues:
        for suffix in _QUEUE_SETS:
            for jid in _members(space, f"ql:q:{queue}-{suffix}"):
                if jid not in jobs:
                    problems.append(f"{jid} in ql:q:{queue}-{suffix} but has no job hash")
                    continue
                homes[jid].add((queue, suffix))
    failed_in: dict[str, list[str]] = {}
    for group in _members(space, "ql:failures"):
        if not _members(space, f"ql:f:{group}"):
            problems.append(f"failure group {group} listed but empty")
    for key in space:
        if key.startswith("ql:f:"):
            for jid in _members(space, key):
                failed_in.setdefault(jid, []).append(key[len("ql:f:") :])
    completed = set(_members(space, "ql:completed"))
    for jid, job in jobs.items():
        problems += _check_job(space, jid, job, homes[jid], failed_in.get(jid, []), completed)
    for jid in set(failed_in) | completed:
        if jid not in jobs:
            problems.append(f"{jid} listed as failed or complete but has no job hash")
    problems += _check_side_keys(space, jobs)
    problems += _check_throttles(space, jobs)
    problems += _check_rate_windows(space)
    for queue in queues:
        problems += _check_groups(space, jobs, queue)
    return problems


def _check_job(
    space: Keyspace,
    jid: str,
    job: dict[str, str],
    homes: set[tuple[str, str]],
    groups: list[str],
    completed: set[str],
) -> list[str]:
    state, queue, worker = job.get("state"), job.get("queue", ""), job.get("worker", "")
    expected: list[set[tuple[str, str]]]
    group = job.get("group")
    grouped = group is not None and jid in _members(space, f"ql:q:{queue}-g:{group}")
    if grouped and state in ("waiting", "throttled"):
        # A job waiting in its group is in work only as the group's head (lib/group.lua).
        head = _hash(space, f"ql:q:{queue}-group-heads").get(str(group)) == jid
        expected = [{(queue, "work")} if head else set()]
    elif state == "waiting":
        # A job completed-and-requeued with a delay waits in the scheduled set (docs/concepts.md,
        # States).
        expected = [{(queue, "work")}, {(queue, "scheduled")}]
    elif state in ("scheduled", "depends"):
        expected = [{(queue, state)}]
    elif state == "throttled":
        expected = [{(queue, "throttled")}, {(queue, "work")}]
    elif state == "running":
        expected = [{(queue, "locks")}]
    elif state == "stalled":
        expected = [{(queue, "work")}]
    elif state in ("failed", "complete"):
        expected = [set()]
    else:
        return [f"{jid} has unknown state {state!r}"]
    problems = []
    if homes not in expected:
        problems.append(f"{jid} ({state} in {queue!r}) is in {sorted(homes)}")
    if state == "running" and jid not in _members(space, f"ql:w:{worker}:jobs"):
        problems.append(f"{jid} runs for {worker!r} but is not in its job set")
    if state == "failed":
        group = json.loads(job.get("failure") or "{}").get("group")
        if groups != [group]:
            problems.append(f"{jid} failed in {group!r} but is listed in {groups}")
    elif groups:
        problems.append(f"{jid} is {state} but listed as failed in {groups}")
    if (state == "complete") != (jid in completed):
        problems.append(f"{jid} is {state}; in ql:completed: {jid in completed}")
    return problems


def _hash(space: Keyspace, key: str) -> dict[str, str]:
    if key not in space or space[key][0] != "hash":
        return {}
    content: dict[str, str] = space[key][1]
    return content


def _zset(space: Keyspace, key: str) -> list[tuple[str, float]]:
    if key not in space or space[key][0] != "zset":
        return []
    return [(member, float(score)) for member, score in space[key][1]]


def _check_rate_windows(space: Keyspace) -> list[str]:
    """No `per` seconds of a throttle's start log hold more than `rate` starts."""
    problems = []
    for key, (kind, content, _) in space.items():
        if not key.startswith("ql:th:") or kind != "hash" or "rate" not in content:
            continue
        rate, per = int(content["rate"]), float(content["per"])
        times = sorted(score for _, score in _zset(space, f"{key}-starts"))
        for first, last in zip(times, times[rate:], strict=False):
            if last - first < per:
                problems.append(f"{key}: {rate + 1} starts within {last - first} s (per {per})")
    return problems


def _check_groups(space: Keyspace, jobs: dict[str, dict[str, str]], queue: str) -> list[str]:
    """A queue's groups: each listed group has waiting jobs or a parked one, its head is
    the first of its set and the only one in work, and the count matches the sets."""
    problems = []
    prefix = f"ql:q:{queue}-g:"
    sets = {key[len(prefix) :]: _zset(space, key) for key in space if key.startswith(prefix)}
    listed = {member for member, _ in _zset(space, f"ql:q:{queue}-groups")}
    heads = _hash(space, f"ql:q:{queue}-group-heads")
    parked = _hash(space, f"ql:q:{queue}-group-parked")
    work = set(_members(space, f"ql:q:{queue}-work"))
    total = 0
    for group in sorted(set(sets) | listed | set(heads) | set(parked)):
        entries = sets.get(group, [])
        total += len(entries)
        if group not in listed:
            problems.append(f"group {group} of {queue} has jobs but is not listed")
        if not entries and group not in parked:
            problems.append(f"group {group} of {queue} is listed with no job")
        top = max(entries, key=lambda e: (e[1], e[0]))[0] if entries else None
        want = None if group in parked else top
        if heads.get(group) != want:
            problems.append(f"group {group} of {queue}: head {heads.get(group)}, first {want}")
        for jid, _ in entries:
            job = jobs.get(jid, {})
            if job.get("group") != group or job.get("queue") != queue:
                problems.append(f"{jid} waits in group {group} of {queue} but is {job}")
            if (jid in work) != (jid == want):
                problems.append(f"{jid} of group {group}: in work {jid in work}, head {want}")
        if group in parked:
            held = jobs.get(parked[group], {})
            if held.get("state") != "throttled" or held.get("group") != group:
                problems.append(f"group {group} of {queue} parked on {parked[group]}: {held}")
    counted = int(_members_text(space, f"ql:q:{queue}-grouped") or 0)
    if counted != total:
        problems.append(f"{queue}: -grouped says {counted}, the group sets hold {total}")
    return problems


def _members_text(space: Keyspace, key: str) -> str | None:
    if key not in space or space[key][0] != "string":
        return None
    value: list[str] = space[key][1]
    return value[0]


def _check_side_keys(space: Keyspace, jobs: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    for key in space:
        for suffix in ("-history", "-dependencies", "-dependents"):
            if key.startswith("ql:j:") and key.endswith(suffix):
                owner = key[len("ql:j:") : -len(suffix)]
                if owner not in jobs:
                    problems.append(f"{key} outlived its job")
    for jid in jobs:
        for dep in _members(space, f"ql:j:{jid}-dependencies"):
            if jid not in _members(space, f"ql:j:{dep}-dependents"):
                problems.append(f"{jid} depends on {dep}, which does not list it as dependent")
        if jobs[jid].get("state") == "depends" and not _members(space, f"ql:j:{jid}-dependencies"):
            problems.append(f"{jid} is in depends with no dependency")
    for key in space:
        if key.startswith("ql:t:"):
            for jid in _members(space, key):
                if jid not in jobs:
                    problems.append(f"tag index {key} names missing job {jid}")
    # A cancelled or expired job stays in ql:tracked (docs/core-commands.md, job.untrack).
    return problems


def _check_throttles(space: Keyspace, jobs: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    for key, (kind, content, _) in space.items():
        if not key.startswith("ql:th:") or kind != "hash":
            continue
        tid = key[len("ql:th:") :]
        holders = _members(space, f"{key}-locks")
        maximum = int(float(content.get("maximum", 0)))
        if maximum > 0 and len(holders) > maximum:
            problems.append(f"throttle {tid} has {len(holders)} locks, maximum {maximum}")
        # A holder's list names the throttle, so its complete or cancel frees the
        # slot: a re-put keeps only the slots its new list still names (the
        # specification kept every slot: test_spec_defects.py). A job re-put
        # while holding one keeps it whatever its new state (docs/concepts.md, Throttles).
        for jid in holders:
            names = json.loads(jobs[jid].get("throttles") or "[]") if jid in jobs else None
            if names is None:
                problems.append(f"throttle {tid} is held by {jid}, which has no job hash")
            elif tid not in names:
                problems.append(f"throttle {tid} is held by {jid}, whose list {names} lacks it")
    return problems
