"""What every measuring agent shares: server statistics, the start signal, JSON output.

The agents are standalone scripts run by the interpreter being measured (the
reqless agent by `--reqless-python`, the huey agent by huey's own virtual
environment), so this module imports nothing but the standard library and, in
`snapshot`, whatever Redis client the caller passes in.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Protocol


class InfoSource(Protocol):
    """The one method of a Redis client that `snapshot` needs."""

    def info(self, section: str) -> dict[str, Any]: ...


def snapshot(redis: InfoSource) -> dict[str, Any]:
    """Server CPU seconds (user + sys of the whole process) and per-command stats."""
    cpu = redis.info("cpu")
    stats = redis.info("commandstats")
    return {
        "cpu": float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]),
        "commands": {
            name.removeprefix("cmdstat_"): [int(v["calls"]), float(v["usec"])]
            for name, v in stats.items()
        },
    }


def resetstat(redis: Any) -> None:
    """Zero INFO commandstats (used_cpu is a process total and is diffed instead)."""
    redis.config_resetstat()


def wait_for_go() -> None:
    """Tell the harness we are ready (a line on stdout), then wait for its line on stdin."""
    print("ready", flush=True)
    line = sys.stdin.readline()
    if line.strip() != "go":
        raise SystemExit(f"expected 'go' from the harness, got {line!r}")


def emit(result: dict[str, Any]) -> None:
    """The agent's result: one JSON line on stdout, prefixed so it is easy to find."""
    print("RESULT " + json.dumps(result), flush=True)


def now() -> float:
    """A clock shared by every process of the machine (CLOCK_MONOTONIC)."""
    return time.monotonic()
