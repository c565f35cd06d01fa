"""Turning reqless's OpenTelemetry instrumentation on and off.

`instrument()` wraps the few methods that put and run jobs (both clients) and
the put call builders; `uninstrument()` puts the originals back. Each wrapper
keeps its original (`__wrapped__`), so the classes themselves say whether
reqless is instrumented: nothing else is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry import metrics, trace

from reqless import _job_actions, _queue_base
from reqless._calls import queue as queue_calls
from reqless.aio import _job_actions as async_job_actions
from reqless.aio import _queue_base as async_queue_base
from reqless.otel.consumer import wrap_async_process, wrap_process
from reqless.otel.producer import (
    traced_put_call,
    traced_put_many_call,
    wrap_async_put,
    wrap_put,
)
from reqless.otel.telemetry import Telemetry

__all__ = ["ReqlessInstrumentor", "instrument", "is_instrumented", "uninstrument"]

#: Marks the functions installed here (the value is never read).
_MARK = "__reqless_otel__"

Wrapper = Callable[[Callable[..., Any], Telemetry], Callable[..., Any]]


def _targets() -> list[tuple[Any, str, Wrapper]]:
    """What instrument() wraps: (owner, attribute, wrapper factory)."""
    return [
        (_queue_base.QueueBase, "put", wrap_put),
        (_queue_base.QueueBase, "put_many", wrap_put),
        (async_queue_base.AsyncQueueBase, "put", wrap_async_put),
        (async_queue_base.AsyncQueueBase, "put_many", wrap_async_put),
        (queue_calls, "put", lambda original, _: traced_put_call(original)),
        (queue_calls, "put_many", lambda original, _: traced_put_many_call(original)),
        (_job_actions.JobActions, "process", wrap_process),
        (async_job_actions.AsyncJobActions, "process", wrap_async_process),
    ]


def is_instrumented() -> bool:
    """Whether `instrument()` is in effect in this process."""
    return any(hasattr(getattr(owner, name), _MARK) for owner, name, _ in _targets())


class ReqlessInstrumentor:
    """reqless's OpenTelemetry instrumentation, shaped like the `opentelemetry-instrumentation`
    packages' instrumentors: `ReqlessInstrumentor().instrument()`."""

    def instrument(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        """Trace puts and job runs and measure runs, from now on, in this process.

        The providers default to the global ones (set by the SDK's setup, or
        `opentelemetry-instrument`). Calling it again replaces the providers.
        """
        self.uninstrument()
        telemetry = Telemetry.create(tracer_provider, meter_provider)
        for owner, name, wrap in _targets():
            wrapper = wrap(getattr(owner, name), telemetry)
            setattr(wrapper, _MARK, True)
            setattr(owner, name, wrapper)

    def uninstrument(self) -> None:
        """Put back what `instrument()` wrapped (nothing happens when it was not called)."""
        for owner, name, _ in _targets():
            current = getattr(owner, name)
            if hasattr(current, _MARK):
                setattr(owner, name, current.__wrapped__)


def instrument(
    *,
    tracer_provider: trace.TracerProvider | None = None,
    meter_provider: metrics.MeterProvider | None = None,
) -> None:
    """Turn reqless's OpenTelemetry spans and metrics on: `ReqlessInstrumentor().instrument()`."""
    ReqlessInstrumentor().instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)


def uninstrument() -> None:
    """Turn them off again."""
    ReqlessInstrumentor().uninstrument()
