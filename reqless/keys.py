"""Every Redis key and pubsub channel name reqless uses, in one place.

The core builds its keys in `reqless/core/lua/src/lib/keys.lua`; this module
mirrors it name for name (`Keys.workerJobs` is `KeySpace.worker_jobs`), and
`tests/test_keys.py` parses the Lua to check that the two agree. A few names
exist only in Python (the UI's audit list) and are marked so. No other Python
module spells out a `ql:` prefix.

A `KeySpace` holds the names of one namespace (docs/scale-out.md): without one,
every name starts with `ql:`, the layout all reqless clients share; in namespace
`orders` it starts with `ql:{orders}:`, a cluster hash tag that puts all of the
namespace's keys in one slot. A client has its own (`client.keys`); the
module-level names are those of the default, namespace-less space.
"""

from __future__ import annotations

import re

__all__ = [
    "BATCHES",
    "COMPLETED",
    "CONFIG",
    "DEFAULT",
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
    "QUEUE_THROTTLE_IDS",
    "TAGS",
    "THROTTLE_PREFIX",
    "THROTTLE_TEMPLATES",
    "TRACKED",
    "UI_AUDIT",
    "WORKERS",
    "KeySpace",
    "batch",
    "batch_canceled",
    "batch_jobs",
    "channel",
    "channel_event",
    "check_namespace",
    "dependencies",
    "dependents",
    "failure_group",
    "history",
    "job",
    "job_done",
    "queue",
    "queue_group",
    "queue_throttle_id",
    "recurring",
    "stats",
    "tag",
    "throttle",
    "throttle_locks",
    "throttle_pending",
    "throttle_starts",
    "unique",
    "waiting",
    "wake",
    "worker_channel",
    "worker_jobs",
]

#: The prefix of the default space: what every key and channel starts with.
PREFIX = "ql:"

#: What the ids of queues' own throttles start with, in every namespace; no
#: throttle template may claim such ids (lib/throttle.lua).
QUEUE_THROTTLE_IDS = "ql:"

#: Longest namespace name the core accepts.
NAMESPACE_MAX = 64
_BAD_NAMESPACE = re.compile(r"[{}\s\x00-\x1f\x7f]")


def check_namespace(namespace: str) -> str:
    """`namespace` if the core accepts it as a namespace name, else ValueError
    saying why (the core refuses the same names)."""
    if not isinstance(namespace, str) or not namespace:
        raise ValueError(f"namespace must be a non-empty string, not {namespace!r}")
    if len(namespace) > NAMESPACE_MAX:
        raise ValueError(
            f"namespace {namespace!r} is {len(namespace)} characters long; "
            f"at most {NAMESPACE_MAX} are allowed"
        )
    if _BAD_NAMESPACE.search(namespace):
        raise ValueError(
            f"namespace {namespace!r} may not contain braces, spaces or control "
            "characters (the braces make the cluster hash tag around it)"
        )
    return namespace


