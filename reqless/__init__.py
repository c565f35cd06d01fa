"""reqless: a job queue for Redis and Valkey whose core is one atomic Lua script.

Start with `Client`: `reqless.Client().queues["name"].put(MyJob, {"key": "value"})`.
"""

from reqless.__version__ import __version__ as __version__
from reqless.client import Client
from reqless.collections import Jobs, Queues, Throttles, Workers
from reqless.config import Config
from reqless.decorators import retry
from reqless.events import Events
from reqless.exceptions import ReqlessError
from reqless.job import Job, RecurringJob
from reqless.job_retry import RetryPolicy
from reqless.logger import logger
from reqless.queue import Queue
from reqless.throttle import Throttle

__all__ = [
    "Client",
    "Config",
    "Events",
    "Job",
    "Jobs",
    "Queue",
    "Queues",
    "RecurringJob",
    "ReqlessError",
    "RetryPolicy",
    "Throttle",
    "Throttles",
    "Workers",
    "logger",
    "retry",
]
