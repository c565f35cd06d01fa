"""Calls on one queue: put, put_many, requeue, recur, pop, peek, listings, stats."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reqless import _validate, defaults
from reqless._calls.call import Call, parse_json, parse_str
from reqless._calls.encoding import class_string, encode_data, sized
from reqless._calls.follow import batch_id
from reqless.exceptions import ArgumentError, CoreError, ReqlessError, UniqueConflictError
from reqless.types import Arg, QueueCounts
from reqless.util import as_list

__all__ = [
    "CATCHUPS",
    "ON_CONFLICT",
    "OVERLAPS",
    "PUT_ARGUMENTS",
    "UNIQUE_UNTIL",
    "Picked",
    "PutMany",
    "ReplacedJobWarning",
    "core_counts",
    "counts",
    "existing",
    "group_name",
    "jobs_by_state",
    "length",
    "pause",
    "peek",
    "pick",
    "pick_at",
    "pop",
    "put",
    "put_args",
    "put_many",
    "ready",
    "recur",
    "recur_on_cron",
    "requeue",
    "requeue_stored",
    "stats",
    "trace_text",
    "unique_conflict",
    "unique_options",
    "unpause",
    "warn_replaced",
]

#: The unique-job keyword arguments of `Queue.put` (docs/concepts.md, Unique jobs).
_UNIQUE_ARGUMENTS = frozenset({"unique", "on_conflict", "unique_until", "unique_for"})

#: The keyword arguments of `Queue.put`, which `put_many` items may hold.
PUT_ARGUMENTS = frozenset(
    {"klass", "data", "priority", "tags", "delay", "retries", "jid", "depends", "throttles"}
    | {"group"}
    | {"batch"}
    | _UNIQUE_ARGUMENTS
)

#: What a put does when another live job holds its unique key.
ON_CONFLICT = ("keep", "replace", "error")
#: When a unique job's key is freed: when it ends, or when it starts.
UNIQUE_UNTIL = ("finish", "start")


def unique_options(
    unique: str | None, on_conflict: str | None = None, unique_until: str | None = None,
    unique_for: float | None = None,
) -> list[Arg]:  # fmt: skip
    """The `queue.put` options of a unique job, checked (`[]` without a key).

    None stands for the default (keep, finish, no time bound); an option other
    than `unique` without a key is refused, as the core refuses it.
    """
    if unique is None:
        for argument, value in (
            ("on_conflict", on_conflict), ("unique_until", unique_until),
            ("unique_for", unique_for),
        ):  # fmt: skip
            if value is not None and value not in ("keep", "finish"):
                raise ArgumentError(f"{argument} needs a unique key (unique=...), not {value!r}")
        return []
    options: list[Arg] = ["unique", _validate.name("unique", unique)]
    if on_conflict is not None and on_conflict != "keep":
        if on_conflict not in ON_CONFLICT:
            raise ArgumentError(f"on_conflict must be one of {ON_CONFLICT}, not {on_conflict!r}")
        options += ("on_conflict", on_conflict)
    if unique_until is not None and unique_until != "finish":
        if unique_until not in UNIQUE_UNTIL:
            raise ArgumentError(f"unique_until must be one of {UNIQUE_UNTIL}, not {unique_until!r}")
        options += ("unique_until", unique_until)
    if unique_for is not None:
        options += ("unique_for", _validate.positive("unique_for", unique_for))
    return options


_CONFLICT = re.compile(r'unique key "(?P<key>.*)" is held by job (?P<jid>\S+)$', re.DOTALL)


def unique_conflict(exc: ReqlessError) -> ReqlessError:
    """The core's on_conflict=error refusal as a UniqueConflictError (others unchanged)."""
    found = _CONFLICT.search(str(exc)) if isinstance(exc, CoreError) else None
    if found is None or not isinstance(exc, CoreError):
        return exc
    return UniqueConflictError(
        found["jid"], found["key"], str(exc), location=exc.location, raw=exc.raw
    )


#: The longest fair group name, in UTF-8 bytes as the core counts it.
_GROUP_BYTES = 256


