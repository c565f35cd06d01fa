"""Example data for the acceptance tests and screenshots: one of everything the UI
shows, made through the public client as a real application would make it.

`populate(client, names)` fills a flushed database with every job state, a failure
group, a log entry, tracked and tagged jobs, a throttle, a recurring template,
config and queue patterns. `Names` chooses the strings: `Names.plain()` reads like
an application; `Names.hostile()` puts markup, quotes, NUL, RTL marks and (in the
payload, the failure message and the log) 1 MiB strings into every field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reqless.client import Client
from tests.helpers import any_class_name

__all__ = ["HOSTILE", "Dataset", "Names", "populate"]

#: Everything a value could do to a page that builds HTML carelessly.
HOSTILE = (
    "<script>alert('s')</script>\"><img src=x onerror=alert('i')></pre></textarea>"
    "javascript:alert('j') '\"\\ \x00 \u202e\u200fend"
)

MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class Names:
    """The strings the dataset is made of."""

    queue: str
    other_queue: str
    klass: str
    tag: str
    worker: str
    group: str
    message: str
    log: str
    throttle: str
    payload_text: str
    config_key: str

    @classmethod
    def plain(cls) -> Names:
        return cls(
            queue="billing",
            other_queue="emails",
            klass="app.jobs.ChargeCard",
            tag="customer-42",
            worker="worker-1.example:4242",
            group="stripe.CardError",
            message="stripe.CardError: card declined\n  at charge (billing.py:42)",
            log="charged",
            throttle="stripe-api",
            payload_text="order 1001",
            config_key="billing-heartbeat",
        )

    @classmethod
    def hostile(cls, big: bool = True) -> Names:
        """Hostile strings everywhere; `big` adds 1 MiB to the payload, message and log."""
        pad = "x" * MEBIBYTE if big else ""
        return cls(
            queue=f"q/{HOSTILE}",
            other_queue=f"o{HOSTILE}",
            klass=f"K{HOSTILE}",
            tag=f"t{HOSTILE}",
            worker=f"w{HOSTILE}",
            group=f"g{HOSTILE}",
            message=f"m{HOSTILE}\nsecond line {HOSTILE}{pad}",
            log=f"l{HOSTILE}{pad}",
            throttle=f"th{HOSTILE}",
            payload_text=f"p{HOSTILE}{pad}",
            config_key=f"c{HOSTILE}",
        )


@dataclass
class Dataset:
    """What `populate` made, by role, so tests can find it on the pages."""

    names: Names
    waiting: list[str] = field(default_factory=list)
    scheduled: str = ""
    running: str = ""
    stalled: str = ""
    throttled: str = ""
    throttle_holder: str = ""
    depends_parent: str = ""
    depends_child: str = ""
    failed: list[str] = field(default_factory=list)
    completed: str = ""
    tracked: str = ""
    recurring: str = ""


def populate(url: str, names: Names, *, failed: int = 3, waiting: int = 5) -> Dataset:
    """Fill the database at `url` with one of everything, named by `names`."""
    worker = Client(url, hostname=names.worker, retry_window=0)
    try:
        with any_class_name():
            return _populate(worker, names, failed, waiting)
    finally:
        worker.database.close()


def _populate(client: Client, names: Names, failed: int, waiting: int) -> Dataset:
    made = Dataset(names)
    queue = client.queues[names.queue]
    other = client.queues[names.other_queue]
    data = {"order": 1001, "note": names.payload_text, "password": "hunter2", "items": [1, 2]}
    tags = [names.tag, "batch"]

    # Jobs that will be popped go in first, so each pop takes the one meant.
    made.running = queue.put(names.klass, data, tags=tags, priority=10)
    made.stalled = queue.put(names.klass, data, tags=tags, priority=9)
    made.failed = [
        queue.put(names.klass, data, tags=tags, priority=8, retries=2) for _ in range(failed)
    ]
    made.completed = queue.put(names.klass, data, tags=tags, priority=7)
    made.throttle_holder = other.put(names.klass, data, throttles=[names.throttle])
    made.throttled = other.put(names.klass, data, throttles=[names.throttle])
    client.throttles[names.throttle].set_maximum(1)

    running = queue.pop()
    assert running is not None and running.jid == made.running
    running.log(names.log, {"step": 1, "detail": names.payload_text})
    stalled = queue.pop()
    assert stalled is not None and stalled.jid == made.stalled
    for jid in made.failed:
        job = queue.pop()
        assert job is not None and job.jid == jid
        job.log(names.log, {"attempt": 1})
        job.fail(names.group, names.message)
    done = queue.pop()
    assert done is not None and done.jid == made.completed
    done.complete()
    holder = other.pop()
    assert holder is not None and holder.jid == made.throttle_holder
    assert other.pop() is None  # the second waits for the throttle
    # Timed out last: the job goes back to the front of its queue as `stalled`.
    stalled.timeout()

    made.waiting = [
        queue.put(names.klass, {**data, "n": n}, tags=tags, priority=-n) for n in range(waiting)
    ]
    made.scheduled = queue.put(names.klass, data, tags=tags, delay=3600)
    made.depends_parent = made.waiting[0]
    made.depends_child = queue.put(names.klass, data, tags=tags, depends=[made.depends_parent])
    made.recurring = queue.recur(names.klass, data, interval=3600, offset=1800, tags=tags)
    made.tracked = made.waiting[1]
    client.track(made.tracked)
    client.track(made.failed[0])
    client.config[names.config_key] = 30
    client.config["application"] = "acme-jobs"
    client.queue_patterns.set_queue_identifier_patterns(
        {"billing": [names.queue, "b*"], "mail": ["e*"]}
    )
    return made


def populate_scaled(url: str, scale: float = 0.01) -> None:
    """The large data set's shape at `scale` (each count times `scale`, at least 1):
    200 queues, 1,000,000 waiting, 100,000 failed in 50 groups, 5,000 tracked,
    500 workers and 10,000 recurring templates."""

    def n(full: int) -> int:
        return max(1, int(full * scale))

    queues = [f"queue-{q:03d}" for q in range(n(200))]
    groups = [f"group-{g:02d}" for g in range(max(2, n(50)))]
    workers = [Client(url, hostname=f"worker-{w:03d}", retry_window=0) for w in range(n(500))]
    try:
        client = workers[0]
        per_queue = n(1_000_000) // len(queues)
        for name in queues:
            client.queues[name].put_many(
                {"klass": "app.jobs.Work", "data": {"i": i}, "tags": [f"t{i % 7}"]}
                for i in range(per_queue)
            )
        failed = n(100_000)
        for i in range(failed):
            worker = workers[i % len(workers)]
            job = worker.queues[queues[i % len(queues)]].pop()
            if job is not None:
                job.fail(groups[i % len(groups)], f"error {i % 13}: something broke\nline 2")
        tracked = client.queues[queues[0]].peek(0, n(5_000))
        for job in tracked:
            client.track(job.jid)
        for i in range(n(10_000)):
            client.queues[queues[i % len(queues)]].recur("app.jobs.Tick", {}, interval=60 + i)
    finally:
        for worker in workers:
            worker.database.close()
