"""Fixtures of the worker tests: log records, a client, job classes, worker processes.

The job classes live in a module written into the test's temporary directory, so
that worker processes can import it (`--path`) and a test can change the file to
check automatic re-imports. What a job does is driven by its data (see
`JOB_MODULE`), and it reports what happened by appending lines to files the test
names in that data.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.job import Job
from reqless.logger import logger
from reqless.server import LocalServer
from tests.patience import PATIENCE

#: The job module. `{loads}` is replaced by the file each import appends to.
JOB_MODULE = '''\
"""Job classes of the worker tests; each job's data says what it does."""
import json
import os
import sys
import time

VERSION = "v1"

with open({loads!r}, "a") as _loads:
    _loads.write(VERSION + "\\n")


def _append(path, line):
    if path:
        with open(path, "a") as handle:
            handle.write(line + "\\n")


def _ran_before(path, jid):
    if not path or not os.path.exists(path):
        return False
    with open(path) as handle:
        return any(line.split()[0] == jid for line in handle if line.strip())


class Scripted:
    """Data keys (all optional):

    runs: file; a line "<jid> <pid> <worker name> <time>" at every start.
    record: true to store cwd, sandbox and the sandbox's listing in the data,
        and to leave a file in the sandbox.
    sleep: seconds to run (in small steps); heartbeat: true to heartbeat meanwhile.
    rerun_fast: true to skip the sleep when the job ran before (per `runs`).
    raise: a message to raise ValueError with.
    halted: file; a line "<jid> <exception name>" when the job is stopped.
    exit: call sys.exit() with this code (after the sleep).
    interrupt: true to raise KeyboardInterrupt (after the sleep).
    leave: true to return without completing the job.
    unreachable: true to raise redis's ConnectionError (after writing `done`).
    done: file; a line "<jid> <VERSION> <time>" when the job completes.
    """

    @staticmethod
    def process(job):
        data = json.loads(job.data)
        again = _ran_before(data.get("runs"), job.jid)
        _append(data.get("runs"),
                f"{{job.jid}} {{os.getpid()}} {{job.client.worker_name}} {{time.time()}}")
        if data.get("record"):
            data["recorded"] = {{
                "cwd": os.getcwd(),
                "sandbox": job.sandbox,
                "listing": sorted(os.listdir(job.sandbox)),
                "pid": os.getpid(),
                "worker": job.client.worker_name,
            }}
            with open(os.path.join(job.sandbox, "scratch.txt"), "w") as handle:
                handle.write("left behind by the job")
        seconds = 0 if again and data.get("rerun_fast") else data.get("sleep", 0)
        try:
            deadline = time.time() + seconds
            while time.time() < deadline:
                time.sleep(0.02)
                if data.get("heartbeat"):
                    job.heartbeat()
            if data.get("raise"):
                raise ValueError(data["raise"])
        except BaseException as exc:
            _append(data.get("halted"), f"{{job.jid}} {{type(exc).__name__}}")
            raise
        if "exit" in data:
            sys.exit(data["exit"])
        if data.get("interrupt"):
            raise KeyboardInterrupt
        _append(data.get("done"), f"{{job.jid}} {{VERSION}} {{time.time()}}")
        if data.get("leave"):
            return
        if data.get("unreachable"):
            import redis.exceptions
            raise redis.exceptions.ConnectionError("the server went away (scripted)")
        job.data = data
        job.complete()
