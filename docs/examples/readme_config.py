"""README, "Configuration Options": keep the last 500 jobs for up to 7 days."""

import os

import reqless

client = reqless.Client(os.environ.get("REQLESS_URL", "redis://localhost:6379"))

client.config["jobs-history"] = 7 * 86400
client.config["jobs-history-count"] = 500

print(client.config["jobs-history"], client.config["jobs-history-count"])
