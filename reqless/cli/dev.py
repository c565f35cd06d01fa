"""`reqless dev`: an embedded Valkey, worker processes and the web UI, in one command.

The server keeps its data in the data directory with appendonly on, so jobs survive
a restart. Children run in sessions of their own, so a terminal's Ctrl-C reaches
only this program, which stops them in order: the example feed, the workers (they
finish or hand back their jobs), the UI, then the server. They also die with this
program if it is killed outright (Linux), so no process is left behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
from redis import Redis
from redis.exceptions import RedisError

from reqless._calls import server as server_calls
from reqless.cli.dev_parts import (
    Stopper,
    UIServer,
    loopback,
    port_free,
    start_worker,
    stop_worker,
    worker_command,
)
from reqless.cli.devdir import (
    DEFAULT_DATA_DIR,
    DevProcesses,
    clear_running,
    data_dir_option,
    port_option,
    running,
    write_running,
)
from reqless.cli.example_feed import EXAMPLE_QUEUES, ExampleFeed
from reqless.cli.server_args import redact_url
from reqless.cli.server_options import (
    NAMESPACE_ENV,
    NAMESPACED_PREFIX,
    chosen_namespace,
    namespace_option,
)
from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.extras import MissingExtraError, require
from reqless.keys import KeySpace
from reqless.server import LocalServer, start_server
from reqless.server_access import explain

__all__ = ["dev"]

#: How often the status line is printed.
STATUS_EVERY_S = 15.0
#: The queue counts the status line adds up.
STATUS_KEYS = ("waiting", "running", "scheduled", "depends")
#: Worker restarts allowed within a minute before `reqless dev` gives up.
MAX_RESTARTS = 3


def _status_line(client: Client) -> str:
    """One line of totals across queues, or "" when the server does not answer."""
    try:
        counts = client._run(server_calls.all_queue_counts())
        failed = client._run(server_calls.failure_counts())
    except (RedisError, ReqlessError, ValueError):
        return ""
    rows: list[dict[str, Any]] = [dict(q) for q in counts]
    totals = {key: sum(int(q.get(key, 0)) for q in rows) for key in STATUS_KEYS}
    parts = [f"{totals[key]:,} {key}" for key in STATUS_KEYS]
    try:
        completed = int(client.database.zcard(client.keys.COMPLETED))
    except RedisError:
        return ""
    parts.append(f"{completed:,} completed")
    parts.append(f"{sum(int(v) for v in failed.values()):,} failed")
    return time.strftime("%H:%M:%S ") + " · ".join(parts)


@click.command(
    "dev",
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""Examples:

\b
  reqless dev --example          # watch the README's pipeline run in the UI
  reqless dev -w 4 -q emails     # your own jobs: 4 workers on queue "emails"
  reqless dev --url redis://localhost:6379/0   # use a server you already run
""",
)
@click.option("--example", is_flag=True, help="Put the README's gnome jobs, a few a second.")
@click.option(
    "--url",
    metavar="URL",
    help="Use this server instead of starting the embedded Valkey.",
)
@data_dir_option("Where the embedded server keeps its data (appendonly) and logs.")
@port_option("Port of the embedded server (default: a free one).")
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(0, 64),
    default=2,
    show_default=True,
    help="Worker processes (0: none).",
)
@click.option(
    "-q",
    "--queue",
    "queues",
    multiple=True,
    metavar="NAME",
    help="Queue for the workers; repeatable; patterns such as 'emails*' work "
    "(default: every queue).",
)
@click.option("--ui-host", default="127.0.0.1", show_default=True, help="Address of the web UI.")
@click.option(
    "--ui-port", type=click.IntRange(1, 65535), default=9393, show_default=True, help="UI port."
)
@click.option("--no-ui", is_flag=True, help="Do not start the web UI.")
@click.option(
    "--rate",
    type=click.FloatRange(0, 1000),
    default=2.0,
    show_default=True,
    help="Example jobs put per second (with --example).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the workers' log here as well.")
