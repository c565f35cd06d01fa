"""docs/progress.md: a job reports its progress; anyone can read it from the job."""

import os

from follow_jobs import Report

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))
jid = client.queues["reports"].put(Report, {"rows": 4})

# What a worker does: pop the job and run it (Report.process calls job.progress).
job = client.queues["reports"].pop()
job.process()

progress = client.jobs[jid].progress_info
print(f"{progress.fraction:.0%} {progress.message}")