class KeySpace:
    """The key and channel names of one namespace, or of none.

    Args:
        namespace: the namespace name, or None for the shared `ql:` layout.
    """

    def __init__(self, namespace: str | None = None) -> None:
        self.namespace = None if namespace is None else check_namespace(namespace)
        #: What every key and channel of this space starts with.
        self.prefix = PREFIX if namespace is None else f"ql:{{{namespace}}}:"
        #: The one key a namespaced core call names (empty: a call names none).
        self.call_keys: tuple[str, ...] = () if namespace is None else (self.prefix,)
        #: Whether this space's events are sharded pub/sub (SPUBLISH/SSUBSCRIBE).
        self.sharded = namespace is not None
        p = self.prefix
        self.QUEUES = p + "queues"
        self.PAUSED = p + "paused_queues"
        self.COMPLETED = p + "completed"
        self.FAILURES = p + "failures"
        self.WORKERS = p + "workers"
        self.TRACKED = p + "tracked"
        self.TAGS = p + "tags"
        #: Exists only inside a queue.putMany call.
        self.PUT_TEMPLATE = p + "put-template"
        self.CONFIG = p + "config"
        self.IDENTIFIER_PATTERNS = p + "qp:identifiers"
        self.PRIORITY_PATTERNS = p + "qp:priorities"
        self.LEGACY_IDENTIFIER_PATTERNS = ("" if namespace is None else p) + "qmore:dynamic"
        self.LEGACY_PRIORITY_PATTERNS = ("" if namespace is None else p) + "qmore:priority"
        #: Throttle templates: pattern -> definition (docs/concepts.md, Throttles).
        self.THROTTLE_TEMPLATES = p + "th-templates"
        #: Batches by creation time (docs/following-jobs.md).
        self.BATCHES = p + "batches"
        #: Python only: the capped list `reqless ui --audit-redis` appends to.
        self.UI_AUDIT = p + "ui:audit"
        #: The start of every job hash (`job(jid)`), for SCAN patterns.
        self.JOB_PREFIX = p + "j:"
        #: The start of every named throttle hash (`throttle(tid)`), for SCAN patterns.
        self.THROTTLE_PREFIX = p + "th:"

    def __repr__(self) -> str:
        return f"KeySpace({self.namespace!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeySpace) and other.namespace == self.namespace

    def __hash__(self) -> int:
        return hash(self.namespace)

    def job(self, jid: str) -> str:
        """The hash of job `jid`."""
        return self.JOB_PREFIX + jid

    def history(self, jid: str) -> str:
        """The history list of job `jid`."""
        return self.JOB_PREFIX + jid + "-history"

    def dependencies(self, jid: str) -> str:
        """The set of jobs `jid` waits for."""
        return self.JOB_PREFIX + jid + "-dependencies"

    def dependents(self, jid: str) -> str:
        """The set of jobs waiting for `jid`."""
        return self.JOB_PREFIX + jid + "-dependents"

    def queue(self, name: str, kind: str) -> str:
        """One of a queue's keys; `kind` is work, locks, scheduled, depends,
        throttled, recur, rated (rate-window timers) or a fair-group kind: groups,
        group-heads, group-parked, group-weights, group-served, grouped."""
        return self.prefix + "q:" + name + "-" + kind

    def queue_group(self, name: str, group: str) -> str:
        """The waiting jobs of fair group `group` of queue `name`."""
        return self.prefix + "q:" + name + "-g:" + group

    @staticmethod
    def queue_throttle_id(name: str) -> str:
        """The id (not the key) of queue `name`'s own throttle: the same in
        every namespace, as throttle names are."""
        return "ql:q:" + name

    def throttle(self, tid: str) -> str:
        """The hash of throttle `tid` (a queue's: `throttle(queue_throttle_id(q))`)."""
        return self.THROTTLE_PREFIX + tid

    def throttle_locks(self, tid: str) -> str:
        """The jobs holding a slot of throttle `tid`."""
        return self.THROTTLE_PREFIX + tid + "-locks"

    def throttle_pending(self, tid: str) -> str:
        """The jobs waiting for a slot of throttle `tid`."""
        return self.THROTTLE_PREFIX + tid + "-pending"

    def throttle_starts(self, tid: str) -> str:
        """The start times within the rate window of throttle `tid`."""
        return self.THROTTLE_PREFIX + tid + "-starts"

    def job_done(self, jid: str) -> str:
        """The list a waiter on job `jid` BLPOPs (one token per waiter at its end)."""
        return self.prefix + "j:" + jid + "-done"

    def batch(self, bid: str) -> str:
        """The hash of batch `bid`."""
        return self.prefix + "b:" + bid

    def batch_jobs(self, bid: str) -> str:
        """The jobs of batch `bid`."""
        return self.prefix + "b:" + bid + "-jobs"

    def batch_canceled(self, bid: str) -> str:
        """The jids of batch `bid` that were canceled (a canceled job is deleted)."""
        return self.prefix + "b:" + bid + "-canceled"

    def failure_group(self, group: str) -> str:
        """The list of jids failed into `group`."""
        return self.prefix + "f:" + group

    def worker_jobs(self, worker: str) -> str:
        """The jobs worker `worker` holds."""
        return self.prefix + "w:" + worker + ":jobs"

    def tag(self, name: str) -> str:
        """The jobs carrying tag `name`."""
        return self.prefix + "t:" + name

    def stats(self, kind: str, day: str, queue: str) -> str:
        """A queue's statistics of `kind` (wait, run) for the day starting at `day`."""
        return self.prefix + "s:" + kind + ":" + day + ":" + queue

    def recurring(self, jid: str) -> str:
        """The hash of recurring template `jid`."""
        return self.prefix + "r:" + jid

    def unique(self, key: str) -> str:
        """The string naming the job that holds unique key `key` (its jid)."""
        return self.prefix + "u:" + key

    def waiting(self, name: str) -> str:
        """Workers blocked on queue `name` (worker -> deadline), while some wait."""
        return self.prefix + "waiting:" + name

    def wake(self, name: str) -> str:
        """The list blocked workers of queue `name` BLPOP."""
        return self.prefix + "wake:" + name

    def channel(self, name: str) -> str:
        """The pubsub channel of event `name` (`log`, `completed`, ...)."""
        return self.prefix + name

    def channel_event(self, name: str) -> str:
        """The event name of pubsub channel `name` (the inverse of `channel`)."""
        return name.removeprefix(self.prefix)

    def worker_channel(self, worker: str) -> str:
        """The pubsub channel of the events about worker `worker`'s jobs."""
        return self.prefix + "w:" + worker