def group_name(value: object) -> str:
    """A job's fair group (docs/concepts.md, Fair groups), checked as the core checks
    it: 1 to 256 characters (UTF-8 bytes, as the core counts), no control characters."""
    if (
        not isinstance(value, str)
        or not value
        or len(value.encode("utf-8", "surrogatepass")) > _GROUP_BYTES
        or any(ord(char) < 32 or ord(char) == 127 for char in value)
    ):
        raise ArgumentError(
            f"group must be a string of 1 to {_GROUP_BYTES} characters (UTF-8 bytes) "
            f"without control characters, not {value!r}"
        )
    return value


#: The longest trace context text a job keeps, in UTF-8 bytes as the core counts them.
_TRACE_BYTES = 4096


def trace_text(value: object) -> str:
    """A put's trace context text (reqless.otel writes it), checked as the core checks it:
    a string of at most 4096 bytes in UTF-8."""
    if not isinstance(value, str) or len(value.encode("utf-8", "surrogatepass")) > _TRACE_BYTES:
        raise ArgumentError(
            f"trace must be a string of at most {_TRACE_BYTES} bytes (UTF-8), not {value!r:.80}"
        )
    return value


def _option_list(argument: str, values: list[str] | None) -> str:
    # An absent or empty list is the common case of every put: skip the encoder.
    names = [] if values is None else _validate.names(argument, values)
    return json.dumps(names) if names else "[]"


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


def put_args(
    worker: str, queue: str, klass: type | str, data: Any, priority: float | None = None,
    tags: list[str] | None = None, delay: float | None = None, retries: int | None = None,
    jid: str | None = None, depends: list[str] | None = None, throttles: list[str] | None = None,
    *, limit: int | None = None, unique: str | None = None, on_conflict: str | None = None,
    unique_until: str | None = None, unique_for: float | None = None, group: str | None = None,
    batch: str | None = None, trace: str | None = None,
) -> list[Arg]:  # fmt: skip
    """The arguments of `queue.put` (and `job.requeue`); every one is checked here.

    `limit` is the client's largest job data in bytes (None: any size); the
    unique options are `unique_options`'s; `group` is the job's fair group;
    `batch` the id of an open batch the job joins (docs/batches.md).
    """
    grouped: list[Arg] = [] if group is None else ["group", group_name(group)]
    if batch is not None:
        grouped += ["batch", batch_id(batch)]
    return [
        worker, _validate.name("queue name", queue),
        uuid.uuid4().hex if jid is None else _validate.name("jid", jid),
        class_string(klass), sized(encode_data(data), limit),
        _validate.number("delay", _or_default(delay, 0), minimum=0),
        "priority", _validate.number("priority", _or_default(priority, defaults.PRIORITY)),
        "tags", _option_list("tags", tags),
        "retries", _validate.nonnegative_int("retries", _or_default(retries, defaults.RETRIES)),
        "depends", _option_list("depends", depends),
        "throttles", _option_list("throttles", throttles),
        *unique_options(unique, on_conflict, unique_until, unique_for),
        *grouped,
        *([] if trace is None else ["trace", trace_text(trace)]),
    ]  # fmt: skip


def put(worker: str, queue: str, **options: Any) -> Call[str]:
    """Put one job (`options` are `put_args`'s keyword arguments); the reply is its jid.

    With a unique key another live job holds, the reply is that job's jid (or a
    UniqueConflictError, with on_conflict="error").
    """
    return Call(
        "queue.put",
        tuple(put_args(worker, queue, **options)),
        parse_str,
        unique_conflict,
        repeatable=True,
        acknowledged=True,
    )


def requeue(worker: str, queue: str, **options: Any) -> Call[str]:
    """Like `put`, for a job that must already exist."""
    return Call(
        "job.requeue",
        tuple(put_args(worker, queue, **options)),
        parse_str,
        unique_conflict,
        repeatable=True,
    )


def requeue_stored(worker: str, queue: str, data: str, **options: Any) -> Call[str]:
    """`requeue` with `data` sent as the server stored it (the core judges it).

    For callers that move a job with its own data and show the core's refusal
    (the web UI); every other argument is checked as `requeue` checks it.
    """
    args = put_args(worker, queue, data="{}", **options)
    args[4] = _validate.text("data", data)  # the job data's place in put_args
    return Call("job.requeue", tuple(args), parse_str, repeatable=True)


