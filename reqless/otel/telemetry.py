"""The tracer and the metric instruments of one `instrument()` call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opentelemetry import metrics, trace

from reqless.__version__ import __version__
from reqless.otel import conventions as names

__all__ = ["Telemetry", "queue_attributes"]

#: Histogram buckets (seconds) for run and wait times: from a millisecond to an hour.
_BUCKETS = (
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
    300.0, 900.0, 3600.0,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Telemetry:
    """Where reqless's spans and measurements go."""

    tracer: trace.Tracer
    started: metrics.Counter
    completed: metrics.Counter
    failed: metrics.Counter
    run_time: metrics.Histogram
    wait_time: metrics.Histogram

    @classmethod
    def create(
        cls,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> Telemetry:
        """The instruments, from the given providers (None: the global ones)."""
        tracer = trace.get_tracer(names.SCOPE, __version__, tracer_provider)
        meter = metrics.get_meter(names.SCOPE, __version__, meter_provider)

        def counter(name: str, what: str) -> metrics.Counter:
            return meter.create_counter(name, unit="{job}", description=what)

        def histogram(name: str, what: str) -> metrics.Histogram:
            try:
                return meter.create_histogram(
                    name, unit="s", description=what,
                    explicit_bucket_boundaries_advisory=_BUCKETS,
                )  # fmt: skip
            except TypeError:
                # An older API takes no bucket advice: the SDK's default buckets then.
                return meter.create_histogram(name, unit="s", description=what)

        return cls(
            tracer=tracer,
            started=counter(names.METRIC_STARTED, "Job runs started."),
            completed=counter(names.METRIC_COMPLETED, "Job runs that completed their job."),
            failed=counter(names.METRIC_FAILED, "Job runs that raised or failed their job."),
            run_time=histogram(names.METRIC_RUN_TIME, "How long a job's run took."),
            wait_time=histogram(
                names.METRIC_WAIT_TIME, "How long a job waited to start, from ready to run."
            ),
        )


def queue_attributes(queue: str, **more: Any) -> dict[str, Any]:
    """The attributes of a measurement about jobs of `queue`."""
    return {names.MESSAGING_SYSTEM: names.SYSTEM, names.DESTINATION: queue, **more}
