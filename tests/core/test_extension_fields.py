"""Jobs that use our extensions stay readable by other reqless clients (issues 24, 25).

A job that uses none of them has exactly the specified job object; one that uses
groups, batches, trace context, progress or results has every specified field,
with its specified type, plus only the documented extra fields, and goes through
the specified commands (peek, pop, heartbeat, complete, job.get) as any job does.
"""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import Core

#: The job object's fields and their JSON types (docs/concepts.md, Jobs).
SPECIFIED: dict[str, tuple[type, ...]] = {
    "jid": (str,), "klass": (str,), "state": (str,), "queue": (str,), "worker": (str,),
    "tracked": (bool,), "priority": (int, float), "expires": (int, float),
    "retries": (int, float), "remaining": (int, float), "data": (str,),
    "tags": (list, dict), "failure": (dict,), "throttles": (list, dict),
    "spawned_from_jid": (str, bool), "history": (list, dict), "dependents": (list, dict),
    "dependencies": (list, dict),
}  # fmt: skip
#: Our extra fields, present only on a job that uses the extension.
EXTRA = {"group", "batch", "trace", "progress", "result"}


def readable(job: dict[str, Any]) -> None:
    for field, kinds in SPECIFIED.items():
        assert isinstance(job[field], kinds), (field, job[field])
    assert set(job) - set(SPECIFIED) <= EXTRA, set(job) - set(SPECIFIED)


def test_a_plain_job_has_exactly_the_specified_fields(core: Core) -> None:
    core.put(0, "plain")
    assert set(core.job("plain")) == set(SPECIFIED)
    core.pop(1)
    core("job.complete", 2, "plain", "worker", "queue", "{}")
    assert set(core.job("plain")) == set(SPECIFIED)


def test_a_job_using_every_extension_goes_through_the_specified_commands(core: Core) -> None:
    core("batch.open", 0, "b")
    core("throttle.set", 0, "api", 0, 0, "rate", 10, "per", 60)
    core.put(0, "j", "queue", "group", "g", "batch", "b", "trace", '{"traceparent": "00-x"}',
             "throttles", json.dumps(["api"]))  # fmt: skip
    readable(core.job("j"))
    [peeked] = core.json("queue.peek", 1, "queue", 0, 10)
    readable(peeked)
    [popped] = core.json("queue.pop", 1, "queue", "worker", 1)
    assert popped["jid"] == "j" and popped["state"] == "running"
    core("job.progress", 2, "j", "worker", 0.5, "half")
    assert core("job.heartbeat", 3, "j", "worker") == 63
    running = core.job("j", 3)
    readable(running)
    assert running["progress"]["fraction"] == 0.5
    core("job.complete", 4, "j", "worker", "queue", '{"done": true}', "result", '{"n": 1}')
    done = core.job("j", 5)
    readable(done)
    assert (done["state"], done["result"], json.loads(done["data"])) == (
        "complete", {"n": 1}, {"done": True},
    )  # fmt: skip
    assert set(done) - set(SPECIFIED) == EXTRA
