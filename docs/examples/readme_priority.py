"""README, "Priority": a valuable job first, and changing a waiting job's priority.

The README's `reqless.gnomes.GnomesJob` means the gnomes module of your project,
here `gnomes.GnomesJob`. The README looks up a job by a jid it got earlier; we
put a job under that jid first.
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
queue = client.queues["underpants"]
queue.put(gnomes.GnomesJob, "{}", jid="83da4d32a0a811e1933012313b062cf1")

queue.put(gnomes.GnomesJob, '{"address": "123 Brief St."}', priority = 10)  # fmt: skip

job = client.jobs["83da4d32a0a811e1933012313b062cf1"]
job.priority = 25
