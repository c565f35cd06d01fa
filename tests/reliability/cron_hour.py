"""A cron schedule under many pollers, in real time, as a user runs it.

    python -m tests.reliability.cron_hour [--minutes 60] [--workers 8] [--uis 3]

Starts a server, a `* * * * *` cron template, `--workers` worker programs
(`reqless-py-worker`, one child each) and `--uis` web UIs (`reqless ui`), each UI
polled twice a second on its queue and recurring pages (which peek the queue, and a
peek spawns due children too). Every job records its start in a ledger list. After
`--minutes` minutes it checks that each minute's slot fired exactly one job, that
each job ran exactly once, and prints the figures (docs/cron.md quotes them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from reqless import Client
from reqless.server import free_port, start_server
from tests.reliability.cron_hour_jobs import LEDGER

JOBS = Path(__file__).with_name("cron_hour_jobs.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--uis", type=int, default=3)
    parser.add_argument("--kind", choices=["valkey", "redis"], default="valkey")
    options = parser.parse_args(argv)
    bin_dir = Path(sys.executable).parent
    server = start_server(options.kind)
    url = f"redis://127.0.0.1:{server.port}/0"
    work = Path(tempfile.mkdtemp(prefix="cron-hour-"))
    programs: list[subprocess.Popen[bytes]] = []
    stop = threading.Event()
    try:
        client = Client(url)
        created = time.time()
        client.queues["cron"].recur("cron_hour_jobs.Stamp", {}, cron="* * * * *", jid="minute")
        for n in range(options.workers):
            programs.append(_spawn(
                [str(bin_dir / "reqless-py-worker"), "--url", url, "-q", "cron", "--workers", "1",
                 "--path", str(JOBS.parent), "--workdir", str(work / f"w{n}"), "--name", f"w{n}"],
                work / f"worker-{n}.log",
            ))  # fmt: skip
        ports = [free_port() for _ in range(options.uis)]
        for n, port in enumerate(ports):
            programs.append(_spawn(
                [str(bin_dir / "reqless"), "ui", "--url", url, "--port", str(port)],
                work / f"ui-{n}.log",
            ))  # fmt: skip
        pollers = [threading.Thread(target=_poll, args=(port, stop), daemon=True) for port in ports]
        for poller in pollers:
            poller.start()
        end = created + options.minutes * 60 + 5
        while time.time() < end:
            time.sleep(5)
            if any(p.poll() is not None for p in programs):
                raise SystemExit(f"a program exited early; see the logs in {work}")
        stop.set()
        time.sleep(3)  # the last slot's job finishes
        return _report(client, created, end, options)
    finally:
        stop.set()
        for program in programs:
            program.terminate()
        for program in programs:
            try:
                program.wait(20)
            except subprocess.TimeoutExpired:
                program.kill()
        server.stop()


def _spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=os.environ)


def _poll(port: int, stop: threading.Event) -> None:
    """A user with the queue's pages open: two page loads a second."""
    pages = [f"http://127.0.0.1:{port}/queues/cron", f"http://127.0.0.1:{port}/recurring"]
    while not stop.is_set():
        for page in pages:
            try:
                with urllib.request.urlopen(page, timeout=5) as reply:
                    reply.read()
            except OSError:
                pass  # still starting up
        stop.wait(0.5)


def _report(client: Client, created: float, end: float, options: Any) -> int:
    # Judged up to `end`: a slot after it may fire while the programs stop.
    runs = [json.loads(line) for line in client.database.lrange(LEDGER, 0, -1)]
    runs = [run for run in runs if run["slot"] <= end]
    ran = Counter(run["jid"] for run in runs)
    slots = Counter(int(run["slot"]) for run in runs)
    first = (int(created) // 60 + 1) * 60
    expected = list(range(first, int(end) + 1, 60))
    children = _children(client, end)
    late = sorted(run["started"] - run["slot"] for run in runs)
    twice = {jid: n for jid, n in ran.items() if n > 1}
    doubled = {slot: n for slot, n in slots.items() if n > 1}
    missing = sorted(set(expected) - set(slots))
    print(f"{options.workers} worker programs, {options.uis} UIs polled twice a second each, "
          f"{options.minutes} minutes of a `* * * * *` schedule on {options.kind}")  # fmt: skip
    print(f"slots due: {len(expected)}; jobs spawned: {len(children)}; runs: {len(runs)}")
    print(f"slots fired twice: {len(doubled)}; jobs run twice: {len(twice)}; "
          f"slots without a run: {len(missing)}")  # fmt: skip
    if late:
        print(f"start after the slot: median {late[len(late) // 2]:.3f} s, "
              f"worst {late[-1]:.3f} s")  # fmt: skip
    return 0 if not (twice or doubled or missing) and len(children) == len(expected) else 1


def _children(client: Client, end: float) -> list[str]:
    """The jobs template `minute` spawned for slots up to `end`."""
    count = int(client.jobs.get_recurring("minute").count)
    found = client.jobs.get(*[f"minute-{n}" for n in range(1, count + 1)])
    return [job.jid for job in found if float(job.history[0]["when"]) <= end]


if __name__ == "__main__":
    raise SystemExit(main())
