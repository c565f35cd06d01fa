"""Take the UI screenshots of docs/screenshots/ from realistic example data.

    .venv/bin/python -m tests.ui.browser.screenshots [--out docs/screenshots]

Starts its own valkey-server, fills it with a week of work (done through the
client with a moved clock, so the stats histograms hold real wait and run times),
serves the UI with uvicorn and photographs each page in headless Chromium at
1280x800, light theme, plus the overview in the dark theme.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from reqless.client import Client
from reqless.server import start_server
from reqless.ui import create_app
from tests.ui.browser.chromium import CHROMIUM_ARGS, chromium_path
from tests.ui.browser.live_server import LiveServer

__all__ = ["main"]

DAY = 86_400.0
QUEUES = {
    "billing": "app.jobs.billing.ChargeCard",
    "emails": "app.jobs.mail.SendReceipt",
    "images.resize": "app.jobs.images.Resize",
    "images.thumbnail": "app.jobs.images.Thumbnail",
    "reports": "app.jobs.reports.DailyReport",
}
WORKERS = ["web-1.prod:4242", "web-2.prod:4311", "batch-1.prod:977"]
FAILURES = {
    "stripe.error.CardError": "stripe.error.CardError: Your card was declined.\n"
    '  File "app/jobs/billing.py", line 88, in process\n    charge = stripe.Charge.create(**args)',
    "smtplib.SMTPServerDisconnected": "smtplib.SMTPServerDisconnected: Connection unexpectedly "
    'closed\n  File "app/jobs/mail.py", line 31, in process',
    "failed-retries-images.resize": "Job exhausted retries in queue images.resize",
}


class MovedClock:
    """A clock the example data sets, so histories span days and stats hold real times."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _history(url: str, rng: random.Random) -> None:
    """A week of put / pop / complete-or-fail, with realistic waits and run times."""
    clock = MovedClock()
    clients = {name: Client(url, hostname=name, retry_window=0) for name in WORKERS}
    for client in clients.values():
        client._runner.clock = clock
    start = time.time() - 6 * DAY
    now = time.time() - 120
    client = clients[WORKERS[0]]
    for day in range(7):
        for queue, klass in QUEUES.items():
            for n in range(rng.randint(12, 30)):
                clock.now = min(start + day * DAY + rng.uniform(0, DAY - 7200), now - 600)
                data = {"order": rng.randint(1000, 9999), "customer": f"cus_{rng.randint(1, 500)}"}
                jid = client.queues[queue].put(klass, data, tags=[queue.split(".")[0]], retries=2)
                clock.now += rng.lognormvariate(2.5, 1.6)  # wait
                worker = rng.choice(WORKERS)
                job = clients[worker].queues[queue].pop()
                if job is None or job.jid != jid:
                    continue
                clock.now += rng.lognormvariate(0.5, 1.2)  # run
                if queue == "emails" and n % 9 == 0:
                    job.log("smtp connect", {"host": "smtp.example.net", "attempt": 1})
                if n % 11 == 0 and day >= 4:
                    group = "stripe.error.CardError" if queue == "billing" else None
                    group = group or (
                        "smtplib.SMTPServerDisconnected"
                        if queue == "emails"
                        else "failed-retries-images.resize"
                    )
                    job.fail(group, FAILURES[group])
                else:
                    job.complete()
    for made in clients.values():
        made.database.close()


def _present(url: str, rng: random.Random) -> None:
    """What is going on right now: waiting, running, scheduled, dependent, recurring."""
    clients = {name: Client(url, hostname=name, retry_window=0) for name in WORKERS}
    client = clients[WORKERS[0]]
    for queue, klass in QUEUES.items():
        waiting = rng.randint(3, 40)
        client.queues[queue].put_many(
            {
                "klass": klass,
                "data": {"order": rng.randint(1000, 9999), "token": "sk_live_abc"},
                "priority": rng.choice([0, 0, 0, 10, -5]),
                "tags": [queue.split(".")[0], f"batch-{rng.randint(1, 4)}"],
            }
            for _ in range(waiting)
        )
        for _ in range(rng.randint(1, 3)):
            clients[rng.choice(WORKERS)].queues[queue].pop()
        client.queues[queue].put(klass, {"later": True}, delay=rng.randint(600, 7200))
    parent = client.queues["reports"].put(QUEUES["reports"], {"day": "yesterday"})
    client.queues["reports"].put(QUEUES["reports"], {"rollup": True}, depends=[parent])
    client.queues["reports"].recur(QUEUES["reports"], {"kind": "daily"}, interval=DAY, offset=3600)
    client.queues["emails"].recur(QUEUES["emails"], {"kind": "digest"}, interval=3600)
    client.throttles["stripe-api"].set_maximum(5)
    client.config["application"] = "acme-shop"
    client.config["heartbeat"] = 120
    client.config["billing-heartbeat"] = 300
    client.queues["images.thumbnail"].pause()
    for made in clients.values():
        made.database.close()


