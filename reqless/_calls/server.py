"""Calls across queues: job lookups and listings, queues, workers, tags, throttles,
configuration and queue patterns."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from reqless import _validate
from reqless._calls.call import Call, parse_json
from reqless.exceptions import ArgumentError, ReqlessError
from reqless.keys import QUEUE_THROTTLE_IDS
from reqless.models import QueuePriorityPattern, ThrottleTemplate
from reqless.types import Arg, QueueCounts, WorkerCounts, WorkerJobs
from reqless.util import as_list

__all__ = [
    "MAX_PER",
    "MAX_RATE",
    "all_queue_counts",
    "completed",
    "failed_by_group",
    "failure_counts",
    "forget_queues",
    "free_unique",
    "get_job",
    "get_jobs",
    "get_recurring",
    "identifier_pattern_texts",
    "identifier_patterns",
    "priority_pattern_texts",
    "priority_patterns",
    "queue_counts",
    "queue_names",
    "rate_window",
    "set_identifier_patterns",
    "set_priority_patterns",
    "tagged",
    "tags",
    "template_pattern",
    "throttle_clear_rate",
    "throttle_delete",
    "throttle_get",
    "throttle_ids",
    "throttle_release",
    "throttle_set",
    "throttle_template_delete",
    "throttle_template_set",
    "throttle_templates",
    "tracked",
    "unfail",
    "unique_holder",
    "worker_forget",
    "worker_jobs",
    "workers_counts",
]


def _nothing(reply: Any) -> None:
    return None


def _payload_or_none(reply: Any) -> dict[str, Any] | None:
    return json.loads(reply) if reply else None


# -- jobs ----------------------------------------------------------------------


def get_job(jid: str) -> Call[dict[str, Any] | None]:
    """The job's payload, or None."""
    return Call("job.get", (_validate.name("jid", jid),), _payload_or_none, repeatable=True)


def get_recurring(jid: str) -> Call[dict[str, Any] | None]:
    """The recurring template's payload, or None."""
    return Call(
        "recurringJob.get", (_validate.name("jid", jid),), _payload_or_none, repeatable=True
    )


def get_jobs(jids: tuple[str, ...]) -> Call[list[dict[str, Any]]]:
    """Payloads of the jobs that exist among `jids` (at least one jid)."""
    return Call("job.getMulti", tuple(_validate.names("jids", jids)), parse_json, repeatable=True)


def unique_holder(key: str) -> Call[str | None]:
    """The jid of the live job holding unique key `key`, or None."""
    return Call(
        "unique.holder", (_validate.name("unique key", key),),
        lambda reply: str(reply) if reply else None, repeatable=True,
    )  # fmt: skip


def free_unique(key: str) -> Call[bool]:
    """Free unique key `key` (its job is left as it is); True when it was held."""
    return Call(
        "unique.free", (_validate.name("unique key", key),),
        lambda reply: bool(int(reply)), repeatable=True,
    )  # fmt: skip


def completed(offset: int, count: int) -> Call[list[str]]:
    """Jids of completed jobs, most recent first."""
    return Call("jobs.completed", (offset, count), parse_json, repeatable=True)


def tracked() -> Call[dict[str, Any]]:
    """Tracked job payloads (`jobs`) and tracked jids that no longer exist (`expired`)."""

    def parse(reply: Any) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(reply)
        result["jobs"] = as_list(result.get("jobs"))
        result["expired"] = as_list(result.get("expired"))
        return result

    return Call("jobs.tracked", (), parse, repeatable=True)


def tagged(tag: str, offset: int, count: int) -> Call[dict[str, Any]]:
    """`{"total": n, "jobs": [jid, ...]}` for jobs carrying `tag`."""

    def parse(reply: Any) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(reply)
        result["jobs"] = as_list(result.get("jobs"))
        return result

    return Call("jobs.tagged", (tag, offset, count), parse, repeatable=True)


