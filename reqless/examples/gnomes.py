"""The README's underpants-gnomes pipeline, with a little realism for `reqless dev --example`.

Each step takes a few tens of milliseconds, now and then fails (so the Failed page has
something to show), and completes into the next step's queue, as in the README.
"""

from __future__ import annotations

import json
import random
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reqless.job import Job

#: The queues of the pipeline, in order.
STEPS = ("underpants", "unknown", "profit")


class GnomesJob:
    """Collect underpants, ?, profit."""

    @staticmethod
    def underpants(job: Job) -> None:
        time.sleep(random.uniform(0.01, 0.08))
        job.complete("unknown")

    @staticmethod
    def unknown(job: Job) -> None:
        time.sleep(random.uniform(0.02, 0.15))
        data = json.loads(job.data)
        if random.random() < float(data.get("mishap_rate", 0.05)):
            # A raised exception fails the job: its group is named after the exception.
            raise RuntimeError(f"gnome {data.get('gnome')} lost the underpants")
        job.complete("profit")

    @staticmethod
    def profit(job: Job) -> None:
        time.sleep(random.uniform(0.01, 0.05))
        job.complete()


class ReportJob:
    """A recurring job: tallies the profit (does nothing but take a moment)."""

    @staticmethod
    def process(job: Job) -> None:
        time.sleep(0.05)
        job.complete()
