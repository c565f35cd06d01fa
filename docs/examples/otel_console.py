"""reqless traced with OpenTelemetry, exporting to the console (docs/opentelemetry.md).

Run it with `REQLESS_URL` set (default: a local server): it puts a job, runs it as a
worker would, and prints each span as JSON, the put (`send greetings`) and the run
(`process greetings`) in one trace, then the metrics.
"""

from __future__ import annotations

import os

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

import reqless
import reqless.otel


class Greet:
    """A job that completes."""

    @staticmethod
    def process(job: reqless.Job) -> None:
        job.complete()


def main() -> None:
    """Set up the SDK, instrument reqless, put and run one job."""
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(tracer_provider)
    reader = PeriodicExportingMetricReader(ConsoleMetricExporter())
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))

    reqless.otel.instrument()  # the one line: puts and runs are traced from here on

    client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
    # By its module path: a worker imports the class (docs/examples is on its path).
    client.queues["greetings"].put("otel_console.Greet", {"name": "world"})
    job = client.queues["greetings"].pop()
    assert job is not None
    job.process()  # what every worker mode does with a job


if __name__ == "__main__":
    main()
