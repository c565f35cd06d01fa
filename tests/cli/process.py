"""Run `reqless` in a subprocess, as a user or a script does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["COMMAND", "Reqless", "Result", "clean_environment", "run_reqless"]

#: How `reqless` is started (the `python -m reqless` entry point).
COMMAND = [sys.executable, "-m", "reqless"]


@dataclass(frozen=True)
class Result:
    """A finished `reqless` process."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output decoded as JSON."""
        return json.loads(self.out)


def clean_environment() -> dict[str, str]:
    """The test's environment without the variables that choose a server."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REQLESS_URL", "REQLESS_PASSWORD", "REQLESS_NAMESPACE")
    }
    env.pop("COLUMNS", None)
    return env


def run_reqless(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Result:  # fmt: skip
    """Run `reqless ARGS` and wait for it."""
    done = subprocess.run(
        [*COMMAND, *args], input=stdin, capture_output=True, text=True, timeout=30,
        env=clean_environment() if env is None else env, cwd=cwd,
    )  # fmt: skip
    return Result(done.returncode, done.stdout, done.stderr)


class Reqless:
    """Runs admin commands against one server (`--url` added after the command words)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        return run_reqless(*args, "--url", self.url, stdin=stdin)