def failure_counts() -> Call[dict[str, Any]]:
    """Failure counts per group."""
    return Call("failureGroups.counts", (), parse_json, repeatable=True)


def failed_by_group(group: str, start: int, limit: int) -> Call[dict[str, Any]]:
    """A failure group's total and jids (`jobs`)."""

    def parse(reply: Any) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(reply)
        result["jobs"] = as_list(result.get("jobs"))
        return result

    return Call("jobs.failedByGroup", (group, start, limit), parse, repeatable=True)


# -- queues, workers, tags -----------------------------------------------------


def queue_counts() -> Call[list[QueueCounts]]:
    """Counts of every known queue; jobs handed back with `job.timeout` count as
    stalled, not waiting (docs/concepts.md)."""
    return Call("queue.stalledCounts", (), parse_json, repeatable=True)


def all_queue_counts() -> Call[list[QueueCounts]]:
    """Counts of every known queue as the core's `queues.counts` gives them (jobs
    handed back with `job.timeout` count as waiting)."""
    return Call("queues.counts", (), parse_json, repeatable=True)


def forget_queues(queues: Sequence[str]) -> Call[None]:
    """Drop queues from the list of known queues (their jobs are kept)."""
    return Call("queue.forget", tuple(_validate.names("queues", queues)), _nothing,
                repeatable=False)  # fmt: skip


def queue_names() -> Call[list[str]]:
    """Names of every known queue."""
    return Call("queues.names", (), parse_json, repeatable=True)


def workers_counts() -> Call[list[WorkerCounts]]:
    """Every worker with its number of running and stalled jobs."""
    return Call("workers.counts", (), parse_json, repeatable=True)


def worker_jobs(worker: str) -> Call[WorkerJobs]:
    """The jids a worker holds."""

    def parse(reply: Any) -> WorkerJobs:
        result = json.loads(reply)
        return {"jobs": as_list(result.get("jobs")), "stalled": as_list(result.get("stalled"))}

    return Call("worker.jobs", (worker,), parse, repeatable=True)


def worker_forget(workers: Sequence[str]) -> Call[None]:
    """Remove workers from the listings."""
    return Call("worker.forget", tuple(workers), _nothing, repeatable=False)


def tags(offset: int, count: int) -> Call[list[str]]:
    """The most used tags."""
    return Call("tags.top", (offset, count), parse_json, repeatable=True)


def unfail(group: str, queue: str, count: int) -> Call[int]:
    """Move up to `count` jobs of failure group `group` back into `queue`."""
    group, queue = _validate.name("group", group), _validate.name("queue name", queue)
    return Call("queue.unfail", (queue, group, count), int, repeatable=False)


# -- throttles -----------------------------------------------------------------


#: The largest rate and window (a year) the core accepts: a starts log stays bounded.
MAX_RATE, MAX_PER = 1_000_000, 31_622_400


def _throttle_number(name: str, what: str, value: object) -> int | float:
    # bool would be rejected by the transport with a DataError; say why instead.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReqlessError(f"throttle {name!r}: {what} must be a number, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ReqlessError(f"throttle {name!r}: {what} must be finite, not {value!r}")
    return value


def throttle_get(name: str) -> Call[dict[str, Any]]:
    """The throttle's definition (`maximum`, `ttl`; with a rate window or a template,
    also `rate`, `per`, `used`, `reopens` when full, and `template`)."""
    return Call(
        "throttle.get", (name,), lambda reply: json.loads(reply) if reply else {}, repeatable=True
    )


def throttle_set(
    name: str, maximum: int, expiration: float | None, *, rate: int | None = None,
    per: float | None = None,
) -> Call[None]:  # fmt: skip
    """Set the throttle's maximum and, unless None or 0, its expiry; with `rate` and
    `per`, also its rate window (at most `rate` starts in any `per` seconds).

    Without them an existing rate window is kept (`throttle_clear_rate` removes it).
    """
    args: list[Arg] = [name, _throttle_number(name, "maximum", maximum),
                       _throttle_number(name, "expiration", expiration or 0)]  # fmt: skip
    args += rate_window(rate, per)
    return Call("throttle.set", tuple(args), _nothing, repeatable=True)


