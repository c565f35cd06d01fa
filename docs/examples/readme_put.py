"""README, "Business Time!": putting 1000 gnomes to work, twice.

Run with docs/examples on PYTHONPATH so that `import gnomes` works.
"""

import os

import gnomes

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))

queue = client.queues["underpants"]

for i in range(1000):  # noqa: B007
    # The README prints `queue.put(gnomes.GnomesJob, "{"})`, which is not valid
    # Python; the evident intent is empty JSON data as text.
    queue.put(gnomes.GnomesJob, "{}")

# Alternatively, if the job class is not importable from where you're adding
# jobs, you can use the full path of the job class as a string:
for i in range(1000):  # noqa: B007
    queue.put("gnomes.GnomesJob", {})

print(len(queue))
