"""A parent process that runs N worker children and keeps them running."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from collections.abc import Iterable
from types import FrameType
from typing import TYPE_CHECKING, Any

from reqless.abstract import AbstractQueueResolver
from reqless.logger import logger
from reqless.queue import Queue
from reqless.util import import_class
from reqless.workers.base_worker import BaseWorker
from reqless.workers.signals import basic_signal_handler, register_signal_handler
from reqless.workers.util import create_sandbox

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job

__all__ = ["NUM_CPUS", "ForkingWorker"]

NUM_CPUS = os.cpu_count() or 1
_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


class ForkingWorker(BaseWorker):
    """Supervises `workers` child processes; the parent never runs jobs itself.

    Child `i` works in `<cwd>/reqless-py-workers/sandbox-<i>` under the worker
    name `<name>-<i>` (so each child's locks, resumable jobs and notifications are
    its own). A child that dies is replaced in the same slot. TERM and INT are
    passed on to the children, which stop gracefully; the parent waits for them
    (up to `shutdown_timeout` plus a margin, then kills them) and exits. QUIT is
    passed on too, and children exit at once.

    Extra keyword arguments: `klass` (the child worker class or its dotted path,
    default SerialWorker), `workers` (number of children, default the CPU count),
    and `shutdown_timeout`.
    """

    def __init__(
        self,
        queues: Iterable[str | Queue] | AbstractQueueResolver,
        client: Client,
        interval: float | None = None,
        resume: bool | list[Job] | None = None,
        **kwargs: Any,
    ) -> None:
        klass = kwargs.pop("klass", None) or "reqless.workers.serial_worker.SerialWorker"
        count = kwargs.pop("workers", None)
        # Children resume their own jobs; the parent holds none.
        super().__init__(queues, client, interval, None, **kwargs)
        self.kwargs["resume"] = resume
        self.klass: type[BaseWorker] = import_class(klass) if isinstance(klass, str) else klass
        self.count = int(count) if count else NUM_CPUS
        self.sandboxes: dict[int, int] = {}
        self.base_name = self.client.worker_name
        self.shutdown_timeout = float(self.kwargs.get("shutdown_timeout", 30.0))
        self._stopping: int | None = None
        self._started: dict[int, float] = {}
        self._quick_failures: dict[int, int] = {}

    def child_name(self, index: int) -> str:
        """The worker name of child slot `index`."""
        return f"{self.base_name}-{index}"

    def sandbox(self, index: int) -> str:
        """The working directory of child slot `index`."""
        return os.path.join(os.getcwd(), "reqless-py-workers", f"sandbox-{index}")

    def spawn(self, index: int) -> int:
        """Fork the child for slot `index`; returns its pid (in the parent)."""
        pid = os.fork()
        if pid:
            self.sandboxes[pid] = index
            self._started[index] = time.monotonic()
            logger.info("started worker child %s in slot %s", pid, index)
            return pid
        code = 0
        try:
            self._child(index)
        except BaseException:
            logger.exception("worker child %s failed", os.getpid())
            code = 1
        finally:
            os._exit(code)

    def _child(self, index: int) -> None:
        parent = os.getppid()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        _stop_with_parent(parent)
        # A fresh connection: the parent's sockets must not be shared after fork.
        self.client.database.connection_pool.reset()
        self.client.worker_name = self.child_name(index)
        sandbox = self.sandbox(index)
        with create_sandbox(sandbox):
            os.chdir(sandbox)
            kwargs = {**self.kwargs, "sandbox": sandbox}
            worker = self.klass(self.queue_resolver, self.client, **kwargs)
            worker.install_signals()
            worker.run()

    def run(self) -> None:
        """Start the children and keep one running in every slot until stopped."""
        self._install_signals()
        for index in range(self.count):
            self.spawn(index)
        while self.sandboxes:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            if pid not in self.sandboxes:
                continue
            index = self.sandboxes.pop(pid)
            if self._stopping is None:
                logger.warning("worker child %s (slot %s) exited: %s", pid, index,
                               _describe(status))  # fmt: skip
                self._respawn(index)
            else:
                logger.info("worker child %s (slot %s) exited: %s", pid, index, _describe(status))
        logger.info("all worker children have exited")

    def _respawn(self, index: int) -> None:
        # A child that dies right after starting (a bad import, the server down)
        # would otherwise be restarted in a tight loop: back off, up to 30s.
        lived = time.monotonic() - self._started.get(index, 0.0)
        failures = self._quick_failures.get(index, 0) + 1 if lived < 5 else 0
        self._quick_failures[index] = failures
        if failures:
            delay = min(0.5 * 2 ** (failures - 1), 30.0)
            logger.warning("worker slot %s failed quickly; restarting in %.1fs", index, delay)
            time.sleep(delay)
            if self._stopping is not None:
                return
        self.spawn(index)

    def _install_signals(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(signum, self._on_signal)
        # USR1/USR2 would otherwise terminate the parent and orphan its children.
        register_signal_handler(basic_signal_handler(on_quit=self.stop), ("USR1", "USR2"))

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._stopping is None:
            self._stopping = signum
            logger.info("worker parent got %s; stopping children", signal.Signals(signum).name)
        self.stop(signum)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Pass `sig` on to every child; kill them if they outlive the grace period."""
        self.shutdown = True
        if self._stopping is None:
            self._stopping = sig
        for pid in list(self.sandboxes):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                self.sandboxes.pop(pid, None)
        if sig != signal.SIGKILL:
            deadline = time.monotonic() + self.shutdown_timeout + 5
            signal.signal(signal.SIGALRM, lambda *_: self._kill_children())
            signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.1))

    def _kill_children(self) -> None:
        for pid in list(self.sandboxes):
            logger.error("worker child %s did not stop in time; killing it", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def halt_job_processing(self, jid: str) -> None:
        """The parent runs no jobs."""


def _stop_with_parent(parent: int) -> None:
    """Have Linux send this child TERM (a graceful stop) if its parent dies.

    Without it, a parent killed with SIGKILL would leave its children working on,
    unsupervised. Elsewhere this is a no-op.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"status {os.WEXITSTATUS(status)}"
