"""Exceptions raised by reqless: one root, a shallow tree."""

from __future__ import annotations

from typing import Any

from redis.exceptions import AuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError

__all__ = [
    "ArgumentError",
    "CoreError",
    "DurabilityError",
    "JobResultError",
    "LostLockError",
    "MissingExtraError",
    "NotRunError",
    "ReqlessError",
    "ServerAccessError",
    "ServerFullError",
    "ServerPasswordError",
    "UniqueConflictError",
    "WaitTimeoutError",
]


class ReqlessError(Exception):
    """Root of every error reqless raises on purpose.

    Errors raised by the core script (`CoreError`) read as the core's
    documented message, so callers can match on it; the server's full text, with
    the script digest and line it appends, is kept in the error's `raw` attribute.
    A bad argument is refused with a ReqlessError naming it, before anything is sent.
    """


class ArgumentError(ReqlessError):
    """A bad argument, refused by the client before anything was sent.

    Tells "refused before sending" apart from a refusal by the server (the CLI
    exits 2 for the one, 1 for the other). Also importable from `reqless._validate`.
    """


class CoreError(ReqlessError):
    """An error raised by the core script.

    `str(error)` is the core's message (`Put(): Arg "delay" not a number: x`);
    `raw` is the server's full text, and `location` the line in `lua/src/`.
    Also importable from `reqless.core`.
    """

    def __init__(self, message: str, location: str | None = None, raw: str | None = None) -> None:
        super().__init__(message)
        self.location = location
        self.raw = message if raw is None else raw


class ServerFullError(CoreError):
    """The server refused a call that adds jobs: its used memory is over `maxmemory`.

    Reads and the calls that move work towards done (pop, heartbeat, complete,
    fail, retry, cancel) still run; completing or cancelling jobs, or raising
    `maxmemory`, makes room (docs/operations.md). Also importable from `reqless.core`.
    """


class UniqueConflictError(CoreError):
    """A put with `on_conflict="error"` named a unique key another live job holds.

    `jid` is the holding job's jid and `key` the unique key; `str(error)` is the
    core's message (`Put(): unique key "invoice:42" is held by job <jid>`).
    Nothing was written.
    """

    def __init__(
        self,
        jid: str,
        key: str,
        message: str | None = None,
        location: str | None = None,
        raw: str | None = None,
    ) -> None:
        super().__init__(
            message or f'Put(): unique key "{key}" is held by job {jid}', location, raw
        )
        self.jid = jid
        self.key = key


class MissingExtraError(ReqlessError, ImportError):
    """A part of reqless was asked for whose optional packages are not installed.

    An ImportError too, so `import reqless.ui` without the extra fails as an
    import does, with a message that says what to install. Also importable
    from `reqless.extras`.
    """

    def __init__(self, extra: str, what: str, modules: list[str]) -> None:
        super().__init__(
            f"{what} needs the reqless[{extra}] extra ({', '.join(modules)} not installed): "
            f"pip install 'reqless[{extra}]'"
        )
        self.extra = extra
        self.modules = modules


class DurabilityError(ReqlessError):
    """A write was applied on the primary, but not acknowledged as durable in time.

    Raised by a client made with `durability=` (`reqless.durability.Durability`)
    when fewer replicas or disks than asked reported the write of a put,
    put_many, complete, fail or retry within the timeout, or the server refused
    the wait. The write itself happened: `reply` is the call's reply (a put's
    jid, a retry's retries left...), so a caller can still use it. `command` is
    the core command, and `acknowledged` what came back (`replicas`,
    `local_disk`, `replica_disk`: the counts the server reported). `jid` names
    the job of a complete, fail or retry made through a job (else None).
    """

    def __init__(
        self, message: str, *, command: str, reply: object, acknowledged: dict[str, int]
    ) -> None:
        super().__init__(message)
        self.command = command
        self.reply: Any = reply
        self.acknowledged = acknowledged
        self.jid: str | None = None


class LostLockError(ReqlessError):
    """The worker no longer holds the job it tried to act on.

    Raised when the server refuses a heartbeat, complete, fail or retry because
    the job was moved, cancelled, completed, or handed to another worker after
    its lock expired, or because another client, which never held it, asked.
    `args` is `(jid,)`; `reason` keeps the core's message.
    """

    def __init__(self, jid: str, reason: str | None = None) -> None:
        super().__init__(jid)
        self.jid = jid
        self.reason = reason

    def __str__(self) -> str:
        if self.reason:
            return f"lost the lock on job {self.jid}: {self.reason}"
        return f"lost the lock on job {self.jid}"


class NotRunError(RedisConnectionError, ReqlessError):
    """The server refused a command without running it, for a while: a cluster
    whose slot has no primary yet (CLUSTERDOWN, TRYAGAIN) or that moved it again
    during a failover or a resharding.

    A `redis.exceptions.ConnectionError`, so clients retry it within their retry
    window like a connection that could not be made, whatever the command:
    nothing ran.
    """


class ServerAccessError(RedisConnectionError, ReqlessError):
    """The server cannot be used as the URL says, and retrying will not help.

    It wants a password the URL lacks, refused the one given, or does not speak
    TLS although the URL starts with `rediss://`; or a `redis+cluster://` URL names
    servers not in cluster mode, a `redis+sentinel://` one a service its
    sentinels do not know, or servers that are no sentinels (`reqless.topology`).
    The message says what to change; the redis error is the cause (`__cause__`).
    `problem` is `"password"`, `"wrong-password"`, `"tls"`, `"not-a-cluster"`,
    `"unknown-service"` or `"not-a-sentinel"`, and `url` the server's URL with any
    password hidden. A `redis.exceptions.ConnectionError` too, so code that handles a
    server it cannot reach handles this one.
    """

    def __init__(self, message: str, *, problem: str, url: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.url = url


class ServerPasswordError(ServerAccessError, AuthenticationError):
    """A `ServerAccessError` about the password (`problem` `"password"` or
    `"wrong-password"`); still a `redis.exceptions.AuthenticationError`, which is
    what a client raised for it before."""


class JobResultError(ReqlessError):
    """What a job's handler returned cannot be kept as its result (not JSON, or over
    the server's `max-result-size`): the worker fails the job with this
    (group `<queue>-JobResultError`) instead of completing it."""


class WaitTimeoutError(ReqlessError, TimeoutError):
    """A job waited for (`client.jobs.wait`) did not finish within the time-out.

    `jid` is the job's, `timeout` the seconds waited, `state` its last known state.
    The job itself is untouched.
    """

    def __init__(self, jid: str, timeout: float, state: str) -> None:
        super().__init__(f"job {jid} did not finish within {timeout:g} s (it is {state})")
        self.jid = jid
        self.timeout = timeout
        self.state = state
