"""What queue.pop reads of each job record (docs/core-commands.md, queue.pop).

A field a job hash lacks costs HMGET a scan of the whole hash, so a pop asks a
job without a unique key for no unique field but `unique`; a job with one gets
its other unique fields read, and its popped object carries them all.
"""

from __future__ import annotations

from redis import Redis

from tests.helpers import Core


def hmget_fields_of(redis: Redis, core: Core, key: str) -> list[list[str]]:
    """The fields of every HMGET of `key` the server ran during one queue.pop."""
    found: list[list[str]] = []
    with redis.monitor() as monitor:  # type: ignore[no-untyped-call]
        core.pop(1, "q", "w")
        redis.ping()  # marks where the pop's commands end
        while True:
            words = monitor.next_command()["command"].split()
            if words[0].upper() == "PING":
                break
            if words[0].lower() == "hmget" and words[1] == key:
                found.append(words[2:])
    return found


def test_a_pop_reads_no_unique_term_of_a_job_without_a_key(redis: Redis, core: Core) -> None:
    core.put(0, "j1", "q")
    reads = hmget_fields_of(redis, core, "ql:j:j1")
    assert reads and "jid" in reads[0]
    assert not {"unique_until", "unique_expires"} & {field for read in reads for field in read}


def test_a_popped_unique_job_carries_its_terms(redis: Redis, core: Core) -> None:
    core.put(0, "j1", "q", "unique", "k", "unique_for", 30)
    core.put(0, "j2", "q", "unique", "s", "unique_until", "start")
    popped = {job["jid"]: job for job in core.pop(1, "q", "w", 2)}
    assert (popped["j1"]["unique"], popped["j1"]["unique_until"]) == ("k", "finish")
    assert popped["j1"]["unique_expires"] == 30
    assert (popped["j2"]["unique"], popped["j2"]["unique_until"]) == ("s", "start")
    # unique_until=start: the pop itself freed the key; the other still holds its own.
    assert (redis.get("ql:u:s"), redis.get("ql:u:k")) == (None, "j1")