def rate_window(rate: object, per: object) -> list[Arg]:
    """The `rate <n> per <seconds>` arguments of a rate window, checked as the core
    checks them (`[]` when both are None)."""
    if rate is None and per is None:
        return []
    if rate is None or per is None:
        missing = "rate" if rate is None else "per"
        raise ArgumentError(f"{missing} is missing: rate and per go together, give both or neither")
    if isinstance(rate, bool) or not isinstance(rate, int) or not 1 <= rate <= MAX_RATE:
        raise ArgumentError(f"rate must be a whole number from 1 to {MAX_RATE}, not {rate!r}")
    if (
        isinstance(per, bool)
        or not isinstance(per, int | float)
        or not math.isfinite(per)
        or not 0 < per <= MAX_PER
    ):
        raise ArgumentError(
            f"per must be a number of seconds above 0 and at most {MAX_PER}, not {per!r}"
        )
    checked_per = per if isinstance(per, int) else float(per)
    return ["rate", int(rate), "per", checked_per]


def throttle_clear_rate(name: str) -> Call[None]:
    """Remove the throttle's rate window (its maximum stays); jobs held on it go back to work."""
    # Run twice, it finds no window left; the jobs it lets go are checked again at
    # the next pop, so a second run cannot let a job past the throttle's maximum.
    return Call("throttle.clearRate", (_validate.name("throttle name", name),), _nothing,
                repeatable=True)  # fmt: skip


def template_pattern(pattern: object) -> str:
    """A throttle template pattern, checked as the core checks it: a prefix then one
    trailing `*`, without control characters and not starting with `ql:`."""
    if (
        not isinstance(pattern, str)
        or len(pattern) < 2
        or not pattern.endswith("*")
        or "*" in pattern[:-1]
        or pattern.startswith(QUEUE_THROTTLE_IDS)
        or any(ord(char) < 32 or ord(char) == 127 for char in pattern)
    ):
        raise ArgumentError(
            "pattern must be a prefix followed by one * (like 'api:*'), without control "
            f"characters and not starting with {QUEUE_THROTTLE_IDS} (queue throttles), "
            f"not {pattern!r}"
        )
    return pattern


def throttle_template_set(
    pattern: str, maximum: int = 0, rate: int | None = None, per: float | None = None
) -> Call[None]:
    """Define the throttles whose id starts with the pattern's prefix and that have no
    definition of their own (the longest matching prefix wins)."""
    pattern = template_pattern(pattern)
    limit = _validate.nonnegative_int("maximum", maximum)
    window = rate_window(rate, per)
    if limit == 0 and not window:
        raise ArgumentError(
            f"template {pattern!r} limits nothing: give a maximum above 0 or a rate and per"
        )
    return Call("throttle.template.set", (pattern, limit, *window), _nothing, repeatable=True)


def throttle_template_delete(pattern: str) -> Call[bool]:
    """Delete a throttle template; True when it existed."""
    # A second run leaves the same state (its reply, False, is the only difference).
    return Call("throttle.template.delete", (_validate.name("pattern", pattern),),
                lambda reply: bool(int(reply)), repeatable=True)  # fmt: skip


def throttle_templates() -> Call[list[ThrottleTemplate]]:
    """Every throttle template, by pattern."""

    def parse(reply: Any) -> list[ThrottleTemplate]:
        return [ThrottleTemplate.from_payload(entry) for entry in as_list(json.loads(reply))]

    return Call("throttle.templates", (), parse, repeatable=True)


