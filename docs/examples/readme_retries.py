"""README, "Retries": a heist worth retrying ten times.

`reqless.gnomes.GnomesJob` is the project's `gnomes.GnomesJob`.
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
queue = client.queues["underpants"]

queue.put(gnomes.GnomesJob, "{}", retries=10)
