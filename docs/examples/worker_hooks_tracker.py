"""Worker hooks that report failing jobs to an error tracker (docs/worker.md#hooks).

`FakeTracker` stands in for an error-tracking service's client: a real one is
created the same way in `on_start` (or `after_fork`) and called the same way in
`on_failure`. As a hooks module::

    reqless-py-worker --path docs/examples --hooks worker_hooks_tracker -q reports

Run as a script (`PYTHONPATH=docs/examples python docs/examples/worker_hooks_tracker.py`,
with `REQLESS_URL` set), it puts a job that fails, runs an in-process worker with these
hooks until the job has failed, and prints what the tracker received.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import reqless
from reqless.workers import SerialWorker


class FakeTracker:
    """Records what a real error tracker would send."""

    def __init__(self) -> None:
        self.tags: dict[str, str] = {}
        self.events: list[dict[str, Any]] = []

    def capture_exception(self, exc: BaseException, **context: str) -> None:
        """Record `exc` with the tracker's tags and `context`."""
        self.events.append({"error": repr(exc), **self.tags, **context})


TRACKER = FakeTracker()


def on_start(worker: Any) -> None:
    """Tag every report with the worker that ran the job."""
    TRACKER.tags["worker"] = worker.client.worker_name


def on_failure(job: Any, exc: BaseException) -> None:
    """Report what the job's handler raised (the job is failed or retried as usual)."""
    TRACKER.capture_exception(exc, jid=job.jid, queue=job.queue_name, job_class=job.klass_name)


class Report:
    """A job that always fails."""

    @staticmethod
    def process(job: Any) -> None:
        raise ValueError(f"no data for report {job.data}")


def main() -> None:
    # This file as a module (docs/examples on the module path): what a worker imports.
    import worker_hooks_tracker as hooks

    client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379/0"))
    jid = client.queues["reports"].put(hooks.Report, {"month": 11}, retries=0)
    worker = SerialWorker(["reports"], client, interval=0.1, hooks=hooks)
    thread = threading.Thread(target=worker.run)
    thread.start()
    deadline = time.monotonic() + 20
    while client.jobs.get(jid)[0].state != "failed" and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    thread.join()
    for event in hooks.TRACKER.events:
        print(event)


if __name__ == "__main__":
    main()
