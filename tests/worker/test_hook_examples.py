"""docs/examples/worker_hooks_*.py run as docs/worker.md shows them."""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from reqless.server import LocalServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def run_example(server: LocalServer, name: str, cwd: Path, **env: str) -> str:
    """Run docs/examples/<name> against `server` in `cwd`; returns its standard output."""
    environ = {**os.environ, "REQLESS_URL": server.url, **env}
    environ["PYTHONPATH"] = os.pathsep.join([str(EXAMPLES), str(ROOT)])
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=cwd, env=environ, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{name} failed:\n{result.stderr}"
    return result.stdout


def test_the_error_tracker_example_reports_the_failure(
    server: LocalServer, redis: object, tmp_path: Path
) -> None:
    out = run_example(server, "worker_hooks_tracker.py", tmp_path)
    events = [ast.literal_eval(line) for line in out.splitlines()]
    assert len(events) == 1
    event = events[0]
    assert event["error"] == repr(ValueError('no data for report {"month": 11}'))
    assert event["queue"] == "reports" and event["job_class"] == "worker_hooks_tracker.Report"
    assert event["worker"] and len(event["jid"]) == 32


def test_the_sqlite_example_uses_one_connection_per_child(
    server: LocalServer, redis: object, tmp_path: Path
) -> None:
    database = tmp_path / "visits.sqlite3"
    out = run_example(server, "worker_hooks_sqlite.py", tmp_path, VISITS_DB=str(database))
    rows = [line.split() for line in out.splitlines()]
    assert len(rows) == 3
    assert all(row[1:] == ["child", "complete"] for row in rows), out
    with sqlite3.connect(database) as connection:
        pids = {pid for (pid,) in connection.execute("SELECT pid FROM visits")}
    assert len(pids) == 1 and os.getpid() not in pids
