"""The command line of the worker program: options, logging set-up, and start-up environment.

`worker_command` is the click command behind both `reqless-py-worker` and
`reqless worker`; running the workers is `reqless.cli.worker`'s business. Typical use::

    options = parse_worker_args(sys.argv[1:])
    configure_logging(options.log_level, options.log_file, options.log_format)
    prepare_environment(options)
"""

from __future__ import annotations

import importlib
import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn, TypeVar

import click

from reqless import defaults
from reqless.cli.click_types import (
    COUNT,
    NON_EMPTY,
    POSITIVE_SECONDS,
    SECONDS,
    WHOLE_NUMBER,
    Checked,
)
from reqless.cli.server_args import PASSWORD_ENV, SERVER_HELP, URL_ENV, redact_url
from reqless.cli.server_choice import NoDevServer
from reqless.cli.server_options import (
    NAMESPACE_ENV,
    NAMESPACED_PREFIX,
    SHARED_PREFIX,
    add_server_options,
    chosen_namespaces,
    namespace_option,
    take_server_choice,
)
from reqless.durability import Durability
from reqless.exceptions import ReqlessError
from reqless.job_retry import RetryPolicy
from reqless.logger import logger
from reqless.workers.logs import LOG_FORMATS, LOG_LEVELS, LogFormat, configure_worker_logging
from reqless.workers.settings import WorkerSettings

__all__ = [
    "ARGV",
    "PROGRAM",
    "Runner",
    "WorkerOptions",
    "build_worker_command",
    "configure_logging",
    "hooked_settings",
    "options_from_params",
    "parse_worker_args",
    "prepare_environment",
    "usage_error",
]

#: The name the worker program is installed under.
PROGRAM = "reqless-py-worker"
#: Where the worker command keeps its arguments as given (in the context's `meta`),
#: for the gevent re-launch.
ARGV = "reqless.worker.argv"

# -v and --log-level set one value; the callbacks record it here in command-line order.
_LOG_LEVEL = "reqless.worker.log_level"

_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """Everything the worker program was asked to do, with defaults and env vars resolved."""

    #: Queue names, in the order given.
    queues: tuple[str, ...]
    #: Child processes to run (the CPU count when the option was absent or 0).
    workers: int
    #: Greenlets per child process; 0 means no gevent.
    greenlets: int
    #: Seconds to sleep after a pass that found no work.
    interval: float
    #: Directory to work in; sandboxes are created below it.
    workdir: str
    #: Directories to put at the front of `sys.path`, as given.
    paths: tuple[str, ...]
    #: Modules to import before the workers start.
    imports: tuple[str, ...]
    #: Resume the jobs this worker name still holds locks for.
    resume: bool
    #: Worker name; None means the machine's host name.
    name: str | None
    #: Log at DEBUG (`-v`, the same as `--log-level debug`).
    verbose: bool
    #: Also log to this file.
    log_file: str | None
    #: Pop one job per queue per pass instead of emptying earlier queues first.
    round_robin: bool
    #: Hard time limit of a job in seconds; 0 means none.
    timeout: float
    #: Seconds TERM/INT wait for running jobs before stopping them.
    shutdown_timeout: float
    #: The server's connection URL (may hold a password, so it is kept out of `repr`).
    url: str = field(repr=False)
    #: Run each child's jobs as tasks of one asyncio event loop (`--asyncio`).
    asyncio: bool = False
    #: Jobs each asyncio child runs at once (0: the asyncio worker's default).
    concurrency: int = 0
    #: Why this server ("from --url", "the reqless dev server of /path", ...).
    server_reason: str = field(default="", compare=False)
    #: Seconds a job interrupted for its time limit or a shutdown has to stop
    #: before its worker process is killed.
    kill_grace: float = defaults.KILL_GRACE
    #: Retry policies by queue pattern (`--retry-policy PATTERN SPEC`), in the order given.
    retry_policies: Mapping[str, RetryPolicy] = field(default_factory=dict, hash=False)
    #: The lowest level logged (`--log-level`: debug, info, warning or error).
    log_level: str = "info"
    #: `text` lines or `json` lines (`--log-format`).
    log_format: LogFormat = "text"
    #: The hooks module (`--hooks`), imported once `--path` applies (see `hooked_settings`).
    hooks: str | None = None
    #: Recycle a child after it started this many jobs (`--max-jobs-per-child`).
    max_jobs_per_child: int | None = None
    #: Recycle a child once its resident memory exceeds this many MB (`--max-memory-per-child`).
    max_memory_per_child: float | None = None
    #: What pops, completes, fails and retries wait for (`--ack-*`); None: nothing.
    durability: Durability | None = None
    #: The namespaces served (`--namespace`), child i the i-th modulo their
    #: number; (None,): the shared `ql:` layout.
    namespaces: tuple[str | None, ...] = (None,)

    @property
    def settings(self) -> WorkerSettings:
        """The settings every worker mode takes (checked when the options were parsed)."""
        return WorkerSettings(
            interval=self.interval,
            round_robin=self.round_robin,
            job_timeout=self.timeout,
            shutdown_timeout=self.shutdown_timeout,
            kill_grace=self.kill_grace,
            retry_policies=self.retry_policies,
            max_jobs_per_child=self.max_jobs_per_child,
            max_memory_per_child=self.max_memory_per_child,
            hooks=self.hooks,
        )

    @property
    def display_url(self) -> str:
        """`url` with any password replaced by `***`, safe to log."""
        return redact_url(self.url)