class ReplacedJobWarning(UserWarning):
    """A put named the jid of a job that already existed, and replaced it.

    The core replaces such a job whatever its state: its data and options are
    the new ones, and a running job is taken from its worker, whose `complete()`
    then raises LostLockError. `put(..., replace=True)` says it is meant (and
    skips the check).
    """


def existing(jids: Sequence[str]) -> Call[list[dict[str, Any]]]:
    """Payloads of the jobs among `jids` that exist (a put would replace them)."""
    return Call("job.getMulti", tuple(jids), _payloads, repeatable=True)


def _payloads(reply: Any) -> list[dict[str, Any]]:
    return as_list(json.loads(reply))  # no job found: the core writes `{}`


#: Replaced jobs a warning names one by one before it only counts the rest.
_NAMED_REPLACED = 5


def warn_replaced(found: list[dict[str, Any]], stacklevel: int = 3) -> None:
    """Warn (ReplacedJobWarning) that a put replaces the jobs `found`, if any."""
    if not found:
        return
    described = []
    for job in found[:_NAMED_REPLACED]:
        text = f"{job.get('jid')} ({job.get('state')} in {job.get('queue')!r}"
        if job.get("state") == "running":
            text += (
                f", taken from worker {job.get('worker')!r}, whose complete() will raise "
                "LostLockError"
            )
        described.append(text + ")")
    if len(found) > _NAMED_REPLACED:
        described.append(f"and {len(found) - _NAMED_REPLACED} more")
    warnings.warn(
        ReplacedJobWarning(
            f"put replaced {len(found)} existing job(s), data and options included: "
            f"{'; '.join(described)}. Pass replace=True when that is meant."
        ),
        stacklevel=stacklevel,
    )


@dataclass(frozen=True, slots=True)
class PutMany:
    """The `queue.putMany` calls of a `put_many`, and the jids its jobs named."""

    calls: list[Call[list[str]]]
    #: Jids given by the caller (generated ones cannot collide).
    named: list[str]


def put_many(
    worker: str, queue: str, jobs: Iterable[Mapping[str, Any]], chunk_size: int,
    limit: int | None = None, *, trace: str | None = None,
) -> PutMany:  # fmt: skip
    """One `queue.putMany` call per chunk; every job is checked before any call is made.

    A chunk holds at most `chunk_size` jobs and, with a `limit` (the client's
    largest job data), about `limit` characters of data, so that no call is
    too large for the server (a single job larger than that is refused).
    `trace` (trace context text, see `trace_text`) goes with every job.
    """
    traced: tuple[Arg, ...] = () if trace is None else ("trace", trace_text(trace))
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ArgumentError(f"chunk_size must be a positive integer, not {chunk_size!r}")
    _validate.name("queue name", queue)
    prepared: list[Arg | None] = []  # None: a jid left to us
    ends: list[int] = []
    given: list[str] = []
    klasses: dict[Any, str] = {}  # most bulk puts repeat one class
    for index, job in enumerate(jobs):
        # The usual item, {"klass": ..., "data": ...} of a class already checked.
        usual = type(job) is dict and len(job) == 2 and "data" in job and "klass" in job
        named = usual and isinstance(job["klass"], str | type)  # hashable: may be known
        klass = klasses.get(job["klass"]) if named else None
        if klass is None:
            _check_shape(index, job)
        try:
            if klass is not None:
                data = sized(encode_data(job["data"]), limit)
                prepared += (None, klass, data, 0, len(traced), *traced)
            else:
                jid = _put_many_args(prepared, job, klasses, limit, traced)
                if jid is not None:
                    given.append(jid)
        except ArgumentError as exc:
            raise ArgumentError(f"put_many: job {index}: {exc}") from exc
        ends.append(len(prepared))
    jids = _new_jids(prepared)
    calls = [
        Call(
            "queue.putMany",
            (worker, queue, *jids[start:end]),
            parse_json,
            unique_conflict,
            repeatable=True,
            acknowledged=True,
        )
        for start, end in _chunks(jids, ends, chunk_size, limit)
    ]
    return PutMany(calls, given)


