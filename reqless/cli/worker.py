"""`reqless-py-worker` (also `reqless worker`): run forked worker processes.

Start-up, in order: parse the options (`reqless.cli.worker.worker_command`, a
click command); in gevent mode make sure the standard library is monkey-patched
before anything else is imported (see `_gevent_boot`);
configure logging; apply `--path`, `--import` and `--workdir`; connect; then a
`ForkingWorker` parent supervises `--workers` children until TERM, INT or QUIT.
"""

from __future__ import annotations

import os
import sys
import time

import click
from redis.exceptions import AuthorizationError, RedisError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless.abstract import AbstractQueueResolver
from reqless.cli.click_main import run_click
from reqless.cli.server_args import redact_url
from reqless.cli.server_options import group_url
from reqless.cli.worker_args import (
    ARGV,
    PROGRAM,
    WorkerOptions,
    build_worker_command,
    configure_logging,
    hooked_settings,
    prepare_environment,
    usage_error,
)
from reqless.client import Client
from reqless.durability import waitaof_problem
from reqless.exceptions import ArgumentError, ReqlessError
from reqless.logger import logger
from reqless.queue_resolvers import (
    DynamicMappingQueueIdentifiersTransformer,
    DynamicPriorityQueueIdentifiersTransformer,
    TransformingQueueResolver,
)
from reqless.server_access import explain
from reqless.workers.forking_worker import ForkingWorker
from reqless.workers.logs import bind_worker
from reqless.workers.util import set_title

__all__ = [
    "ASYNCIO_WORKER", "GEVENT_WORKER", "SERIAL_WORKER", "main", "queue_resolver", "run",
]  # fmt: skip

#: The child worker classes, by dotted path (gevent is imported only when used).
SERIAL_WORKER = "reqless.workers.serial_worker.SerialWorker"
GEVENT_WORKER = "reqless.workers.gevent_worker.GeventWorker"
ASYNCIO_WORKER = "reqless.workers.asyncio_worker.AsyncioWorker"

# Run by a fresh interpreter in gevent mode: patch first, import reqless after. It
# runs the `main` of the module named first (this one, or `reqless` for `reqless worker`).
_GEVENT_BOOT = (
    "import importlib, sys\n"
    "from gevent import monkey\n"
    "monkey.patch_all()\n"
    "sys.exit(importlib.import_module(sys.argv[1]).main(sys.argv[2:]))\n"
)


def main(argv: list[str] | None = None, *, prog: str = PROGRAM) -> int:
    """Run the worker program with `argv` (default `sys.argv[1:]`); returns the exit status.

    `prog` is the name usage and error messages show. A usage error prints the
    usage and a message naming the option, and raises SystemExit(2).
    """
    args = sys.argv[1:] if argv is None else list(argv)
    return run_click(worker_command, args, prog)


def run(options: WorkerOptions, ctx: click.Context) -> int:
    """Run the workers `options` ask for, from the worker command's context `ctx`;
    returns the exit status (problems with an option raise click.UsageError)."""
    prog = ctx.command_path
    if options.greenlets:
        status = _gevent_boot(*_relaunch(ctx))
        if status is not None:
            return status
    try:
        configure_logging(options.log_level, options.log_file, options.log_format)
    except OSError as exc:
        usage_error(f"argument -l/--logger: cannot write {options.log_file!r}: {_why(exc)}")
    try:
        prepare_environment(options)
    except OSError as exc:
        usage_error(f"argument -d/--workdir: cannot work in {options.workdir!r}: {_why(exc)}")
    settings = hooked_settings(options)
    # Long-running, and it takes jobs: always say which server, and why.
    reason = f" ({options.server_reason})" if options.server_reason else ""
    spaces = _spaces_line(options.namespaces)
    print(f"{prog}: using {options.display_url}{reason}{spaces}", file=sys.stderr, flush=True)
    try:
        clients = _clients(options)
    except ArgumentError as exc:
        if "socket_timeout" not in str(exc):
            raise
        usage_error(f"argument --ack-timeout: {exc}")  # the waits outlast the socket's timeout
    except ReqlessError as exc:  # a cluster without --namespace, a URL of the wrong kind
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    client = clients[0]
    bind_worker(client.worker_name)
    if not _server_usable(client, options.url, prog):
        return 1
    if not _durability_usable(client, prog):
        return 1
    logger.info(
        "starting %s worker processes (%s) for %s on %s as %s%s",
        options.workers,
        _mode(options),
        ", ".join(options.queues),
        options.display_url,
        client.worker_name,
        spaces,
    )
    # One client per namespace; child i serves the i-th modulo their number.
    pairs = [(each, queue_resolver(each, options.queues)) for each in clients]
    worker = ForkingWorker(
        pairs[0][1],
        client,
        spaces=pairs,
        klass=_worker_class(options),
        workers=options.workers,
        greenlets=options.greenlets,
        concurrency=options.concurrency,
        resume=options.resume,
        settings=settings,
    )
    worker.run()
    return 0


#: `reqless worker` and `reqless-py-worker`: the worker's options, then `run`.
worker_command = build_worker_command(run)


def queue_resolver(
    client: Client, identifiers: tuple[str, ...] | list[str]
) -> AbstractQueueResolver:
    """Literal queue names as given, or, when any identifier is a pattern (`*`,
    `@name`, `!...`), a resolver that expands them against the known queues and
    orders them by the stored priority patterns on every pass."""
    names = list(identifiers)
    if not any(_is_pattern(name) for name in names):
        return TransformingQueueResolver(names)
    return TransformingQueueResolver(
        names,
        [
            DynamicMappingQueueIdentifiersTransformer(client),
            DynamicPriorityQueueIdentifiersTransformer(client),
        ],
    )


