"""The sweep that finds expired locks in queues nobody pops from.

The core notices that a job's lock expired only when someone pops that job's
queue: the pop hands the job to the popper (and uses up one of its retries).
A queue whose workers are all gone, or all busy with long jobs, would keep a
dead worker's job `running` for ever, holding its throttle slots too. So the
worker program sweeps every known queue every `interval` seconds and retries
each job whose lock expired more than `grace-period + margin` seconds ago: by
then a worker popping that queue would have reclaimed it, so the sweep only
acts where no pop did. A retry is what a pop does to such a job: one retry is
used up, and a job out of retries fails in group `failed-retries-<queue>`.

A job reaped this way is back in its queue at most
`heartbeat + grace-period + margin + interval` seconds after its worker
last heartbeated it (docs/reliability.md).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

from reqless import defaults
from reqless._calls import job as calls
from reqless.exceptions import DurabilityError, ReqlessError
from reqless.logger import logger

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["Reaper"]

#: Expired locks looked at per queue and sweep; the next sweep takes the rest.
_BATCH = 100


class Reaper:
    """Retries jobs whose lock expired long ago in any queue.

    Args:
        client: the client to sweep with (its worker name is not used).
        interval: seconds between sweeps (see `due`).
        margin: seconds past expiry plus the grace period before a job is taken back.
    """

    def __init__(
        self,
        client: Client,
        interval: float = defaults.REAPER_INTERVAL,
        margin: float = defaults.REAPER_MARGIN,
    ) -> None:
        self.client = client
        self.interval = interval
        self.margin = margin
        self._next = time.monotonic() + interval

    def tick(self) -> list[str]:
        """Sweep when a sweep is due; returns the jids taken back.

        Never raises for a server problem: the sweep is logged and tried again
        at the next interval.
        """
        now = time.monotonic()
        if now < self._next:
            return []
        self._next = now + self.interval
        try:
            # A plain PING fails at once when the server is down, where the
            # client's calls would retry for its retry window and hold up the
            # caller (the worker parent's supervising loop).
            self.client.database.ping()
            return self.sweep()
        except (RedisError, ReqlessError) as exc:
            logger.warning("could not sweep for expired locks: %s", exc)
            return []

    def sweep(self) -> list[str]:
        """Take back, once, every job whose lock expired more than the margin ago."""
        grace = float(self.client.config.get("grace-period") or 0)
        reaped: list[str] = []
        for counts in self.client.queues.counts:
            if counts["stalled"]:
                reaped += self._sweep_queue(counts["name"], time.time() - grace - self.margin)
        return reaped

    def _sweep_queue(self, queue: str, cutoff: float) -> list[str]:
        jids = self.client.queues[queue].jobs.stalled(0, _BATCH)
        reaped = []
        for job in self.client.jobs.get(*jids):
            if job.state != "running" or job.expires_at > cutoff:
                continue
            try:
                # Named as the holder: a job completed or handed out since the
                # listing is refused by the core and left alone.
                retry = calls.retry(job.jid, job.queue_name, job.worker_name, 0, None, None)
                left = self.client._run(retry)
            except DurabilityError as exc:
                logger.error("job %s: %s", job.jid, exc)  # retried on the primary all the same
                left = exc.reply
            except ReqlessError as exc:
                logger.debug("left job %s alone: %s", job.jid, exc)
                continue
            logger.warning(
                "job %s in queue %s: the lock of worker %s expired and no pop took it back; %s",
                job.jid, queue, job.worker_name,
                "retried" if left >= 0 else "out of retries, failed",
            )  # fmt: skip
            reaped.append(job.jid)
        return reaped
