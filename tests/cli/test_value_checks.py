"""One CLI framework and one set of value checks: `reqless ui` is a click command, and a
bad value gets the same message from `reqless ui`, an admin command and the worker."""

from __future__ import annotations

from collections.abc import Callable

import click
import pytest

from reqless import extras
from reqless.cli import values
from reqless.cli.main import build_cli, main
from reqless.cli.worker_args import parse_worker_args


def _refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What `reqless ARGV` prints when it refuses ARGV as a usage error (status 2)."""
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err


def _worker_refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        parse_worker_args(["-q", "jobs", *argv], environ={})
    assert stopped.value.code == 2
    return capsys.readouterr().err


def _message(check: Callable[[str], object], text: str) -> str:
    """The message the shared checker gives for `text`."""
    with pytest.raises(ValueError) as refused:
        check(text)
    return str(refused.value)


def test_ui_is_a_click_command_with_its_options() -> None:
    ui = build_cli().commands["ui"]
    options = {
        name for param in ui.params if isinstance(param, click.Option) for name in param.opts
    }
    for name in ("--url", "--redis-url", "--host", "--port", "--refresh-floor", "--scan-limit"):
        assert name in options
    assert isinstance(ui.params[0].type, click.ParamType)


def test_ui_help_reads_as_the_other_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ui", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: reqless ui [OPTIONS]")
    for text in ("--port PORT", "$REQLESS_UI_PORT; default 9393", "--redact-keys", "password"):
        assert text in " ".join(out.split())


@pytest.mark.parametrize(
    ("check", "value", "ui", "admin", "worker"),
    [
        (values.port, "70000", ["--port"], ["queues", "--port"], ["--port"]),
        (values.port, "x", ["--port"], ["queues", "--port"], ["--port"]),
        (
            values.positive_seconds, "-1", ["--refresh-floor"],
            ["recurring", "add", "q", "app.Job", "--interval"], ["--interval"],
        ),
        (
            values.positive_seconds, "soon", ["--backlog-threshold"],
            ["recurring", "add", "q", "app.Job", "--interval"], ["--interval"],
        ),
        (values.whole_number, "-1", None, ["queues", "--db"], ["--db"]),
        (values.seconds, "-1", None, ["retry", "j1", "--delay"], ["--timeout"]),
        (values.server_url, "http://h:1/0", ["--url"], ["queues", "--url"], ["--url"]),
        (values.non_empty, "", ["--host"], ["queues", "--host"], ["--host"]),
    ],
)  # fmt: skip
def test_a_bad_value_gets_the_same_message_everywhere(
    capsys: pytest.CaptureFixture[str],
    check: Callable[[str], object],
    value: str,
    ui: list[str] | None,
    admin: list[str],
    worker: list[str],
) -> None:
    message = _message(check, value)
    if ui is not None:
        assert message in _refusal(capsys, "ui", *ui, value)
    assert message in _refusal(capsys, *admin, value)
    assert message in _worker_refusal(capsys, *worker, value)


def test_a_ui_option_value_from_the_environment_gets_the_same_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQLESS_UI_PORT", "70000")
    err = _refusal(capsys, "ui")
    assert f"environment variable REQLESS_UI_PORT: {_message(values.port, '70000')}" in err


def test_a_ui_usage_error_changes_nothing_and_names_the_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _refusal(capsys, "ui", "--root-path", "reqless")
    assert "Usage: reqless ui [OPTIONS]" in err
    assert "argument --root-path: 'reqless' must be a path such as /reqless" in err


def test_the_checkers_name_what_is_wrong() -> None:
    assert values.port("6379") == 6379
    assert values.seconds("2.5") == 2.5 and values.seconds("3") == 3
    assert values.count("1") == 1
    assert _message(values.count, "0") == "must be a whole number >= 1, got '0'"
    assert _message(values.seconds, "nan") == "must be a finite number, got 'nan'"
    assert _message(values.number, "inf") == "must be a finite number, got 'inf'"
    assert (
        _message(values.server_url, "redis://h/x") == "'redis://h/x': the database must be a number"
    )
    assert "hunter2" not in _message(values.server_url, "http://:hunter2@h/")


@pytest.mark.parametrize("argv", [[], ["--help"], ["--port", "70000"]])
def test_ui_without_its_extra_names_the_extra_first(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    monkeypatch.setitem(extras.EXTRAS, "ui", ("starlette", "no_such_module_here"))
    assert main(["ui", *argv]) == 1
    captured = capsys.readouterr()
    assert "pip install 'reqless[ui]'" in captured.err
    assert "Usage" not in captured.out + captured.err
