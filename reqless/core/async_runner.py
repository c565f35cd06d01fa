"""The asyncio twin of `CoreRunner`: the only code in `reqless.aio` that runs the core.

The same protocol as `reqless.core.runner` (FCALL of the loaded function library,
FUNCTION LOAD and one retry when the server does not know it, EVALSHA with SCRIPT
LOAD on NOSCRIPT when FUNCTION LOAD is refused or `mode="script"`), the same
argument encoding (`format_now`) and the same error mapping (`core_error`), over
a `redis.asyncio.Redis` connection.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import (
    AskError,
    ClusterDownError,
    NoPermissionError,
    NoScriptError,
    ResponseError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless.core.runner import (
    Arg,
    RunnerMode,
    core_error,
    format_now,
    is_missing_function,
    server_version_problem,
)
from reqless.core.script import CoreScriptText, load_script
from reqless.exceptions import NotRunError, ReqlessError

__all__ = ["AsyncCoreRunner"]


class AsyncCoreRunner:
    """Runs commands of the core against one asyncio Redis connection.

    Args:
        redis: a `redis.asyncio.Redis` created with `decode_responses=True`.
        clock: where `now` comes from when a call does not pass it explicitly.
        mode: `"function"` (FCALL, the default) or `"script"` (EVALSHA).
    """

    def __init__(
        self,
        redis: Redis | RedisCluster,
        clock: Callable[[], float] = time.time,
        mode: RunnerMode = "function",
        keys: tuple[str, ...] = (),
    ) -> None:
        self.redis: Any = redis
        self.clock = clock
        self.mode: RunnerMode = mode
        #: The keys every call names: none, or a namespace's prefix (reqless.keys).
        self.keys = keys
        self.script: CoreScriptText = load_script()
        # In a cluster: the namespace's slot, whose primary gets every call
        # (named, so that redis-py need not ask the server where FCALL's keys go).
        self._slot: int | None = None
        self._stale = True
        if isinstance(redis, RedisCluster):
            if not keys:
                raise ReqlessError(
                    "a cluster needs a namespace: every core call must name the one slot "
                    "its keys live in (AsyncClient(url, namespace=...), --namespace)"
                )
            self._slot = redis.keyslot(keys[0])

    @property
    def clustered(self) -> bool:
        """Whether the calls go to a cluster (to the primary of the namespace's slot)."""
        return self._slot is not None

    def pipelined(self, pipeline: Pipeline) -> AsyncCoreRunner:
        """A runner that buffers its calls into `pipeline` (with this one's clock),
        as `CoreRunner.pipelined` does."""
        return AsyncCoreRunner(pipeline, self.clock, keys=self.keys)

    async def call(self, command: str, *args: Arg, now: float | None = None) -> Any:
        """Run `command` with `args`; `now` defaults to the clock."""
        stamp = format_now(self.clock() if now is None else now)
        try:
            if self.mode == "function":
                return await self._fcall(command, stamp, args)
            return await self._evalsha(command, stamp, args)
        except NoScriptError:
            raise
        except (AskError, ClusterDownError, TryAgainError) as exc:
            if self._slot is None:
                raise core_error(self.script, exc) from exc
            self._stale = True
            raise NotRunError(f"the cluster did not run the call: {exc}") from exc
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self._stale = True
            if "previous master is now a" in str(exc):
                raise NotRunError(f"the primary became a replica: {exc}") from exc
            raise
        except ResponseError as exc:
            raise core_error(self.script, exc) from exc

    async def _execute(self, *parts: Any) -> Any:
        """Send one command: to the slot's primary in a cluster."""
        if self._slot is None:
            return await self.redis.execute_command(*parts)
        if self._stale:
            await self.redis.initialize()
            self._stale = False
        node = self.redis.nodes_manager.get_node_from_slot(self._slot)
        return await self.redis.execute_command(*parts, target_nodes=node)

    async def _fcall(self, command: str, stamp: str, args: tuple[Arg, ...]) -> Any:
        # Straight to the connection unless a cluster needs the node named.
        execute: Callable[..., Awaitable[Any]] = (
            self.redis.execute_command if self._slot is None else self._execute
        )
        name = self.script.function_for(command)
        try:
            return await execute("FCALL", name, len(self.keys), *self.keys, command, stamp, *args)
        except ResponseError as exc:
            if not is_missing_function(exc):
                raise
        if not await self.load():
            return await self._evalsha(command, stamp, args)
        return await execute("FCALL", name, len(self.keys), *self.keys, command, stamp, *args)

    async def _evalsha(self, command: str, stamp: str, args: tuple[Arg, ...]) -> Any:
        try:
            return await self.redis.evalsha(
                self.script.sha, len(self.keys), *self.keys, command, stamp, *args
            )
        except NoScriptError:
            await self.load_script()
            return await self.redis.evalsha(
                self.script.sha, len(self.keys), *self.keys, command, stamp, *args
            )

    async def load(self) -> bool:
        """Load the core in this runner's mode; False when it fell back to the script."""
        if self.mode == "script":
            await self.load_script()
            return False
        await self.check_server_version()
        # In a cluster, on every primary: a failover then finds it loaded.
        targets = [None] if self._slot is None else self.redis.get_primaries()
        try:
            for target in targets:
                extra = {} if target is None else {"target_nodes": target}
                try:
                    await self.redis.execute_command(
                        "FUNCTION", "LOAD", self.script.library, **extra
                    )
                except ResponseError as exc:
                    if "already exists" not in str(exc):
                        raise
        except NoPermissionError:
            # An ACL may allow FCALL-free clients only: run as other clients do.
            self.mode = "script"
            await self.load_script()
            return False
        return True

    async def load_script(self) -> None:
        """Check the server version, then load the EVALSHA script (idempotent)."""
        await self.check_server_version()
        sha = await self.redis.script_load(self.script.text)
        if sha != self.script.sha:
            raise ReqlessError(f"server digest {sha} differs from local {self.script.sha}")

    async def check_server_version(self) -> None:
        """Raise ReqlessError when the server is older than Redis 7.0."""
        problem = server_version_problem(await self.redis.info("server"))
        if problem is not None:
            raise ReqlessError(problem)
