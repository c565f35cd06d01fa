"""docs/results.md: put a job, wait for it, read its result."""

import os
import threading
import time

from follow_jobs import Report

import reqless
import reqless.waiting

url = os.environ.get("REQLESS_URL", "redis://localhost:6379")
client = reqless.Client(url)


def worker():
    # Stands for a worker process: runs the job a moment later.
    time.sleep(0.2)
    with_client = reqless.Client(url, hostname="a-worker")
    with_client.queues["reports"].pop().process()


threading.Thread(target=worker).start()
outcome = client.jobs.wait(client.queues["reports"].put(Report, {"rows": 3}), timeout=10)
print(outcome.state, outcome.result["total"])

try:
    client.jobs.wait(client.queues["reports"].put(Report, {"rows": 1}), timeout=0.1)
except reqless.waiting.WaitTimeoutError as exc:
    print("gave up:", exc)
