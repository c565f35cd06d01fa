"""Every Redis key and pubsub channel name reqless uses, in one place.

The core builds its keys in `reqless/core/lua/src/lib/keys.lua`; this module
mirrors it name for name (`Keys.workerJobs` is `worker_jobs`), and
`tests/test_keys.py` parses the Lua to check that the two agree. A few names
exist only in Python (the UI's audit list) and are marked so. No other Python
module spells out a `ql:` prefix: a key namespace (a Redis Cluster hash tag,
say) then changes here and in keys.lua only.
"""

from __future__ import annotations

__all__ = [
    "COMPLETED",
    "CONFIG",
    "FAILURES",
    "IDENTIFIER_PATTERNS",
    "JOB_PREFIX",
    "LEGACY_IDENTIFIER_PATTERNS",
    "LEGACY_PRIORITY_PATTERNS",
    "PAUSED",
    "PREFIX",
    "PRIORITY_PATTERNS",
    "PUT_TEMPLATE",
    "QUEUES",
    "TAGS",
    "THROTTLE_PREFIX",
    "TRACKED",
    "UI_AUDIT",
    "WORKERS",
    "channel",
    "channel_event",
    "dependencies",
    "dependents",
    "failure_group",
    "history",
    "job",
    "queue",
    "queue_throttle_id",
    "recurring",
    "stats",
    "tag",
    "throttle",
    "throttle_locks",
    "throttle_pending",
    "unique",
    "waiting",
    "wake",
    "worker_channel",
    "worker_jobs",
]

#: What every key and channel of reqless starts with.
PREFIX = "ql:"

QUEUES = "ql:queues"
PAUSED = "ql:paused_queues"
COMPLETED = "ql:completed"
FAILURES = "ql:failures"
WORKERS = "ql:workers"
TRACKED = "ql:tracked"
TAGS = "ql:tags"
#: Exists only inside a queue.putMany call.
PUT_TEMPLATE = "ql:put-template"
CONFIG = "ql:config"
IDENTIFIER_PATTERNS = "ql:qp:identifiers"
LEGACY_IDENTIFIER_PATTERNS = "qmore:dynamic"
PRIORITY_PATTERNS = "ql:qp:priorities"
LEGACY_PRIORITY_PATTERNS = "qmore:priority"

#: Python only: the capped list `reqless ui --audit-redis` appends to.
UI_AUDIT = "ql:ui:audit"

#: The start of every job hash (`job(jid)`), for SCAN patterns.
JOB_PREFIX = "ql:j:"
#: The start of every named throttle hash (`throttle(tid)`), for SCAN patterns.
THROTTLE_PREFIX = "ql:th:"


def job(jid: str) -> str:
    """The hash of job `jid`."""
    return JOB_PREFIX + jid


def history(jid: str) -> str:
    """The history list of job `jid`."""
    return JOB_PREFIX + jid + "-history"


def dependencies(jid: str) -> str:
    """The set of jobs `jid` waits for."""
    return JOB_PREFIX + jid + "-dependencies"


def dependents(jid: str) -> str:
    """The set of jobs waiting for `jid`."""
    return JOB_PREFIX + jid + "-dependents"


def queue(name: str, kind: str) -> str:
    """One of a queue's sorted sets; `kind` is work, locks, scheduled, depends,
    throttled or recur."""
    return "ql:q:" + name + "-" + kind


def queue_throttle_id(name: str) -> str:
    """The id (not the key) of queue `name`'s own throttle."""
    return "ql:q:" + name


def throttle(tid: str) -> str:
    """The hash of throttle `tid` (a queue's: `throttle(queue_throttle_id(q))`)."""
    return THROTTLE_PREFIX + tid


def throttle_locks(tid: str) -> str:
    """The jobs holding a slot of throttle `tid`."""
    return THROTTLE_PREFIX + tid + "-locks"


def throttle_pending(tid: str) -> str:
    """The jobs waiting for a slot of throttle `tid`."""
    return THROTTLE_PREFIX + tid + "-pending"


def failure_group(group: str) -> str:
    """The list of jids failed into `group`."""
    return "ql:f:" + group


def worker_jobs(worker: str) -> str:
    """The jobs worker `worker` holds."""
    return "ql:w:" + worker + ":jobs"


def tag(name: str) -> str:
    """The jobs carrying tag `name`."""
    return "ql:t:" + name


def stats(kind: str, day: str, queue: str) -> str:
    """A queue's statistics of `kind` (wait, run) for the day starting at `day`."""
    return "ql:s:" + kind + ":" + day + ":" + queue


def recurring(jid: str) -> str:
    """The hash of recurring template `jid`."""
    return "ql:r:" + jid


def unique(key: str) -> str:
    """The string naming the job that holds unique key `key` (its jid)."""
    return "ql:u:" + key


def waiting(name: str) -> str:
    """Workers blocked on queue `name` (worker -> deadline), while some wait."""
    return "ql:waiting:" + name


def wake(name: str) -> str:
    """The list blocked workers of queue `name` BLPOP."""
    return "ql:wake:" + name


def channel(name: str) -> str:
    """The pubsub channel of event `name` (`log`, `completed`, ...)."""
    return PREFIX + name


def channel_event(name: str) -> str:
    """The event name of pubsub channel `name` (the inverse of `channel`)."""
    return name.removeprefix(PREFIX)


def worker_channel(worker: str) -> str:
    """The pubsub channel of the events about worker `worker`'s jobs."""
    return "ql:w:" + worker
