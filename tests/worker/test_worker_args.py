"""reqless.cli.worker_args: the worker's options, its logging set-up and start-up environment."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from reqless.cli.worker import worker_command
from reqless.cli.worker_args import (
    WorkerOptions,
    configure_logging,
    parse_worker_args,
    prepare_environment,
)
from reqless.logger import LOG_FORMAT, logger

CPUS = os.cpu_count() or 1
DEFAULT_URL = "redis://localhost:6379/0"


def parse(*argv: str, **environ: str) -> WorkerOptions:
    """Parse `argv` with exactly the given environment variables."""
    return parse_worker_args(list(argv), environ=environ)


def parse_error(capsys: pytest.CaptureFixture[str], *argv: str, **environ: str) -> str:
    """Parse `argv`, expecting a usage error (status 2); returns the error text."""
    with pytest.raises(SystemExit) as exited:
        parse(*argv, **environ)
    assert exited.value.code == 2
    return capsys.readouterr().err


def test_defaults() -> None:
    options = parse("-q", "foo")
    assert options == WorkerOptions(
        queues=("foo",),
        workers=CPUS,
        greenlets=0,
        interval=1.0,
        workdir=".",
        paths=(),
        imports=(),
        resume=False,
        name=None,
        verbose=False,
        log_file=None,
        round_robin=False,
        timeout=0.0,
        shutdown_timeout=30.0,
        url=DEFAULT_URL,
    )


# The command lines of the README, each checked for the options it sets.
README_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    (
        "-q underpants -q unknown -q profit",
        {"queues": ("underpants", "unknown", "profit"), "url": DEFAULT_URL},
    ),
    ("--host foo.bar --port 1234 -q foo", {"url": "redis://foo.bar:1234/0"}),
    ("--workers 4 --interval 10 -q foo", {"workers": 4, "interval": 10.0}),
    ("--import my.really.bigModule -q foo", {"imports": ("my.really.bigModule",)}),
    (
        "--workers 4 --greenlets 5 --workdir foo -q foo",
        {"workers": 4, "greenlets": 5, "workdir": "foo"},
    ),
    ("--workers 5 --greenlets 50 -q foo", {"workers": 5, "greenlets": 50}),
    (
        "--path /my/awesome/project --queue foo --workers 1 --interval 10 --verbose",
        {
            "paths": ("/my/awesome/project",),
            "queues": ("foo",),
            "workers": 1,
            "interval": 10.0,
            "verbose": True,
        },
    ),
    ("-q foo --resume", {"resume": True}),
    # The original program's --host took a URL; it still may.
    ("--host redis://foo.bar:1234/3 -q foo", {"url": "redis://foo.bar:1234/3"}),
]


@pytest.mark.parametrize(("command", "expected"), README_COMMANDS)
def test_readme_command_lines(command: str, expected: dict[str, Any]) -> None:
    options = parse(*command.split())
    assert {name: getattr(options, name) for name in expected} == expected


def test_every_short_flag() -> None:
    options = parse(
        *("-q", "a", "-q", "b", "-w", "3", "-g", "7", "-i", "2.5", "-d", "work"),
        *("-p", "p1", "-p", "p2", "-m", "m1", "-m", "m2", "-r", "-n", "box", "-v", "-l", "log"),
    )
    assert options.queues == ("a", "b")
    assert (options.workers, options.greenlets, options.interval) == (3, 7, 2.5)
    assert (options.workdir, options.paths, options.imports) == ("work", ("p1", "p2"), ("m1", "m2"))
    assert (options.resume, options.name, options.verbose) == (True, "box", True)
    assert options.log_file == "log"


def test_every_long_flag() -> None:
    command = (
        "--queue a --queue b --workers 3 --greenlets 7 --interval 0.25 --workdir work "
        "--path p1 --import m1 --resume --name box --verbose --logger log.txt "
        "--round-robin --timeout 90 --shutdown-timeout 5 "
        "--host h --port 7000 --db 4 --password pw"
    )
    options = parse(*command.split())
    assert options.queues == ("a", "b")
    assert (options.workers, options.greenlets, options.interval) == (3, 7, 0.25)
    assert (options.workdir, options.paths, options.imports) == ("work", ("p1",), ("m1",))
    assert (options.resume, options.name, options.verbose) == (True, "box", True)
    assert (options.log_file, options.round_robin) == ("log.txt", True)
    assert (options.timeout, options.shutdown_timeout) == (90.0, 5.0)
    assert options.url == "redis://:pw@h:7000/4"


@pytest.mark.parametrize("argv", [[], ["-w", "0"], ["--workers", "0"]])
def test_workers_default_to_the_cpu_count(argv: list[str]) -> None:
    assert parse("-q", "foo", *argv).workers == CPUS


def test_workers_fall_back_to_one_when_the_cpu_count_is_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert parse("-q", "foo").workers == 1


def test_zero_timeouts_are_allowed() -> None:
    options = parse("-q", "foo", "--timeout", "0", "--shutdown-timeout", "0")
    assert (options.timeout, options.shutdown_timeout) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("argv", "url"),
    [
        (["--host", "foo.bar"], "redis://foo.bar:6379/0"),
        (["--port", "1234"], "redis://localhost:1234/0"),
        (["--db", "2"], "redis://localhost:6379/2"),
        (["--password", "secret"], "redis://:secret@localhost:6379/0"),
        (
            ["--host", "foo.bar", "--port", "1234", "--db", "2", "--password", "secret"],
            "redis://:secret@foo.bar:1234/2",
        ),
        (["--password", "p@ss:w/rd %"], "redis://:p%40ss%3Aw%2Frd%20%25@localhost:6379/0"),
        (["--password", ""], DEFAULT_URL),
        (["--host", "::1"], "redis://[::1]:6379/0"),
        (["--host", "[::1]", "--port", "7000"], "redis://[::1]:7000/0"),
        (["--host", "127.0.0.1:6480"], "redis://127.0.0.1:6480/0"),
        (["--host", "foo.bar:1234", "--db", "2"], "redis://foo.bar:1234/2"),
        (["--host", "[::1]:6380"], "redis://[::1]:6380/0"),
        (["--host", "fe80::1:2"], "redis://[fe80::1:2]:6379/0"),
        (["--host", "rediss://:pw@h:6380/1"], "rediss://:pw@h:6380/1"),
        (["--host", "unix:///tmp/redis.sock"], "unix:///tmp/redis.sock"),
        (["--url", "redis://u:pw@h:1/5"], "redis://u:pw@h:1/5"),
        (["--url", "redis://h:1/5", "--host", "x", "--port", "2", "--db", "3"], "redis://h:1/5"),
    ],
)
def test_server_url(argv: list[str], url: str) -> None:
    assert parse("-q", "foo", *argv).url == url


def test_a_dev_server_running_here_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".reqless").mkdir()
    record = {"pid": os.getpid(), "url": "redis://127.0.0.1:4321/0"}  # this process is alive
    (tmp_path / ".reqless" / "dev.json").write_text(json.dumps(record))
    monkeypatch.chdir(tmp_path)
    assert parse("-q", "foo").url == "redis://127.0.0.1:4321/0"
    assert parse("-q", "foo", "--port", "7000").url == "redis://localhost:7000/0"
    assert parse("-q", "foo", REQLESS_URL="redis://env:1/1").url == "redis://env:1/1"
    (tmp_path / ".reqless" / "dev.json").unlink()
    # A stopped dev server is not replaced by localhost (someone else's, maybe).
    with pytest.raises(SystemExit) as stopped:
        parse("-q", "foo")
    assert stopped.value.code == 2


def test_reqless_url_applies_when_no_server_option_is_given() -> None:
    assert parse("-q", "foo", REQLESS_URL="redis://env:1/1").url == "redis://env:1/1"
    env = {"REQLESS_URL": "redis://env:1/1", "REQLESS_PASSWORD": "pw"}
    assert parse("-q", "foo", **env).url == "redis://env:1/1"


@pytest.mark.parametrize(
    ("argv", "url"),
    [
        (["--host", "h"], "redis://h:6379/0"),
        (["--port", "2"], "redis://localhost:2/0"),
        (["--db", "3"], "redis://localhost:6379/3"),
        (["--password", "pw"], "redis://:pw@localhost:6379/0"),
        (["--url", "redis://flag:1/1"], "redis://flag:1/1"),
    ],
)
def test_a_server_option_overrides_reqless_url(argv: list[str], url: str) -> None:
    assert parse("-q", "foo", *argv, REQLESS_URL="redis://env:1/1").url == url


def test_reqless_password_applies_unless_password_is_given() -> None:
    assert parse("-q", "foo", REQLESS_PASSWORD="s3:cret").url == (
        "redis://:s3%3Acret@localhost:6379/0"
    )
    assert parse("-q", "foo", "--password", "flag", REQLESS_PASSWORD="env").url == (
        "redis://:flag@localhost:6379/0"
    )


def test_environment_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQLESS_URL", "redis://from-env:9/9")
    assert parse_worker_args(["-q", "foo"]).url == "redis://from-env:9/9"


def test_the_password_stays_out_of_repr_and_display_url() -> None:
    options = parse("-q", "foo", "--password", "hunter2")
    assert "hunter2" not in repr(options)
    assert options.display_url == "redis://:***@localhost:6379/0"
    assert parse("-q", "foo", "--url", "redis://u:pw@h:1/5").display_url == "redis://u:***@h:1/5"
    assert parse("-q", "foo").display_url == DEFAULT_URL


def test_options_are_frozen() -> None:
    options = parse("-q", "foo")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.workers = 2  # type: ignore[misc]


INVALID = "Invalid value for"
WORKERS = f"{INVALID} '-w' / '--workers'"
INTERVAL = f"{INVALID} '-i' / '--interval'"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "at least one --queue is required"),
        (["-w", "4"], "at least one --queue is required"),
        (["-q", ""], "Invalid value for '-q' / '--queue': must not be empty"),
        (["-w", "-1"], f"{WORKERS}: must be a whole number >= 0, got '-1'"),
        (["--workers", "x"], f"{WORKERS}: must be a whole number >= 0, got 'x'"),
        (["-w", "1.5"], f"{WORKERS}: must be a whole number >= 0"),
        (["-g", "-2"], "Invalid value for '-g' / '--greenlets': must be a whole number >= 0"),
        (["-i", "0"], f"{INTERVAL}: must be a number of seconds > 0, got '0'"),
        (["--interval", "-1"], f"{INTERVAL}: must be a number of seconds > 0"),
        (["-i", "soon"], f"{INTERVAL}: must be a finite number, got 'soon'"),
        (["-i", "nan"], f"{INTERVAL}: must be a finite number"),
        (["-i", "inf"], f"{INTERVAL}: must be a finite number"),
        (["--timeout", "-1"], "Invalid value for '--timeout': must be a number of seconds >= 0"),
        (["--shutdown-timeout", "x"], f"{INVALID} '--shutdown-timeout': must be a finite number"),
        (["--kill-grace", "-1"], f"{INVALID} '--kill-grace': must be a number of seconds >= 0"),
        (["--kill-grace", "inf"], f"{INVALID} '--kill-grace': must be a finite number"),
        (["--port", "0"], "Invalid value for '--port': must be a port number (1-65535), got '0'"),
        (["--port", "65536"], "Invalid value for '--port': must be a port number (1-65535)"),
        (["--port", "http"], "Invalid value for '--port': must be a port number (1-65535)"),
        (["--db", "-1"], "Invalid value for '--db': must be a whole number >= 0"),
        (["-n", ""], "Invalid value for '-n' / '--name': must not be empty"),
        (["-d", ""], "Invalid value for '-d' / '--workdir': must not be empty"),
        (["--host", ""], "Invalid value for '--host': must not be empty"),
        (["--url", "http://h/"], "argument --url: unsupported URL scheme 'http'"),
        (["--url", "localhost:6379"], "argument --url: unsupported URL scheme 'localhost'"),
        (["--host", "http://h/"], "argument --host: unsupported URL scheme 'http'"),
        (["--host", "h:1", "--port", "2"], "argument --host: 'h:1' has a port; leave out --port"),
        (["--host", "h:0"], "argument --host: the port in 'h:0' must be a port number"),
        (["--host", ":6379"], "argument --host: no host name in ':6379'"),
        (["--host", "[::1"], "argument --host: '[::1' is not a valid [IPv6 address]:port"),
        (
            ["--host", "redis://h/1", "--port", "2", "--password", "x"],
            "argument --host: a URL cannot be combined with --port, --password",
        ),
        (["--bogus"], "No such option '--bogus'"),
        (["-w"], "Option '-w' requires an argument."),
        (["--retry-policy", "q*"], "Option '--retry-policy' requires 2 arguments."),
    ],
)
def test_invalid_input_is_a_usage_error_naming_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    queue = [] if "--queue" in message or argv[:1] == ["-q"] else ["-q", "foo"]
    err = parse_error(capsys, *queue, *argv)
    assert err.startswith("Usage: reqless-py-worker [OPTIONS]\n")
    assert f"\nError: {message}" in err


def test_a_bad_reqless_url_names_the_variable_and_hides_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = parse_error(capsys, "-q", "foo", REQLESS_URL="http://:secret@h/")
    assert "environment variable REQLESS_URL: unsupported URL scheme 'http'" in err
    assert "secret" not in err


def test_prog_names_the_program_in_messages(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_worker_args([], environ={}, prog="reqless worker")
    err = capsys.readouterr().err
    assert err.startswith("Usage: reqless worker [OPTIONS]\n")
    assert "Error: at least one --queue is required" in err


def test_every_option_has_help_and_help_shows_defaults() -> None:
    for param in worker_command.params:
        assert isinstance(param, click.Option) and param.help, param.opts
    with click.Context(worker_command, info_name="reqless-py-worker") as ctx:
        text = " ".join(worker_command.get_help(ctx).split())
    for flag in (
        "--queue", "--workers", "--greenlets", "--interval", "--workdir", "--path", "--import",
        "--resume", "--name", "--verbose", "--logger", "--round-robin", "--timeout",
        "--shutdown-timeout", "--host", "--port", "--db", "--password", "--url",
    ):  # fmt: skip
        assert flag in text
    assert "no queue had work (default: 1.0)" in text
    assert "stopping them (default: 30.0)" in text
    assert "(default: localhost)" in text
    assert "(default: 6379)" in text
    assert "REQLESS_URL" in text
    assert "REQLESS_PASSWORD" in text


@pytest.fixture
def restore_logger() -> Iterator[None]:
    """Put the root logger's level and handlers back after the test (closing new ones)."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logger")
