"""`reqless ui` (docs/ui.md, Running it): option checks, the no-auth refusal, and a real start and
stop."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reqless.cli.ui import startup_line
from reqless.cli.ui_command import parse_ui_args
from reqless.server import LocalServer
from reqless.ui.roles import Role
from reqless.ui.settings import DEFAULT_REDACT_KEYS


def _clean_env() -> dict[str, str]:
    """This process's environment without any option the command would read."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REQLESS_UI_", "REQLESS_REDIS_URL"))
    }


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reqless.cli.main", "ui", *args],
        capture_output=True,
        text=True,
        env=env or _clean_env(),
        timeout=30,
    )


def _refusal(capsys: pytest.CaptureFixture[str], argv: list[str], **env: str) -> str:
    """The error message `reqless ui argv` exits with (status 2)."""
    with pytest.raises(SystemExit) as stopped:
        parse_ui_args(argv, environ=env)
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_non_loopback_host_without_auth_exits_2() -> None:
    done = _run("--host", "0.0.0.0")
    assert done.returncode == 2
    for option in ("--basic-auth", "--token-file", "--trusted-user-header", "--insecure-no-auth"):
        assert option in done.stderr
    assert done.stdout == ""


def test_bad_port_exits_2_naming_the_option() -> None:
    done = _run("--port", "70000")
    assert done.returncode == 2
    assert "--port" in done.stderr


def test_url_option_unknown_to_redis_exits_2() -> None:
    done = _run("--redis-url", "redis://:hunter2@127.0.0.1:1/0?bogus=1")
    assert done.returncode == 2
    assert "--redis-url" in done.stderr
    assert "hunter2" not in done.stderr


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--port", "0"], "--port"),
        (["--redis-url", "http://localhost:6379"], "--redis-url"),
        (["--redis-url", "redis://localhost:99999/0"], "--redis-url"),
        (["--redis-url", "redis:///0"], "--redis-url"),
        (["--redis-url", "redis://h/x"], "--redis-url"),
        (["--redis-url", "bad name=redis://h"], "--redis-url"),
        (["--redis-url", "a=redis://h", "--redis-url", "a=redis://k"], "twice"),
        (["--redis-url", "redis://h", "--redis-url", "redis://k"], "NAME=URL"),
        (["--basic-auth", "ada"], "--basic-auth"),
        (["--basic-auth", "ada:pw:boss"], "unknown role"),
        (["--basic-auth-file", "/nonexistent/users"], "--basic-auth-file"),
        (["--token-file", "/nonexistent/tokens"], "--token-file"),
        (["--trusted-proxy", "10.0.0.0/33"], "--trusted-proxy"),
        (["--trusted-user-header", "X-User"], "--trusted-proxy"),
        (["--root-path", "reqless"], "--root-path"),
        (["--external-url", "ftp://x"], "--external-url"),
        (["--allowed-host", "http://x:80"], "--allowed-host"),
        (["--bulk-limit", "viewer=5"], "--bulk-limit"),
        (["--bulk-limit", "0"], "--bulk-limit"),
        (["--scan-limit", "-1"], "--scan-limit"),
        (["--refresh-floor", "0"], "--refresh-floor"),
        (["--environment-color", "red;}body{x"], "--environment-color"),
    ],
)
def test_bad_values_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], named: str) -> None:
    assert named in _refusal(capsys, argv)


def test_bad_environment_values_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert "REQLESS_UI_PORT" in _refusal(capsys, [], REQLESS_UI_PORT="http")
    assert "REQLESS_UI_READ_ONLY" in _refusal(capsys, [], REQLESS_UI_READ_ONLY="maybe")
    assert "REQLESS_REDIS_URL" in _refusal(capsys, [], REQLESS_REDIS_URL="mysql://x")
    assert "--host" in _refusal(capsys, [], REQLESS_UI_HOST="0.0.0.0")


def test_files_with_bad_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.write_text("# operators\nada:pw:admin\nbob:pw:overlord\n")
    message = _refusal(capsys, ["--basic-auth-file", str(users)])
    assert "--basic-auth-file" in message
    assert "line 3" in message
    tokens = tmp_path / "tokens"
    tokens.write_text("abc\n")
    assert "--token-file" in _refusal(capsys, ["--token-file", str(tokens)])


def test_defaults() -> None:
    options = parse_ui_args([], environ={})
    settings = options.settings
    assert options.instances == {"default": "redis://127.0.0.1:6379/0"}
    assert (settings.host, settings.port, settings.root_path) == ("127.0.0.1", 9393, "")
    assert settings.auth_mode == "none"
    assert not settings.read_only
    assert settings.redact_keys == DEFAULT_REDACT_KEYS
    assert (settings.operator_bulk_limit, settings.admin_bulk_limit) == (1_000, 100_000)


