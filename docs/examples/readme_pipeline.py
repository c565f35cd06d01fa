"""README, "Business Time!": one gnome job through underpants, unknown and profit.

A worker pops each job and calls `job.process()`, which runs the GnomesJob
method named after the job's queue. This script plays the worker by hand.
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))

jid = client.queues["underpants"].put(gnomes.GnomesJob, {})
for step in ["underpants", "unknown", "profit"]:
    job = client.queues[step].pop()
    job.process()
    print(step, "->", client.jobs[jid])