@pytest.mark.parametrize(("name", "level"), [("debug", logging.DEBUG), ("info", logging.INFO)])
def test_configure_logging_sets_the_root_level(name: str, level: int) -> None:
    configure_logging(name, None)
    assert logging.getLogger().level == level
    assert logger.level == logging.NOTSET


@pytest.mark.usefixtures("restore_logger")
def test_configure_logging_adds_one_file_handler_with_the_package_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    configure_logging("debug", "worker.log")
    configure_logging("debug", str(tmp_path / "worker.log"))
    path = str(tmp_path / "worker.log")
    root = logging.getLogger()
    files = [
        h for h in root.handlers if isinstance(h, logging.FileHandler) and h.baseFilename == path
    ]
    assert len(files) == 1
    assert files[0].formatter is not None
    assert files[0].formatter._fmt == LOG_FORMAT
    logger.debug("hello %s", "file")
    files[0].flush()
    line = (tmp_path / "worker.log").read_text()
    assert line.endswith(f" | PID {os.getpid()} | [DEBUG] hello file\n")


@pytest.mark.usefixtures("restore_logger")
def test_configure_logging_fails_for_a_file_it_cannot_open(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        configure_logging("info", str(tmp_path / "missing" / "worker.log"))


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Start in `tmp_path`; sys.path, the cwd and new modules are restored afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    modules = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - modules:
        del sys.modules[name]


def _module(directory: Path, body: str = "") -> str:
    """Write a uniquely named module into `directory`; returns its name."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"reqless_worker_args_probe_{uuid.uuid4().hex}"
    (directory / f"{name}.py").write_text(body)
    return name


def test_prepare_environment_paths_imports_then_workdir(
    environment: Path, records: list[logging.LogRecord]
) -> None:
    first = _module(environment / "lib")
    broken = _module(environment / "lib", "raise RuntimeError('not today')")
    second = _module(environment / "other")
    options = parse(
        *("-q", "foo", "-p", "lib", "-p", str(environment / "other"), "-d", "work/here"),
        *("-m", first, "-m", "no_such_module_for_reqless", "-m", broken, "-m", second),
    )
    prepare_environment(options)
    assert sys.path[:3] == [str(environment / "lib"), str(environment / "other"), str(environment)]
    assert first in sys.modules
    assert second in sys.modules
    assert os.getcwd() == str(environment / "work" / "here")
    logged = [(r.levelname, r.getMessage()) for r in records]
    assert logged == [
        ("INFO", f"Imported {first}"),
        ("ERROR", "Could not import no_such_module_for_reqless"),
        ("ERROR", f"Could not import {broken}"),
        ("INFO", f"Imported {second}"),
    ]
    causes = [r.exc_info[1] for r in records if r.exc_info is not None]
    assert [type(cause) for cause in causes] == [ModuleNotFoundError, RuntimeError]


def test_prepare_environment_with_the_readme_path_example(environment: Path) -> None:
    options = parse("--path", "/my/awesome/project", "--queue", "foo", "--workers", "1")
    prepare_environment(options)
    assert sys.path[0] == "/my/awesome/project"
    assert os.getcwd() == str(environment)


def test_the_starting_directory_is_importable(environment: Path) -> None:
    (environment / "startmod_for_reqless.py").write_text("VALUE = 7\n")
    prepare_environment(parse("--queue", "foo", "--workdir", "elsewhere"))
    import importlib

    assert importlib.import_module("startmod_for_reqless").VALUE == 7
    sys.modules.pop("startmod_for_reqless", None)


def test_prepare_environment_uses_an_existing_workdir(environment: Path) -> None:
    (environment / "work").mkdir()
    (environment / "work" / "kept").write_text("x")
    prepare_environment(parse("-q", "foo", "--workdir", "work"))
    assert os.getcwd() == str(environment / "work")
    assert (environment / "work" / "kept").read_text() == "x"