#: The names of the shared, namespace-less layout.
DEFAULT = KeySpace()

QUEUES = DEFAULT.QUEUES
PAUSED = DEFAULT.PAUSED
COMPLETED = DEFAULT.COMPLETED
FAILURES = DEFAULT.FAILURES
WORKERS = DEFAULT.WORKERS
TRACKED = DEFAULT.TRACKED
TAGS = DEFAULT.TAGS
PUT_TEMPLATE = DEFAULT.PUT_TEMPLATE
CONFIG = DEFAULT.CONFIG
IDENTIFIER_PATTERNS = DEFAULT.IDENTIFIER_PATTERNS
LEGACY_IDENTIFIER_PATTERNS = DEFAULT.LEGACY_IDENTIFIER_PATTERNS
PRIORITY_PATTERNS = DEFAULT.PRIORITY_PATTERNS
LEGACY_PRIORITY_PATTERNS = DEFAULT.LEGACY_PRIORITY_PATTERNS
UI_AUDIT = DEFAULT.UI_AUDIT
JOB_PREFIX = DEFAULT.JOB_PREFIX
THROTTLE_PREFIX = DEFAULT.THROTTLE_PREFIX
THROTTLE_TEMPLATES = DEFAULT.THROTTLE_TEMPLATES
BATCHES = DEFAULT.BATCHES

job = DEFAULT.job
history = DEFAULT.history
dependencies = DEFAULT.dependencies
dependents = DEFAULT.dependents
queue = DEFAULT.queue
queue_throttle_id = KeySpace.queue_throttle_id
throttle = DEFAULT.throttle
throttle_locks = DEFAULT.throttle_locks
throttle_pending = DEFAULT.throttle_pending
throttle_starts = DEFAULT.throttle_starts
queue_group = DEFAULT.queue_group
job_done = DEFAULT.job_done
batch = DEFAULT.batch
batch_jobs = DEFAULT.batch_jobs
batch_canceled = DEFAULT.batch_canceled
failure_group = DEFAULT.failure_group
worker_jobs = DEFAULT.worker_jobs
tag = DEFAULT.tag
stats = DEFAULT.stats
recurring = DEFAULT.recurring
unique = DEFAULT.unique
waiting = DEFAULT.waiting
wake = DEFAULT.wake
channel = DEFAULT.channel
channel_event = DEFAULT.channel_event
worker_channel = DEFAULT.worker_channel
