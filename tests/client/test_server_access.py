"""A server the URL cannot use (no password, a wrong one, TLS to a server without
it) is reported by what to change, as a ServerAccessError from the redis error."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import redis
from redis.exceptions import AuthenticationError

from reqless.aio import AsyncClient
from reqless.client import Client
from reqless.exceptions import ReqlessError, ServerAccessError
from reqless.server import LocalServer, free_port, start_server

COMMAND = [sys.executable, "-m", "reqless"]


#: redis-py before 8.0 makes the TLS handshake with no time limit, so `rediss://`
#: to a server without TLS waits for ever instead of failing (docs/configuration.md).
needs_handshake_timeout = pytest.mark.skipif(
    int(redis.__version__.split(".")[0]) < 8,
    reason="redis-py < 8 has no time limit on the TLS handshake",
)


@pytest.fixture(scope="module")
def protected() -> Iterator[LocalServer]:
    """A valkey-server started with `requirepass`."""
    server = start_server("valkey", password="hunter2")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def plain() -> Iterator[LocalServer]:
    """A valkey-server without TLS."""
    server = start_server("valkey")
    yield server
    server.stop()


def _bare(server: LocalServer) -> str:
    return f"redis://127.0.0.1:{server.port}/0"


def test_a_missing_password_says_where_to_put_it(protected: LocalServer) -> None:
    client = Client(_bare(protected), retry_window=0)
    with pytest.raises(ServerAccessError) as raised:
        client.queues["q"].put("app.Job", {})
    client.database.close()
    assert str(raised.value) == (
        f"the server at {_bare(protected)} requires a password: put it in the URL as "
        f"redis://:PASSWORD@127.0.0.1:{protected.port}/0 or set REQLESS_URL"
    )
    assert raised.value.problem == "password"
    assert isinstance(raised.value, ReqlessError)
    assert isinstance(raised.value.__cause__, AuthenticationError)
    assert "HELLO" not in str(raised.value)


def test_a_wrong_password_is_named_without_showing_it(protected: LocalServer) -> None:
    url = f"redis://:nope@127.0.0.1:{protected.port}/0"
    client = Client(url, retry_window=0)
    with pytest.raises(ServerAccessError, match="refused the password") as raised:
        client.queues["q"].put("app.Job", {})
    client.database.close()
    assert "nope" not in str(raised.value) and ":***@" in str(raised.value)
    assert raised.value.problem == "wrong-password"
    assert isinstance(raised.value, AuthenticationError)  # what it was before


def test_the_asyncio_client_says_the_same(protected: LocalServer) -> None:
    async def attempt() -> ServerAccessError:
        async with AsyncClient(_bare(protected), retry_window=0) as client:
            with pytest.raises(ServerAccessError) as raised:
                await client.queues.counts()
            return raised.value

    error = asyncio.run(attempt())
    assert "requires a password: put it in the URL as redis://:PASSWORD@" in str(error)


@needs_handshake_timeout
def test_tls_to_a_server_without_tls_says_so(plain: LocalServer) -> None:
    client = Client(f"rediss://127.0.0.1:{plain.port}/0", retry_window=0, socket_connect_timeout=1)
    with pytest.raises(ServerAccessError) as raised:
        client.queues["q"].put("app.Job", {})
    client.database.close()
    assert str(raised.value) == (
        f"TLS handshake with 127.0.0.1:{plain.port} failed: the server does not speak TLS; "
        "use redis:// instead of rediss://"
    )
    assert raised.value.problem == "tls"
    assert raised.value.__cause__ is not None


def _reqless(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=60)


def test_the_commands_say_what_to_change(protected: LocalServer) -> None:
    missing = _reqless("queues", "--url", _bare(protected))
    assert missing.returncode == 3
    assert "requires a password: put it in the URL as redis://:PASSWORD@" in missing.stderr
    assert "HELLO" not in missing.stderr


@needs_handshake_timeout
def test_the_commands_say_what_to_change_for_tls(plain: LocalServer) -> None:
    tls = _reqless("queues", "--url", f"rediss://127.0.0.1:{plain.port}/0")
    assert tls.returncode == 3
    assert "the server does not speak TLS; use redis:// instead of rediss://" in tls.stderr


def test_the_ui_says_what_to_change_and_does_not_start(protected: LocalServer) -> None:
    ui = subprocess.Popen(
        [*COMMAND, "ui", "--url", _bare(protected), "--port", str(free_port())],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while ui.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        if ui.poll() is None:
            ui.send_signal(signal.SIGTERM)
        _, err = ui.communicate(timeout=30)
    assert ui.returncode == 1, err
    assert "requires a password: put it in the URL as redis://:PASSWORD@" in err
