"""README, "Scheduled Jobs": jobs that may only be popped after a delay.

`reqless.gnomes.GnomesJob` in the README is the project's `gnomes.GnomesJob`.
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
queue = client.queues["underpants"]

queue.put(gnomes.GnomesJob, {}, delay=3600)

queue.put(gnomes.GnomesJob, {}, delay=3600, priority=100)

print(queue.pop())  # None: both jobs are scheduled an hour from now
