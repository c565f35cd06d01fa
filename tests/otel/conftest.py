"""Fixtures of the OpenTelemetry tests: the SDK's in-memory span exporter and metric
reader, with reqless instrumented to use them (and uninstrumented afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import reqless.otel
from tests.worker.conftest import client, jobs_module, start_worker

__all__ = ["Recorded", "client", "jobs_module", "recorded", "start_worker"]


@dataclass
class Recorded:
    """What reqless reported to the SDK in one test."""

    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        """The finished spans (named `name`), oldest first."""
        found = self.exporter.get_finished_spans()
        return [span for span in found if name is None or span.name == name]

    def points(self, metric: str) -> list[Any]:
        """The data points of `metric` (none if never recorded)."""
        data = self.reader.get_metrics_data()
        found: list[Any] = []
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for each in scope.metrics:
                    if each.name == metric:
                        found += each.data.data_points
        return found

    def total(self, metric: str, **attributes: Any) -> float:
        """The sum of counter `metric`'s points whose attributes include `attributes`."""
        return float(
            sum(
                point.value
                for point in self.points(metric)
                if attributes.items() <= dict(point.attributes).items()
            )
        )


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    """reqless instrumented, reporting to an in-memory exporter and metric reader."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(shutdown_on_exit=False)
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    reqless.otel.instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
    try:
        yield Recorded(exporter, reader)
    finally:
        reqless.otel.uninstrument()
        tracer_provider.shutdown()
        meter_provider.shutdown()