def _failed_job(url: str) -> str:
    """A job with a full story: put, popped, logged, retried, failed, with data."""
    client = Client(url, hostname=WORKERS[1], retry_window=0)
    queue = client.queues["billing"]
    jid = queue.put(
        QUEUES["billing"],
        {"order": 4711, "amount": {"value": 1999, "currency": "EUR"}, "password": "x"},
        tags=["billing", "vip"],
        retries=3,
        priority=10,
    )
    job = queue.pop()
    assert job is not None and job.jid == jid
    job.log("charging card", {"last4": "4242"})
    job.retry(delay=0, group="stripe.error.APIConnectionError", message="timed out")
    job = queue.pop()
    assert job is not None and job.jid == jid
    job.fail("stripe.error.CardError", FAILURES["stripe.error.CardError"])
    client.track(jid)
    client.database.close()
    return jid


def _shoot(page: Page, out: Path, name: str, path: str, *, full: bool = False) -> Path:
    """One page at 1280x800; `full` keeps the width and takes the whole height."""
    page.goto(path, wait_until="load")
    page.wait_for_timeout(700)  # let the script draw charts and fill live values
    target = out / f"{name}.png"
    page.screenshot(path=str(target), full_page=full)
    return target


def _events(page: Page, url: str, out: Path) -> Path:
    page.goto("/events", wait_until="load")
    page.wait_for_timeout(500)
    client = Client(url, hostname=WORKERS[2], retry_window=0)
    for n in range(12):
        client.queues["emails"].put(QUEUES["emails"], {"receipt": n})
        job = client.queues["emails"].pop()
        if job is not None:
            job.complete() if n % 5 else job.fail("smtplib.SMTPServerDisconnected", "closed")
    client.database.close()
    page.wait_for_timeout(1500)
    target = out / "events.png"
    page.screenshot(path=str(target))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ui.browser.screenshots")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    executable = chromium_path()
    if executable is None:
        print("chromium is not installed (set REQLESS_CHROMIUM)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    server = start_server("valkey")
    taken: list[Path] = []
    try:
        _history(server.url, rng)
        _present(server.url, rng)
        jid = _failed_job(server.url)
        client = Client(server.url, hostname="reqless-ui", retry_window=0)
        live = LiveServer(create_app(client))
        live.start()
        driver = sync_playwright().start()
        browser = driver.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            light = browser.new_context(
                viewport={"width": 1280, "height": 800}, base_url=live.url, color_scheme="light"
            )
            page = light.new_page()
            shots = {
                "overview": "/",
                "queues": "/queues",
                "queue-waiting": "/queues/billing/waiting",
                "queue-stats": "/queues/billing/stats",
                "job": f"/jobs/{jid}",
                "failed": "/failed",
                "workers": "/workers",
                "config": "/config",
            }
            # The stats tab's histograms and the job's history sit below the fold.
            tall = {"queue-stats", "job"}
            taken += [
                _shoot(page, args.out, name, path, full=name in tall)
                for name, path in shots.items()
            ]
            taken.append(_events(page, server.url, args.out))
            dark = browser.new_context(
                viewport={"width": 1280, "height": 800}, base_url=live.url, color_scheme="dark"
            )
            taken.append(_shoot(dark.new_page(), args.out, "overview-dark", "/"))
            light.close()
            dark.close()
        finally:
            browser.close()
            driver.stop()
            live.stop()
            client.database.close()
    finally:
        server.stop()
    for path in taken:
        print(f"{path} {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
