"""The worker machinery: worker classes (one execution mode per module), signals, utilities.

The gevent worker lives in `reqless.workers.gevent_worker` and is never imported here,
so that gevent stays an optional dependency.
"""

from __future__ import annotations

from reqless.workers.base_worker import BaseWorker
from reqless.workers.forking_worker import ForkingWorker
from reqless.workers.main_worker import MainWorker
from reqless.workers.serial_worker import SerialWorker

__all__ = ["BaseWorker", "ForkingWorker", "MainWorker", "SerialWorker"]
