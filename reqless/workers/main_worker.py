"""A serial worker that owns its process: it installs the operator signals."""

from __future__ import annotations

import os
import signal
from types import FrameType

from reqless.logger import logger
from reqless.workers.base_worker import BaseWorker
from reqless.workers.serial_worker import SerialWorker
from reqless.workers.signals import basic_signal_handler, register_signal_handler

__all__ = ["MainWorker", "install_worker_signals"]


def install_worker_signals(worker: BaseWorker) -> None:
    """The signals an operator sends a worker process (see docs/worker.md).

    TERM and INT stop gracefully (no more pops; the running job may finish for
    `shutdown_timeout` seconds, then it is stopped and handed back to its queue);
    QUIT exits at once (the running job comes back when its lock expires); USR1
    prints the current stack; USR2 opens a debugger.
    """

    def graceful(signum: int, frame: FrameType | None) -> None:
        logger.info("worker %s: %s, stopping after the current job", os.getpid(),
                    signal.Signals(signum).name)  # fmt: skip
        worker.stop()

    def immediate() -> None:
        logger.warning("worker %s: QUIT, exiting now", os.getpid())
        os._exit(0)

    signal.signal(signal.SIGTERM, graceful)
    signal.signal(signal.SIGINT, graceful)
    register_signal_handler(basic_signal_handler(on_quit=immediate))


class MainWorker(SerialWorker):
    """A SerialWorker for the main thread of its own process, with signals installed."""

    def before_run(self) -> None:
        """Install the operator signals."""
        self.install_signals()

    def run(self) -> None:
        """Install the signals, then run jobs until stopped."""
        self.before_run()
        super().run()