def _spaces_line(namespaces: tuple[str | None, ...]) -> str:
    """` in namespace(s) a, b` for the start-up line; empty for the shared layout."""
    names = [name for name in namespaces if name is not None]
    if not names:
        return ""
    return f" in namespace{'s' if len(names) > 1 else ''} {', '.join(names)}"


def _clients(options: WorkerOptions) -> list[Client]:
    """One client per namespace. A cluster's client asks its nodes for the slot map
    when it is made: while none answers, wait and ask again, as the workers keep
    trying a single server that does not answer."""
    pause = 0.5
    while True:
        try:
            return [
                Client(options.url, hostname=options.name, durability=options.durability,
                       namespace=name)
                for name in options.namespaces
            ]  # fmt: skip
        except (RedisConnectionError, RedisTimeoutError) as exc:
            where = redact_url(options.url)
            logger.warning("cannot reach the server at %s (%s); trying again", where, exc)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def _server_usable(client: Client, url: str, prog: str) -> bool:
    """Check the server once before forking; False (after saying why) when it refuses us.

    A refusal (no password, a wrong one, TLS to a server without it, no such
    database) does not get better with time, so it ends the program. A server that
    does not answer may be starting or restarting: the workers keep trying, and the
    log says so.
    """
    where = redact_url(url)
    try:
        client.database.ping()
    except (AuthorizationError, ResponseError) as exc:
        hint = "" if isinstance(exc, ResponseError) else " (check --password or the URL)"
        print(f"{prog}: error: the server at {where} refused us{hint}: {exc}", file=sys.stderr)
        return False
    except (RedisConnectionError, RedisTimeoutError) as exc:
        explained = explain(exc, url)
        if explained is not None:
            print(f"{prog}: error: {explained}", file=sys.stderr)
            return False
        logger.warning("cannot reach the server at %s (%s); the workers keep trying", where, exc)
    except RedisError as exc:
        logger.warning("cannot reach the server at %s (%s); the workers keep trying", where, exc)
    return True


def _durability_usable(client: Client, prog: str) -> bool:
    """Check once, before forking, that the server can give the `--ack-*` disks;
    False (after saying why) when it cannot (no WAITAOF, or no append-only file)."""
    durability = client.durability
    if durability is None or not durability.uses_waitaof:
        return True
    try:
        info = {**client.node.info("server"), **client.node.info("persistence")}
    except RedisError:
        return True  # unreachable: checked again before the first acknowledged write
    problem = waitaof_problem(durability, info)
    if problem is not None:
        flag = "--ack-local-disk" if durability.local_disk else "--ack-replica-disk"
        print(f"{prog}: error: argument {flag}: {problem}", file=sys.stderr)
        return False
    return True


def _worker_class(options: WorkerOptions) -> str:
    if options.greenlets:
        return GEVENT_WORKER
    return ASYNCIO_WORKER if options.asyncio else SERIAL_WORKER


def _mode(options: WorkerOptions) -> str:
    if options.greenlets:
        return f"{options.greenlets} greenlets each"
    if options.asyncio:
        from reqless.workers.asyncio_worker import DEFAULT_CONCURRENCY

        return f"asyncio, {options.concurrency or DEFAULT_CONCURRENCY} jobs at once each"
    return "serial"


def _why(exc: OSError) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        return "not a directory"
    return exc.strerror or str(exc)


def _is_pattern(identifier: str) -> bool:
    return "*" in identifier or "@" in identifier or identifier.startswith("!")


def _relaunch(ctx: click.Context) -> tuple[str, list[str], list[str]]:
    """What re-runs this command in a fresh interpreter: the module whose `main` to
    call, its arguments, and the worker's own arguments (for the process title)."""
    args = list(ctx.meta.get(ARGV, []))
    if ctx.parent is None:
        return __name__, args, args
    # `reqless [--url U] worker ARGS`: the group again, its --url included.
    url = group_url(ctx)
    group = ["--url", url] if url is not None else []
    return "reqless.cli.main", [*group, ctx.info_name or "worker", *args], args


def _gevent_boot(module: str, argv: list[str], args: list[str]) -> int | None:
    """Make sure gevent's monkey-patching came before every other import.

    By the time this runs, importing `reqless` has imported redis, socket, ssl,
    threading and asyncio, and patching them now would leave some of them
    unpatched. So, unless the interpreter is already patched, replace this
    process (same pid, same arguments) by a fresh interpreter that patches
    first and imports reqless after, then runs `module`'s `main` with `argv`
    (`args`, the worker's own arguments, become the process title). Returns an
    exit status when gevent is missing, else None (already patched: carry on).
    """
    try:
        from gevent import monkey
    except ImportError:
        print(
            "reqless-py-worker: --greenlets needs gevent: pip install 'reqless[gevent]'",
            file=sys.stderr,
        )
        return 2
    if monkey.is_module_patched("socket"):
        # The parent's title is the command the operator typed, not `python -c ...`.
        set_title(" ".join(args))
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    flags = [f"-W{option}" for option in sys.warnoptions]
    # -P: do not put the working directory (later a sandbox) on the module path.
    os.execv(sys.executable, [sys.executable, *flags, "-P", "-c", _GEVENT_BOOT, module, *argv])
    return None  # pragma: no cover - execv does not return
