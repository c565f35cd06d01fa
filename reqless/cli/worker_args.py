"""The command line of the worker program: options, logging set-up, and start-up environment.

Only parsing and preparation live here; running the workers is the caller's business.
Typical use::

    options = parse_worker_args(sys.argv[1:])
    configure_logging(options.log_level, options.log_file, options.log_format)
    prepare_environment(options)
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import NoReturn

from reqless import defaults
from reqless.cli._argtypes import (
    argtype,
    count,
    non_empty,
    non_negative_float,
    non_negative_int,
    positive_float,
)
from reqless.cli.server_args import PASSWORD_ENV, URL_ENV, add_server_arguments, redact_url
from reqless.cli.server_args import server_url as resolve_server_url
from reqless.cli.server_choice import (
    EnvConflict,
    NoDevServer,
    ServerChoice,
    env_url,
    implicit_choice,
)
from reqless.exceptions import ReqlessError
from reqless.job_retry import RetryPolicy
from reqless.logger import logger
from reqless.workers.logs import LOG_FORMATS, LOG_LEVELS, LogFormat, configure_worker_logging
from reqless.workers.settings import WorkerSettings

__all__ = [
    "PROGRAM",
    "WorkerOptions",
    "build_worker_parser",
    "configure_logging",
    "hooked_settings",
    "parse_worker_args",
    "prepare_environment",
    "usage_error",
]

#: The name the worker program is installed under.
PROGRAM = "reqless-py-worker"


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


def build_worker_parser(prog: str = PROGRAM) -> argparse.ArgumentParser:
    """Return the argument parser of the worker program (`prog` is shown in usage lines)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run reqless workers: pop jobs from the given queues and process them.",
        epilog=f"Environment: {URL_ENV} is used when no server option is given; "
        f"{PASSWORD_ENV} when --password is not given.",
        formatter_class=_HelpFormatter,
    )
    _add_work_arguments(parser)
    _add_environment_arguments(parser)
    add_server_arguments(parser)
    return parser


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an option's default, unless it says nothing (None, False, an empty list)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        default = action.default
        if default is None or default is False or default == []:
            return action.help
        return super()._get_help_string(action)


def parse_worker_args(
    argv: list[str] | None,
    *,
    environ: Mapping[str, str] | None = None,
    prog: str = PROGRAM,
) -> WorkerOptions:
    """Parse the worker's command line (`sys.argv[1:]` when `argv` is None).

    `environ` (default `os.environ`) supplies `REQLESS_URL` and `REQLESS_PASSWORD`;
    `prog` is the program name shown in messages (e.g. `reqless worker`). Invalid input
    exits through `argparse` with status 2 and a message naming the flag.
    """
    parser = build_worker_parser(prog)
    args = parser.parse_args(argv)
    if not args.queues:
        parser.error("at least one --queue is required")
    if args.asyncio and args.greenlets:
        parser.error("argument --asyncio: not allowed with argument -g/--greenlets")
    if args.concurrency and not args.asyncio:
        parser.error("argument --concurrency: only with --asyncio")
    env = os.environ if environ is None else environ
    choice = _server_choice(parser, args, env)
    url = choice.url
    options = WorkerOptions(
        queues=tuple(args.queues),
        workers=args.workers or os.cpu_count() or 1,
        greenlets=args.greenlets,
        interval=args.interval,
        workdir=args.workdir,
        paths=tuple(args.paths),
        imports=tuple(args.imports),
        resume=args.resume,
        name=args.name,
        verbose=args.log_level == "debug",
        log_file=args.log_file,
        round_robin=args.round_robin,
        timeout=args.timeout,
        shutdown_timeout=args.shutdown_timeout,
        url=url,
        asyncio=args.asyncio,
        concurrency=args.concurrency,
        server_reason=choice.reason,
        kill_grace=args.kill_grace,
        retry_policies=_retry_policies(parser, args.retry_policies),
        log_level=args.log_level,
        log_format=args.log_format,
        hooks=args.hooks,
        max_jobs_per_child=args.max_jobs_per_child,
        max_memory_per_child=args.max_memory_per_child,
    )
    try:
        # Checked once, here, as every mode takes them; the hooks module is
        # imported later, once --path applies (`hooked_settings`).
        replace(options, hooks=None).settings  # noqa: B018
    except ReqlessError as exc:
        parser.error(f"argument {_flag_of(str(exc))}: {exc}")
    return options


def _retry_policies(
    parser: argparse.ArgumentParser, given: list[list[str]]
) -> dict[str, RetryPolicy]:
    """`--retry-policy PATTERN SPEC` pairs as policies (every Exception is retried)."""
    policies: dict[str, RetryPolicy] = {}
    for pattern, spec in given:
        if not pattern:
            parser.error("argument --retry-policy: the queue pattern is empty")
        try:
            policies[pattern] = RetryPolicy.from_text(spec)
        except ReqlessError as exc:
            parser.error(f"argument --retry-policy {pattern}: {exc}")
    return policies


def hooked_settings(options: WorkerOptions, prog: str = PROGRAM) -> WorkerSettings:
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
        usage_error(prog, f"argument {_flag_of(str(exc))}: {exc}")
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