@namespace_option(
    help="Run the workers, the web UI and the example feed in this namespace (keys under "
    f"{NAMESPACED_PREFIX}, docs/scale-out.md); default: ${NAMESPACE_ENV}, else none."
)
def dev(
    example: bool,
    url: str | None,
    data_dir: Path,
    port: int,
    workers: int,
    queues: tuple[str, ...],
    ui_host: str,
    ui_port: int,
    no_ui: bool,
    rate: float,
    verbose: bool,
    namespace: str | None,
) -> None:
    """Run a complete local reqless: server, workers and the web UI."""
    namespace = chosen_namespace(namespace)
    try:
        if url is None:
            require("dev", "reqless dev")
        elif not no_ui:
            require("ui", "reqless dev's web UI (or pass --no-ui)")
    except MissingExtraError as exc:
        raise click.ClickException(str(exc)) from exc
    if not no_ui and not loopback(ui_host):
        raise click.BadParameter(
            "reqless dev serves the UI without authentication, so on loopback only; "
            "use `reqless ui` with --basic-auth to serve it elsewhere",
            param_hint="--ui-host",
        )
    if not no_ui and not port_free(ui_host, ui_port):
        raise click.BadParameter(
            f"port {ui_port} on {ui_host} is in use; choose another", param_hint="--ui-port"
        )
    if url is not None and port:
        raise click.BadParameter(
            "sets the port of the embedded server, which --url replaces; give one or the other",
            param_hint="--port",
        )
    if url is None and port and not port_free("127.0.0.1", port):
        # Whatever listens there is not ours: its jobs must not reach the dev worker.
        raise click.BadParameter(
            f"port {port} on 127.0.0.1 is in use by another program; choose another --port, "
            "leave --port out for a free one, or pass --url to use that server on purpose",
            param_hint="--port",
        )
    if url is not None:
        _check_reachable(url)
    data_dir.mkdir(parents=True, exist_ok=True)
    other = running(data_dir)
    if other is not None and other.pid != os.getpid():
        raise click.ClickException(
            f"reqless is already running with data in {data_dir} (pid {other.pid}); "
            "stop it first or pass --data-dir"
        )
    stopper = Stopper()
    stopper.install()
    server: LocalServer | None = None
    workers_of: list[subprocess.Popen[bytes]] = []  # the current one last
    ui: UIServer | None = None
    feed: ExampleFeed | None = None
    status = 0
    try:
        if url is None:
            try:
                server = start_server(
                    "valkey", port or None, workdir=data_dir.resolve(), appendonly=True,
                    own_session=True,
                )  # fmt: skip
            except ReqlessError as exc:
                # Nothing else starts: no worker or UI may use whatever is on that port.
                raise click.ClickException(f"the embedded server did not start: {exc}") from exc
            url = server.url
        state = DevProcesses(
            pid=os.getpid(), url=url, server_pid=server.process.pid if server else None
        )
        write_running(data_dir, state)
        if not no_ui:
            ui = UIServer(url, ui_host, ui_port, namespace)
            ui.start()
            state.ui_url = ui.url
        worker_queues = queues or (EXAMPLE_QUEUES if example else ("*",))
        command = worker_command(url, workers, worker_queues, namespace)
        if workers:
            workers_of.append(start_worker(command, verbose, data_dir / "worker.log"))
            state.worker_pid = workers_of[-1].pid
        write_running(data_dir, state)
        if example:
            feed = ExampleFeed(url, rate, namespace)
            feed.start()
        _banner(url, server, ui, workers, worker_queues, data_dir, example, rate, namespace)
        status = _watch(stopper, server, workers_of, command, verbose, state, data_dir, namespace)
    finally:
        click.echo("reqless dev: stopping (Ctrl-C again to stop at once)…", err=True)
        if feed is not None:
            feed.stop()
        for worker in workers_of:
            stop_worker(worker, stopper)
        if ui is not None:
            ui.stop()
        if server is not None:
            server.stop()
        clear_running(data_dir)
        click.echo("reqless dev: stopped.", err=True)
    sys.exit(status)


def _check_reachable(url: str) -> None:
    try:
        with Redis.from_url(url, socket_connect_timeout=2) as probe:
            probe.ping()
    except (RedisError, ValueError) as exc:
        why = explain(exc, url) or exc
        raise click.BadParameter(
            f"cannot reach {redact_url(url)}: {why}", param_hint="--url"
        ) from None


def _reqless_command() -> str:
    """How to run `reqless` from the user's shell: the bare name when PATH finds this
    installation's program, else its path (a checkout's `.venv/bin/reqless`)."""
    program = Path(sys.executable).parent / "reqless"
    found = shutil.which("reqless")
    if found is not None and program.exists() and Path(found).samefile(program):
        return "reqless"
    if program.exists():
        relative = os.path.relpath(program)
        return relative if not relative.startswith("..") else str(program)
    return f"{sys.executable} -m reqless"


