"""Real processes for the fault tests: a worker program to kill, and the waits around it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from reqless.client import Client
from reqless.server import ServerKind, find_server_binary
from tests.patience import PATIENCE
from tests.reliability.ledger import Ledger

__all__ = [
    "PATIENCE",
    "ROOT",
    "Fleet",
    "installed_kinds",
    "put_recorded",
    "states",
    "title",
    "wait_until",
]

#: The repository root: the worker program imports `tests.reliability.ledger_jobs` from it.
ROOT = Path(__file__).resolve().parents[2]
#: The job class every fault test runs.
RECORDED = "tests.reliability.ledger_jobs.Recorded"


def installed_kinds() -> list[ServerKind]:
    """The server kinds installed here (valkey always, redis when present)."""
    kinds: list[ServerKind] = ["valkey", "redis"]
    return [kind for kind in kinds if find_server_binary(kind) is not None]


class Fleet:
    """One `reqless-py-worker` program (a parent and its children) in its own session."""

    def __init__(
        self,
        url: str,
        workdir: Path,
        queues: Iterable[str],
        workers: int = 2,
        name: str = "fleet",
        extra: Iterable[str] = (),
    ) -> None:
        self.url = url
        #: More options for the program (`--timeout 1`, `--asyncio`, ...).
        self.extra = list(extra)
        self.workdir = workdir
        self.queues = list(queues)
        self.workers = workers
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / f"{name}.log"
        workdir.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        """Start the program (again, after a kill)."""
        program = str(Path(sys.executable).parent / "reqless-py-worker")
        args = [program, "--url", self.url, "--verbose", "--name", self.name,
                "--workers", str(self.workers), "--interval", "0.2",
                "--workdir", str(self.workdir / "work")]  # fmt: skip
        for queue in self.queues:
            args += ["-q", queue]
        args += self.extra
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                args, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log, start_new_session=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        """The parent's pid."""
        assert self.process is not None, "the fleet was not started"
        return self.process.pid

    def children(self) -> list[int]:
        """Pids of the parent's live children."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def wait_for_children(self, count: int | None = None, timeout: float = PATIENCE) -> list[int]:
        """The children once `count` (default: all) of them are up."""
        wanted = self.workers if count is None else count
        wait_until(lambda: len(self.children()) >= wanted, timeout, "worker children")
        return self.children()

    def kill(self, pids: list[int], ledger: Ledger, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to `pids`, noting the kill in the ledger (it ends their runs)."""
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                continue
        if sig == signal.SIGKILL:
            ledger.write("kill", pids=pids)

    def kill_parent(self, ledger: Ledger) -> None:
        """SIGKILL the parent; its children stop once they notice (see ForkingWorker)."""
        children = self.children()
        self.kill([self.pid], ledger)
        assert self.process is not None
        self.process.wait(10)
        # The children get TERM from the kernel and stop gracefully, finishing their job.
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """Kill the whole program (its session) and reap it."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def log_tail(self, size: int = 3000) -> str:
        """The end of the program's log, for assertion messages."""
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""


def title(pid: int) -> str:
    """The process's title (its command line, which workers set), or "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (not reaped yet) counts as dead.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `check` until it holds; fail naming `what` after `timeout` seconds.

    For work by real processes, give `PATIENCE` (see tests.patience): the bound
    only matters on a real failure.
    """
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def put_recorded(
    client: Client, queue: str, ledger: Ledger, count: int, sleep: float, **options: object
) -> list[str]:
    """Put `count` Recorded jobs, noting each acknowledged put in the ledger."""
    jids = []
    for _ in range(count):
        jid = client.queues[queue].put(RECORDED, {"ledger": str(ledger.path), "sleep": sleep},
                                       **options)  # type: ignore[arg-type]  # fmt: skip
        ledger.write("put", jid=jid)
        jids.append(jid)
    return jids


def states(client: Client, jids: list[str]) -> dict[str, str | None]:
    """The state of each jid now (None: the server does not know it)."""
    found: dict[str, str | None] = dict.fromkeys(jids)
    for start in range(0, len(jids), 500):
        for job in client.jobs.get(*jids[start : start + 500]):
            found[job.jid] = job.state
    return found
