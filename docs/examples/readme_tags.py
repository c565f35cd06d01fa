"""README, "Tagging / Tracking": track a job, tag jobs, and search by tag.

The README's jids name jobs it put earlier; we put one under that jid first.
`reqless.gnomes.GnomesJob` is the project's `gnomes.GnomesJob`.
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
queue = client.queues["underpants"]
queue.put(gnomes.GnomesJob, "{}", jid="b1882e009a3d11e192d0b174d751779d", tags=["foo"])

client.jobs["b1882e009a3d11e192d0b174d751779d"].track()

queue.put(gnomes.GnomesJob, '{"tags": "aplenty"}', tags=["12345", "foo", "bar"])

jids = client.jobs.tagged("foo")
print(jids)  # {"total": 2, "jobs": [...two jids...]}

job = client.jobs["b1882e009a3d11e192d0b174d751779d"]
job.tag("howdy", "hello")
job.untag("foo", "bar")