'''


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    """Records of INFO and above logged by the package logger during the test.

    The logger's level and handlers are put back afterwards.
    """
    collected: list[logging.LogRecord] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(record)

    handler = Collector(logging.INFO)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield collected
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def client(server: LocalServer, redis: Redis) -> Iterator[Client]:
    """A client of `server` named `test-worker`, created after the database was flushed."""
    made = Client(server.url, hostname="test-worker")
    yield made
    made.database.close()


@dataclass
class JobsModule:
    """The job module of one test, and the files its jobs report to."""

    name: str
    directory: Path

    @property
    def path(self) -> Path:
        """The module's source file."""
        return self.directory / f"{self.name}.py"

    @property
    def loads(self) -> Path:
        """One line (the VERSION) per import of the module."""
        return self.directory / f"{self.name}-loads.txt"

    @property
    def klass(self) -> str:
        """Dotted path of the scripted job class."""
        return f"{self.name}.Scripted"

    def file(self, name: str) -> str:
        """Path of a report file of this test (not created)."""
        return str(self.directory / name)

    def set_version(self, version: str) -> None:
        """Rewrite the module with another VERSION, its modification time clearly newer."""
        text = self.path.read_text().replace('VERSION = "v1"', f'VERSION = "{version}"')
        self.path.write_text(text)
        later = time.time() + 2
        os.utime(self.path, (later, later))


@pytest.fixture
def jobs_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[JobsModule]:
    """A freshly named job module in `tmp_path/jobs`, importable by this process too."""
    directory = tmp_path / "jobs"
    directory.mkdir()
    module = JobsModule(f"worker_test_jobs_{uuid.uuid4().hex[:12]}", directory)
    module.path.write_text(JOB_MODULE.format(loads=str(module.loads)))
    monkeypatch.syspath_prepend(str(directory))
    yield module
    sys.modules.pop(module.name, None)


def lines(path: str | Path) -> list[list[str]]:
    """The lines of a report file, split into words (no file: no lines)."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return []
    return [line.split() for line in text.splitlines() if line.strip()]


def wait_for(
    predicate: Callable[[], Any], timeout: float = PATIENCE, message: str = "condition"
) -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds.

    The timeout only bounds a failure (see tests.patience): pass a shorter one only
    when the wait does not depend on a process or a server being quick.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {message}")
        time.sleep(0.05)


def job_state(client: Client, jid: str) -> str | None:
    """The job's state on the server (None when it does not exist)."""
    job = client.jobs[jid]
    return job.state if isinstance(job, Job) else None


def get_job(client: Client, jid: str) -> Job:
    """The job `jid` (which must exist and be a job, not a recurring template)."""
    job = client.jobs[jid]
    assert isinstance(job, Job), f"no job {jid}"
    return job


def is_empty_dir(path: str | Path) -> bool:
    """True when `path` is a directory with nothing in it."""
    return Path(path).is_dir() and not any(Path(path).iterdir())


def job_data(client: Client, jid: str) -> dict[str, Any]:
    """The job's data, decoded."""
    job = get_job(client, jid)
    decoded: dict[str, Any] = json.loads(job.data)
    return decoded


def children_of(pid: int) -> list[int]:
    """Pids of the live (not zombie) child processes of `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces): state, ppid, ...
        state, ppid = stat.rpartition(")")[2].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry))
    return sorted(found)


def group_members(pgid: int) -> list[int]:
    """Pids of the live (not zombie) processes of process group `pgid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, _ppid, group = stat.rpartition(")")[2].split()[:3]
        if int(group) == pgid and state != "Z":
            found.append(int(entry))
    return sorted(found)


def blocked_for_work(client: Client) -> bool:
    """Whether some connection to `client`'s server is blocked waiting for work (BLPOP).

    That is where an idle worker waits (see reqless.pickup): a test that must
    catch a worker inside its wait, not before it, waits for this.
    """
    return any(
        entry.get("cmd") == "blpop" and "b" in entry.get("flags", "")
        for entry in client.database.client_list()
    )


def is_up(pid: int) -> bool:
    """Whether worker child `pid` is up: it set its title, which it does from its loop."""
    text = cmdline(pid)
    return "reqless-py-worker Sleeping" in text or "reqless-py-worker Working" in text


def cmdline(pid: int) -> str:
    """The process's command line as `ps` shows it (set by setproctitle in workers)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


@dataclass
class WorkerProcess:
    """A worker program this test started, in its own session (process group)."""

    process: subprocess.Popen[bytes]
    stderr_path: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        """The parent's pid."""
        return self.process.pid

    def stderr(self) -> str:
        """Everything written to standard error so far."""
        return self.stderr_path.read_text(errors="replace")

    def children(self) -> list[int]:
        """Pids of the live worker children."""
        return children_of(self.pid)

    def wait_children(self, count: int, timeout: float = PATIENCE) -> list[int]:
        """Wait until exactly `count` children are alive; returns their pids."""
        found: list[int] = wait_for(
            lambda: (kids := self.children()) and len(kids) == count and kids,
            timeout,
            f"{count} worker children (stderr: {self.stderr()[-2000:]})",
        )
        return found

    def send(self, signum: int) -> None:
        """Send `signum` to the parent."""
        self.process.send_signal(signum)

    def wait(self, timeout: float = PATIENCE) -> int:
        """Wait for the parent to exit; returns its status."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker did not exit in {timeout}s; stderr:\n{self.stderr()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the process group this test started (parent and children); reap the parent."""
        # Always the group: children outlive a parent that died (then ppid is 1).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)


StartWorker = Callable[..., WorkerProcess]


@pytest.fixture
def start_worker(
    server: LocalServer, jobs_module: JobsModule, tmp_path: Path
) -> Iterator[StartWorker]:
    """Start `reqless-py-worker` (or `reqless worker` with `program="reqless"`).

    Given flags are added to `--url <server> --path <job module dir> --workdir
    <tmp>/work --interval 0.1 --verbose` (pass `url=False` to leave out `--url`).
    Every process started is killed, with its children, at teardown.
    """
    started: list[WorkerProcess] = []
    bindir = Path(sys.executable).parent

    def start(*flags: str, program: str = "reqless-py-worker", url: bool = True) -> WorkerProcess:
        command = [str(bindir / program)]
        if program == "reqless":
            command.append("worker")
        command += ["--path", str(jobs_module.directory), "--workdir", str(tmp_path / "work")]
        command += ["--interval", "0.1", "--verbose"]
        if url:
            command += ["--url", server.url]
        command += list(flags)
        stderr_path = tmp_path / f"worker-{len(started)}.stderr"
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}
        env.pop("REQLESS_URL", None)
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=env,
                start_new_session=True,
            )
        worker = WorkerProcess(process, stderr_path)
        started.append(worker)
        return worker

    yield start
    for number, worker in enumerate(started):
        worker.kill()
        # Shown by pytest only when the test failed: what each worker said.
        print(f"--- stderr of worker {number} (pid {worker.pid}) ---\n{worker.stderr()[-4000:]}")