def _banner(
    url: str,
    server: LocalServer | None,
    ui: UIServer | None,
    workers: int,
    queues: tuple[str, ...],
    data_dir: Path,
    example: bool,
    rate: float,
    namespace: str | None = None,
) -> None:
    where = f"embedded Valkey, data in {data_dir}/" if server else "your server"
    lines = [
        "reqless dev is running:",
        f"  server   {url}  ({where})",
        *(
            [f"  namespace {namespace}  (keys under {KeySpace(namespace).prefix})"]
            if namespace
            else []
        ),
        f"  web UI   {ui.url}" if ui else "  web UI   off",
        f"  workers  {workers} process(es) on {', '.join(queues)}; log in {data_dir}/worker.log",
    ]
    if example:
        lines.append(f"  example  putting {rate:g} GnomesJob jobs a second into 'underpants'")
    if server is not None and os.environ.get("REQLESS_URL"):
        # Its worker serves every queue, so dev never takes a server from the environment.
        lines.append(
            "  note     REQLESS_URL is set but not used here; pass --url to use that server"
        )
    # Commands run from this directory find a dev server in ./.reqless by itself.
    found_here = server is not None and data_dir.resolve() == DEFAULT_DATA_DIR.resolve()
    url_option = "" if found_here else f" --url {url}"
    if namespace is not None:
        url_option += f" --namespace {namespace}"
    lines += [
        "Put a job from the shell (another terminal, this directory):",
        f"  {_reqless_command()} put{url_option} underpants reqless.examples.gnomes.GnomesJob"
        " '{\"gnome\": 1}'",
        "or from Python:",
        f"  import reqless; reqless.Client({url!r}{_namespace_argument(namespace)})"
        ".queues['underpants']"
        ".put('reqless.examples.gnomes.GnomesJob', {'gnome': 1})",
        "Press Ctrl-C to stop.",
    ]
    click.echo("\n".join(lines))


def _namespace_argument(namespace: str | None) -> str:
    return "" if namespace is None else f", namespace={namespace!r}"


def _watch(
    stopper: Stopper,
    server: LocalServer | None,
    workers_of: list[subprocess.Popen[bytes]],
    command: list[str],
    verbose: bool,
    state: DevProcesses,
    data_dir: Path,
    namespace: str | None = None,
) -> int:
    """Wait for Ctrl-C; restart a worker that died (a few times), stop if the server died."""
    client = Client(state.url, hostname="reqless-dev", retry_window=0, namespace=namespace)
    try:
        return _watch_loop(stopper, server, workers_of, command, verbose, state, data_dir, client)
    finally:
        client.database.close()


def _watch_loop(
    stopper: Stopper,
    server: LocalServer | None,
    workers_of: list[subprocess.Popen[bytes]],
    command: list[str],
    verbose: bool,
    state: DevProcesses,
    data_dir: Path,
    client: Client,
) -> int:
    restarts: list[float] = []
    last_status = time.monotonic()
    while not stopper.event.wait(0.5):
        if server is not None and server.process.poll() is not None:
            click.echo(
                f"reqless dev: the server stopped (exit {server.process.returncode}); "
                f"see {data_dir}/server.log",
                err=True,
            )
            return 1
        worker = workers_of[-1] if workers_of else None
        if worker is not None and worker.poll() is not None:
            now = time.monotonic()
            restarts = [t for t in restarts if now - t < 60] + [now]
            if len(restarts) > MAX_RESTARTS:
                click.echo(
                    f"reqless dev: the worker keeps exiting (last status {worker.returncode}); "
                    f"see {data_dir}/worker.log",
                    err=True,
                )
                return 1
            click.echo(
                f"reqless dev: the worker exited (status {worker.returncode}); restarting it",
                err=True,
            )
            stop_worker(worker, stopper)  # its children, if the parent alone died
            workers_of.append(start_worker(command, verbose, data_dir / "worker.log"))
            state.worker_pid = workers_of[-1].pid
            write_running(data_dir, state)
        if time.monotonic() - last_status >= STATUS_EVERY_S:
            last_status = time.monotonic()
            line = _status_line(client)
            if line:
                click.echo(line)
    return 0
