"""The names reqless's telemetry uses: OpenTelemetry messaging semantic conventions
(attributes, span names), plus a few `reqless.*` attributes and the metric names."""

from __future__ import annotations

__all__ = [
    "BATCH_COUNT",
    "CLIENT_ID",
    "DESTINATION",
    "ERROR_TYPE",
    "JOB_ATTEMPT",
    "JOB_CLASS",
    "JOB_OUTCOME",
    "MESSAGE_ID",
    "MESSAGING_SYSTEM",
    "METRIC_COMPLETED",
    "METRIC_FAILED",
    "METRIC_RUN_TIME",
    "METRIC_STARTED",
    "METRIC_WAIT_TIME",
    "OPERATION_NAME",
    "OPERATION_TYPE",
    "PROCESS",
    "SCOPE",
    "SEND",
    "SYSTEM",
]

#: The instrumentation scope (tracer and meter name).
SCOPE = "reqless"
#: `messaging.system`: reqless is not one of the well-known systems.
SYSTEM = "reqless"
#: Operation types (and names: reqless has one operation of each type).
SEND = "send"
PROCESS = "process"

MESSAGING_SYSTEM = "messaging.system"
OPERATION_TYPE = "messaging.operation.type"
OPERATION_NAME = "messaging.operation.name"
DESTINATION = "messaging.destination.name"
MESSAGE_ID = "messaging.message.id"
CLIENT_ID = "messaging.client.id"
BATCH_COUNT = "messaging.batch.message_count"
ERROR_TYPE = "error.type"

#: The job's class path.
JOB_CLASS = "reqless.job.klass"
#: 1 for a job's first run, 2 for its first retry...
JOB_ATTEMPT = "reqless.run.attempt"
#: What became of the job (reqless.workers.hooks.Outcome's values).
JOB_OUTCOME = "reqless.run.outcome"

METRIC_STARTED = "reqless.jobs.started"
METRIC_COMPLETED = "reqless.jobs.completed"
METRIC_FAILED = "reqless.jobs.failed"
METRIC_RUN_TIME = "reqless.job.run.duration"
METRIC_WAIT_TIME = "reqless.job.wait.duration"
