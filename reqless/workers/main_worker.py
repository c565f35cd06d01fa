"""A serial worker that owns its process: it installs the operator signals."""

from __future__ import annotations

from reqless.workers.operator_signals import install_worker_signals
from reqless.workers.serial_worker import SerialWorker

__all__ = ["MainWorker", "install_worker_signals"]


class MainWorker(SerialWorker):
    """A SerialWorker for the main thread of its own process, with signals installed."""

    def before_run(self) -> None:
        """Install the operator signals."""
        self.install_signals()

    def run(self) -> None:
        """Install the signals, then run jobs until stopped."""
        self.before_run()
        super().run()