def _chunks(
    args: list[Arg], ends: list[int], chunk_size: int, limit: int | None
) -> Iterator[tuple[int, int]]:
    """The `args[start:end]` ranges of the putMany calls (each job's data is its third arg)."""
    start = begin = count = size = 0
    for end in ends:
        weight = 0 if limit is None else len(str(args[begin + 2]))
        if count and (count == chunk_size or (limit is not None and size + weight > limit)):
            yield start, begin
            start, count, size = begin, 0, 0
        count += 1
        size += weight
        begin = end
    if count:
        yield start, begin


#: put's defaults, which queue.putMany applies to an option left out.
_PUT_MANY_DEFAULTS: dict[str, Arg] = {
    "priority": defaults.PRIORITY, "retries": defaults.RETRIES,
    "tags": "[]", "depends": "[]", "throttles": "[]",
}  # fmt: skip


def _check_shape(index: int, job: Any) -> None:
    if not isinstance(job, Mapping):
        raise ArgumentError(f"put_many: job {index} is not a mapping of put's arguments")
    if "klass" not in job or "data" not in job or not job.keys() <= PUT_ARGUMENTS:
        unknown = set(job) - PUT_ARGUMENTS
        what = f"unknown arguments {sorted(unknown)}" if unknown else "no klass or data"
        raise ArgumentError(f"put_many: job {index} has {what}")


def _put_many_args(
    out: list[Arg | None], job: Mapping[str, Any], klasses: dict[Any, str], limit: int | None,
    traced: tuple[Arg, ...] = (),
) -> str | None:  # fmt: skip
    """Append one job's `jid, klass, data, delay, n, options...` to `out`; returns the
    jid it names, if any.

    A jid left to us is appended as None and filled in by `_new_jids`; options
    equal to put's defaults are left out (queue.putMany applies the defaults).
    `klasses` remembers the checked class paths; `traced` is the batch's trace option.
    """
    jid = job.get("jid")
    delay = job.get("delay")
    klass = klasses[job["klass"]] = class_string(job["klass"])
    out += (
        None if jid is None else _validate.name("jid", jid),
        klass, sized(encode_data(job["data"]), limit),
        0 if delay is None else _validate.number("delay", delay, minimum=0),
    )  # fmt: skip
    options: list[Arg] = []
    for name, value in job.items():
        if value is None or name in ("klass", "data", "jid", "delay") or name in _UNIQUE_ARGUMENTS:
            continue
        if name == "group":
            options += ("group", group_name(value))
            continue
        if name == "batch":
            options += ("batch", batch_id(value))
            continue
        if name == "priority":
            checked: Arg = _validate.number("priority", value)
        elif name == "retries":
            checked = _validate.nonnegative_int("retries", value)
        else:
            checked = _option_list(name, value)
            if name == "depends" and jid is not None and jid in value:
                raise ArgumentError(f"depends names the job itself: {jid}")
        if checked != _PUT_MANY_DEFAULTS[name]:
            options += (name, checked)
    if not job.keys().isdisjoint(_UNIQUE_ARGUMENTS):
        options += unique_options(
            job.get("unique"), job.get("on_conflict"), job.get("unique_until"),
            job.get("unique_for"),
        )  # fmt: skip
    options += traced
    out.append(len(options))
    out += options
    return jid


def _new_jids(args: list[Arg | None]) -> list[Arg]:
    """`args` with each None (a jid left to us) replaced by a random uuid4 in hex.

    One `os.urandom` read for all of them: `uuid.uuid4()` per job cost more than
    the rest of a job's preparation.
    """
    missing = args.count(None)
    randoms = os.urandom(16 * missing).hex()
    filled: list[Arg] = []
    taken = 0
    for arg in args:
        if arg is None:
            text = randoms[taken : taken + 32]
            taken += 32
            # The version (4) and variant (10xx) bits of a random UUID.
            arg = f"{text[:12]}4{text[13:16]}{_VARIANT[text[16]]}{text[17:]}"
        filled.append(arg)
    return filled


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def recur(
    queue: str, klass: type | str, data: Any, interval: float, offset: float = 0,
    priority: float | None = None, tags: list[str] | None = None, retries: int | None = None,
    jid: str | None = None, throttles: list[str] | None = None, backlog: int | None = None,
    limit: int | None = None, unique: str | None = None,
) -> Call[str]:  # fmt: skip
    """Create a recurring template; the reply is its jid (`limit`: see `put_args`)."""
    args: list[Arg] = [
        _validate.name("queue name", queue),
        uuid.uuid4().hex if jid is None else _validate.name("jid", jid),
        class_string(klass), sized(encode_data(data), limit),
        _validate.positive("interval", interval), _validate.number("offset", offset),
        "priority", _validate.number("priority", _or_default(priority, defaults.PRIORITY)),
        "tags", _option_list("tags", tags),
        "retries", _validate.nonnegative_int("retries", _or_default(retries, defaults.RETRIES)),
        "throttles", _option_list("throttles", throttles),
    ]  # fmt: skip
    if backlog is not None:
        args += ["backlog", _validate.nonnegative_int("backlog", backlog)]
    if unique is not None:
        args += ["unique", _validate.name("unique", unique)]
    return Call("queue.recurAtInterval", tuple(args), parse_str, repeatable=True)