def _check_megabytes(text: str) -> float:
    """A finite number of megabytes, more than 0."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"must be a number of megabytes > 0, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"must be a number of megabytes > 0, got {text!r}")
    return value


_MEGABYTES = Checked("megabytes", _check_megabytes)


def _remember_log_level(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    # Click processes the options given in command-line order, so, as with argparse's
    # shared destination, the last of -v and --log-level wins.
    if param.name == "verbose" and value:
        ctx.meta[_LOG_LEVEL] = "debug"
    elif param.name == "log_level" and value is not None:
        ctx.meta[_LOG_LEVEL] = value
    return value


def _default(text: str, value: object) -> str:
    """`text` with the default shown as the argparse program showed it."""
    return f"{text} (default: {value})"


_WORK_OPTIONS = [
    click.option(
        "-q",
        "--queue",
        "queues",
        type=NON_EMPTY,
        multiple=True,
        metavar="NAME",
        help="queue to pop jobs from; required, repeat for several (earlier ones first)",
    ),
    click.option(
        "--round-robin",
        is_flag=True,
        help="pop one job per queue per pass instead of emptying earlier queues first",
    ),
    click.option(
        "-w",
        "--workers",
        type=WHOLE_NUMBER,
        default=0,
        metavar="N",
        help=_default("worker processes to run; 0 means one per CPU", 0),
    ),
    click.option(
        "-g",
        "--greenlets",
        type=WHOLE_NUMBER,
        default=0,
        metavar="N",
        help=_default("greenlets per worker process (needs gevent); 0 means no gevent", 0),
    ),
    click.option(
        "--asyncio",
        is_flag=True,
        help="run each worker process's jobs as tasks of one asyncio event loop "
        "(async def handlers are awaited; see docs/asyncio.md)",
    ),
    click.option(
        "--concurrency",
        type=WHOLE_NUMBER,
        default=0,
        metavar="N",
        help=_default("with --asyncio: jobs each worker process runs at once; 0 means 10", 0),
    ),
    click.option(
        "-i",
        "--interval",
        type=POSITIVE_SECONDS,
        default=defaults.WORKER_INTERVAL,
        metavar="SECONDS",
        help=_default("how long to sleep when no queue had work", defaults.WORKER_INTERVAL),
    ),
    click.option(
        "--timeout",
        type=SECONDS,
        default=0.0,
        metavar="SECONDS",
        help=_default("hard time limit of each job; 0 means none", 0.0),
    ),
    click.option(
        "--shutdown-timeout",
        type=SECONDS,
        default=defaults.SHUTDOWN_TIMEOUT,
        metavar="SECONDS",
        help=_default(
            "how long TERM/INT wait for running jobs before stopping them",
            defaults.SHUTDOWN_TIMEOUT,
        ),
    ),
    click.option(
        "--kill-grace",
        type=SECONDS,
        default=defaults.KILL_GRACE,
        metavar="SECONDS",
        help=_default(
            "how long a job stopped for --timeout or a shutdown has to end before its "
            "worker process is killed (and replaced)",
            defaults.KILL_GRACE,
        ),
    ),
    click.option(
        "--retry-policy",
        "retry_policies",
        nargs=2,
        multiple=True,
        metavar="PATTERN SPEC",
        help="retry jobs of the queues matching PATTERN (`*`: any run) whose handler "
        "raised, instead of failing them, until their retries run out; SPEC is "
        "delay=SECONDS[,backoff=N][,max_delay=SECONDS][,jitter]; repeatable, the first "
        "matching pattern counts (see docs/worker.md)",
    ),
    click.option(
        "--max-jobs-per-child",
        type=COUNT,
        metavar="N",
        help="replace a worker process after it started N jobs (it finishes them first)",
    ),
    click.option(
        "--max-memory-per-child",
        type=_MEGABYTES,
        metavar="MB",
        help="replace a worker process whose resident memory exceeds MB megabytes "
        "(checked between jobs)",
    ),
    click.option(
        "--hooks",
        type=NON_EMPTY,
        metavar="MODULE",
        help="module of worker hooks (on_start, after_fork, before_job, after_job, "
        "on_failure, on_stop; see docs/worker.md)",
    ),
    click.option(
        "-r",
        "--resume",
        is_flag=True,
        help="first resume the jobs this worker name still holds locks for "
        "(never run two workers with the same name with this)",
    ),
    click.option(
        "-n",
        "--name",
        type=NON_EMPTY,
        metavar="NAME",
        help="worker name; child i is named NAME-i (default: the machine's host name)",
    ),
    namespace_option(
        multiple=True,
        help=f"serve the queues of this namespace (keys under {NAMESPACED_PREFIX}, "
        "docs/scale-out.md); "
        "repeatable: child i serves the i-th modulo their number, so -w must be at least "
        f"their number (default: ${NAMESPACE_ENV}, else none: the shared {SHARED_PREFIX} layout)",
    ),
    click.option(
        "--ack-replicas",
        type=COUNT,
        metavar="N",
        help="pops and a job's complete, fail or retry wait until N replicas have it (WAIT); "
        "see docs/scale-out.md",
    ),
    click.option(
        "--ack-local-disk",
        is_flag=True,
        help="pops and a job's complete, fail or retry wait until the server's append-only file "
        "has it on disk (WAITAOF; needs appendonly yes, and Redis 7.2+ or Valkey)",
    ),
    click.option(
        "--ack-replica-disk",
        type=COUNT,
        metavar="N",
        help="pops and a job's complete, fail or retry wait until N replicas have it on disk "
        "(WAITAOF; Redis 7.2+ or Valkey)",
    ),
    click.option(
        "--ack-timeout",
        type=POSITIVE_SECONDS,
        metavar="SECONDS",
        help=_default(
            "with --ack-*: how long each wait may take; past it the worker logs the job as "
            "not acknowledged (it was written on the primary) and goes on",
            defaults.ACK_TIMEOUT,
        ),
    ),
]

_ENVIRONMENT_OPTIONS = [
    click.option(
        "-d",
        "--workdir",
        type=NON_EMPTY,
        default=".",
        metavar="DIR",
        help=_default("directory to work in (created if missing); sandboxes go below it", "."),
    ),
    click.option(
        "-p",
        "--path",
        "paths",
        type=NON_EMPTY,
        multiple=True,
        metavar="DIR",
        help="directory to put at the front of the module search path; repeatable",
    ),
    click.option(
        "-m",
        "--import",
        "imports",
        type=NON_EMPTY,
        multiple=True,
        metavar="MODULE",
        help="module to import before the workers start; repeatable",
    ),
    click.option(
        "--log-level",
        type=click.Choice(LOG_LEVELS, case_sensitive=False),
        callback=_remember_log_level,
        metavar="{" + ",".join(LOG_LEVELS) + "}",
        help=_default("the lowest level logged, by reqless and by the jobs' own loggers", "info"),
    ),
    click.option(
        "-v",
        "--verbose",
        is_flag=True,
        callback=_remember_log_level,
        help="the same as --log-level debug",
    ),
    click.option(
        "--log-format",
        type=click.Choice(LOG_FORMATS),
        default="text",
        metavar="{" + ",".join(LOG_FORMATS) + "}",
        help=_default(
            "text lines, or JSON lines with time, level, logger, worker, jid, queue "
            "and message (see docs/worker.md)",
            "text",
        ),
    ),
    click.option(
        "-l", "--logger", "log_file", metavar="FILE", help="also write the log to this file"
    ),
]

# The worker's own words for the server options (it predates the admin commands).
_SERVER_HELP = {
    **SERVER_HELP,
    "url": "full server URL (redis://, rediss:// or unix://); overrides --host, --port, "
    f"--db and --password (default: ${URL_ENV} when no server option is given)",
}


def _worker_options(command: _F) -> _F:
    """Add every option of the worker program to a click command, in help order."""
    command = add_server_options(command, help=_SERVER_HELP)
    for option in reversed(_WORK_OPTIONS + _ENVIRONMENT_OPTIONS):
        command = option(command)
    return command


class _WorkerCommand(click.Command):
    """The worker command: it keeps its arguments as given, for the gevent re-launch,
    and every usage error shows the usage."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGV] = list(args)
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            # Click leaves out the usage for an option missing its value; show it.
            if exc.ctx is None:
                exc.ctx = ctx
            raise


