"""The only code in reqless that runs the core script.

By default every call is `FCALL <library function> 0 <command> <now> args...`:
the core loaded once as a function library (docs/core-design.md), which saves
the server about 25 µs per call. When the server does not know the function (a
fresh or restarted server, or after FUNCTION FLUSH) it is loaded with FUNCTION
LOAD and the call is retried once. A server that refuses FUNCTION LOAD (an ACL
without it) is called as other clients call it, with `EVALSHA <sha> 0 ...` and
SCRIPT LOAD on NOSCRIPT; `mode="script"` asks for that from the start.

Script errors become CoreError (a ReqlessError) whose message is the core's own
text; the server's full text, with the frame it adds around it, is kept in `raw`.
A call the server refuses because its memory is over `maxmemory` becomes
ServerFullError (docs/operations.md, "When the server is full").
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, Literal

from redis import Redis
from redis.client import Pipeline
from redis.cluster import RedisCluster
from redis.exceptions import (
    AskError,
    ClusterDownError,
    NoPermissionError,
    NoScriptError,
    OutOfMemoryError,
    ResponseError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless.core.cluster_route import SlotRoute
from reqless.core.held_connection import HeldConnection
from reqless.core.script import LIBRARY_PREAMBLE_LINES, CoreScriptText, load_script
from reqless.defaults import MIN_SERVER_VERSION

# The errors live in reqless.exceptions; they stay importable from here.
from reqless.exceptions import CoreError, NotRunError, ReqlessError, ServerFullError
from reqless.types import Arg

__all__ = [
    "Arg",
    "CoreError",
    "CoreRunner",
    "RunnerMode",
    "ServerFullError",
    "core_error",
    "core_message",
    "format_now",
    "is_missing_function",
    "server_version_problem",
]

RunnerMode = Literal["function", "script"]
# The server frames a script error as `<chunk>:<line>: <message> script: <sha>, on
# @<chunk>:<line>.`; Valkey leaves out the sha, an error raised by a server command
# inside the script has no leading `<chunk>:<line>: `, and the message itself may
# span lines or contain "script:".
_FRAME_RE = re.compile(
    r"(?:(?P<chunk>[\w@]+):(?P<line>\d+): )?(?P<message>.*?)"
    r"(?: script: (?:[^,\n]*, )?on @[\w@]+:(?P<tail>\d+)\.)?",
    re.DOTALL,
)


def core_message(raw: str) -> tuple[str, int | None]:
    """The core's message inside the server's error text, and the script line if given."""
    match = _FRAME_RE.fullmatch(raw)
    if match is None:  # pragma: no cover - every text matches; kept for safety
        return raw, None
    line = match.group("line") or match.group("tail")
    return match.group("message"), int(line) if line else None


_FULL = (
    "the server is full (used memory is over its maxmemory): it takes no new jobs "
    "until work is completed or cancelled, or maxmemory is raised"
)


def core_error(script: CoreScriptText, exc: ResponseError) -> CoreError:
    """The CoreError for a script error the server raised, located in `lua/src/`."""
    raw = str(exc)
    if isinstance(exc, OutOfMemoryError) or raw.startswith("OOM "):
        return ServerFullError(f"{_FULL}; the server said: {raw}", None, raw)
    message, line = core_message(raw)
    from reqless.core.build import source_location  # only needed on errors

    if line is not None and "user_function" in raw:
        line -= LIBRARY_PREAMBLE_LINES
    location = source_location(script.text, line) if line is not None else None
    return CoreError(message, location, raw)


def is_missing_function(exc: ResponseError) -> bool:
    """Whether FCALL failed because the library is not loaded (or FCALL is unknown)."""
    # "unknown command" is a server older than 7.0: loading says so clearly.
    text = str(exc).lower()
    return "function not found" in text or "unknown command" in text


def server_version_problem(info: dict[str, Any]) -> str | None:
    """Why the server of `INFO server` cannot run the core, or None."""
    text = str(info.get("redis_version", "0"))
    version = tuple(int(part) for part in re.findall(r"\d+", text)[:2])
    if version < MIN_SERVER_VERSION:
        return f"reqless needs Redis or Valkey 7.0 or newer; the server reports {text}"
    return None


def format_now(now: float) -> str:
    """Render a time for the script: integers plainly, floats round-trip exact."""
    if isinstance(now, int):
        return str(now)
    return repr(float(now))


class CoreRunner:
    """Runs commands of the core against one Redis connection.

    Args:
        redis: a connection created with `decode_responses=True`.
        clock: where `now` comes from when a call does not pass it explicitly.
        mode: `"function"` (FCALL of the loaded library, the default) or
            `"script"` (EVALSHA, as other reqless clients run the core).
    """

    def __init__(
        self,
        redis: Redis | RedisCluster,
        clock: Callable[[], float] = time.time,
        mode: RunnerMode = "function",
        keys: tuple[str, ...] = (),
    ) -> None:
        self.clock = clock
        self.mode: RunnerMode = mode
        #: The keys every call names: none, or a namespace's prefix (reqless.keys).
        self.keys = keys
        self._numkeys_and_keys = (len(keys), *keys)
        self.script: CoreScriptText = load_script()
        # The library function of each command sent so far: one lookup per call.
        self._function_names: dict[str, str] = {}
        # In a cluster, the calls go to the primary of the namespace's slot.
        self._route: SlotRoute | None = None
        if isinstance(redis, RedisCluster):
            if not keys:
                raise ReqlessError(
                    "a cluster needs a namespace: every core call must name the one slot "
                    "its keys live in (Client(url, namespace=...), --namespace)"
                )
            self._route = SlotRoute(redis, keys[0])
            redis = self._route.redis()
        self.redis: Redis = redis
        # A pipeline buffers commands: they must go through it, not around it.
        self._held = None if isinstance(redis, Pipeline) else HeldConnection.of(redis)

    def pipelined(self, pipeline: Pipeline) -> CoreRunner:
        """A runner that buffers its calls into `pipeline` (with this one's clock),
        so that code above the clients never builds a gateway of its own."""
        return CoreRunner(pipeline, self.clock, keys=self.keys)

    def call(self, command: str, *args: Arg, now: float | None = None) -> Any:
        """Run `command` with `args`; `now` defaults to the clock."""
        if now is None:
            now = self.clock()
        # `format_now` spelled out: this runs for every call of every client.
        stamp = str(now) if isinstance(now, int) else repr(float(now))
        try:
            if self._route is not None and self._route.stale:
                self._follow()
            if self.mode == "function":
                return self._fcall(command, stamp, args)
            return self._evalsha(command, stamp, args)
        except NoScriptError:
            raise
        except (RedisConnectionError, RedisTimeoutError, ResponseError) as exc:
            error = self.failure(exc)
            if error is exc:
                raise
            raise error from exc

    def ready(self) -> None:
        """Before a call: in a cluster, find the slot's primary again if it moved."""
        if self._route is not None and self._route.stale:
            self._follow()

    def failure(self, exc: Exception) -> Exception:
        """What a call that failed with `exc` raises: the core's error located, a
        cluster's or a demoted primary's refusal as NotRunError (nothing ran), a
        lost connection as itself (noting, in a cluster, to look for the slot)."""
        if isinstance(exc, AskError | ClusterDownError | TryAgainError):
            return self._moved(exc)
        if isinstance(exc, RedisConnectionError | RedisTimeoutError):
            if self._route is not None:
                self._route.lost()
            if "previous master is now a" in str(exc):
                # Sentinel's client: the write reached a demoted primary, which
                # refused it (READONLY); the next connection asks for the new one.
                return NotRunError(f"the primary became a replica: {exc}")
            return exc
        if isinstance(exc, ResponseError):
            return core_error(self.script, exc)
        return exc

    def _moved(self, exc: ResponseError) -> ReqlessError:
        """The error for a cluster that moved the slot (or has no primary for it yet)."""
        if self._route is None:
            return core_error(self.script, exc)
        self._route.lost()
        return NotRunError(
            f"the cluster did not run the call at {self._route.where()}: {exc} "
            "(it is sent again, to the slot's primary, within the retry window)"
        )

    def _follow(self) -> None:
        """Send the calls to where the cluster now serves the namespace's slot."""
        assert self._route is not None
        self.redis = self._route.redis()
        self._held = HeldConnection.of(self.redis)

    def _fcall(self, command: str, stamp: str, args: tuple[Arg, ...]) -> Any:
        # On a kept connection: redis-py's fcall wrapper and pool add nothing but time.
        execute: Callable[..., Any] = (
            self.redis.execute_command if self._held is None else self._held.execute
        )
        name = self._function_names.get(command)
        if name is None:
            name = self._function_names[command] = self.script.function_for(command)
        try:
            return execute("FCALL", name, *self._numkeys_and_keys, command, stamp, *args)
        except ResponseError as exc:
            if not is_missing_function(exc):
                raise
        if not self.load():
            return self._evalsha(command, stamp, args)
        return execute("FCALL", name, *self._numkeys_and_keys, command, stamp, *args)

    def _evalsha(self, command: str, stamp: str, args: tuple[Arg, ...]) -> Any:
        try:
            return self.redis.evalsha(
                self.script.sha, len(self.keys), *self.keys, command, stamp, *args
            )
        except NoScriptError:
            self.load_script()
            return self.redis.evalsha(
                self.script.sha, len(self.keys), *self.keys, command, stamp, *args
            )

    def load(self) -> bool:
        """Load the core in this runner's mode; False when it fell back to the script.

        Checks the server version first. Loading is idempotent: a library that
        another client loaded meanwhile is fine.
        """
        if self.mode == "script":
            self.load_script()
            return False
        self.check_server_version()
        # In a cluster, on every primary: a failover then finds it loaded.
        targets = [self.redis] if self._route is None else self._route.primaries()
        try:
            for target in targets:
                try:
                    target.function_load(self.script.library)
                except ResponseError as exc:
                    if "already exists" not in str(exc):
                        raise
        except NoPermissionError:
            # An ACL may allow FCALL-free clients only: run as other clients do.
            self.mode = "script"
            self.load_script()
            return False
        return True

    def load_script(self) -> None:
        """Check the server version, then load the EVALSHA script (idempotent)."""
        self.check_server_version()
        sha = self.redis.script_load(self.script.text)
        if sha != self.script.sha:
            raise ReqlessError(f"server digest {sha} differs from local {self.script.sha}")

    def check_server_version(self) -> None:
        """Raise ReqlessError when the server is older than Redis 7.0."""
        problem = server_version_problem(self.redis.info("server"))
        if problem is not None:
            raise ReqlessError(problem)
