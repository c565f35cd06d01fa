"""The job class of `python -m tests.reliability.cron_hour`: records its start, completes."""

from __future__ import annotations

import json
import time
from typing import Any

from reqless import keys

#: The list each run appends to (tests.reliability.cron_hour.LEDGER).
LEDGER = "cron-hour:ledger"


class Stamp:
    """Appends `{"jid", "slot", "started"}` to the ledger list, then completes."""

    @staticmethod
    def process(job: Any) -> None:
        """Record this run (the slot is the job's nominal time), then complete."""
        started = time.time()
        database = job.client.database
        slot = float(database.hget(keys.job(job.jid), "time") or 0)
        database.rpush(LEDGER, json.dumps({"jid": job.jid, "slot": slot, "started": started}))
        job.complete()
