"""The parts `reqless dev` runs: worker processes, the UI thread, and Ctrl-C handling.

Workers run in sessions of their own (a terminal's Ctrl-C reaches only `reqless dev`,
which stops them in order) and die with their parent if it is killed outright.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import IO

import click

from reqless.server import die_with_parent

__all__ = [
    "WORKER_STOP_S",
    "Stopper",
    "UIServer",
    "loopback",
    "port_free",
    "start_worker",
    "stop_worker",
    "worker_command",
]

#: How long the workers get to finish their jobs after the first Ctrl-C.
WORKER_STOP_S = 10.0


class Stopper:
    """Counts Ctrl-C / TERM presses; the handler only sets flags (no I/O in handlers)."""

    def __init__(self) -> None:
        self.presses = 0
        self.event = threading.Event()

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.presses += 1
        self.event.set()


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class UIServer:
    """The web UI served by uvicorn in a thread of this process."""

    def __init__(self, url: str, host: str, port: int, namespace: str | None = None) -> None:
        import uvicorn

        from reqless.client import Client
        from reqless.ui import UISettings, create_app
        from reqless.ui.live import stream

        self.client = Client(url, hostname="reqless-dev-ui", retry_window=1.0, namespace=namespace)
        app = create_app(self.client, UISettings(host=host, port=port))
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
            proxy_headers=False,
            # Event streams never end by themselves: cut them short on Ctrl-C.
            timeout_graceful_shutdown=stream.GRACEFUL_SHUTDOWN_S,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="ui", daemon=True)
        self.url = f"http://{host}:{port}/"

    def start(self, timeout: float = 10.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise click.ClickException(f"the web UI did not start on {self.url}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.client.database.close()


def worker_command(
    url: str, workers: int, queues: tuple[str, ...], namespace: str | None = None
) -> list[str]:
    command = [sys.executable, "-m", "reqless", "worker", "--url", url, "--name", "dev"]
    command += ["--workers", str(workers), "--path", os.getcwd()]
    if namespace is not None:
        command += ["--namespace", namespace]
    for queue in queues:
        command += ["-q", queue]
    return command


def start_worker(command: list[str], verbose: bool, log: Path) -> subprocess.Popen[bytes]:
    """Start the worker; all it writes (its log, and what jobs log or print) is
    appended to `log` and, when `verbose`, shown on standard error as well."""
    # Unbuffered: a job's print reaches the log when it happens, not at exit.
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "ab") as sink:
        worker = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if verbose else sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
    if worker.stdout is not None:
        threading.Thread(
            target=_tee, args=(worker.stdout, log), name="worker-output", daemon=True
        ).start()
    return worker


def _tee(output: IO[bytes], log: Path) -> None:
    """Copy the worker's output to `log` and to standard error, line by line, until it ends."""
    with output, open(log, "ab") as sink:
        for line in iter(output.readline, b""):
            sink.write(line)
            sink.flush()
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(line.decode(errors="replace"))
                sys.stderr.flush()


def stop_worker(worker: subprocess.Popen[bytes], stopper: Stopper) -> None:
    """TERM the worker (it finishes or hands back its jobs); a second Ctrl-C or the
    time limit kills its whole process group."""
    if worker.poll() is not None:
        return
    presses = stopper.presses
    worker.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + WORKER_STOP_S
    while worker.poll() is None:
        if stopper.presses > presses or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            return
        time.sleep(0.05)
    # The worker parent is gone; make sure none of its children outlived it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
