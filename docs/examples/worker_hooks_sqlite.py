"""Worker hooks that keep one SQLite connection per worker process (docs/worker.md#hooks).

A connection (or a database session, or a connection pool) must not cross a
fork: `after_fork` opens one in each worker child, `before_job` and `after_job`
use it, and `on_stop` closes it. As a hooks module::

    reqless-py-worker --path docs/examples --hooks worker_hooks_sqlite -q visits

Run as a script (`PYTHONPATH=docs/examples python docs/examples/worker_hooks_sqlite.py`,
with `REQLESS_URL` set), it puts three jobs, runs a forking worker with one child and
these hooks until they are done, and prints what the child wrote to the
database (`$VISITS_DB`, by default `visits.sqlite3` in the current directory).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

import reqless
from reqless.workers import ForkingWorker

DATABASE = os.path.abspath(os.environ.get("VISITS_DB", "visits.sqlite3"))


class Session:
    """This process's connection (None until `after_fork` opens it)."""

    connection: sqlite3.Connection | None = None


def after_fork(worker: Any) -> None:
    """Open this child's own connection."""
    Session.connection = sqlite3.connect(DATABASE, timeout=10)
    Session.connection.execute(
        "CREATE TABLE IF NOT EXISTS visits (jid TEXT PRIMARY KEY, pid INTEGER, outcome TEXT)"
    )


def before_job(job: Any) -> None:
    """Record that the job started."""
    assert Session.connection is not None
    with Session.connection:
        Session.connection.execute(
            "INSERT OR REPLACE INTO visits VALUES (?, ?, 'started')", (job.jid, os.getpid())
        )


def after_job(job: Any, outcome: str) -> None:
    """Record how it ended: complete, failed, retried, timeout, ..."""
    assert Session.connection is not None
    with Session.connection:
        Session.connection.execute(
            "UPDATE visits SET outcome = ? WHERE jid = ?", (str(outcome), job.jid)
        )


def on_stop(worker: Any) -> None:
    """Close the connection as the child stops."""
    if Session.connection is not None:
        Session.connection.close()
        Session.connection = None


class Visit:
    """A job that completes at once."""

    @staticmethod
    def process(job: Any) -> None:
        job.complete()


def main() -> None:
    # This file as a module (docs/examples on the module path): what a worker imports.
    import worker_hooks_sqlite as hooks

    client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379/0"))
    jids = [client.queues["visits"].put(hooks.Visit, {"n": n}) for n in range(3)]
    worker = ForkingWorker(["visits"], client, workers=1, interval=0.1, hooks=hooks)
    thread = threading.Thread(target=worker.run)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(
        job.state != "complete" for job in client.jobs.get(*jids)
    ):
        time.sleep(0.05)
    worker.stop()
    thread.join()
    with sqlite3.connect(DATABASE) as connection:
        for jid, pid, outcome in connection.execute("SELECT * FROM visits ORDER BY rowid"):
            print(jid, "child" if pid != os.getpid() else "parent", outcome)


if __name__ == "__main__":
    main()
