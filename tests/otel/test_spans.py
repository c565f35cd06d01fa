"""Put and run spans against a real server: one trace from put to first run, a retry
in a new trace linked to the put, failures with their exception, and nothing at all
until `instrument()`."""

from __future__ import annotations

import asyncio
import json

import pytest
from opentelemetry.trace import SpanKind, StatusCode

import reqless.otel
from reqless._calls import queue as queue_calls
from reqless._calls.call import Call, parse_str
from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.exceptions import ArgumentError
from reqless.server import LocalServer
from tests.otel.conftest import Recorded
from tests.worker.conftest import job_state

COMPLETES = "tests.otel.jobs.Completes"


def run_next(client: Client, queue: str = "q") -> str:
    """Pop the next job of `queue` and run it as a worker does; returns its jid."""
    job = client.queues[queue].pop()
    assert job is not None
    job.process()
    return job.jid


def stored_trace(client: Client, jid: str) -> str | None:
    """The trace text the server keeps with job `jid`."""
    payload = client._run(queue_calls.existing([jid]))[0]
    trace = payload.get("trace")
    assert trace is None or isinstance(trace, str)
    return trace


def test_the_put_and_the_first_run_are_one_trace(client: Client, recorded: Recorded) -> None:
    jid = client.queues["q"].put(COMPLETES, {"n": 1})
    assert run_next(client) == jid
    [put] = recorded.spans("send q")
    [run] = recorded.spans("process q")
    assert put.kind is SpanKind.PRODUCER and run.kind is SpanKind.CONSUMER
    assert run.context.trace_id == put.context.trace_id
    assert run.parent is not None and run.parent.span_id == put.context.span_id
    assert not run.links
    common = {"messaging.system": "reqless", "messaging.destination.name": "q",
              "messaging.message.id": jid, "messaging.client.id": "test-worker"}  # fmt: skip
    assert common.items() <= dict(put.attributes or {}).items()
    assert common.items() <= dict(run.attributes or {}).items()
    assert put.attributes is not None and run.attributes is not None
    assert put.attributes["messaging.operation.type"] == "send"
    assert run.attributes["messaging.operation.type"] == "process"
    assert run.attributes["reqless.job.klass"] == COMPLETES
    assert run.attributes["reqless.run.attempt"] == 1
    assert run.attributes["reqless.run.outcome"] == "complete"
    assert run.status.status_code is StatusCode.UNSET
    carrier = json.loads(stored_trace(client, jid) or "")
    assert carrier["traceparent"].split("-")[1] == f"{put.context.trace_id:032x}"


def test_a_retry_starts_a_new_trace_linked_to_the_put(client: Client, recorded: Recorded) -> None:
    jid = client.queues["q"].put("tests.otel.jobs.RetriesOnce", {}, retries=2)
    run_next(client)
    run_next(client)
    [put] = recorded.spans("send q")
    first, second = recorded.spans("process q")
    assert first.context.trace_id == put.context.trace_id
    assert first.attributes is not None and first.attributes["reqless.run.outcome"] == "retried"
    assert second.context.trace_id != put.context.trace_id
    assert second.parent is None
    assert [link.context.span_id for link in second.links] == [put.context.span_id]
    assert second.links[0].context.trace_id == put.context.trace_id
    assert second.attributes is not None and second.attributes["reqless.run.attempt"] == 2
    assert job_state(client, jid) == "complete"


def test_a_failure_carries_its_exception_and_error_status(
    client: Client, recorded: Recorded
) -> None:
    jid = client.queues["q"].put("tests.otel.jobs.Raises", {}, retries=0)
    run_next(client)
    [run] = recorded.spans("process q")
    assert run.status.status_code is StatusCode.ERROR
    assert run.status.description == "ValueError: no such gnome"
    assert run.attributes is not None and run.attributes["error.type"] == "ValueError"
    assert run.attributes["reqless.run.outcome"] == "failed"
    [event] = [event for event in run.events if event.name == "exception"]
    assert event.attributes is not None
    assert event.attributes["exception.type"] == "ValueError"
    assert event.attributes["exception.message"] == "no such gnome"
    assert job_state(client, jid) == "failed"


