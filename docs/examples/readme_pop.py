"""README, "Pop" and "Heartbeating": pop jobs, check the lease, heartbeat, complete.

The README lists `job.complete()` and `job.complete("anotherQueue")` as two ways
to finish; a job can only be finished once, so the second is applied to another
popped job.
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
queue = client.queues["underpants"]
for i in range(25):
    queue.put(gnomes.GnomesJob, {"i": i})

# Get a single job
job = queue.pop()
# Get 20 jobs
jobs = queue.pop(20)

# When I have to heartbeat / complete it by (seconds since epoch)
job.expires_at  # noqa: B018
# How long until it expires
job.ttl  # noqa: B018
print(job.expires_at, job.ttl)

# I call stay-offsies!
job.heartbeat()
# I'm done!
job.complete()

job = jobs[0]
# I'm done with this step, but need to go into another queue
job.complete("anotherQueue")
