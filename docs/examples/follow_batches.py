"""docs/batches.md: three jobs in a batch, and a callback job once they all completed."""

import os

from follow_jobs import Report, Summary

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))

with client.batch(on_success=(Summary, {"report": "daily"}, "summaries")) as batch:
    for rows in (1, 2, 3):
        batch.put("reports", Report, {"rows": rows})
print(batch.id, batch.state, batch.total)  # closed 3: the block closed it

# What workers do: run the three jobs; the last one to finish puts the callback.
while (job := client.queues["reports"].pop()) is not None:
    job.process()
print(client.batches[batch.id].state)
client.queues["summaries"].pop().process()
