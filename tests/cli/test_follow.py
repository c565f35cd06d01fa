"""`reqless show` with progress and result, `reqless wait`, `reqless batch ...` and
`reqless put --batch`; bad input exits 2 and changes nothing."""

from __future__ import annotations

import threading
import time

from redis import Redis

from reqless.client import Client
from tests.cli.process import Reqless
from tests.helpers import snapshot

KLASS = "app.jobs.Job"


def running(client: Client, jid: str) -> object:
    """Put job `jid` into q and pop it as the test's worker."""
    client.queues["q"].put(KLASS, {}, jid=jid)
    job = client.queues["q"].pop()
    assert job is not None and job.jid == jid
    return job


def test_show_displays_progress_and_the_result(reqless: Reqless, client: Client) -> None:
    job = client.queues["q"].put(KLASS, {}, jid="p")
    popped = client.queues["q"].pop()
    assert popped is not None and popped.jid == job
    popped.progress(0.4, "reading [rows]")
    out = reqless("show", "p").out
    assert "[########............] 40% reading [rows]" in out
    record = reqless("show", "p", "--json").json()
    assert record["progress"]["fraction"] == 0.4
    assert record["progress"]["message"] == "reading [rows]"
    popped.complete(result={"rows": [1, 2], "name": "Zoë"})
    out = reqless("show", "p").out
    # Pretty JSON, UTF-8 kept (the core's JSON does not keep the key order).
    assert out.index("result:\n{\n") < out.index('  "rows": [\n    1,\n    2\n  ]')
    assert '  "name": "Zoë"' in out
    assert reqless("show", "p", "--json").json()["result"] == {"rows": [1, 2], "name": "Zoë"}


def finish_soon(client: Client, jid: str, how: str) -> threading.Thread:
    """Finish the popped job `jid` (`how`) once someone waits for it, in a thread."""

    def finish() -> None:
        deadline = time.monotonic() + 20
        while not client.database.hget(client.keys.job(jid), "waiters"):
            assert time.monotonic() < deadline, "nobody waited"
            time.sleep(0.02)
        job = client.jobs.get_job(jid)
        if how == "complete":
            job.complete(result=[7])
        elif how == "fail":
            job.fail("broken", "it broke")
        else:
            job.cancel()

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


def test_wait_exits_by_how_the_job_ended(reqless: Reqless, client: Client) -> None:
    for how, code in (("complete", 0), ("fail", 1), ("cancel", 4)):
        jid = f"w-{how}"
        running(client, jid)
        thread = finish_soon(client, jid, how)
        result = reqless("wait", jid, "--timeout", "10", "--json")
        thread.join()
        assert result.code == code, result.err
        state = {"complete": "complete", "fail": "failed", "cancel": "canceled"}[how]
        assert result.json()["state"] == state
        if how == "complete":
            assert result.json()["result"] == [7]
        elif how == "fail":
            assert "job w-fail failed: broken: it broke" in result.err
    text = reqless("wait", "w-complete")
    assert text.code == 0 and text.out.startswith("job w-complete complete\n[\n  7\n]")


def test_wait_times_out_and_refuses_bad_input(
    reqless: Reqless, client: Client, redis: Redis
) -> None:
    client.queues["q"].put(KLASS, {}, jid="slow")
    result = reqless("wait", "slow", "--timeout", "0.2")
    assert result.code == 5
    assert "job slow did not finish within 0.2 s (it is waiting)" in result.err
    before = snapshot(redis)
    unknown = reqless("wait", "nope")
    assert (unknown.code, unknown.err.strip()) == (2, "Error: no such job: nope")
    for bad in ("0", "-1", "soon"):
        assert reqless("wait", "slow", "--timeout", bad).code == 2
    assert snapshot(redis) == before


def test_batch_commands(reqless: Reqless, client: Client, redis: Redis) -> None:
    with client.batch(on_complete=("app.jobs.Done", {"x": 1}, "cb")) as batch:
        bid = batch.id
        assert reqless("put", "q", KLASS, "--batch", bid, "--jid", "b1").code == 0
        assert reqless("put", "q", KLASS, "--batch", bid, "--jid", "b2").code == 0
        assert "open" in reqless("batch", "list").out
    assert client.jobs.get_job("b1").batch == bid
    listed = reqless("batch", "list", "--json").json()
    assert [(b["id"], b["state"], b["total"]) for b in listed] == [(bid, "closed", 2)]
    shown = reqless("batch", "show", bid, "--json").json()
    assert (shown["pending"], shown["jobs"]) == (2, ["b1", "b2"])
    text = reqless("batch", "show", bid).out
    assert "app.jobs.Done into cb" in text and "b1 b2" in text
    canceled = reqless("batch", "cancel", bid, "--json").json()
    assert sorted(canceled["canceled"]) == ["b1", "b2"]
    assert reqless("batch", "show", bid, "--json").json()["state"] == "finished"
    assert client.jobs.get_job(f"{bid}-complete").queue_name == "cb"


def test_batch_close_and_bad_input(reqless: Reqless, client: Client, redis: Redis) -> None:
    client("batch.open", "open-one")
    closed = reqless("batch", "close", "open-one", "--json").json()
    assert closed["state"] == "finished"  # nothing pending: finished at once
    before = snapshot(redis)
    for command in ("show", "cancel", "close"):
        result = reqless("batch", command, "nope")
        assert (result.code, result.err.strip()) == (2, "Error: no such batch: nope")
    refused = reqless("put", "q", KLASS, "--batch", "nope")
    assert refused.code == 1 and "batch nope is not open" in refused.err
    assert snapshot(redis) == before
