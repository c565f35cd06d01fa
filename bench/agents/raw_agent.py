"""The baselines: the smallest job lifecycle on Redis, with the same Python client.

`raw`      LPUSH to put; RPOP + INCR (the "complete") to take; BRPOP for latency.
`lua`      the same three steps, each a one-line Lua script called with EVALSHA.
`minimal`  (server cost only) a minimal Lua job queue: a hash and a sorted set per
           job, a lock set, pop in priority order (what any Lua queue must do).

Run as `<python> bench/agents/raw_agent.py <command> --impl raw|lua --url ...`;
each command prints one `RESULT {json}` line.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from agent_common import emit, now, resetstat, snapshot, wait_for_go
from redis import Redis

KEY = "bench:raw:q"
DONE_KEY = "bench:raw:done"
LATENCY_KEY = "bench:raw:latency"

PUT = "return redis.call('lpush', KEYS[1], ARGV[1])"
POP = "return redis.call('rpop', KEYS[1])"
DONE = "return redis.call('incr', KEYS[1])"

# The smallest useful Lua job queue: enough state to pop in priority order, hold
# a lock and finish.
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


class Lifecycle:
    """put / take (pop + complete) for one implementation, on one connection."""

    def __init__(self, redis: Redis, impl: str) -> None:
        self.redis = redis
        self.impl = impl
        self.put_sha = redis.script_load(PUT)
        self.pop_sha = redis.script_load(POP)
        self.done_sha = redis.script_load(DONE)
        self.minimal_sha = redis.script_load(MINIMAL)

    def put(self, target: Any, payload: str) -> None:
        """Put one job through `target` (the connection or a pipeline)."""
        if self.impl == "raw":
            target.lpush(KEY, payload)
        else:
            target.evalsha(self.put_sha, 1, KEY, payload)

    def pop(self) -> Any:
        """Take one job, or None."""
        if self.impl == "raw":
            return self.redis.rpop(KEY)
        return self.redis.evalsha(self.pop_sha, 1, KEY)

    def complete(self) -> None:
        """Record one job done."""
        if self.impl == "raw":
            self.redis.incr(DONE_KEY)
        else:
            self.redis.evalsha(self.done_sha, 1, DONE_KEY)


def payload(i: int) -> str:
    """A job's data, about the size of the reqless jobs' `{"i": n}`."""
    return f'{{"i": {i}}}'


def cmd_put(options: argparse.Namespace, life: Lifecycle) -> None:
    start = now()
    if options.mode == "one":
        for i in range(options.n):
            life.put(life.redis, payload(i))
    else:
        for first in range(0, options.n, options.batch):
            pipe = life.redis.pipeline(transaction=False)
            for i in range(first, min(first + options.batch, options.n)):
                life.put(pipe, payload(i))
            pipe.execute()
    emit({"seconds": now() - start, "n": options.n})


def cmd_loop(options: argparse.Namespace, life: Lifecycle) -> None:
    wait_for_go()
    start, cpu = now(), time.process_time()
    count = 0
    while life.pop() is not None:
        life.complete()
        count += 1
    emit({"start": start, "end": now(), "count": count, "cpu": time.process_time() - cpu})


def _phase(redis: Redis, run: Callable[[], object]) -> dict[str, Any]:
    resetstat(redis)
    before = snapshot(redis)
    start = now()
    run()
    seconds = now() - start
    after = snapshot(redis)
    return {"seconds": seconds, "cpu": after["cpu"] - before["cpu"], "commands": after["commands"]}


def cmd_phases(options: argparse.Namespace, life: Lifecycle) -> None:
    redis, n = life.redis, options.n
    if options.impl == "minimal":
        sha = life.minimal_sha

        def put() -> None:
            for i in range(n):
                redis.evalsha(sha, 0, "put", f"j{i}", payload(i))

        def pop() -> None:
            for i in range(n):
                redis.evalsha(sha, 0, "pop", "", "w", i + 60)

        def complete() -> None:
            for i in range(n):
                redis.evalsha(sha, 0, "complete", f"j{i}")

    else:

        def put() -> None:
            for i in range(n):
                life.put(redis, payload(i))

        def pop() -> None:
            for _ in range(n):
                life.pop()

        def complete() -> None:
            for _ in range(n):
                life.complete()

    emit(
        {
            "n": n,
            "phases": {
                "put": _phase(redis, put),
                "pop": _phase(redis, pop),
                "complete": _phase(redis, complete),
            },
        }
    )


def cmd_depth(options: argparse.Namespace, life: Lifecycle) -> None:
    depth = life.redis.llen(KEY)

    def cycles() -> None:
        for _ in range(options.m):
            if life.pop() is None:
                raise SystemExit("the queue ran dry during the depth test")
            life.complete()

    emit({**_phase(life.redis, cycles), "m": options.m, "depth_before": depth})


def cmd_latency_consume(options: argparse.Namespace, life: Lifecycle) -> None:
    """An idle consumer blocked in BRPOP; latency = arrival time - the put time it carries."""
    latencies: list[float] = []
    print("ready", flush=True)
    deadline = now() + options.timeout
    while len(latencies) < options.count and now() < deadline:
        item = life.redis.brpop([LATENCY_KEY], timeout=1)
        if item is not None:
            latencies.append(time.time() - float(item[1]))
    emit({"latencies": latencies})


def cmd_latency_put(options: argparse.Namespace, life: Lifecycle) -> None:
    start = time.monotonic()
    for i in range(options.count):
        life.redis.lpush(LATENCY_KEY, repr(time.time()))
        pause = start + (i + 1) * options.gap - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    emit({"count": options.count})


COMMANDS: dict[str, Callable[[argparse.Namespace, Lifecycle], None]] = {
    "put": cmd_put,
    "loop": cmd_loop,
    "phases": cmd_phases,
    "depth": cmd_depth,
    "latency-consume": cmd_latency_consume,
    "latency-put": cmd_latency_put,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--impl", choices=["raw", "lua", "minimal"], default="raw")
    parser.add_argument("--url", required=True)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--m", type=int, default=1000)
    parser.add_argument("--mode", choices=["one", "pipe"], default="one")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.02)
    parser.add_argument("--timeout", type=float, default=60.0)
    options = parser.parse_args()
    redis = Redis.from_url(options.url, decode_responses=True)
    COMMANDS[options.command](options, Lifecycle(redis, options.impl))


if __name__ == "__main__":
    main()
