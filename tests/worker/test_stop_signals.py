"""Ctrl-C stops a worker promptly, every time.

Ctrl-C in a terminal sends INT to every process of the foreground group, often
twice in quick succession. A handler may therefore be interrupted by the next
signal at any point of its own run; one that took a lock (a `threading.Event`
does) deadlocked the process when that happened. These tests interrupt the
handler at every Python call it makes, and repeat the real thing many times.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reqless.server import LocalServer
from tests.patience import PATIENCE
from tests.worker.conftest import StartWorker, group_members, is_up, wait_for

#: Runs a worker whose main thread, once armed, signals itself INT at every
#: Python call: each handler run is interrupted by the next signal wherever it is.
REENTRY = """
import os, signal, sys, threading, time
from reqless.client import Client
from reqless.workers.forking_worker import ForkingWorker
from reqless.workers.main_worker import MainWorker

url, mode, workdir = sys.argv[1:4]
os.chdir(workdir)
client = Client(url, hostname="reentry")
options = {"interval": 0.05, "shutdown_timeout": 1}
if mode == "serial":
    worker = MainWorker(["q"], client, sandbox=workdir, **options)
else:
    worker = ForkingWorker(["q"], client, workers=1, **options)
me = os.getpid()
armed = False
sent = 0

def tracer(frame, event, arg):
    global sent
    if armed and event == "call" and sent < 300 and os.getpid() == me:
        sent += 1
        os.kill(me, signal.SIGINT)

def arm():
    global armed
    time.sleep(1)
    armed = True
    os.kill(me, signal.SIGINT)

threading.Thread(target=arm, daemon=True).start()
sys.settrace(tracer)
worker.run()
sys.settrace(None)
print("stopped after", sent, "signals", flush=True)
"""

#: An in-process serial worker (MainWorker) that says when it is up.
IN_PROCESS = """
import sys
from reqless.client import Client
from reqless.workers.main_worker import MainWorker

worker = MainWorker(["w"], Client(sys.argv[1], hostname="ctrl-c"), interval=0.1,
                    sandbox=sys.argv[2], shutdown_timeout=1)
worker.on_ready = lambda: print("ready", flush=True)
worker.run()
print("stopped", flush=True)
"""

#: Attempts per mode; the hang this guards against showed up in 1 of 3 to 1 of 20.
ATTEMPTS = 20
#: The whole group must be gone this long after Ctrl-C (`--shutdown-timeout 1`
#: plus a margin); the parent would only kill a hung child after 1 + 5 seconds.
STOPPED_WITHIN = 5.0


def only_valkey(server: LocalServer) -> None:
    """Signal handling does not depend on the server: one kind is enough."""
    if server.kind != "valkey":
        pytest.skip("signal handling is the same with every server")


def ctrl_c(pgid: int) -> None:
    """What a terminal does on Ctrl-C pressed twice: INT to the whole group, twice."""
    for _ in range(2):
        os.killpg(pgid, signal.SIGINT)


@pytest.mark.parametrize("mode", ["serial", "forking"])
def test_a_stop_signal_interrupting_its_own_handler_does_not_hang(
    server: LocalServer, tmp_path: Path, mode: str
) -> None:
    only_valkey(server)
    script = tmp_path / "reentry.py"
    script.write_text(REENTRY)
    process = subprocess.Popen(
        [sys.executable, str(script), server.url, mode, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=PATIENCE)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"the {mode} worker hung in its signal handler:\n{err[-3000:]}")
    assert process.returncode == 0, err[-3000:]
    assert out.startswith("stopped after"), err[-3000:]


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.parametrize("greenlets", [0, 2], ids=["serial-children", "gevent-children"])
def test_ctrl_c_twice_stops_the_whole_program_every_time(
    server: LocalServer, start_worker: StartWorker, greenlets: int
) -> None:
    only_valkey(server)
    flags = ["-q", "w", "--workers", "2", "--shutdown-timeout", "1"]
    if greenlets:
        pytest.importorskip("gevent")
        flags += ["--greenlets", str(greenlets)]
    for attempt in range(ATTEMPTS):
        worker = start_worker(*flags)
        children = worker.wait_children(2)
        if attempt % 2:  # every other time, once the children are up and idle
            wait_for(lambda: all(is_up(pid) for pid in children), message="idle children")  # noqa: B023
        ctrl_c(worker.pid)
        stopping = time.monotonic()
        wait_for(
            lambda: not group_members(worker.pid),  # noqa: B023
            STOPPED_WITHIN,
            f"attempt {attempt}: the group to exit after Ctrl-C ({worker.stderr()[-2000:]})",
        )
        assert time.monotonic() - stopping < STOPPED_WITHIN
        assert worker.wait() == 0
        assert "did not stop in time" not in worker.stderr()
        assert worker.stderr().count("SIGINT, stopping after the current job") == 2


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ctrl_c_twice_stops_an_in_process_serial_worker_every_time(
    server: LocalServer, tmp_path: Path
) -> None:
    only_valkey(server)
    script = tmp_path / "in_process.py"
    script.write_text(IN_PROCESS)
    log = tmp_path / "stderr.txt"
    for attempt in range(ATTEMPTS):
        with log.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(script), server.url, str(tmp_path / "sandbox")],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                start_new_session=True,
            )
        try:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], 30)
            assert ready and process.stdout.readline() == "ready\n", log.read_text()[-2000:]
            time.sleep(0.1 * (attempt % 4))  # now in a pass, now in the wait between passes
            ctrl_c(process.pid)
            out, _ = process.communicate(timeout=STOPPED_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"attempt {attempt}: no stop after Ctrl-C:\n{log.read_text()[-2000:]}")
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
        assert (process.returncode, out) == (0, "stopped\n"), log.read_text()[-2000:]
