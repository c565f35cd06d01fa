"""OpenTelemetry for reqless: spans for puts and job runs, and job metrics.

Off until `reqless.otel.instrument()` is called (once per process, in the
producer and in the worker, e.g. in a hooks module's `on_start`). Needs the
`reqless[otel]` extra, the OpenTelemetry API only: the application chooses
the SDK and exporters. See docs/opentelemetry.md.
"""

from reqless.extras import require

require("otel", "OpenTelemetry for reqless (reqless.otel)")

from reqless.otel.instrumentor import (  # noqa: E402  (after the check that names the extra)
    ReqlessInstrumentor,
    instrument,
    is_instrumented,
    uninstrument,
)

__all__ = ["ReqlessInstrumentor", "instrument", "is_instrumented", "uninstrument"]