#: What `overlap=` and `catchup=` of a cron schedule accept (docs/cron.md).
OVERLAPS = ("allow", "skip", "queue_one")
CATCHUPS = ("latest", "none", "all")


def recur_on_cron(
    queue: str, klass: type | str, data: Any, cron: str, *, timezone: str = "UTC",
    overlap: str = "allow", catchup: str = "latest", jitter: float = 0,
    priority: float | None = None, tags: list[str] | None = None, retries: int | None = None,
    jid: str | None = None, throttles: list[str] | None = None, backlog: int | None = None,
    limit: int | None = None, now: float | None = None, unique: str | None = None,
) -> Call[str]:  # fmt: skip
    """Create (or update in place) a cron template; the reply is its jid.

    The core computes every fire time; a timezone other than UTC is sent as its
    UTC-offset transitions for 50 years from `now` (`reqless.cron.zone_offsets`).
    """
    from reqless.cron import zone_offsets

    args: list[Arg] = [
        _validate.name("queue name", queue),
        uuid.uuid4().hex if jid is None else _validate.name("jid", jid),
        class_string(klass), sized(encode_data(data), limit), _validate.name("cron", cron),
        "priority", _validate.number("priority", _or_default(priority, defaults.PRIORITY)),
        "tags", _option_list("tags", tags),
        "retries", _validate.nonnegative_int("retries", _or_default(retries, defaults.RETRIES)),
        "throttles", _option_list("throttles", throttles),
        "overlap", _choice("overlap", overlap, OVERLAPS),
        "catchup", _choice("catchup", catchup, CATCHUPS),
        "jitter", _validate.number("jitter", jitter, minimum=0),
    ]  # fmt: skip
    if backlog is not None:
        args += ["backlog", _validate.nonnegative_int("backlog", backlog)]
    if unique is not None:
        args += ["unique", _validate.name("unique", unique)]
    zone_name = _validate.name("timezone", timezone)
    args += ["timezone", zone_name]
    if zone_name != "UTC":
        args += ["zone", zone_offsets(zone_name, time.time() if now is None else now)]
    return Call("queue.recurOnCron", tuple(args), parse_str, repeatable=True)


