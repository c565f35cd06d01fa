"""The worker's log: `--log-level`, `--log-format json`, and the job on every record.

The worker program configures the root logger, so what a job logs through its own
loggers goes where reqless's own lines go, each record carrying the job's jid and
queue, in every mode.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reqless.cli.worker_args import parse_worker_args
from reqless.client import Client
from reqless.workers.logs import (
    JobContextFilter,
    JsonFormatter,
    configure_worker_logging,
    job_logging,
)
from tests.worker.conftest import JobsModule, StartWorker, job_state, wait_for

#: Job classes that log through an application logger (and print).
LOGGING_JOBS = """\
import logging


class Logs:
    @staticmethod
    def process(job):
        logging.getLogger("myapp").info("hello from %s", job.jid)
        print("printed by", job.jid, flush=True)
        job.complete()


class AsyncLogs:
    @staticmethod
    async def process(job):
        logging.getLogger("myapp").info("hello from %s", job.jid)
        await job.complete()
"""

MODES = {
    "forking-serial": ([], "Logs"),
    "gevent": (["--greenlets", "2"], "Logs"),
    "asyncio-thread": (["--asyncio"], "Logs"),
    "asyncio-task": (["--asyncio"], "AsyncLogs"),
}


def _json_lines(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    # Every line is one JSON object (a torn last line is still being written).
    complete = text.splitlines() if text.endswith("\n") else text.splitlines()[:-1]
    return [json.loads(line) for line in complete]


@pytest.mark.parametrize("mode", list(MODES))
def test_a_jobs_own_log_line_carries_its_jid_and_queue(
    client: Client,
    jobs_module: JobsModule,
    start_worker: StartWorker,
    tmp_path: Path,
    mode: str,
) -> None:
    flags, klass = MODES[mode]
    (jobs_module.directory / "logging_jobs.py").write_text(LOGGING_JOBS)
    log = tmp_path / "worker.jsonl"
    jid = client.queues["mail"].put(f"logging_jobs.{klass}", {})
    start_worker("-q", "mail", "--workers", "1", "--name", "box", "--log-format", "json",
                 "--log-level", "info", "-l", str(log), *flags)  # fmt: skip

    wait_for(lambda: job_state(client, jid) == "complete", message="the job to complete")
    found = wait_for(
        lambda: [r for r in _json_lines(log) if r["logger"] == "myapp"], message="myapp's line"
    )
    assert found == [
        {
            "time": found[0]["time"],
            "level": "INFO",
            "logger": "myapp",
            "worker": "box-0",
            "jid": jid,
            "queue": "mail",
            "message": f"hello from {jid}",
        }
    ]
    records = _json_lines(log)
    # --log-level info: no debug lines, although the test harness passes --verbose first.
    assert {r["level"] for r in records} <= {"INFO", "WARNING", "ERROR", "CRITICAL"}
    # reqless's own lines outside a job: no jid, the worker named.
    started = [r for r in records if r["message"].startswith("started worker child")]
    assert started and started[0]["logger"] == "reqless"
    assert (started[0]["jid"], started[0]["queue"], started[0]["worker"]) == (None, None, "box")


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--log-format", "xml", "Invalid value for '--log-format': 'xml' is not one of"),
        ("--log-level", "loud", "Invalid value for '--log-level': 'loud' is not one of"),
    ],
)
def test_a_bad_log_option_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], flag: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_worker_args(["-q", "q", flag, value], environ={})
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "level", "verbose"),
    [
        ([], "info", False),
        (["-v"], "debug", True),
        (["--log-level", "WARNING"], "warning", False),
        (["-v", "--log-level", "error"], "error", False),
    ],
)
def test_verbose_is_an_alias_of_log_level_debug(argv: list[str], level: str, verbose: bool) -> None:
    options = parse_worker_args(["-q", "q", *argv], environ={})
    assert (options.log_level, options.verbose) == (level, verbose)


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger; its handlers and level are put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_text_lines_name_the_job_and_a_second_call_replaces_the_handlers(
    root_logger: logging.Logger, tmp_path: Path
) -> None:
    stream = io.StringIO()
    configure_worker_logging("debug", "text", str(tmp_path / "first.log"), stream=stream)
    configure_worker_logging("warning", "text", str(tmp_path / "w.log"), stream=stream)
    ours = [h for h in root_logger.handlers if h.name == "reqless-worker"]
    assert len(ours) == 2
    assert root_logger.level == logging.WARNING
    with job_logging("box-1", "abc123", "mail"):
        logging.getLogger("myapp").warning("in the job")
    logging.getLogger("myapp").warning("outside")
    logging.getLogger("myapp").info("too low")
    text = stream.getvalue().splitlines()
    assert text[0].endswith("[WARNING] [mail abc123] in the job")
    assert text[1].endswith("[WARNING] outside")
    assert len(text) == 2
    assert (tmp_path / "w.log").read_text().splitlines()[1].endswith("[WARNING] outside")
    assert (tmp_path / "first.log").read_text() == ""


def test_a_log_file_that_cannot_be_opened_changes_nothing(
    root_logger: logging.Logger, tmp_path: Path
) -> None:
    before = (list(root_logger.handlers), root_logger.level)
    with pytest.raises(OSError):
        configure_worker_logging("debug", "json", str(tmp_path / "missing" / "worker.log"))
    with pytest.raises(ValueError, match="log level 'loud' is not one of"):
        configure_worker_logging("loud")
    assert (list(root_logger.handlers), root_logger.level) == before


def test_json_lines_carry_the_traceback_as_text() -> None:
    record_logger = logging.getLogger("tests.json_lines")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(JobContextFilter("box"))
    handler.setFormatter(JsonFormatter())
    record_logger.addHandler(handler)
    record_logger.propagate = False
    try:
        with job_logging("box-0", "j1", "mail"):
            try:
                raise ValueError("boom")
            except ValueError:
                record_logger.exception("failed %s", "hard")
    finally:
        record_logger.removeHandler(handler)
        record_logger.propagate = True
    line = json.loads(stream.getvalue())
    assert line["exc_info"].startswith("Traceback (most recent call last):")
    assert line["exc_info"].endswith("ValueError: boom")
    assert (line["level"], line["message"], line["jid"], line["queue"], line["worker"]) == (
        "ERROR", "failed hard", "j1", "mail", "box-0"
    )  # fmt: skip
