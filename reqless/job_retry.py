"""When a job whose handler raised is retried, after how long, and with what reason.

`RetryPolicy` is the one description that both `@reqless.retry(..., delay=...)`
(for one handler) and a worker's per-queue policies
(`WorkerSettings.retry_policies`, `reqless-py-worker --retry-policy`) use. It is
sans-I/O: `plan(job, exc)` says what to send, and the job sends it (a `retrying`
entry in its history, then `job.retry(delay, group, message)`).

Not to be confused with `reqless.retry_policy`, which is about sending a core
command again after a connection error.
"""

from __future__ import annotations

import math
import random
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from reqless import _validate
from reqless.exceptions import ReqlessError

__all__ = ["RETRY_EVENT", "RetryPlan", "RetryPolicy", "checked_exceptions", "policy_for"]

#: The `what` of the history entry written before each retry that leaves the job
#: retries (the core itself writes none then; docs/concepts.md, States).
RETRY_EVENT = "retrying"


class _Counted(Protocol):
    """What a plan needs of a job: its queue and its retry counts."""

    queue_name: str
    original_retries: int
    retries_left: int


class RetryPlan(NamedTuple):
    """What to send for one retry."""

    #: Seconds before the job may run again.
    delay: float
    #: The failure group: `<queue>-<ExceptionName>`.
    group: str
    #: The exception as text (`ConnectionError: refused`).
    message: str
    #: Which retry this is: 1 for the first.
    retry: int
    #: The details of the history entry; None when no retry is left (the core
    #: then fails the job, and its history says `failed-retries` with the group).
    details: dict[str, Any] | None


def checked_exceptions(excepts: Iterable[object]) -> tuple[type[BaseException], ...]:
    """`excepts` as a tuple of exception classes; ReqlessError naming the first that is not."""
    checked: list[type[BaseException]] = []
    for cls in excepts:
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            raise ReqlessError(f"retry() takes exception classes, not {cls!r}")
        checked.append(cls)
    return tuple(checked)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry a job whose handler raised one of `exceptions`, with growing delays.

    The n-th retry of a job (n = 1 + the retries it has used: `original_retries -
    retries_left`) waits `min(delay * backoff ** (n - 1), max_delay)` seconds.
    With `jitter`, the wait is drawn uniformly between half of that and all of it
    ("bounded" jitter: retries of many jobs spread out, yet never come sooner than
    half the planned delay). Once the job has no retry left, the retry fails it
    (group `<queue>-<ExceptionName>`, the exception text as the message).

    Raises ReqlessError naming the argument when a value is out of range:
    `delay` and `max_delay` must be finite numbers >= 0, `backoff` a finite
    number >= 1, `jitter` a bool, `exceptions` exception classes.
    """

    #: The exceptions retried (subclasses included); others fail the job as usual.
    exceptions: tuple[type[BaseException], ...] = (Exception,)
    #: Seconds before the first retry.
    delay: float = 0.0
    #: Each retry waits this many times longer than the one before (1: the same).
    backoff: float = 1.0
    #: The longest wait (None: no limit).
    max_delay: float | None = None
    #: Spread the waits: uniformly between half the planned delay and all of it.
    jitter: bool = False
    #: Where the jitter comes from (replaceable for tests); not part of equality.
    rand: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "exceptions", checked_exceptions(_as_tuple(self.exceptions)))
        object.__setattr__(self, "delay", float(_validate.number("delay", self.delay, 0)))
        object.__setattr__(self, "backoff", float(_validate.number("backoff", self.backoff, 1)))
        if self.max_delay is not None:
            limit = float(_validate.number("max_delay", self.max_delay, 0))
            object.__setattr__(self, "max_delay", limit)
        if not isinstance(self.jitter, bool):
            raise ReqlessError(f"jitter must be True or False, not {self.jitter!r}")

    @classmethod
    def from_text(cls, text: str) -> RetryPolicy:
        """A policy for every Exception from `delay=5,backoff=2,max_delay=300,jitter`.

        Each item is optional (`delay=0` is the default, so "" retries at once);
        `jitter` alone means `jitter=true`. Raises ReqlessError naming a bad item.
        """
        values: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, _, value = item.partition("=")
            key = key.strip()
            if key == "jitter":
                if value.strip().lower() not in ("", "true", "yes", "1", "false", "no", "0"):
                    raise ReqlessError(f"jitter must be true or false, not {value!r}")
                values[key] = value.strip().lower() in ("", "true", "yes", "1")
            elif key in ("delay", "backoff", "max_delay"):
                try:
                    values[key] = float(value)
                except ValueError:
                    raise ReqlessError(f"{key} must be a number, not {value!r}") from None
            else:
                raise ReqlessError(
                    f"unknown retry policy item {item!r} (delay, backoff, max_delay, jitter)"
                )
        return cls(**values)

    def handles(self, exc: BaseException) -> bool:
        """Whether `exc` is one of the exceptions this policy retries."""
        return isinstance(exc, self.exceptions)

    def delay_for(self, retry: int) -> float:
        """Seconds the `retry`-th retry (1 for the first) waits, jitter included."""
        try:
            planned = self.delay * self.backoff ** max(retry - 1, 0)
        except OverflowError:  # a huge backoff ** n: the limit, if any, applies
            planned = math.inf
        if self.max_delay is not None:
            planned = min(planned, self.max_delay)
        # The core wants a finite delay: without a limit, "as late as it gets".
        planned = min(planned, sys.float_info.max)
        if self.jitter and planned > 0:
            planned = planned / 2 + self.rand() * planned / 2
        return planned

    def plan(self, job: _Counted, exc: BaseException) -> RetryPlan:
        """What to send to retry `job`, whose handler raised `exc`."""
        retry = max(job.original_retries - job.retries_left, 0) + 1
        delay = self.delay_for(retry)
        group = f"{job.queue_name}-{type(exc).__name__}"
        message = "".join(traceback.format_exception_only(exc)).strip()
        details = None
        if job.retries_left > 0:
            details = {"group": group, "message": message, "delay": delay, "retry": retry,
                       "retries": job.original_retries}  # fmt: skip
        return RetryPlan(delay, group, message, retry, details)


def policy_for(policies: Mapping[str, RetryPolicy], queue: str) -> RetryPolicy | None:
    """The policy of the first pattern (in order; `*` matches any run) matching `queue`."""
    for pattern, policy in policies.items():
        if re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), queue):
            return policy
    return None


def _as_tuple(excepts: object) -> tuple[object, ...]:
    # One class given alone is a mistake worth forgiving; a string is not a class list.
    if isinstance(excepts, type):
        return (excepts,)
    if isinstance(excepts, tuple | list):
        return tuple(excepts)
    raise ReqlessError(f"exceptions must be a tuple of exception classes, not {excepts!r}")