def _choice(argument: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ArgumentError(f"{argument} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def pop(queue: str, worker: str, count: int | None) -> Call[list[dict[str, Any]]]:
    """Pop up to `count` (default 1) jobs; the reply is their payloads.

    Sent as our worker's `queues.pop` without waiting: the same pop, with job
    objects that leave out history, dependents and dependencies (the Job reads
    them on first use), which saves the server three reads and most of the
    reply per job.
    """
    _validate.name("queue name", queue)
    return Call("queues.pop", (worker, count or 1, 0, queue), _lean_jobs, repeatable=False)


def _lean_jobs(reply: Any) -> list[dict[str, Any]]:
    return list(json.loads(reply)["jobs"])


def peek(queue: str, offset: int | None, count: int | None) -> Call[list[dict[str, Any]]]:
    """Look at up to `count` (default 1) jobs from `offset`; the reply is their payloads."""
    return Call("queue.peek", (queue, offset or 0, count or 1), parse_json, repeatable=True)


def jobs_by_state(queue: str, state: str, offset: int, count: int) -> Call[list[str]]:
    """Jids of the queue's jobs in `state`.

    `stalled` has reqless's one meaning (docs/concepts.md): expired locks, then
    jobs handed back with `job.timeout`, where the core's `queue.jobsByState`
    lists only the expired locks.
    """
    if state == "stalled":
        return Call("queue.stalledJobs", (queue, offset, count), parse_json, repeatable=True)
    return Call("queue.jobsByState", (state, queue, offset, count), parse_json, repeatable=True)


def length(queue: str) -> Call[int]:
    """How many jobs the queue holds (waiting, scheduled, running...)."""
    return Call("queue.length", (queue,), int, repeatable=True)


def stats(queue: str, date: float | str | None) -> Call[dict[str, Any]]:
    """Wait and run statistics for the day of `date` (default today)."""
    when = date if date is not None else repr(time.time())
    return Call("queue.stats", (queue, when), parse_json, repeatable=True)


def counts(queue: str) -> Call[QueueCounts]:
    """Job counts of the queue by state; jobs handed back with `job.timeout` count
    as stalled, not waiting (docs/concepts.md)."""
    return Call("queue.stalledCounts", (queue,), parse_json, repeatable=True)


def core_counts(queue: str) -> Call[QueueCounts]:
    """Job counts of the queue as the core's `queue.counts` gives them (jobs handed
    back with `job.timeout` count as waiting)."""
    return Call("queue.counts", (queue,), parse_json, repeatable=True)


def pause(*queues: str) -> Call[None]:
    """Stop workers from popping the queues."""
    return Call("queue.pause", queues, _nothing, repeatable=True)


def unpause(*queues: str) -> Call[None]:
    """Let workers pop the queues again."""
    return Call("queue.unpause", queues, _nothing, repeatable=True)


def heartbeat_of(queue: str, config: Mapping[str, Any]) -> int:
    """The lock length of `queue` given the server's whole configuration."""
    value = config.get(f"{queue}-heartbeat", config.get("heartbeat", defaults.HEARTBEAT))
    return int(float(value))


def _nothing(reply: Any) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Picked:
    """What a worker's `queues.pop` found: job payloads, or how to wait for some."""

    payloads: list[dict[str, Any]]
    #: The wake lists to BLPOP when nothing was popped (empty: do not block).
    wake: list[str]
    #: Seconds to block at most (less than the wait asked when something comes due).
    block: float
    #: The worker's clock minus the server's, when the reply says (`clock`), else None.
    clock: float | None = None


def ready(queues: Sequence[str]) -> Call[list[str]]:
    """The queues among `queues` a pop could take something from, in order."""
    names = _validate.names("queues", list(queues))
    return Call("queues.ready", tuple(names), lambda r: as_list(json.loads(r)), repeatable=True)


def _picked(reply: Any, wait: float, now: float) -> Picked:
    decoded = json.loads(reply)
    payloads = list(decoded["jobs"])
    if payloads or "wake" not in decoded:
        return Picked(payloads, [], 0.0)
    due = decoded.get("next")
    block = wait if due is None else min(wait, max(float(due) - now, 0.0))
    clock = decoded.get("clock")
    return Picked([], list(decoded["wake"]), block, None if clock is None else float(clock))


def pick(worker: str, limit: int, wait: float, queues: Sequence[str]) -> Call[Picked]:
    """Pop up to `limit` jobs from `queues` for a worker; with none (and `wait` > 0)
    register it to be woken, as `reqless.pickup` explains."""
    now = time.time()
    # Acknowledged: with durable acknowledgement, a job starts only once its
    # lock is on the replicas, so a failover cannot hand it to a second worker.
    return Call("queues.pop", (worker, limit, wait, *queues),
                lambda reply: _picked(reply, wait, now), repeatable=False,
                acknowledged=True)  # fmt: skip


def pick_at(
    worker: str, limit: int, wait: float, clock: float, queues: Sequence[str]
) -> Call[Picked]:
    """`pick` sent behind a BLPOP in one pipeline: `clock` (from the previous reply)
    lets the core tell the worker's time from its own. The wait is read from the
    moment the reply is parsed, since the BLPOP came first."""
    return Call("queues.popAt", (worker, limit, wait, repr(clock), *queues),
                lambda reply: _picked(reply, wait, time.time()), repeatable=False,
                acknowledged=True)  # fmt: skip
