"""The operator signals of a worker process: TERM, INT, QUIT, USR1 and USR2.

Kept apart from `MainWorker` so that every worker class (serial, gevent,
asyncio) installs them without importing the serial worker's subclass.
"""

from __future__ import annotations

import os
import signal
import time
from typing import TYPE_CHECKING

from reqless.logger import logger
from reqless.workers.signals import basic_signal_handler, register_signal_handler
from reqless.workers.util import in_main_thread

if TYPE_CHECKING:
    from reqless.workers.base_worker import BaseWorker

__all__ = ["install_worker_signals"]


def install_worker_signals(worker: BaseWorker) -> None:
    """The signals an operator sends a worker process (see docs/worker.md).

    TERM and INT stop gracefully (no more pops; the running job may finish for
    `shutdown_timeout` seconds, then it is stopped and handed back to its queue);
    QUIT exits at once (the running job comes back when its lock expires); USR1
    prints the current stack; USR2 opens a debugger.

    Signals belong to the main thread. Called from any other thread (a worker
    embedded in an application or a test harness) this installs nothing: the host
    owns its signals, and stops the worker with `worker.stop()`.
    """
    if not in_main_thread():
        logger.debug("%r runs outside the main thread: no signal handlers installed", worker)
        return
    signal.signal(signal.SIGTERM, worker.on_stop_signal)
    signal.signal(signal.SIGINT, worker.on_stop_signal)
    register_signal_handler(basic_signal_handler(on_quit=_exit_now))


def _exit_now() -> None:
    # Straight to standard error, not through logging: a handler must not wait
    # for a lock the code it interrupted may hold.
    pid = os.getpid()
    line = f"{time.strftime('%Y-%m-%d %H:%M:%S')} | PID {pid} | [WARNING] worker {pid}: QUIT"
    try:
        os.write(2, f"{line}, exiting now\n".encode())
    finally:
        os._exit(0)
