"""`reqless-py-worker`, with each child's main loop under cProfile (CPU time).

The profiler's clock is `time.process_time`, so time spent waiting for the
server's reply does not count: what is left is the client's own CPU per job
(including the kernel's share of sending and receiving).

Run as `<python> bench/agents/profile_worker.py <worker arguments>` with
`BENCH_PROFILE_DIR` set; each serial child writes `worker-<pid>.prof` there when
its loop ends (the harness stops the worker with SIGTERM after the drain).
"""

from __future__ import annotations

import cProfile
import os
import sys
import time
from typing import Any

from reqless.cli.worker import main
from reqless.workers.serial_worker import SerialWorker

_run = SerialWorker.run


def profiled_run(self: Any) -> None:
    """SerialWorker.run, profiled; the profile is written however the loop ends."""
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        _run(self)
    finally:
        profiler.disable()
        profiler.dump_stats(
            os.path.join(os.environ["BENCH_PROFILE_DIR"], f"worker-{os.getpid()}.prof")
        )


SerialWorker.run = profiled_run  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
