"""Run spans (`process <queue>`, kind CONSUMER) and the job metrics, in every worker mode.

Every worker mode (serial, forking, gevent, asyncio) runs a job with
`Job.process()` or `AsyncJob.process()`; instrumented, each call is one run span:

- a job's first run continues the trace its put stored: its span is the put
  span's child;
- a later run (a retry: the job has used some of its retries) starts a new trace
  linked to the put's span, as the messaging conventions advise for redeliveries;
- a job with no stored trace (put uninstrumented, by another client, or with text
  that cannot be read) runs in the current context, or starts a trace.

An instrumented run reads the job twice more: before it (the trace text and
history, which a worker's pop leaves out) and after it (what became of the job).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode, use_span
from redis.exceptions import RedisError

from reqless._calls import queue as queue_calls
from reqless.exceptions import ReqlessError
from reqless.logger import logger
from reqless.otel import conventions as names
from reqless.otel.carrier import StoredTrace, read_stored
from reqless.otel.telemetry import Telemetry, queue_attributes
from reqless.workers.hooks import Outcome
from reqless.workers.job_outcome import capture_handler_exception, outcome_of

__all__ = ["JobRun", "wrap_async_process", "wrap_process"]


@dataclass(slots=True)
class JobRun:
    """One run of a job: its span, and what its measurements are tagged with."""

    telemetry: Telemetry
    span: Span
    attributes: dict[str, Any]
    started: float

    @classmethod
    def begin(cls, telemetry: Telemetry, job: Any, payload: dict[str, Any] | None) -> JobRun:
        """Start the run span of `job` (`payload`: the server's copy, None if unread)."""
        stored = read_stored(payload.get("trace")) if payload else None
        attempt = max(1, job.original_retries - job.retries_left + 1)
        context: Context | None = None  # no stored trace: the current context
        links: list[Link] = []
        if stored is not None and attempt == 1:
            context = stored.context
        elif stored is not None:
            context = Context()  # a new trace, linked to the put's
            links = [Link(stored.span_context)]
        queue = job.queue_name
        span = telemetry.tracer.start_span(
            f"{names.PROCESS} {queue}", context=context, kind=SpanKind.CONSUMER, links=links,
            attributes={
                names.MESSAGING_SYSTEM: names.SYSTEM,
                names.OPERATION_TYPE: names.PROCESS,
                names.OPERATION_NAME: names.PROCESS,
                names.DESTINATION: queue,
                names.MESSAGE_ID: job.jid,
                names.CLIENT_ID: job.client.worker_name,
                names.JOB_CLASS: job.klass_name,
                names.JOB_ATTEMPT: attempt,
            },
        )  # fmt: skip
        attributes = queue_attributes(queue)
        telemetry.started.add(1, attributes)
        if attempt == 1:
            ready = _ready_at(stored, payload)
            if ready is not None:
                telemetry.wait_time.record(max(0.0, time.time() - ready), attributes)
        return cls(telemetry, span, attributes, time.monotonic())

    def end(
        self, errors: list[BaseException], outcome: Outcome | None, failure: dict[str, Any]
    ) -> None:
        """End the span and count the run: `errors` its handler raised (or that escaped),
        `outcome` what became of the job (None: not known), `failure` the job's failure."""
        telemetry, span = self.telemetry, self.span
        telemetry.run_time.record(time.monotonic() - self.started, self.attributes)
        for exc in errors:
            span.record_exception(exc)
        error_type = None
        if errors:
            error_type = type(errors[-1]).__qualname__
            description = f"{type(errors[-1]).__name__}: {errors[-1]}"
        elif outcome is Outcome.FAILED:
            error_type = str(failure.get("group") or "failed")
            description = f"the job failed ({error_type})"
        if outcome is not None:
            span.set_attribute(names.JOB_OUTCOME, str(outcome))
        if error_type is not None:
            span.set_attribute(names.ERROR_TYPE, error_type)
            span.set_status(Status(StatusCode.ERROR, description))
            telemetry.failed.add(1, {**self.attributes, names.ERROR_TYPE: error_type})
        elif outcome is Outcome.COMPLETE:
            telemetry.completed.add(1, self.attributes)
        span.end()


def _ready_at(stored: StoredTrace | None, payload: dict[str, Any] | None) -> float | None:
    """When the job became ready: the stored time, else its last put (whole seconds)."""
    if stored is not None and stored.ready_at is not None:
        return stored.ready_at
    history = payload.get("history") if payload else None
    for entry in reversed(history if isinstance(history, list) else []):
        if isinstance(entry, dict) and entry.get("what") == "put":
            when = entry.get("when")
            return float(when) if isinstance(when, int | float) else None
    return None


def _first(payloads: list[dict[str, Any]]) -> dict[str, Any] | None:
    return payloads[0] if payloads else None


def _unread(jid: str, what: str, exc: Exception) -> None:
    logger.warning("telemetry: could not read job %s %s: %s", jid, what, exc)


def _ending(found: list[Any], job: Any) -> tuple[Outcome, dict[str, Any]]:
    if not found:
        return outcome_of(job, found), {}
    return outcome_of(job, found), found[0].failure


def wrap_process(original: Callable[..., Any], telemetry: Telemetry) -> Callable[..., Any]:
    """`Job.process` run in a run span, counted."""

    @functools.wraps(original)
    def process(self: Any) -> None:
        try:
            payload = _first(self.client._run(queue_calls.existing([self.jid])))
        except (RedisError, ReqlessError) as exc:
            _unread(self.jid, "before its run", exc)
            payload = None
        run = JobRun.begin(telemetry, self, payload)
        raised = capture_handler_exception(self)
        try:
            with use_span(run.span, record_exception=False, set_status_on_exception=False):
                original(self)
        except BaseException as exc:  # the worker's own (a time-out) or one it fails the job for
            run.end([*raised, exc], None, {})
            raise
        try:
            outcome, failure = _ending(self.client.jobs.get(self.jid), self)
        except (RedisError, ReqlessError) as exc:
            _unread(self.jid, "after its run", exc)
            outcome, failure = Outcome.UNKNOWN, {}
        run.end(raised, outcome, failure)

    return process


def wrap_async_process(original: Callable[..., Any], telemetry: Telemetry) -> Callable[..., Any]:
    """`AsyncJob.process` run in a run span, counted."""

    @functools.wraps(original)
    async def process(self: Any) -> None:
        try:
            payload = _first(await self.client._run(queue_calls.existing([self.jid])))
        except (RedisError, ReqlessError) as exc:
            _unread(self.jid, "before its run", exc)
            payload = None
        run = JobRun.begin(telemetry, self, payload)
        raised = capture_handler_exception(self)
        try:
            with use_span(run.span, record_exception=False, set_status_on_exception=False):
                await original(self)
        except BaseException as exc:  # cancelled (halted), or one it fails the job for
            run.end([*raised, exc], None, {})
            raise
        try:
            outcome, failure = _ending(await self.client.jobs.get(self.jid), self)
        except (RedisError, ReqlessError) as exc:
            _unread(self.jid, "after its run", exc)
            outcome, failure = Outcome.UNKNOWN, {}
        run.end(raised, outcome, failure)

    return process
