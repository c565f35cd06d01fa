"""The trace context a put stores with its job, as text (the put's `trace` option).

The text is the JSON of the carrier dict the global propagator fills (W3C
`traceparent`, `tracestate` and `baggage` by default), plus `reqless-ready`:
when the job became ready to run (the put's time plus its delay), from which
the worker measures the first run's wait. The core keeps at most 4096 bytes.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from opentelemetry import propagate, trace
from opentelemetry.context import Context

from reqless.logger import logger

__all__ = ["READY_KEY", "StoredTrace", "context_text", "read_stored"]

#: The carrier key of the time (seconds since the epoch) the job became ready.
READY_KEY = "reqless-ready"
#: The core's limit on the text (queue.put's `trace` option).
_LIMIT = 4096
#: Kept when the whole carrier is over the limit (tracestate and baggage go).
_ESSENTIAL = ("traceparent", READY_KEY)


def context_text(ready_at: float, context: Context | None = None) -> str | None:
    """The text to store with a job put now in `context` (None: the current one).

    None when there is no span to continue (nothing would be stored).
    """
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=context)
    if not trace.get_current_span(context).get_span_context().is_valid:
        return None
    carrier[READY_KEY] = f"{ready_at:.6f}"
    text = _encode(carrier)
    if len(text.encode("utf-8")) > _LIMIT:
        text = _encode({key: value for key, value in carrier.items() if key in _ESSENTIAL})
    return text if len(text.encode("utf-8")) <= _LIMIT else None


def _encode(carrier: dict[str, str]) -> str:
    return json.dumps(carrier, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True, slots=True)
class StoredTrace:
    """What a job's stored text holds: the put's context and when the job was ready."""

    #: The extracted context (the put span's, and its baggage).
    context: Context
    #: The put span's context (valid).
    span_context: trace.SpanContext
    #: When the job became ready (seconds since the epoch), or None.
    ready_at: float | None


def read_stored(text: object) -> StoredTrace | None:
    """The trace stored with a job; None when there is none or it is unreadable.

    A job put by another client may carry anything here: nothing in it may stop
    the job from running, so unreadable text is logged (debug) and ignored.
    """
    if not isinstance(text, str) or not text:
        return None
    try:
        carrier = json.loads(text)
    except ValueError:
        logger.debug("ignored a job's trace text that is not JSON: %.80r", text)
        return None
    if not isinstance(carrier, dict):
        return None
    strings = {key: value for key, value in carrier.items() if isinstance(value, str)}
    context = propagate.extract(strings, context=Context())
    span_context = trace.get_current_span(context).get_span_context()
    if not span_context.is_valid:
        logger.debug("ignored a job's trace text without a valid trace context: %.80r", text)
        return None
    return StoredTrace(context, span_context, _ready_at(strings.get(READY_KEY)))


def _ready_at(value: str | None) -> float | None:
    try:
        ready = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return ready if math.isfinite(ready) else None
