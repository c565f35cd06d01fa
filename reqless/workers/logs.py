"""The worker's log: which job a record was logged in, text or JSON lines, and the
root-logger set-up the worker program uses.

While a worker runs a job's handler, `job_logging` marks the current context with
the job (a `ContextVar`, which threads started by `asyncio.to_thread`, asyncio
tasks and gevent greenlets each keep apart), and `JobContextFilter` copies it onto
every record a handler sees, whichever logger it came from. Wiring a worker into an
application's own logging::

    handler = logging.StreamHandler()
    handler.addFilter(JobContextFilter())
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, TextIO, TypeVar

from reqless.logger import LOG_FORMAT

__all__ = [
    "LOG_FORMATS",
    "LOG_LEVELS",
    "JobContextFilter",
    "JobLogContext",
    "JsonFormatter",
    "TextFormatter",
    "bind_worker",
    "configure_worker_logging",
    "current_job",
    "job_logging",
    "logs_job",
    "logs_job_async",
]

#: The values of the worker's `--log-level`, lowest first.
LOG_LEVELS = ("debug", "info", "warning", "error")
#: The values of the worker's `--log-format`.
LOG_FORMATS = ("text", "json")

LogFormat = Literal["text", "json"]

# Marks the root handlers `configure_worker_logging` installed, so a second call
# replaces them instead of adding more.
_OWN_HANDLER = "reqless-worker"


@dataclass(frozen=True, slots=True)
class JobLogContext:
    """The job whose handler is running in the current context."""

    worker: str
    jid: str
    queue: str


_current: ContextVar[JobLogContext | None] = ContextVar("reqless_job", default=None)

# The per-job wrappers below make a `JobLogContext` by writing its slots directly:
# the frozen dataclass's `__init__` costs a Python frame and three calls of
# `object.__setattr__` more, once per job.
_new = object.__new__
_set_worker = JobLogContext.__dict__["worker"].__set__
_set_jid = JobLogContext.__dict__["jid"].__set__
_set_queue = JobLogContext.__dict__["queue"].__set__


def current_job() -> JobLogContext | None:
    """The job being run in this thread, task or greenlet, if any."""
    return _current.get()


@contextmanager
def job_logging(worker: str, jid: str, queue: str) -> Iterator[JobLogContext]:
    """Inside, records logged in this context carry the job (see `JobContextFilter`)."""
    context = JobLogContext(worker, jid, queue)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


class _Named(Protocol):
    @property
    def worker_name(self) -> str: ...


class _Worker(Protocol):
    @property
    def client(self) -> _Named: ...


class _Job(Protocol):
    @property
    def jid(self) -> str: ...

    @property
    def queue_name(self) -> str: ...


_W = TypeVar("_W", bound=_Worker)
_J = TypeVar("_J", bound=_Job)
_R = TypeVar("_R")


def logs_job(run: Callable[[_W, _J], _R]) -> Callable[[_W, _J], _R]:
    """Decorates a worker method `run(self, job)`: it runs inside `job_logging` for `job`."""

    @functools.wraps(run)
    def logged(worker: _W, job: _J) -> _R:
        # `job_logging` spelled out: this runs once per job, and a generator-based
        # context manager costs several calls more.
        context: JobLogContext = _new(JobLogContext)
        _set_worker(context, worker.client.worker_name)
        _set_jid(context, job.jid)
        _set_queue(context, job.queue_name)
        token = _current.set(context)
        try:
            return run(worker, job)
        finally:
            _current.reset(token)

    return logged


def logs_job_async(
    run: Callable[[_W, _J], Awaitable[_R]],
) -> Callable[[_W, _J], Awaitable[_R]]:
    """`logs_job` for a coroutine method: set inside the job's own task."""

    @functools.wraps(run)
    async def logged(worker: _W, job: _J) -> _R:
        context: JobLogContext = _new(JobLogContext)
        _set_worker(context, worker.client.worker_name)
        _set_jid(context, job.jid)
        _set_queue(context, job.queue_name)
        token = _current.set(context)
        try:
            return await run(worker, job)
        finally:
            _current.reset(token)

    return logged


