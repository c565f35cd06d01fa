"""`reqless dev --example`: keep putting the README's gnome jobs, so the UI shows work.

A background thread puts a few `GnomesJob` jobs a second into "underpants" (some of
them delayed, tracked or given a priority), and registers a recurring `ReportJob`
every 30 seconds in "reports". The worker moves each gnome job through the pipeline.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading

from redis.exceptions import RedisError

from reqless.client import Client
from reqless.exceptions import ReqlessError

__all__ = ["EXAMPLE_QUEUES", "ExampleFeed"]

logger = logging.getLogger(__name__)

GNOMES = "reqless.examples.gnomes.GnomesJob"
REPORT = "reqless.examples.gnomes.ReportJob"
#: The queues the example uses, in the order a worker should drain them.
EXAMPLE_QUEUES = ("profit", "unknown", "underpants", "reports")
REPORT_JID = "example-profit-report"


class ExampleFeed:
    """Puts `rate` example jobs a second until stopped."""

    def __init__(self, url: str, rate: float, namespace: str | None = None) -> None:
        self.client = Client(
            url, hostname="reqless-dev-example", retry_window=2.0, namespace=namespace
        )
        self.rate = rate
        self.put = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="example-feed", daemon=True)

    def start(self) -> None:
        self.client.queues["reports"].recur(REPORT, {"what": "profit"}, 30.0, jid=REPORT_JID)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.client.database.close()

    def _run(self) -> None:
        underpants = self.client.queues["underpants"]
        pause = 1.0 / self.rate if self.rate > 0 else 1.0
        for number in itertools.count(1):
            if self._stop.wait(pause):
                return
            if self.rate <= 0:
                continue
            try:
                jid = underpants.put(
                    GNOMES,
                    {"gnome": number, "mishap_rate": 0.05},
                    tags=["gnomes"],
                    priority=random.choice((0, 0, 0, 10)),
                    delay=20.0 if number % 15 == 0 else 0.0,
                )
                if number % 10 == 0:
                    self.client.track(jid)
                self.put += 1
            except (RedisError, ReqlessError) as exc:
                # The server may be restarting; the next tick tries again.
                logger.warning("example: could not put a job: %s", exc)