def throttle_ids(name: str, which: str) -> Call[list[str]]:
    """Jids holding (`locks`) or waiting for (`pending`) a slot."""
    return Call(f"throttle.{which}", (name,), parse_json, repeatable=True)


def throttle_delete(name: str) -> Call[None]:
    """Delete the throttle's definition."""
    return Call("throttle.delete", (name,), _nothing, repeatable=False)


def throttle_release(name: str, jids: tuple[str, ...]) -> Call[None]:
    """Release jobs from this throttle."""
    return Call("throttle.release", (name, *jids), _nothing, repeatable=False)


# -- queue patterns ------------------------------------------------------------


def _string_list(what: str, value: object) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        raise ReqlessError(f"{what} must be a list of strings, not {value!r}")
    if not all(isinstance(item, str) for item in value):
        raise ReqlessError(f"{what} must be a list of strings, not {value!r}")
    return list(value)


def identifier_patterns() -> Call[dict[str, list[str]]]:
    """`{identifier: [pattern, ...]}`."""

    def parse(reply: Any) -> dict[str, list[str]]:
        stored: dict[str, str] = json.loads(reply)
        return {name: json.loads(text) for name, text in stored.items()}

    return Call("queueIdentifierPatterns.getAll", (), parse, repeatable=True)


def identifier_pattern_texts() -> Call[dict[str, str]]:
    """`{identifier: stored text}`, undecoded (legacy keys may hold any text)."""
    return Call("queueIdentifierPatterns.getAll", (), parse_json, repeatable=True)


def priority_pattern_texts() -> Call[list[str]]:
    """The stored text of each priority tier, undecoded."""
    return Call("queuePriorityPatterns.getAll", (), lambda r: as_list(json.loads(r)),
                repeatable=True)  # fmt: skip


def set_identifier_patterns(identifier_patterns: Mapping[str, list[str]]) -> Call[None]:
    """Replace every identifier mapping (everything is checked first)."""
    if not isinstance(identifier_patterns, Mapping):
        raise ReqlessError(
            f"identifier patterns must be a mapping of lists, not {identifier_patterns!r}"
        )
    args: list[Arg] = []
    for name, patterns in identifier_patterns.items():
        if not isinstance(name, str) or not name:
            raise ReqlessError(f"queue identifiers are non-empty strings, not {name!r}")
        args += [name, json.dumps(_string_list(f"patterns of identifier {name!r}", patterns))]
    return Call("queueIdentifierPatterns.setAll", tuple(args), _nothing, repeatable=True)


def priority_patterns() -> Call[list[QueuePriorityPattern]]:
    """The priority tiers in order."""

    def parse(reply: Any) -> list[QueuePriorityPattern]:
        patterns = []
        for text in json.loads(reply):
            stored = json.loads(text)
            patterns.append(
                QueuePriorityPattern(
                    patterns=stored["pattern"],
                    should_distribute_fairly=bool(stored.get("fairly", False)),
                )
            )
        return patterns

    return Call("queuePriorityPatterns.getAll", (), parse, repeatable=True)


def set_priority_patterns(queue_priority_patterns: Sequence[QueuePriorityPattern]) -> Call[None]:
    """Replace the priority tiers (everything is checked first)."""
    if isinstance(queue_priority_patterns, str | bytes) or not isinstance(
        queue_priority_patterns, Sequence
    ):
        raise ReqlessError(
            f"priority patterns must be a list of QueuePriorityPattern, "
            f"not {queue_priority_patterns!r}"
        )
    args: list[Arg] = []
    for pattern in queue_priority_patterns:
        if not isinstance(pattern, QueuePriorityPattern):
            raise ReqlessError(f"not a QueuePriorityPattern: {pattern!r}")
        fairly = pattern.should_distribute_fairly
        args.append(json.dumps({"fairly": fairly, "pattern": pattern.patterns}))
    return Call("queuePriorityPatterns.setAll", tuple(args), _nothing, repeatable=True)
