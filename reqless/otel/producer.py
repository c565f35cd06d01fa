"""Put spans (`send <queue>`, kind PRODUCER) and the trace context stored with each job.

`Queue.put` and `put_many` (both clients) run inside a span; the call builders of
`reqless._calls.queue` add the current context as the put's `trace` text, so any
put made in a span (the put's own, or an application's) carries it. `put_many`
makes one span for the whole batch, whose context every job of it carries: a
span per job would cost more than the put itself for large batches.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from reqless.otel import conventions as names
from reqless.otel.carrier import context_text
from reqless.otel.telemetry import Telemetry

__all__ = ["traced_put_call", "traced_put_many_call", "wrap_async_put", "wrap_put"]


@contextmanager
def send_span(telemetry: Telemetry, queue: Any) -> Iterator[Span]:
    """A current `send <queue>` span; an exception it sees is recorded and set as its error."""
    name = str(getattr(queue, "name", queue))
    attributes = {
        names.MESSAGING_SYSTEM: names.SYSTEM,
        names.OPERATION_TYPE: names.SEND,
        names.OPERATION_NAME: names.SEND,
        names.DESTINATION: name,
        names.CLIENT_ID: str(getattr(queue, "worker_name", "")),
    }
    with telemetry.tracer.start_as_current_span(
        f"{names.SEND} {name}", kind=SpanKind.PRODUCER, attributes=attributes,
        record_exception=False, set_status_on_exception=False,
    ) as span:  # fmt: skip
        try:
            yield span
        except BaseException as exc:
            span.record_exception(exc)
            span.set_attribute(names.ERROR_TYPE, type(exc).__qualname__)
            span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"))
            raise


def _describe(span: Span, method: str, reply: Any) -> None:
    if method == "put":
        span.set_attribute(names.MESSAGE_ID, str(reply))
    else:
        span.set_attribute(names.BATCH_COUNT, len(reply))


def wrap_put(original: Callable[..., Any], telemetry: Telemetry) -> Callable[..., Any]:
    """`Queue.put` or `put_many` (by `original.__name__`) run in a send span."""
    method = original.__name__

    @functools.wraps(original)
    def traced(self: Any, *args: Any, **kwargs: Any) -> Any:
        with send_span(telemetry, self) as span:
            reply = original(self, *args, **kwargs)
            _describe(span, method, reply)
            return reply

    return traced


def wrap_async_put(original: Callable[..., Any], telemetry: Telemetry) -> Callable[..., Any]:
    """`AsyncQueue.put` or `put_many` run in a send span."""
    method = original.__name__

    @functools.wraps(original)
    async def traced(self: Any, *args: Any, **kwargs: Any) -> Any:
        with send_span(telemetry, self) as span:
            reply = await original(self, *args, **kwargs)
            _describe(span, method, reply)
            return reply

    return traced


def _ready_at(delay: Any) -> float:
    """When a job put now with `delay` becomes ready (a bad delay is the builder's to refuse)."""
    now = time.time()
    return now + delay if isinstance(delay, int | float) and delay > 0 else now


def traced_put_call(original: Callable[..., Any]) -> Callable[..., Any]:
    """The `queue.put` call builder, adding the current trace context as `trace`."""

    @functools.wraps(original)
    def build(worker: str, queue: str, **options: Any) -> Any:
        if options.get("trace") is None:
            text = context_text(_ready_at(options.get("delay")))
            if text is not None:
                options["trace"] = text
        return original(worker, queue, **options)

    return build


def traced_put_many_call(original: Callable[..., Any]) -> Callable[..., Any]:
    """The `queue.putMany` calls builder, adding the current trace context as `trace`.

    The ready time stored is the put's: a job of the batch with a delay waits
    longer, and its first run's wait time counts the delay.
    """

    @functools.wraps(original)
    def build(*args: Any, trace: str | None = None, **options: Any) -> Any:
        if trace is None:
            trace = context_text(time.time())
        return original(*args, trace=trace, **options)

    return build
