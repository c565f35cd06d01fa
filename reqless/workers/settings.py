"""The settings every worker mode shares, checked once, in one frozen value.

`reqless-py-worker` builds one `WorkerSettings` from its options; library code
may pass one as `settings=` or give the same values as keywords (`interval`,
`round_robin`, `job_timeout`, `shutdown_timeout`, `kill_grace`, `hooks`,
`max_jobs_per_child`, `max_memory_per_child`), which override it. A
`ForkingWorker` hands its settings on to every child.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from reqless import defaults
from reqless.exceptions import ReqlessError
from reqless.job_retry import RetryPolicy, policy_for
from reqless.workers.hooks import Hooks
from reqless.workers.policy import Limits

__all__ = ["WorkerSettings"]


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How a worker pops, supervises and stops its jobs (times in seconds).

    Raises ReqlessError naming the setting when a value is out of range.
    """

    #: Longest wait for work before asking the server again (> 0).
    interval: float = defaults.WORKER_INTERVAL
    #: Pop one job per queue per pass instead of emptying earlier queues first.
    round_robin: bool = False
    #: Hard time limit of a job (0: none). A job class's `timeout` attribute
    #: (a number > 0) overrides it for that class.
    job_timeout: float = 0.0
    #: How long a stopping worker lets running jobs finish before stopping them.
    shutdown_timeout: float = defaults.SHUTDOWN_TIMEOUT
    #: How long a job interrupted for its time limit or a shutdown has to stop
    #: before the process running it is killed.
    kill_grace: float = defaults.KILL_GRACE
    #: Retry policies per queue pattern (`*` matches any run; the first match
    #: counts): a job whose handler raises an exception its queue's policy
    #: handles is retried by it instead of failed (docs/worker.md).
    retry_policies: Mapping[str, RetryPolicy] = dataclasses.field(default_factory=dict, hash=False)
    #: Recycle a forked child once it has started this many jobs (None: never);
    #: see reqless.workers.recycling. An in-process worker's `run()` returns instead.
    max_jobs_per_child: int | None = None
    #: Recycle a forked child once its resident memory exceeds this many MB
    #: (checked between jobs; None: never).
    max_memory_per_child: float | None = None
    #: Worker hooks: a dotted module path, a module or any object defining
    #: `on_start`, `before_job`, ... (reqless.workers.hooks); loaded here, once.
    hooks: object = dataclasses.field(default=None, hash=False, compare=False)

    def __post_init__(self) -> None:
        _seconds("interval", self.interval, allow_zero=False)
        _seconds("job_timeout", self.job_timeout)
        _seconds("shutdown_timeout", self.shutdown_timeout)
        _seconds("kill_grace", self.kill_grace)
        if not isinstance(self.round_robin, bool):
            raise ReqlessError(f"round_robin must be True or False, got {self.round_robin!r}")
        _retry_policies(self.retry_policies)
        _positive("max_jobs_per_child", self.max_jobs_per_child, whole=True)
        _positive("max_memory_per_child", self.max_memory_per_child, whole=False)
        object.__setattr__(self, "hooks", Hooks.load(self.hooks))
        # A copy: the caller's dict may change later, these settings may not.
        object.__setattr__(self, "retry_policies", dict(self.retry_policies))

    @classmethod
    def from_keywords(
        cls, base: WorkerSettings | None, keywords: Mapping[str, Any]
    ) -> WorkerSettings:
        """`base` (default: the defaults) with every setting named in `keywords` applied.

        A keyword that is None (or a falsy `interval`, as the spec has it) keeps
        the base value.
        """
        settings = base if base is not None else cls()
        if not isinstance(settings, WorkerSettings):
            raise ReqlessError(f"settings must be a WorkerSettings, got {settings!r}")
        changes: dict[str, Any] = {}
        for field in fields(cls):
            value = keywords.get(field.name)
            if value is None or (field.name == "interval" and not value):
                continue
            if field.name == "round_robin":
                changes[field.name] = bool(value)
            elif field.name in _AS_GIVEN:
                changes[field.name] = value  # checked by __post_init__
            else:
                changes[field.name] = _number(field.name, value)
        return replace(settings, **changes) if changes else settings

    @property
    def worker_hooks(self) -> Hooks:
        """The hooks, loaded (`hooks` as given is normalized to a `Hooks` on creation)."""
        assert isinstance(self.hooks, Hooks)
        return self.hooks

    @property
    def limits(self) -> Limits:
        """What the supervision policy needs of these settings."""
        return Limits(shutdown_timeout=self.shutdown_timeout, kill_grace=self.kill_grace)

    def retry_policy_for(self, queue: str) -> RetryPolicy | None:
        """The retry policy of jobs in `queue` (None: they fail as usual)."""
        return policy_for(self.retry_policies, queue) if self.retry_policies else None

    def timeout_for(self, klass: object) -> float:
        """The time limit of a job of class `klass`: its `timeout` attribute, else `job_timeout`.

        The attribute counts when it is a number > 0 (not a bool); anything else
        is ignored, so a class that names something else `timeout` is unaffected.
        """
        value = getattr(klass, "timeout", None)
        # Asked for every job: most classes have no `timeout`, and a tuple is not
        # built again per call as `int | float` is.
        if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.job_timeout
        if math.isfinite(value) and value > 0:
            return float(value)
        return self.job_timeout


def _retry_policies(value: object) -> None:
    if not isinstance(value, Mapping):
        raise ReqlessError(f"retry_policies must map queue patterns to RetryPolicy, got {value!r}")
    for pattern, policy in value.items():
        if not isinstance(pattern, str) or not pattern:
            raise ReqlessError(f"retry_policies: a queue pattern must be a non-empty string, "
                               f"got {pattern!r}")  # fmt: skip
        if not isinstance(policy, RetryPolicy):
            raise ReqlessError(f"retry_policies[{pattern!r}] must be a RetryPolicy, got {policy!r}")


#: Settings `from_keywords` passes on unconverted.
_AS_GIVEN = frozenset({"hooks", "max_jobs_per_child", "max_memory_per_child", "retry_policies"})


def _positive(name: str, value: object, *, whole: bool) -> None:
    """None (no limit), else a number > 0 (a whole one when `whole`)."""
    if value is None:
        return
    kind = "a whole number" if whole else "a number"
    numeric = isinstance(value, int if whole else int | float) and not isinstance(value, bool)
    if not (numeric and isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ReqlessError(f"{name} must be {kind} > 0 (or None: no limit), got {value!r}")


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ReqlessError(f"{name} must be a number of seconds, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ReqlessError(f"{name} must be a number of seconds, got {value!r}") from None


def _seconds(name: str, value: float, *, allow_zero: bool = True) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ReqlessError(f"{name} must be a finite number of seconds, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ReqlessError(f"{name} must be a number of seconds {bound}, got {value!r}")
