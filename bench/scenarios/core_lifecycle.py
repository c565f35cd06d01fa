"""Server cost of put + pop + complete through the core, against a minimal Lua lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

from reqless.core import CoreRunner

# The smallest useful lifecycle in Lua: enough state to pop in priority order,
# hold a lock and finish. The baseline the core is compared with.
MINIMAL = """
local cmd, jid = ARGV[1], ARGV[2]
if cmd == 'put' then
  redis.call('hset', 'b:j:' .. jid, 'data', ARGV[3], 'state', 'waiting')
  redis.call('zadd', 'b:work', 0, jid)
elseif cmd == 'pop' then
  local popped = redis.call('zpopmax', 'b:work')
  local id = popped[1]
  redis.call('hset', 'b:j:' .. id, 'state', 'running', 'worker', ARGV[3])
  redis.call('zadd', 'b:locks', ARGV[4], id)
  return redis.call('hgetall', 'b:j:' .. id)
else
  redis.call('zrem', 'b:locks', jid)
  redis.call('del', 'b:j:' .. jid)
end
"""


@dataclass(frozen=True)
class Cost:
    """Server-side cost of one lifecycle."""

    usec: float
    commands: float


def _stats(redis: Redis) -> dict[str, tuple[int, float]]:
    info = redis.info("commandstats")
    return {name: (int(v["calls"]), float(v["usec"])) for name, v in info.items()}


def _measure(redis: Redis, run: callable, n: int) -> Cost:  # type: ignore[valid-type]
    redis.config_resetstat()
    run(n)
    stats = _stats(redis)
    script_usec = sum(u for name, (_, u) in stats.items() if name.startswith("cmdstat_eval"))
    inner = sum(
        c for name, (c, _) in stats.items()
        if not name.startswith(("cmdstat_eval", "cmdstat_config", "cmdstat_info", "cmdstat_script"))
    )  # fmt: skip
    return Cost(usec=script_usec / n, commands=inner / n)


def run(redis: Redis, n: int = 2000) -> dict[str, float]:
    """Measure both lifecycles; return per-lifecycle figures and ratios."""
    redis.flushall()
    core = CoreRunner(redis)
    core.load()

    def core_cycle(count: int) -> None:
        for i in range(count):
            core.call("queue.put", "w", "q", f"j{i}", "k", "{}", 0, now=i)
        for i in range(count):
            core.call("queue.pop", "q", "w", 1, now=count + i)
            core.call("job.complete", f"j{i}", "w", "q", "{}", now=count + i)

    sha = redis.script_load(MINIMAL)

    def minimal_cycle(count: int) -> None:
        for i in range(count):
            redis.evalsha(sha, 0, "put", f"j{i}", "{}")
        for i in range(count):
            redis.evalsha(sha, 0, "pop", "", "w", i + 60)
            redis.evalsha(sha, 0, "complete", f"j{i}")

    minimal = _measure(redis, minimal_cycle, n)
    redis.flushall()
    ours = _measure(redis, core_cycle, n)
    return {
        "core_usec": ours.usec,
        "core_commands": ours.commands,
        "minimal_usec": minimal.usec,
        "minimal_commands": minimal.commands,
        "usec_ratio": ours.usec / minimal.usec,
        "commands_ratio": ours.commands / minimal.commands,
    }