def _server_choice(
    parser: argparse.ArgumentParser, args: argparse.Namespace, env: Mapping[str, str]
) -> ServerChoice:
    """The server, as every reqless command chooses it (`reqless.cli.server_choice`)."""
    named = [name for name in ("url", "host", "port", "db", "password") if name in vars(args)]
    if named:
        flags = ["--url"] if "url" in named else [f"--{name}" for name in named]
        return ServerChoice(resolve_server_url(parser, args, env), f"from {', '.join(flags)}")
    try:
        from_env = env_url(env)
    except EnvConflict as exc:
        parser.error(str(exc))
    if from_env is not None:
        value, variable = from_env
        url = resolve_server_url(parser, args, {**env, URL_ENV: value})
        return ServerChoice(url, f"from {variable}")
    try:
        return implicit_choice(resolve_server_url(parser, args, env))
    except NoDevServer as exc:
        parser.error(str(exc))


def usage_error(prog: str, message: str) -> NoReturn:
    """End the program as `argparse` does for a bad option: usage, `message`, status 2.

    For problems found only when acting on an option (a log file that cannot be
    opened, a workdir that is a file).
    """
    build_worker_parser(prog).error(message)


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


def _add_work_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("work")
    group.add_argument(
        "-q",
        "--queue",
        dest="queues",
        action="append",
        type=non_empty,
        default=[],
        metavar="NAME",
        help="queue to pop jobs from; required, repeat for several (earlier ones first)",
    )
    group.add_argument(
        "--round-robin",
        action="store_true",
        help="pop one job per queue per pass instead of emptying earlier queues first",
    )
    group.add_argument(
        "-w",
        "--workers",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="worker processes to run; 0 means one per CPU",
    )
    group.add_argument(
        "-g",
        "--greenlets",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="greenlets per worker process (needs gevent); 0 means no gevent",
    )
    group.add_argument(
        "--asyncio",
        action="store_true",
        help="run each worker process's jobs as tasks of one asyncio event loop "
        "(async def handlers are awaited; see docs/asyncio.md)",
    )
    group.add_argument(
        "--concurrency",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="with --asyncio: jobs each worker process runs at once; 0 means 10",
    )
    group.add_argument(
        "-i",
        "--interval",
        type=positive_float,
        default=defaults.WORKER_INTERVAL,
        metavar="SECONDS",
        help="how long to sleep when no queue had work",
    )
    group.add_argument(
        "--timeout",
        type=non_negative_float,
        default=0.0,
        metavar="SECONDS",
        help="hard time limit of each job; 0 means none",
    )
    group.add_argument(
        "--shutdown-timeout",
        type=non_negative_float,
        default=defaults.SHUTDOWN_TIMEOUT,
        metavar="SECONDS",
        help="how long TERM/INT wait for running jobs before stopping them",
    )
    group.add_argument(
        "--kill-grace",
        type=non_negative_float,
        default=defaults.KILL_GRACE,
        metavar="SECONDS",
        help="how long a job stopped for --timeout or a shutdown has to end before its "
        "worker process is killed (and replaced)",
    )
    group.add_argument(
        "--retry-policy",
        dest="retry_policies",
        nargs=2,
        action="append",
        default=[],
        metavar=("PATTERN", "SPEC"),
        help="retry jobs of the queues matching PATTERN (`*`: any run) whose handler "
        "raised, instead of failing them, until their retries run out; SPEC is "
        "delay=SECONDS[,backoff=N][,max_delay=SECONDS][,jitter]; repeatable, the first "
        "matching pattern counts (see docs/worker.md)",
    )
    group.add_argument(
        "--max-jobs-per-child",
        type=count,
        metavar="N",
        help="replace a worker process after it started N jobs (it finishes them first)",
    )
    group.add_argument(
        "--max-memory-per-child",
        type=_megabytes,
        metavar="MB",
        help="replace a worker process whose resident memory exceeds MB megabytes "
        "(checked between jobs)",
    )
    group.add_argument(
        "--hooks",
        type=non_empty,
        metavar="MODULE",
        help="module of worker hooks (on_start, after_fork, before_job, after_job, "
        "on_failure, on_stop; see docs/worker.md)",
    )
    group.add_argument(
        "-r",
        "--resume",
        action="store_true",
        help="first resume the jobs this worker name still holds locks for "
        "(never run two workers with the same name with this)",
    )
    group.add_argument(
        "-n",
        "--name",
        type=non_empty,
        help="worker name; child i is named NAME-i (default: the machine's host name)",
    )


def _check_megabytes(text: str) -> float:
    """A finite number of megabytes, more than 0."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"must be a number of megabytes > 0, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"must be a number of megabytes > 0, got {text!r}")
    return value


_megabytes = argtype(_check_megabytes)


def _add_environment_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("environment")
    group.add_argument(
        "-d",
        "--workdir",
        type=non_empty,
        default=".",
        metavar="DIR",
        help="directory to work in (created if missing); sandboxes go below it",
    )
    group.add_argument(
        "-p",
        "--path",
        dest="paths",
        action="append",
        type=non_empty,
        default=[],
        metavar="DIR",
        help="directory to put at the front of the module search path; repeatable",
    )
    group.add_argument(
        "-m",
        "--import",
        dest="imports",
        action="append",
        type=non_empty,
        default=[],
        metavar="MODULE",
        help="module to import before the workers start; repeatable",
    )
    group.add_argument(
        "--log-level",
        type=str.lower,
        choices=LOG_LEVELS,
        default="info",
        help="the lowest level logged, by reqless and by the jobs' own loggers",
    )
    group.add_argument(
        "-v",
        "--verbose",
        dest="log_level",
        action="store_const",
        const="debug",
        help="the same as --log-level debug",
    )
    group.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="text",
        help="text lines, or JSON lines with time, level, logger, worker, jid, queue "
        "and message (see docs/worker.md)",
    )
    group.add_argument(
        "-l", "--logger", dest="log_file", metavar="FILE", help="also write the log to this file"
    )