#: What the worker command runs once its options are checked (`reqless.cli.worker.run`).
Runner = Callable[["WorkerOptions", click.Context], int]


def build_worker_command(runner: Runner) -> click.Command:
    """The worker command, running `runner` with the checked options.

    `reqless.cli.worker` builds the program's command with its `run`; the options
    are parsed here without running anything (`parse_worker_args`).
    """

    @click.command(
        "worker",
        cls=_WorkerCommand,
        help="Run reqless workers: pop jobs from the given queues and process them.",
        short_help="Run worker processes that pop and process jobs.",
        epilog=f"Environment: {URL_ENV} is used when no server option is given; "
        f"{PASSWORD_ENV} when --password is not given.",
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    @_worker_options
    @click.pass_context
    def worker_command(ctx: click.Context, /, **params: Any) -> int:
        """Check every option (a bad one is a usage error, status 2, and nothing
        starts), then run the workers until TERM, INT or QUIT."""
        return runner(options_from_params(ctx, params), ctx)

    return worker_command


#: The worker's options alone, for `parse_worker_args` (its callback runs nothing).
_PARSER = build_worker_command(lambda options, ctx: 0)


def parse_worker_args(
    argv: list[str] | None,
    *,
    environ: Mapping[str, str] | None = None,
    prog: str = PROGRAM,
) -> WorkerOptions:
    """Parse the worker's command line (`sys.argv[1:]` when `argv` is None).

    `environ` (default `os.environ`) supplies `REQLESS_URL` and `REQLESS_PASSWORD`;
    `prog` is the program name shown in messages (e.g. `reqless worker`). Invalid
    input prints the usage and a message naming the option, and exits with status 2.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        with _PARSER.make_context(prog, args) as ctx:
            return options_from_params(ctx, ctx.params, environ)
    except click.exceptions.Exit as exc:  # --help
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from exc


def options_from_params(
    ctx: click.Context, params: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> WorkerOptions:
    """The `WorkerOptions` of the worker command's parsed `params`.

    Raises click.UsageError for what no single option's type can check: a missing
    `--queue`, options that do not go together, the server, and the settings.
    """
    given = dict(params)
    if not given["queues"]:
        raise click.UsageError("at least one --queue is required", ctx)
    if given["asyncio"] and given["greenlets"]:
        raise click.UsageError("argument --asyncio: not allowed with argument -g/--greenlets", ctx)
    if given["concurrency"] and not given["asyncio"]:
        raise click.UsageError("argument --concurrency: only with --asyncio", ctx)
    try:
        choice = take_server_choice(given, environ)
    except NoDevServer as exc:
        raise click.UsageError(str(exc), ctx) from None
    except click.UsageError as exc:
        # The program's usage comes first, as for every other bad option.
        raise click.UsageError(exc.message, ctx) from None
    log_level = ctx.meta.get(_LOG_LEVEL, "info")
    workers = given["workers"] or os.cpu_count() or 1
    namespaces = _namespaces(ctx, given["namespace"], workers, environ)
    options = WorkerOptions(
        queues=tuple(given["queues"]),
        workers=workers,
        greenlets=given["greenlets"],
        interval=float(given["interval"]),
        workdir=given["workdir"],
        paths=tuple(given["paths"]),
        imports=tuple(given["imports"]),
        resume=given["resume"],
        name=given["name"],
        verbose=log_level == "debug",
        log_file=given["log_file"],
        round_robin=given["round_robin"],
        timeout=float(given["timeout"]),
        shutdown_timeout=float(given["shutdown_timeout"]),
        url=choice.url,
        asyncio=given["asyncio"],
        concurrency=given["concurrency"],
        server_reason=choice.reason,
        kill_grace=float(given["kill_grace"]),
        retry_policies=_retry_policies(ctx, given["retry_policies"]),
        log_level=log_level,
        log_format=given["log_format"],
        hooks=given["hooks"],
        max_jobs_per_child=given["max_jobs_per_child"],
        max_memory_per_child=given["max_memory_per_child"],
        durability=_durability(ctx, given),
        namespaces=namespaces,
    )
    try:
        # Checked once, here, as every mode takes them; the hooks module is
        # imported later, once --path applies (`hooked_settings`).
        replace(options, hooks=None).settings  # noqa: B018
    except ReqlessError as exc:
        raise click.UsageError(f"argument {_flag_of(str(exc))}: {exc}", ctx) from None
    return options


def _namespaces(
    ctx: click.Context, given: tuple[str, ...], workers: int, environ: Mapping[str, str] | None
) -> tuple[str | None, ...]:
    """The `--namespace`s (else `$REQLESS_NAMESPACE`'s one); refused when fewer
    worker processes than namespaces would leave one unserved."""
    try:
        namespaces = chosen_namespaces(given, environ)
    except click.UsageError as exc:
        raise click.UsageError(exc.message, ctx) from None
    if len(namespaces) > workers:
        raise click.UsageError(
            f"argument --namespace: {len(namespaces)} namespaces need at least "
            f"{len(namespaces)} worker processes (-w/--workers; each serves one "
            f"namespace), not {workers}",
            ctx,
        )
    return namespaces


def _durability(ctx: click.Context, given: Mapping[str, Any]) -> Durability | None:
    """The `--ack-*` options as a Durability (None when none is given)."""
    replicas, disks = given["ack_replicas"] or 0, given["ack_replica_disk"] or 0
    if not (replicas or given["ack_local_disk"] or disks):
        if given["ack_timeout"] is not None:
            raise click.UsageError(
                "argument --ack-timeout: only with --ack-replicas, --ack-local-disk or "
                "--ack-replica-disk",
                ctx,
            )
        return None
    timeout = defaults.ACK_TIMEOUT if given["ack_timeout"] is None else given["ack_timeout"]
    return Durability(replicas, bool(given["ack_local_disk"]), disks, timeout)


def _retry_policies(
    ctx: click.Context, given: tuple[tuple[str, str], ...]
) -> dict[str, RetryPolicy]:
    """`--retry-policy PATTERN SPEC` pairs as policies (every Exception is retried)."""
    policies: dict[str, RetryPolicy] = {}
    for pattern, spec in given:
        if not pattern:
            raise click.UsageError("argument --retry-policy: the queue pattern is empty", ctx)
        try:
            policies[pattern] = RetryPolicy.from_text(spec)
        except ReqlessError as exc:
            raise click.UsageError(f"argument --retry-policy {pattern}: {exc}", ctx) from None
    return policies


def hooked_settings(options: WorkerOptions) -> WorkerSettings:
    """`options.settings` with the `--hooks` module imported and checked.

    Call it after `prepare_environment` (the module may live on a `--path`). A
    module that does not import, a hook that is not callable, a misspelt hook
    name, or an `async def` hook outside `--asyncio` ends the program as a bad
    option does (status 2, naming `--hooks`).
    """
    try:
        settings = options.settings
        if not options.asyncio:
            mode = "--greenlets" if options.greenlets else "the serial worker"
            settings.worker_hooks.refuse_async(mode)
    except ReqlessError as exc:
        usage_error(f"argument {_flag_of(str(exc))}: {exc}")
    return settings


def _flag_of(message: str) -> str:
    """The command-line flag of the setting a WorkerSettings error names."""
    name = message.split()[0]
    return {
        "interval": "-i/--interval",
        "job_timeout": "--timeout",
        "shutdown_timeout": "--shutdown-timeout",
        "kill_grace": "--kill-grace",
        "hooks": "--hooks",
        "max_jobs_per_child": "--max-jobs-per-child",
        "max_memory_per_child": "--max-memory-per-child",
    }.get(name, name)


def usage_error(message: str) -> NoReturn:
    """End the program as for a bad option: usage, `message`, status 2.

    For problems found only when acting on an option (a log file that cannot be
    opened, a workdir that is a file). Raises click.UsageError.
    """
    raise click.UsageError(message, click.get_current_context(silent=True))


def configure_logging(log_level: str, log_file: str | None, log_format: LogFormat = "text") -> None:
    """Configure the root logger for the worker program (see `configure_worker_logging`).

    Every logger, a job's own included, logs at `log_level` and above to standard
    error and, if given, to `log_file`. Raises `OSError` when the file cannot be opened.
    """
    configure_worker_logging(log_level, log_format, log_file)


def prepare_environment(options: WorkerOptions) -> None:
    """Apply `--path`, `--import` and `--workdir`, in that order.

    The paths, made absolute against the current directory, go to the front of
    `sys.path` in the order given, followed by the current directory itself. Each
    module is imported; a failure is logged with its exception and start-up
    continues. Then the working directory becomes `workdir`, created if missing.
    Call `configure_logging` first so the import lines are seen.
    """
    absolute = [os.path.abspath(path) for path in options.paths]
    # Like `python -m`, the starting directory is importable too (after the
    # --path entries), so job modules next to where the worker is started load.
    start = os.getcwd()
    if start not in absolute and start not in sys.path:
        absolute.append(start)
    sys.path[:0] = absolute
    for path in absolute:
        logger.debug("Added %s to the module search path", path)
    for name in options.imports:
        try:
            importlib.import_module(name)
        except Exception:
            # The program's start-up is a process boundary: report and carry on.
            logger.exception("Could not import %s", name)
        else:
            logger.info("Imported %s", name)
    os.makedirs(options.workdir, exist_ok=True)
    os.chdir(options.workdir)
    logger.debug("Working in %s", os.getcwd())