def test_put_many_is_one_send_span_whose_context_every_job_carries(
    client: Client, recorded: Recorded
) -> None:
    jids = client.queues["q"].put_many({"klass": COMPLETES, "data": {"n": n}} for n in range(3))
    [put] = recorded.spans("send q")
    assert put.attributes is not None and put.attributes["messaging.batch.message_count"] == 3
    assert "messaging.message.id" not in put.attributes
    for _ in jids:
        run_next(client)
    runs = recorded.spans("process q")
    assert sorted(str((run.attributes or {})["messaging.message.id"]) for run in runs) == sorted(
        jids
    )
    assert all(run.parent is not None and run.parent.span_id == put.context.span_id
               for run in runs)  # fmt: skip


def test_a_put_refused_for_bad_input_is_an_error_span(client: Client, recorded: Recorded) -> None:
    with pytest.raises(ArgumentError):
        client.queues["q"].put(COMPLETES, {}, priority=float("nan"))
    [put] = recorded.spans("send q")
    assert put.status.status_code is StatusCode.ERROR
    assert put.attributes is not None and put.attributes["error.type"] == "ArgumentError"
    assert len(client.queues["q"]) == 0


@pytest.mark.parametrize(
    "text", [None, "not json", '["a list"]', '{"traceparent": "00-garbage-00"}', "{}"]
)
def test_a_job_whose_trace_is_absent_or_garbage_runs_in_a_trace_of_its_own(
    client: Client, recorded: Recorded, text: str | None
) -> None:
    # Put as another client could, with whatever trace text it likes (or none).
    options = () if text is None else ("trace", text)
    put = Call("queue.put", ("other", "q", "j1", COMPLETES, "{}", 0, *options), parse_str,
                repeatable=True)  # fmt: skip
    client._run(put)
    run_next(client)
    [run] = recorded.spans("process q")
    assert run.parent is None and not run.links
    assert job_state(client, "j1") == "complete"


def test_the_trace_keyword_is_checked_before_anything_is_sent(client: Client) -> None:
    with pytest.raises(ArgumentError, match="trace must be a string of at most 4096 bytes"):
        client._run(queue_calls.put("w", "q", klass=COMPLETES, data={}, trace="x" * 4097))
    with pytest.raises(ArgumentError, match="trace must be a string"):
        queue_calls.put_many("w", "q", [{"klass": COMPLETES, "data": {}}], 10, trace=5)  # type: ignore[arg-type]
    assert len(client.queues["q"]) == 0


def test_off_by_default_and_after_uninstrument(client: Client, recorded: Recorded) -> None:
    reqless.otel.uninstrument()
    assert not reqless.otel.is_instrumented()
    jid = client.queues["q"].put(COMPLETES, {})
    run_next(client)
    assert recorded.spans() == []
    assert stored_trace(client, jid) is None
    assert recorded.points("reqless.jobs.started") == []


def test_the_asyncio_client_puts_and_runs_in_one_trace(
    server: LocalServer, client: Client, recorded: Recorded
) -> None:
    async def main() -> str:
        async with AsyncClient(server.url, hostname="async-worker") as aclient:
            jid = await aclient.queues["q"].put("tests.otel.jobs.AsyncCompletes", {})
            job = await aclient.queues["q"].pop()
            assert job is not None
            await job.process()
            return jid

    jid = asyncio.run(main())
    [put] = recorded.spans("send q")
    [run] = recorded.spans("process q")
    assert run.parent is not None and run.parent.span_id == put.context.span_id
    assert run.attributes is not None and run.attributes["messaging.client.id"] == "async-worker"
    assert run.attributes["reqless.run.outcome"] == "complete"
    assert job_state(client, jid) == "complete"
