"""Run spans from every worker mode: the worker program's forked children (serial,
gevent and asyncio) export to a file through a hooks module that instruments them,
and an in-process SerialWorker exports to the test's in-memory exporter."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from reqless.client import Client
from reqless.workers.serial_worker import SerialWorker
from tests.otel.conftest import Recorded
from tests.worker.conftest import JobsModule, StartWorker, job_state, wait_for

#: A hooks module instrumenting each child that runs jobs; `{path}` gets one JSON line
#: per finished span.
HOOKS = """\
import json
import os

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

import reqless.otel

PATH = {path!r}


class FileExporter(SpanExporter):
    def export(self, spans):
        with open(PATH, "a") as handle:
            for span in spans:
                handle.write(json.dumps({{
                    "pid": os.getpid(), "name": span.name, "kind": span.kind.name,
                    "trace": span.context.trace_id, "parent": span.parent and span.parent.span_id,
                    "status": span.status.status_code.name,
                    "events": [event.name for event in span.events],
                    "jid": span.attributes["messaging.message.id"],
                }}) + "\\n")
        return SpanExportResult.SUCCESS


def on_start(worker):
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(FileExporter()))
    reqless.otel.instrument(tracer_provider=provider)
"""


def exported(path: Path) -> list[dict[str, Any]]:
    """The spans the worker's children wrote."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param([], id="forking"),
        pytest.param(["--greenlets", "2"], id="gevent"),
        pytest.param(["--asyncio", "--concurrency", "2"], id="asyncio"),
    ],
)
def test_each_forking_mode_continues_the_put_trace(
    client: Client, recorded: Recorded, jobs_module: JobsModule, start_worker: StartWorker,
    mode: list[str],
) -> None:  # fmt: skip
    if "--greenlets" in mode:
        pytest.importorskip("gevent")
    path = jobs_module.directory / "spans.jsonl"
    hooks = f"{jobs_module.name}_otel"
    (jobs_module.directory / f"{hooks}.py").write_text(HOOKS.format(path=str(path)))
    worker = start_worker("-q", "q", "--workers", "1", "--hooks", hooks, *mode)
    ok = client.queues["q"].put(jobs_module.klass, {})
    bad = client.queues["q"].put(jobs_module.klass, {"raise": "boom"}, retries=0)
    wait_for(lambda: len(exported(path)) == 2, message="the two run spans")
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0
    puts = {str((span.attributes or {})["messaging.message.id"]): span
            for span in recorded.spans("send q")}  # fmt: skip
    runs = {span["jid"]: span for span in exported(path)}
    for jid in (ok, bad):
        run, put = runs[jid], puts[jid]
        assert run["pid"] != os.getpid() and run["kind"] == SpanKind.CONSUMER.name
        assert run["trace"] == put.context.trace_id and run["parent"] == put.context.span_id
    assert runs[ok]["status"] == StatusCode.UNSET.name
    assert runs[bad]["status"] == StatusCode.ERROR.name and "exception" in runs[bad]["events"]
    assert job_state(client, ok) == "complete" and job_state(client, bad) == "failed"


def test_an_in_process_serial_worker_runs_in_the_put_trace(
    client: Client, recorded: Recorded, tmp_path: Path
) -> None:
    jid = client.queues["q"].put("tests.otel.jobs.Completes", {})
    worker = SerialWorker(["q"], client, interval=0.05, sandbox=str(tmp_path / "sandbox"))
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: bool(recorded.spans("process q")), message="the run span")
    finally:
        worker.stop()
        thread.join(10)
    [put] = recorded.spans("send q")
    [run] = recorded.spans("process q")
    assert run.parent is not None and run.parent.span_id == put.context.span_id
    assert job_state(client, jid) == "complete"
