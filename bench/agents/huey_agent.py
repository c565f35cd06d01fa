"""Put huey tasks, from inside huey's own virtual environment.

Run as `bench/.venvs/huey/bin/python bench/agents/huey_agent.py <command>` with
`BENCH_REDIS_URL` (and `BENCH_HUEY_STORAGE`) set; prints one `RESULT {json}` line.

Commands:
  info     huey's version and the key and type of its queue
  put      enqueue N no-op tasks one by one, timed
  pickup   enqueue COUNT stamp tasks GAP seconds apart
"""

from __future__ import annotations

import argparse
import time

import huey as huey_package
from agent_common import emit, now
from bench_huey_app import huey, noop, stamp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["info", "put", "pickup"])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.02)
    options = parser.parse_args()
    if options.command == "info":
        emit(
            {
                "version": huey_package.__version__,
                "storage": type(huey).__name__,
                "queue_key": huey.storage.queue_key,
                "queue_type": "zset" if huey.storage.priority else "list",
            }
        )
    elif options.command == "put":
        start = now()
        for _ in range(options.n):
            noop()
        emit({"seconds": now() - start, "n": options.n})
    else:
        start = time.monotonic()
        for i in range(options.count):
            stamp(time.time())
            pause = start + (i + 1) * options.gap - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        emit({"count": options.count})


if __name__ == "__main__":
    main()
