"""The README's calls in a user's script that passes `mypy --strict`.

`tests/client/test_typing.py` type-checks this file from outside the repository,
against an editable and a normal install; `test_readme.py` does not run it.
"""

from __future__ import annotations

import json
import os

import reqless
from reqless.abstract import AbstractJob


class GnomesJob:
    """The README's job class: one handler per queue."""

    @staticmethod
    def underpants(job: AbstractJob) -> None:
        data = json.loads(job.data)
        data["collected"] = True
        job.data = data
        job.complete("unknown")

    @staticmethod
    @reqless.retry(TimeoutError)
    def unknown(job: AbstractJob) -> None:
        job.complete("profit")


def main() -> None:
    client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
    queue = client.queues["underpants"]
    jid: str = queue.put(GnomesJob, {"address": "123 Brief St."}, priority=10, tags=["vip"])

    # A job that must exist: `get_job` returns a `Job` or raises, so no `None` check.
    client.jobs.get_job(jid).track()
    job = client.jobs.get_job(jid)
    job.priority = 20
    tags: list[str] = job.tag("howdy")
    print(job.state, tags, client.jobs.tagged("howdy")["total"])

    # `client.jobs[jid]` may be a job, a recurring template or nothing: narrow it.
    found = client.jobs[jid]
    if isinstance(found, reqless.Job):
        print(found.queue_name, found.retries_left)

    popped = queue.pop()
    if popped is not None:
        popped.process()
    for each in queue.pop(10):
        each.heartbeat()

    template_jid = client.queues["maintenance"].recur(GnomesJob, {"tasks": ["sweep"]}, 86400)
    template = client.jobs.get_recurring(template_jid)
    template.interval = 7200
    print(template.next)

    client.config["heartbeat"] = 120
    client.events.on("completed", lambda finished: print("completed", finished))
    with client.events.thread():
        client.queues["profit"].put("gnomes.GnomesJob", "{}", delay=10)
    print(client.queues["underpants"].counts["waiting"], client.workers.counts)


if __name__ == "__main__":
    main()