class JobContextFilter(logging.Filter):
    """Sets `worker`, `jid` and `queue` on every record (None outside a job); drops none.

    Attach it to a handler: a handler's filters see the records of every logger
    that propagates to it. `worker` is the worker name used outside jobs.
    """

    def __init__(self, worker: str | None = None) -> None:
        super().__init__()
        self.worker = worker

    def filter(self, record: logging.LogRecord) -> bool:
        job = _current.get()
        if job is None:
            record.worker, record.jid, record.queue = self.worker, None, None
        else:
            record.worker, record.jid, record.queue = job.worker, job.jid, job.queue
        return True


class TextFormatter(logging.Formatter):
    """`reqless.logger.LOG_FORMAT`, the message prefixed with `[<queue> <jid>]` in a job."""

    def __init__(self) -> None:
        super().__init__(LOG_FORMAT)
        # The last whole second formatted, and its text (one value: a formatter
        # may be shared by handlers that format from different threads).
        self._second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """`logging.Formatter.formatTime`, with the date and time text made once a second.

        A worker logs a record per job; formatting the local time was the
        costliest part of each. Other formats and converters are left to the base class.
        """
        msec_format = self.default_msec_format
        if datefmt is not None or self.converter is not time.localtime or not msec_format:
            return super().formatTime(record, datefmt)
        whole = math.floor(record.created)  # as `time.localtime` rounds it
        second, text = self._second
        if second != whole:
            text = time.strftime(self.default_time_format, time.localtime(whole))
            self._second = (whole, text)
        return msec_format % (text, record.msecs)

    def formatMessage(self, record: logging.LogRecord) -> str:
        # `self._style.format` is what `logging.Formatter.formatMessage` does, here
        # without a `super()` lookup and one call: this runs for every record.
        jid = getattr(record, "jid", None)
        if jid is None:
            return self._style.format(record)
        message = record.message
        record.message = f"[{getattr(record, 'queue', None)} {jid}] {message}"
        try:
            return self._style.format(record)
        finally:
            record.message = message


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, worker, jid,
    queue, message, and `exc_info` (the traceback as text) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        job = _current.get()
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "worker": getattr(record, "worker", job.worker if job else None),
            "jid": getattr(record, "jid", job.jid if job else None),
            "queue": getattr(record, "queue", job.queue if job else None),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


def configure_worker_logging(
    level: str,
    log_format: LogFormat = "text",
    log_file: str | None = None,
    *,
    stream: TextIO | None = None,
) -> None:
    """Send every logger's records at `level` and above to `stream` (standard error)
    and, if given, to `log_file`, as text or JSON lines, each with its job.

    Configures the root logger, so what a job logs through its own loggers goes to
    the same place. Calling it again replaces what an earlier call installed.
    Raises `ValueError` for an unknown level or format and `OSError` when the file
    cannot be opened (then nothing is changed).
    """
    if level.lower() not in LOG_LEVELS:
        raise ValueError(f"log level {level!r} is not one of {', '.join(LOG_LEVELS)}")
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    root = logging.getLogger()
    worker = _bound_worker(root)
    handlers: list[logging.Handler] = []
    if log_file is not None:
        handlers.append(logging.FileHandler(os.path.abspath(log_file)))
    handlers.append(logging.StreamHandler(sys.stderr if stream is None else stream))
    for old in [h for h in root.handlers if h.name == _OWN_HANDLER]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.name = _OWN_HANDLER
        handler.addFilter(JobContextFilter(worker))
        handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
        root.addHandler(handler)
    root.setLevel(level.upper())


def bind_worker(name: str) -> None:
    """Name the worker of this process in the records of the worker program's handlers."""
    for handler in logging.getLogger().handlers:
        for found in handler.filters:
            if isinstance(found, JobContextFilter):
                found.worker = name


def _bound_worker(root: logging.Logger) -> str | None:
    for handler in root.handlers:
        for found in handler.filters:
            if isinstance(found, JobContextFilter):
                return found.worker
    return None
