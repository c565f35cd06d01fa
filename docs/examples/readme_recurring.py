"""README, "Recurring Jobs": templates that spawn a job every interval.

`myJob` and the README's `...` stand for a job class (and its data), here
`gnomes.GnomesJob`. The README looks the template up by a literal jid; we use
the jid `recur` returned.
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
myJob = gnomes.GnomesJob

jid = client.queues["maintenance"].recur(myJob, '{"tasks": ["sweep", "mop", "scrub"]}', interval=60 * 60 * 24)  # fmt: skip  # noqa: E501

client.queues["maintenance"].recur(myJob, '{"tasks": ["dust"]}', interval=86400, offset=3600)

job = client.jobs[jid]
job.priority = 20
job.tag("foo", "bar")
job.untag("hello")
job.interval = 7200

queue = client.queues["minutely"]
# Recur every minute
jid = queue.recur(myJob, '{"lots": "of jobs"}', 60)
# "That will spawn a job right now"
queue.pop()
# Wait 5 minutes. A script should not sleep that long: instead, re-recur the same
# template (which keeps its count) with its next spawn due four minutes ago,
# exactly where it would stand five minutes after its creation.
queue.recur(myJob, '{"lots": "of jobs"}', 60, offset=-240, jid=jid)
print(len(queue.pop(10)))
# => 5 jobs got popped