def test_every_option(tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.write_text("\nbob:pa:ss:operator\n")
    tokens = tmp_path / "tokens"
    tokens.write_text("tok-1:viewer:grafana board\n")
    options = parse_ui_args(
        [
            "--redis-url", "prod=redis://:pw@db1:6380/2",
            "--redis-url", "stage=unix:///tmp/redis.sock",
            "--host", "0.0.0.0", "--port", "8080", "--root-path", "/ops/",
            "--read-only", "--basic-auth", "ada:pw", "--basic-auth-file", str(users),
            "--token-file", str(tokens), "--trusted-user-header", "X-User",
            "--trusted-proxy", "10.0.0.0/8", "--allowed-host", "ops.internal",
            "--external-url", "https://ops.example.com/", "--refresh-floor", "5",
            "--bulk-limit", "operator=50", "--bulk-limit", "admin=500", "--scan-limit", "99",
            "--redact-keys", "pin, ssn", "--environment-label", "production",
            "--environment-color", "#b00020", "--metrics", "--metrics-auth", "--audit-redis",
        ],
        environ={},
    )  # fmt: skip
    settings = options.settings
    assert options.instances == {
        "prod": "redis://:pw@db1:6380/2",
        "stage": "unix:///tmp/redis.sock",
    }
    assert (settings.host, settings.port, settings.root_path) == ("0.0.0.0", 8080, "/ops")
    assert settings.read_only
    assert [(u.name, u.password, u.role) for u in settings.basic_users] == [
        ("ada", "pw", Role.ADMIN),
        ("bob", "pa:ss", Role.OPERATOR),
    ]
    assert [(t.token, t.role, t.label) for t in settings.tokens] == [
        ("tok-1", Role.VIEWER, "grafana board")
    ]
    assert settings.trusted_user_header == "X-User"
    assert settings.trusted_proxies == ("10.0.0.0/8",)
    assert settings.allowed_hosts == ("ops.internal",)
    assert settings.external_url == "https://ops.example.com"
    assert settings.refresh_floor == 5
    assert (settings.operator_bulk_limit, settings.admin_bulk_limit) == (50, 500)
    assert settings.scan_limit == 99
    assert settings.redact_keys == ("pin", "ssn")
    assert (settings.environment_label, settings.environment_color) == ("production", "#b00020")
    assert settings.metrics and settings.metrics_auth and settings.audit_redis
    line = startup_line(options)
    assert "http://0.0.0.0:8080/ops/" in line
    assert "prod (redis://:***@db1:6380/2)" in line and "stage" in line
    assert "auth: basic, token, proxy header" in line
    assert "read-only: on" in line
    assert "pw" not in line.replace("prod", "")


def test_environment_variables(tmp_path: Path) -> None:
    users = tmp_path / "users"
    users.write_text("carol:pw:viewer\n")
    options = parse_ui_args(
        [],
        environ={
            "REQLESS_REDIS_URL": "a=redis://h1:6379/0,b=redis://h2:6379/1",
            "REQLESS_UI_HOST": "::",
            "REQLESS_UI_PORT": "8000",
            "REQLESS_UI_ROOT_PATH": "/q",
            "REQLESS_UI_READ_ONLY": "yes",
            "REQLESS_UI_BASIC_AUTH": "ada:pw,bob:pw:operator",
            "REQLESS_UI_BASIC_AUTH_FILE": str(users),
        },
    )
    settings = options.settings
    assert list(options.instances) == ["a", "b"]
    assert (settings.host, settings.port, settings.root_path) == ("::", 8000, "/q")
    assert settings.read_only
    assert [u.name for u in settings.basic_users] == ["ada", "bob", "carol"]
    # The command line wins over the environment.
    options = parse_ui_args(["--port", "9000"], environ={"REQLESS_UI_PORT": "8000"})
    assert options.settings.port == 9000


def test_insecure_no_auth_allows_any_host() -> None:
    options = parse_ui_args(["--host", "0.0.0.0", "--insecure-no-auth"], environ={})
    assert options.settings.insecure_no_auth
    assert "insecure" in startup_line(options)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def serve(ui_server: LocalServer) -> Iterator[list[subprocess.Popen[str]]]:
    """Start `reqless ui` processes; any left running are stopped at the end."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def _start(started: list[subprocess.Popen[str]], *args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "reqless.cli.main", "ui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )
    started.append(process)
    assert process.stdout is not None
    return process, process.stdout.readline()


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: str


def _get(port: int, path: str) -> _Answer:
    """GET once the server listens (it prints its line just before binding)."""
    for _ in range(400):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return _Answer(response.status, headers, response.read().decode())
        except ConnectionRefusedError:
            time.sleep(0.05)
        finally:
            connection.close()
    raise AssertionError(f"nothing answered on port {port}")


def test_real_start_with_basic_auth_then_ctrl_c(
    serve: list[subprocess.Popen[str]], ui_server: LocalServer
) -> None:
    port = _free_port()
    process, line = _start(
        serve, "--port", str(port), "--redis-url", ui_server.url, "--basic-auth", "ada:pw"
    )
    assert f"http://127.0.0.1:{port}/" in line
    assert "auth: basic" in line and "read-only: off" in line and "default" in line
    health = _get(port, "/healthz")
    assert health.status == 200
    assert json.loads(health.body) == {"status": "ok"}
    info = _get(port, "/api/v1/info")
    assert info.status == 401
    assert info.headers["www-authenticate"].startswith("Basic")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_insecure_no_auth_warns_on_start(
    serve: list[subprocess.Popen[str]], ui_server: LocalServer
) -> None:
    port = _free_port()
    process, line = _start(
        serve, "--port", str(port), "--redis-url", ui_server.url, "--insecure-no-auth"
    )
    assert "auth: none" in line
    assert _get(port, "/healthz").status == 200
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "WARNING: --insecure-no-auth" in err
