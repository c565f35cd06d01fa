"""The only code in reqless that runs the core script.

Every call is `EVALSHA <sha> 0 <command> <now> args...`. When the server does not
know the script (a fresh or restarted server, or after SCRIPT FLUSH) it is loaded
with SCRIPT LOAD and the call is retried once. Script errors become CoreError
(a ReqlessError) whose message is the core's own text; the server's full text,
with the frame it adds around it, is kept in `raw`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import NoScriptError, ResponseError

from reqless.core.script import CoreScriptText, load_script
from reqless.defaults import MIN_SERVER_VERSION
from reqless.exceptions import ReqlessError

__all__ = ["Arg", "CoreError", "CoreRunner", "core_message", "format_now"]

Arg = str | int | float
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


class CoreError(ReqlessError):
    """An error raised by the core script.

    `str(error)` is the core's message (`Put(): Arg "delay" not a number: x`);
    `raw` is the server's full text, and `location` the line in `lua/src/`.
    """

    def __init__(self, message: str, location: str | None = None, raw: str | None = None) -> None:
        super().__init__(message)
        self.location = location
        self.raw = message if raw is None else raw


def format_now(now: float) -> str:
    """Render a time for the script: integers plainly, floats round-trip exact."""
    if isinstance(now, int):
        return str(now)
    return repr(float(now))


class CoreRunner:
    """Runs commands of the core script against one Redis connection.

    Args:
        redis: a connection created with `decode_responses=True`.
        clock: where `now` comes from when a call does not pass it explicitly.
    """

    def __init__(self, redis: Redis, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.clock = clock
        self.script: CoreScriptText = load_script()

    def call(self, command: str, *args: Arg, now: float | None = None) -> Any:
        """Run `command` with `args`; `now` defaults to the clock."""
        stamp = format_now(self.clock() if now is None else now)
        try:
            try:
                return self.redis.evalsha(self.script.sha, 0, command, stamp, *args)
            except NoScriptError:
                self.load()
                return self.redis.evalsha(self.script.sha, 0, command, stamp, *args)
        except NoScriptError:
            raise
        except ResponseError as exc:
            raise self._core_error(exc) from exc

    def load(self) -> None:
        """Check the server version, then load the script (idempotent)."""
        self.check_server_version()
        sha = self.redis.script_load(self.script.text)
        if sha != self.script.sha:
            raise ReqlessError(f"server digest {sha} differs from local {self.script.sha}")

    def check_server_version(self) -> None:
        """Raise ReqlessError when the server is older than Redis 7.0."""
        info = self.redis.info("server")
        text = str(info.get("redis_version", "0"))
        version = tuple(int(part) for part in re.findall(r"\d+", text)[:2])
        if version < MIN_SERVER_VERSION:
            raise ReqlessError(
                f"reqless needs Redis or Valkey 7.0 or newer; the server reports {text}"
            )

    def _core_error(self, exc: ResponseError) -> CoreError:
        raw = str(exc)
        message, line = core_message(raw)
        from reqless.core.build import source_location  # only needed on errors

        location = source_location(self.script.text, line) if line is not None else None
        return CoreError(message, location, raw)
