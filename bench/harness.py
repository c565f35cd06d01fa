"""The harness's plumbing: agents as subprocesses, process CPU, server statistics."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from redis import Redis

BENCH = Path(__file__).resolve().parent
AGENTS = BENCH / "agents"
REQLESS_AGENT = AGENTS / "reqless_agent.py"
RAW_AGENT = AGENTS / "raw_agent.py"
HUEY_AGENT = AGENTS / "huey_agent.py"
PROFILE_WORKER = AGENTS / "profile_worker.py"

#: Commands the harness and agents send that are not part of any lifecycle.
ADMIN_COMMANDS = frozenset(
    {
        "info",
        "config|resetstat",
        "config|get",
        "config|set",
        "client|setinfo",
        "hello",
        "ping",
        "script|load",
        "select",
        "flushall",
        "command",
        "command|docs",
    }
)
SCRIPT_COMMANDS = frozenset({"evalsha", "eval", "evalsha_ro", "eval_ro", "fcall"})


class AgentError(RuntimeError):
    """An agent exited badly or printed no result."""


def _result(stdout: str, what: str, stderr: str = "") -> dict[str, Any]:
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise AgentError(f"{what} printed no result\n--- stdout\n{stdout}\n--- stderr\n{stderr}")


def run_agent(
    python: Path | str,
    script: Path,
    *args: str | int | float,
    env: dict[str, str] | None = None,
    timeout: float = 900,
) -> dict[str, Any]:
    """Run an agent to completion and return its RESULT."""
    command = [str(python), str(script), *map(str, args)]
    done = subprocess.run(
        command, capture_output=True, text=True, env=_env(env), timeout=timeout, cwd=AGENTS
    )
    if done.returncode != 0:
        raise AgentError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-4000:]}")
    return _result(done.stdout, " ".join(command), done.stderr)


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = str(AGENTS)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return {**env, **(extra or {})}


@dataclass
class Agent:
    """An agent that says "ready" and waits for "go" (the consumers of a drain)."""

    command: list[str]
    env: dict[str, str] | None = None
    process: subprocess.Popen[str] = field(init=False)

    def start(self) -> Agent:
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(self.env),
            cwd=AGENTS,
        )
        return self

    def wait_ready(self) -> None:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            _, err = self.process.communicate(timeout=30)
            raise AgentError(f"{' '.join(self.command)} did not get ready: {line!r}\n{err}")

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def result(self, timeout: float = 900) -> dict[str, Any]:
        out, err = self.process.communicate(timeout=timeout)
        if self.process.returncode != 0:
            raise AgentError(f"{' '.join(self.command)} exited {self.process.returncode}:\n{err}")
        return _result(out, " ".join(self.command), err)


@dataclass
class Program:
    """A long-running consumer program (the reqless worker, huey's consumer)."""

    command: list[str]
    log: Path
    env: dict[str, str] | None = None
    cwd: Path = AGENTS
    process: subprocess.Popen[bytes] = field(init=False)
    _log_file: IO[bytes] | None = field(default=None, init=False)

    def start(self) -> Program:
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=_env(self.env),
            cwd=self.cwd,
            start_new_session=True,
        )
        return self

    def pids(self) -> list[int]:
        """The program's process and all its descendants."""
        return [self.process.pid, *descendants(self.process.pid)]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM, grace: float = 20.0) -> None:
        """Signal the program, wait for it, and kill its process group if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # Children that outlived their parent (they should not) go with the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            text = Path(f"/proc/{parent}/task/{parent}/children").read_text()
        except OSError:
            continue
        children = [int(p) for p in text.split()]
        found += children
        pending += children
    return found


_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pids: Sequence[int]) -> float:
    """User + system CPU seconds of `pids` (processes that have gone count as 0)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


# -- server statistics ------------------------------------------------------------


def snapshot(redis: Redis) -> dict[str, Any]:
    """Server CPU seconds (user + sys of the process) and INFO commandstats."""
    cpu = redis.info("cpu")
    stats = redis.info("commandstats")
    return {
        "cpu": float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]),
        "commands": {
            name.removeprefix("cmdstat_"): [int(v["calls"]), float(v["usec"])]
            for name, v in stats.items()
        },
    }


@dataclass(frozen=True)
class ServerCost:
    """What the server spent on `ops` operations."""

    ops: int
    cpu_usec: float  # whole process, user + sys, per op
    script_usec: float  # time inside EVALSHA per op (commandstats)
    calls: float  # script calls per op, or commands per op when no script ran
    inner: float  # commands run inside scripts per op (0 when no script ran)
    commands: float  # every command the server ran per op: script calls and all others
    by_command: dict[str, float]  # calls per op of each command (scripts' inner ones too)

    @staticmethod
    def from_stats(
        ops: int,
        cpu_seconds: float,
        commands: dict[str, list[float]],
        subtract: dict[str, int] | None = None,
    ) -> ServerCost:
        """Per-op figures from a commandstats table (counted since the last RESETSTAT)."""
        counts = {
            name: calls - (subtract or {}).get(name, 0)
            for name, (calls, _) in commands.items()
            if name not in ADMIN_COMMANDS and not name.startswith(("config|", "client|"))
        }
        script_calls = sum(c for name, c in counts.items() if name in SCRIPT_COMMANDS)
        script_usec = sum(commands[name][1] for name in counts if name in SCRIPT_COMMANDS)
        inner = sum(c for name, c in counts.items() if name not in SCRIPT_COMMANDS)
        ops = max(ops, 1)
        # Without scripts every command is one the client sent.
        calls = script_calls if script_calls else inner
        inner_calls = inner if script_calls else 0
        return ServerCost(
            ops=ops,
            cpu_usec=cpu_seconds * 1e6 / ops,
            script_usec=script_usec / ops,
            calls=calls / ops,
            inner=inner_calls / ops,
            commands=(script_calls + inner) / ops,
            by_command={name: c / ops for name, c in sorted(counts.items()) if c},
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ops": self.ops,
            "cpu_usec": self.cpu_usec,
            "script_usec": self.script_usec,
            "calls": self.calls,
            "inner": self.inner,
            "commands": self.commands,
            "by_command": self.by_command,
        }


# -- waiting and statistics helpers -------------------------------------------------


def wait_until(
    predicate: Callable[[], bool], timeout: float, step: float = 0.01, what: str = "condition"
) -> None:
    """Poll `predicate` until true; raise TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(step)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
