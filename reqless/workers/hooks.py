"""Worker hooks: code of yours the worker calls at fixed points of its life and each job's.

A hooks module (or any object) may define any of `HOOK_NAMES`:

- `after_fork(worker)`: in each forked child, before `on_start` (re-create a
  database connection pool, re-seed a random generator, ...);
- `on_start(worker)`: in each process that runs jobs, before its first job;
- `before_job(job)`: before the job's handler, in its sandbox;
- `on_failure(job, exc)`: the handler raised `exc` (the job was failed or retried);
- `after_job(job, outcome)`: after the job, whatever happened (`Outcome`);
- `on_stop(worker)`: when the worker stops, after its last job.

A hook that raises is logged with its traceback; the worker and the job's
outcome carry on. `async def` hooks are awaited by the asyncio worker and
refused (at start) by every other mode. See docs/worker.md.
"""

from __future__ import annotations

import asyncio
import difflib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reqless.exceptions import ReqlessError
from reqless.logger import logger

__all__ = ["HOOK_NAMES", "Hooks", "Outcome"]

#: Every hook a hooks module may define, in the order a worker calls them.
HOOK_NAMES = ("after_fork", "on_start", "before_job", "on_failure", "after_job", "on_stop")


class Outcome(StrEnum):
    """What became of a job, as `after_job(job, outcome)` gets it."""

    #: Completed (or advanced into another queue with `complete(next_queue)`).
    COMPLETE = "complete"
    #: Failed (the handler raised, called `fail()`, or could not be imported).
    FAILED = "failed"
    #: Put back into its queue to run again (`retry()` or a retry policy).
    RETRIED = "retried"
    #: Stopped at its time limit (and failed in `<queue>-TimeoutError`).
    TIMEOUT = "timeout"
    #: The server took it away (lock lost, cancelled or moved by someone else).
    LOST = "lost"
    #: Stopped by a shutdown and handed back to its queue.
    SHUTDOWN = "shutdown"
    #: Moved into another queue by the handler (`move()`).
    MOVED = "moved"
    #: Cancelled by the handler.
    CANCELLED = "cancelled"
    #: The handler returned leaving it running (it is retried when its lock expires).
    LEFT_RUNNING = "left-running"
    #: The server could not be asked.
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Hooks:
    """The hooks a worker calls, each a callable or None; `source` names where they came from."""

    after_fork: Callable[..., Any] | None = None
    on_start: Callable[..., Any] | None = None
    before_job: Callable[..., Any] | None = None
    on_failure: Callable[..., Any] | None = None
    after_job: Callable[..., Any] | None = None
    on_stop: Callable[..., Any] | None = None
    source: str = field(default="", compare=False)

    @classmethod
    def load(cls, given: object) -> Hooks:
        """The hooks of `given`: a dotted module path, a module or any object (None: none).

        Raises ReqlessError naming the problem: a module that does not import, a
        hook that is not callable, or a name that looks like a misspelt hook
        (`before_jobs`: did you mean `before_job`?).
        """
        if given is None:
            return cls()
        if isinstance(given, Hooks):
            return given
        if isinstance(given, str):
            if not given.strip():
                raise ReqlessError("hooks: the module path is empty")
            try:
                target: object = importlib.import_module(given)
            except Exception as exc:
                raise ReqlessError(
                    f"hooks module {given!r} could not be imported: {type(exc).__name__}: {exc}"
                ) from exc
            source = given
        else:
            target, source = given, getattr(given, "__name__", type(given).__name__)
        found: dict[str, Callable[..., Any]] = {}
        for name in HOOK_NAMES:
            hook = getattr(target, name, None)
            if hook is None:
                continue
            if not callable(hook):
                raise ReqlessError(f"hooks {source}: {name} is not callable, got {hook!r}")
            found[name] = hook
        _refuse_typos(target, source)
        return cls(**found, source=source)

    def coroutine_hooks(self) -> list[str]:
        """The names of the hooks that are `async def`."""
        return [name for name in HOOK_NAMES if _is_async(getattr(self, name))]

    def refuse_async(self, mode: str) -> None:
        """Raise ReqlessError when an `async def` hook is given to `mode`, which cannot await it."""
        names = self.coroutine_hooks()
        if names:
            raise ReqlessError(
                f"hooks {self.source}: {', '.join(names)} is async def, which only the "
                f"asyncio worker (--asyncio) awaits; {mode} needs plain functions"
            )

    def call(self, name: str, *args: Any) -> None:
        """Call hook `name` (if defined); an Exception it raises is logged, not raised."""
        hook = getattr(self, name)
        if hook is None:
            return
        try:
            hook(*args)
        except Exception:
            logger.exception("worker hook %s (%s) raised; carrying on", name, self.source)

    async def acall(self, name: str, *args: Any) -> None:
        """Call hook `name` (if defined) and await it when it is async; errors are logged."""
        hook = getattr(self, name)
        if hook is None:
            return
        try:
            result = hook(*args)
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("worker hook %s (%s) raised; carrying on", name, self.source)


def _is_async(hook: Callable[..., Any] | None) -> bool:
    if hook is None:
        return False
    return inspect.iscoroutinefunction(hook) or inspect.iscoroutinefunction(
        getattr(hook, "__call__", None)  # noqa: B004 - an object with an async __call__
    )


def _refuse_typos(target: object, source: str) -> None:
    """A public name close to a hook's but not one (`before_jobs`) is most likely a typo."""
    for name in dir(target):
        if name.startswith("_") or name in HOOK_NAMES:
            continue
        close = difflib.get_close_matches(name, HOOK_NAMES, n=1, cutoff=0.85)
        if close and callable(getattr(target, name, None)):
            raise ReqlessError(
                f"hooks {source}: {name} is not a hook name; did you mean {close[0]}? "
                f"(hooks: {', '.join(HOOK_NAMES)})"
            )
