"""Worker settings: one frozen value, checked once, used by every mode and by the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reqless.cli.worker_args import parse_worker_args
from reqless.exceptions import ReqlessError
from reqless.workers.settings import WorkerSettings


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kill_grace": -1}, "kill_grace must be a number of seconds >= 0, got -1"),
        ({"kill_grace": float("nan")}, "kill_grace must be a finite number of seconds"),
        ({"job_timeout": -0.5}, "job_timeout must be a number of seconds >= 0"),
        ({"shutdown_timeout": float("inf")}, "shutdown_timeout must be a finite number"),
        ({"interval": 0}, "interval must be a number of seconds > 0, got 0"),
        ({"interval": "1"}, "interval must be a finite number of seconds, got '1'"),
        ({"round_robin": "yes"}, "round_robin must be True or False"),
    ],
)
def test_a_bad_setting_is_refused_naming_it(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ReqlessError, match="^" + message.replace("(", r"\(")):
        WorkerSettings(**changes)  # type: ignore[arg-type]


def test_keywords_override_the_given_settings_and_bad_ones_are_named() -> None:
    base = WorkerSettings(job_timeout=5, kill_grace=2)
    merged = WorkerSettings.from_keywords(base, {"kill_grace": 3, "interval": None})
    assert (merged.job_timeout, merged.kill_grace, merged.interval) == (5, 3, base.interval)
    with pytest.raises(ReqlessError, match="kill_grace must be a number of seconds, got"):
        WorkerSettings.from_keywords(None, {"kill_grace": [1]})
    with pytest.raises(ReqlessError, match="kill_grace must be a number of seconds >= 0"):
        WorkerSettings.from_keywords(None, {"kill_grace": -1})


def test_a_job_class_timeout_attribute_overrides_the_worker_limit() -> None:
    settings = WorkerSettings(job_timeout=30)

    class Own:
        timeout = 2

    class Odd:
        timeout = "soon"

    class Method:
        def timeout(self) -> None: ...

    assert settings.timeout_for(Own) == 2
    for klass in (Odd, Method, object, None):
        assert settings.timeout_for(klass) == 30


def test_the_cli_builds_the_settings_and_defaults_the_kill_grace() -> None:
    options = parse_worker_args(["-q", "a", "--timeout", "3", "--kill-grace", "1.5"], environ={})
    assert options.settings == WorkerSettings(interval=1.0, job_timeout=3, kill_grace=1.5)
    assert parse_worker_args(["-q", "a"], environ={}).settings.kill_grace == 5.0


def test_a_negative_kill_grace_exits_2_naming_the_option() -> None:
    program = Path(sys.executable).parent / "reqless-py-worker"
    done = subprocess.run([str(program), "-q", "a", "--kill-grace", "-1"], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("Usage: reqless-py-worker [OPTIONS]")
    assert "Error: Invalid value for '--kill-grace': must be a number of seconds >= 0" in (
        done.stderr
    )
