"""A parent process that runs N worker children and keeps them running."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import mmap
import os
import signal
import time
from collections.abc import Iterable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from reqless import defaults
from reqless.abstract import AbstractQueueResolver
from reqless.exceptions import ReqlessError
from reqless.logger import logger
from reqless.queue import Queue
from reqless.util import import_class
from reqless.workers.base_worker import BaseWorker
from reqless.workers.board import JobBoard
from reqless.workers.handback import death_reason, hand_back
from reqless.workers.logs import bind_worker
from reqless.workers.policy import Action, SlotState, decide
from reqless.workers.reaper import Reaper
from reqless.workers.recycling import SlotTurns
from reqless.workers.signals import basic_signal_handler, register_signal_handler
from reqless.workers.util import create_sandbox, in_main_thread

if TYPE_CHECKING:
    from reqless.client import Client
    from reqless.job import Job

__all__ = ["KILL_MARGIN", "NUM_CPUS", "ForkingWorker"]

NUM_CPUS = os.cpu_count() or 1
#: Seconds past `shutdown_timeout` after which a stopping parent SIGKILLs its children.
KILL_MARGIN = 5.0
_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
#: Signals held back around fork: a child acts on them once its handlers are in place.
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGQUIT}


class ForkingWorker(BaseWorker):
    """Supervises `workers` child processes; the parent never runs jobs itself.

    Child `i` works in `<cwd>/reqless-py-workers/sandbox-<i>` under the worker
    name `<name>-<i>` (so each child's locks, resumable jobs and notifications are
    its own). A child that dies is replaced in the same slot at once, unless it
    died before it was up: such a slot is restarted after a back-off (0.5 s,
    doubling up to 30 s) while the other slots carry on. TERM and INT are passed
    on to the children, which stop gracefully; the parent waits for them (up to
    `shutdown_timeout` plus `KILL_MARGIN`, then kills them) and returns. QUIT is
    passed on too, and children exit at once.

    Signal handlers only record the signal; the supervising loop acts on it.
    Run from a thread other than the main one, the parent installs no handlers:
    call `stop()` to stop it.

    Extra keyword arguments: `klass` (the child worker class or its dotted path,
    default SerialWorker), `workers` (number of children, default the CPU count),
    `shutdown_timeout`, and `spaces`: the (client, queues) pairs of several
    namespaces (docs/scale-out.md), served round-robin by slot (slot `i` serves
    `spaces[i % len(spaces)]`: its jobs, heartbeats, hand-back and worker channel
    all go through that client); default `[(client, queues)]`. There must be at
    least as many children as spaces.
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
        spaces: Sequence[tuple[Client, AbstractQueueResolver]] | None = kwargs.pop("spaces", None)
        # Set first: checking the hooks asks the children's class.
        self.klass: type[BaseWorker] = import_class(klass) if isinstance(klass, str) else klass
        # Children resume their own jobs; the parent holds none.
        super().__init__(queues, client, interval, None, **kwargs)
        self.kwargs["resume"] = resume
        self.count = int(count) if count else NUM_CPUS
        #: What each slot serves: a client (of one namespace) and its queues.
        self.spaces = list(spaces) if spaces else [(self.client, self.queue_resolver)]
        if len(self.spaces) > self.count:
            raise ReqlessError(
                f"{len(self.spaces)} namespaces need at least {len(self.spaces)} workers "
                f"(each worker process serves one namespace), not {self.count}"
            )
        #: Slot of each live child, by pid.
        self.sandboxes: dict[int, int] = {}
        self.base_name = self.client.worker_name
        self._stopping: int | None = None
        #: When the stop began (time.monotonic()): the children's shutdown timeout runs from it.
        self._stopped_at: float | None = None
        #: Children killed because a job of theirs did not stop within the kill grace.
        self._doomed: set[int] = set()
        # What each child runs, written by the children (see reqless.workers.board).
        self._board = JobBoard(self.count, self.klass.job_slots(self.kwargs))
        self._signals: list[int] = []
        self._kill_at: float | None = None
        self._killed = False
        self._restart_at: dict[int, float] = {}
        self._failures: dict[int, int] = {}
        # One byte per slot, shared with the children: 1 once the slot's child is up.
        self._ready = mmap.mmap(-1, max(self.count, 1))
        # Each slot's round-robin turn, kept across recycled children.
        self._turns = SlotTurns(self.count)
        # Expired locks in queues nobody pops from (see reqless.workers.reaper), per namespace.
        self._reapers = [Reaper(client) for client, _ in self.spaces]

    def child_name(self, index: int) -> str:
        """The worker name of child slot `index`."""
        return f"{self.base_name}-{index}"

    def slot_space(self, index: int) -> tuple[Client, AbstractQueueResolver]:
        """The client and queues child slot `index` serves (round-robin over `spaces`)."""
        return self.spaces[index % len(self.spaces)]

    def sandbox(self, index: int) -> str:
        """The working directory of child slot `index`."""
        return os.path.join(os.getcwd(), "reqless-py-workers", f"sandbox-{index}")

    # -- children -------------------------------------------------------------

    def spawn(self, index: int) -> int:
        """Fork the child for slot `index`; returns its pid (in the parent)."""
        self._ready[index] = 0
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            raise
        if pid:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            self.sandboxes[pid] = index
            logger.info("started worker child %s in slot %s", pid, index)
            return pid
        code = 0
        try:
            self._child(index, mask)
        except BaseException:
            logger.exception("worker child %s failed", os.getpid())
            code = 1
        finally:
            os._exit(code)

    def _child(self, index: int, mask: set[int | signal.Signals]) -> None:
        parent = os.getppid()
        # Still blocked: default handlers until the worker installs its own.
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        self._waker.close()
        _stop_with_parent(parent)
        client, resolver = self.slot_space(index)
        # Fresh connections: the parent's sockets must not be shared after fork.
        for each, _ in self.spaces:
            each.after_fork()
        client.worker_name = self.child_name(index)
        bind_worker(client.worker_name)
        sandbox = self.sandbox(index)
        with create_sandbox(sandbox):
            os.chdir(sandbox)
            kwargs = {**self.kwargs, "sandbox": sandbox}
            worker = self.klass(resolver, client, **kwargs)
            worker.board = self._board.view(index)
            worker.forked = True
            worker.turn = self._turns.get(index)
            worker.on_ready = functools.partial(self._mark_ready, index)
            worker.install_signals()
            # A stop signal that arrived meanwhile is delivered now, to the worker.
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            try:
                worker.run()
            finally:
                self._turns.save(index, worker.turn)

    def check_hooks(self) -> None:
        """Refuse `async def` hooks unless the children await them (the asyncio worker)."""
        if not self.klass.async_hooks:
            self.hooks.refuse_async(self.klass.__name__)

    def _mark_ready(self, index: int) -> None:
        self._ready[index] = 1

    # -- the supervising loop -------------------------------------------------

    def run(self) -> None:
        """Start the children and keep one running in every slot until stopped."""
        if in_main_thread():
            self._install_signals()
        for index in range(self.count):
            self._start_slot(index)
        while self.sandboxes or (self._restart_at and self._stopping is None):
            self._act_on_signals()
            self._reap()
            self._watch_jobs()
            self._restart_due()
            if self._stopping is None:
                for reaper in self._reapers:
                    reaper.tick()
            if self._gave_up():
                break
            self._waker.wait(self._pause())
        else:
            logger.info("all worker children have exited")

    def _pause(self) -> float:
        pause = defaults.WORKER_CHECK_INTERVAL
        if self._restart_at:
            pause = min(pause, min(self._restart_at.values()) - time.monotonic())
        return max(pause, 0.0)

    def _act_on_signals(self) -> None:
        while self._signals:
            signum = self._signals.pop(0)
            if self._stopping is None:
                self._stopping = signum
                self._stopped_at = time.monotonic()
                self._restart_at.clear()
                self._kill_at = time.monotonic() + self.shutdown_timeout + KILL_MARGIN
                logger.info("worker parent got %s; stopping children", signal.Signals(signum).name)
            for pid in list(self.sandboxes):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signum)

    def _reap(self) -> None:
        for pid, index in list(self.sandboxes.items()):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, status = pid, 0  # reaped elsewhere; its status is unknown
            if done:
                del self.sandboxes[pid]
                self._exited(pid, index, status)

    def _exited(self, pid: int, index: int, status: int) -> None:
        self._doomed.discard(pid)
        self._hand_back(index, status)
        if self._stopping is not None:
            logger.info("worker child %s (slot %s) exited: %s", pid, index, _describe(status))
            return
        # Status 0 while the parent runs on: a recycled child (or one sent TERM alone).
        log = logger.info if status == 0 else logger.warning
        log("worker child %s (slot %s) exited: %s", pid, index, _describe(status))
        if self._ready[index]:
            self._failures[index] = 0
            self._start_slot(index)
            return
        # It died before it was up (a bad import, an unusable sandbox): restarting
        # it at once would spin. Only this slot waits; the loop goes on.
        failures = self._failures[index] = self._failures.get(index, 0) + 1
        delay = min(0.5 * 2 ** (failures - 1), defaults.WORKER_RESTART_BACKOFF_CAP)
        logger.warning("worker slot %s failed at start-up; restarting it in %.1fs", index, delay)
        self._restart_at[index] = time.monotonic() + delay

    def _hand_back(self, index: int, status: int) -> None:
        """Give back at once the jobs a child left running when it died (reqless.workers.handback).

        Not after a clean exit (status 0): a child exits so after a graceful stop,
        which settles its jobs, and after QUIT, which leaves them locked on purpose
        (to be resumed, or to expire).
        """
        entries = self._board.entries(index)
        self._board.clear(index)
        if status == 0 or self._stopping == signal.SIGQUIT:
            return
        reason = death_reason(status)
        started = time.monotonic()
        client = self.slot_space(index)[0]
        jids = hand_back(client, self.child_name(index), entries, reason, started)
        if jids:
            logger.info("handed back %s job(s) of slot %s in %.1f ms", len(jids), index,
                        (time.monotonic() - started) * 1000)  # fmt: skip

    def _watch_jobs(self) -> None:
        """Kill a child whose job did not stop within the kill grace (the policy decides)."""
        now, wall = time.monotonic(), time.time()
        quitting = self._stopping == signal.SIGQUIT
        stopping = None if quitting else self._stopped_at
        limits = self.settings.limits
        for pid, index in list(self.sandboxes.items()):
            if pid in self._doomed:
                continue
            for entry in self._board.entries(index):
                slot = SlotState(started_at=entry.started_at, timeout=entry.timeout,
                                 halted=entry.halted, halted_at=entry.halted_at)  # fmt: skip
                if decide(slot, now, wall, stopping, limits).action is Action.KILL:
                    logger.error(
                        "job %s in worker child %s (slot %s) did not stop within the kill "
                        "grace of %gs; killing the child", entry.jid, pid, index, limits.kill_grace,
                    )  # fmt: skip
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    self._doomed.add(pid)
                    break

    def _restart_due(self) -> None:
        now = time.monotonic()
        for index, when in list(self._restart_at.items()):
            if when <= now:
                del self._restart_at[index]
                self._start_slot(index)

    def _start_slot(self, index: int) -> None:
        try:
            self.spawn(index)
        except OSError as exc:  # out of processes or memory: try again soon
            logger.error("could not start a worker child in slot %s: %s", index, exc)
            self._restart_at[index] = time.monotonic() + 1.0

    def _gave_up(self) -> bool:
        """Past the stop deadline, SIGKILL the children; True when even that did not work."""
        if self._kill_at is None or time.monotonic() < self._kill_at:
            return False
        if self._killed:
            logger.error("worker children %s did not die; leaving them",
                         ", ".join(map(str, self.sandboxes)))  # fmt: skip
            return True
        for pid in list(self.sandboxes):
            logger.error("worker child %s did not stop in time; killing it", pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        # A killed child dies at once, unless stuck in the kernel: do not wait forever.
        self._killed = True
        self._kill_at = time.monotonic() + KILL_MARGIN
        return False

    # -- signals --------------------------------------------------------------

    def _install_signals(self) -> None:
        for signum in _STOP_SIGNALS:
            signal.signal(signum, self._on_signal)
        # USR1/USR2 would otherwise terminate the parent and orphan its children.
        register_signal_handler(basic_signal_handler(on_quit=self.stop), ("USR1", "USR2"))

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop(signum)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Pass `sig` on to every child; `run()` returns once they are gone.

        Safe from any thread and from a signal handler: it records the request
        and wakes the supervising loop, which does the work.
        """
        self._signals.append(sig)
        super().stop()

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
