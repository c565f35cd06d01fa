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
from redis.exceptions import NoPermissionError, NoScriptError, ResponseError

from reqless.core.runner import (
    Arg,
    RunnerMode,
    core_error,
    format_now,
    is_missing_function,
    server_version_problem,
)
from reqless.core.script import CoreScriptText, load_script
from reqless.exceptions import ReqlessError

__all__ = ["AsyncCoreRunner"]


class AsyncCoreRunner:
    """Runs commands of the core against one asyncio Redis connection.

    Args:
        redis: a `redis.asyncio.Redis` created with `decode_responses=True`.
        clock: where `now` comes from when a call does not pass it explicitly.
        mode: `"function"` (FCALL, the default) or `"script"` (EVALSHA).
    """

    def __init__(
        self, redis: Redis, clock: Callable[[], float] = time.time, mode: RunnerMode = "function"
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.mode: RunnerMode = mode
        self.script: CoreScriptText = load_script()

    async def call(self, command: str, *args: Arg, now: float | None = None) -> Any:
        """Run `command` with `args`; `now` defaults to the clock."""
        stamp = format_now(self.clock() if now is None else now)
        try:
            if self.mode == "function":
                return await self._fcall(command, stamp, args)
            return await self._evalsha(command, stamp, args)
        except NoScriptError:
            raise
        except ResponseError as exc:
            raise core_error(self.script, exc) from exc

    async def _fcall(self, command: str, stamp: str, args: tuple[Arg, ...]) -> Any:
        # execute_command directly: redis-py's fcall wrapper adds nothing but time.
        execute: Callable[..., Awaitable[Any]] = self.redis.execute_command
        name = self.script.function_for(command)
        try:
            return await execute("FCALL", name, 0, command, stamp, *args)
        except ResponseError as exc:
            if not is_missing_function(exc):
                raise
        if not await self.load():
            return await self._evalsha(command, stamp, args)
        return await execute("FCALL", name, 0, command, stamp, *args)

    async def _evalsha(self, command: str, stamp: str, args: tuple[Arg, ...]) -> Any:
        try:
            return await self.redis.evalsha(self.script.sha, 0, command, stamp, *args)
        except NoScriptError:
            await self.load_script()
            return await self.redis.evalsha(self.script.sha, 0, command, stamp, *args)

    async def load(self) -> bool:
        """Load the core in this runner's mode; False when it fell back to the script."""
        if self.mode == "script":
            await self.load_script()
            return False
        await self.check_server_version()
        try:
            await self.redis.function_load(self.script.library)
        except NoPermissionError:
            # An ACL may allow FCALL-free clients only: run as other clients do.
            self.mode = "script"
            await self.load_script()
            return False
        except ResponseError as exc:
            if "already exists" not in str(exc):
                raise
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
