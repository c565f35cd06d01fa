"""`reqless dev --namespace NAME`: its worker, web UI and example feed all work in
that namespace, and nothing is written outside it."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from pathlib import Path

from reqless.client import Client
from reqless.server import free_port
from tests.cli.test_dev import Dev, _assert_all_gone
from tests.patience import PATIENCE


def _end(dev: Dev) -> None:
    dev.kill()
    if dev.process.stdout is not None:
        dev.process.stdout.close()


def test_dev_in_a_namespace_runs_the_example_there(tmp_path: Path) -> None:
    dev = Dev(tmp_path, "dev", "--namespace", "demo", "--example", "--rate", "20", "-w", "1",
              "--ui-port", str(free_port()))  # fmt: skip
    try:
        state = dev.state("server_pid", "worker_pid", "ui_url")
        client = Client(state["url"], namespace="demo", retry_window=0)
        try:
            deadline = time.monotonic() + PATIENCE
            while not client.database.zcard(client.keys.COMPLETED):
                assert time.monotonic() < deadline, dev.output()
                time.sleep(0.2)
            outside = [k for k in client.database.keys("*") if not str(k).startswith("ql:{demo}:")]
            assert outside == []
        finally:
            client.database.close()
        with urllib.request.urlopen(f"{state['ui_url']}api/v1/queues", timeout=10) as reply:
            names = [queue["name"] for queue in json.loads(reply.read())["items"]]
        assert "underpants" in names
        assert dev.stop(signal.SIGINT) == 0, dev.output()
        assert "namespace demo" in dev.output()
        _assert_all_gone(state)
    finally:
        _end(dev)


def test_dev_refuses_a_bad_namespace_with_exit_2(tmp_path: Path) -> None:
    dev = Dev(tmp_path, "dev", "--namespace", "a{b")
    try:
        assert dev.process.wait(20) == 2
        assert "may not contain braces" in dev.output()
        assert not (tmp_path / ".reqless").exists()
    finally:
        _end(dev)
