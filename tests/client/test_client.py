"""reqless.client: construction, identity, the command gateway and connection handling."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from redis.connection import SSLConnection, UnixDomainSocketConnection
from redis.exceptions import AuthenticationError, DataError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from reqless.client import Client
from reqless.collections import Jobs, Queues, Throttles, Workers
from reqless.config import Config
from reqless.core import load_script
from reqless.exceptions import ReqlessError
from reqless.queue import Queue
from reqless.server import LocalServer, find_server_binary, free_port, start_server
from tests.helpers import read_command

KLASS = "tests.client.test_client.Nothing"


def _kwargs(client: Client) -> dict[str, Any]:
    kwargs: dict[str, Any] = client.database.connection_pool.connection_kwargs
    return kwargs


def _fail_one(client: Client, queue: str, group: str) -> str:
    jid = client.queues[queue].put(KLASS, {})
    job = client.queues[queue].pop()
    assert job is not None
    job.fail(group, "broken")
    return jid


# --- construction ------------------------------------------------------------------


def test_constructor_does_not_contact_the_server() -> None:
    # Nothing listens on this port: a constructor that connected would raise.
    started = time.monotonic()
    client = Client(f"redis://127.0.0.1:{free_port()}/0")
    assert time.monotonic() - started < 1
    assert isinstance(client.database, Redis)
    client.database.close()


def test_default_url_is_localhost_6379() -> None:
    kwargs = _kwargs(Client())
    assert (kwargs["host"], kwargs["port"], kwargs.get("db", 0)) == ("localhost", 6379, 0)


def test_url_parts_reach_the_connection_pool() -> None:
    kwargs = _kwargs(Client("redis://user:pw@foo.bar.com:1234/5"))
    assert kwargs["host"] == "foo.bar.com"
    assert kwargs["port"] == 1234
    assert kwargs["db"] == 5
    assert kwargs["username"] == "user"
    assert kwargs["password"] == "pw"


def test_keyword_arguments_are_forwarded_and_decoding_is_forced() -> None:
    client = Client("redis://localhost:6379", socket_timeout=7.5, decode_responses=False)
    kwargs = _kwargs(client)
    assert kwargs["socket_timeout"] == 7.5
    assert kwargs["decode_responses"] is True


def test_hostname_defaults_to_the_machine_name() -> None:
    assert Client().worker_name == socket.gethostname()
    assert Client(hostname="").worker_name == socket.gethostname()
    assert Client(hostname="gnome-1").worker_name == "gnome-1"


def test_worker_name_is_writable_and_captured_by_new_queues() -> None:
    client = Client(hostname="before")
    old = client.queues["q"]
    client.worker_name = "after"
    assert client.worker_name == "after"
    assert old.worker_name == "before"
    assert client.queues["q"].worker_name == "after"


def test_repr_shows_where_and_who() -> None:
    text = repr(Client("redis://foo.bar.com:1234/3", hostname="gnome"))
    assert "foo.bar.com:1234" in text
    assert "db=3" in text
    assert "gnome" in text


def test_repr_of_a_unix_socket_client_shows_the_path() -> None:
    assert "/tmp/some.sock" in repr(Client("unix:///tmp/some.sock?db=2"))


def test_collections_and_helpers() -> None:
    client = Client()
    assert isinstance(client.config, Config)
    assert isinstance(client.jobs, Jobs)
    assert isinstance(client.queues, Queues)
    assert isinstance(client.throttles, Throttles)
    assert isinstance(client.workers, Workers)
    assert client.events is client.events
    assert client.queue_patterns is client.queue_patterns
    assert client.jobs is client.jobs
    assert isinstance(client.queues["q"], Queue)
    with pytest.raises(AttributeError):
        client.no_such_attribute  # type: ignore[attr-defined]  # noqa: B018


# --- the command gateway ------------------------------------------------------------


def test_call_returns_the_raw_reply(client: Client) -> None:
    assert client("queue.length", "q") == 0
    assert client("job.get", "missing") is None
    assert isinstance(client("queues.counts"), str)


def test_call_wraps_server_errors_keeping_the_message(client: Client) -> None:
    with pytest.raises(ReqlessError) as info:
        client("queue.pop", "q")
    assert 'Pop(): Arg "worker" missing' in str(info.value)
    with pytest.raises(ReqlessError):
        client("no.such.command")


def test_call_rejects_unencodable_arguments_before_sending(client: Client) -> None:
    with pytest.raises(DataError):
        client("queue.length", None)  # type: ignore[arg-type]


def test_call_sends_a_fresh_sub_millisecond_now(client: Client, redis: Redis) -> None:
    queue = client.queues["q"]
    before = time.time()
    jids = [queue.put(KLASS, {}) for _ in range(20)]
    after = time.time()
    times = [float(redis.hget(f"ql:j:{jid}", "time") or 0) for jid in jids]
    assert before <= times[0] and times[-1] <= after
    assert times == sorted(set(times)), "every call takes its own, later, now"
    # Puts take well under a millisecond each, so millisecond stamps would repeat.
    assert any(abs(stamp * 1000 - round(stamp * 1000)) > 0.01 for stamp in times)


# --- client-level operations ------------------------------------------------------------


def test_track_and_untrack(client: Client) -> None:
    jid = client.queues["q"].put(KLASS, {})
    assert client.track(jid) is True
    assert client.track(jid) is False
    assert [job.jid for job in client.jobs.tracked()["jobs"]] == [jid]
    assert client.untrack(jid) is True
    assert client.untrack(jid) is False
    assert client.jobs.tracked()["jobs"] == []


def test_track_of_a_missing_job_raises(client: Client) -> None:
    with pytest.raises(ReqlessError, match="does not exist"):
        client.track("missing")


def test_tags_lists_tags_of_several_jobs_most_used_first(client: Client) -> None:
    queue = client.queues["q"]
    queue.put(KLASS, {}, tags=["a", "b", "c"])
    queue.put(KLASS, {}, tags=["a", "b"])
    queue.put(KLASS, {}, tags=["a"])
    assert client.tags() == ["a", "b"]
    assert client.tags(1) == ["b"]
    assert client.tags(0, 1) == ["a"]


def test_tags_is_empty_without_jobs(client: Client) -> None:
    assert client.tags() == []


def test_unfail_moves_a_failure_group_back_into_a_queue(client: Client) -> None:
    jids = [_fail_one(client, "q", "group") for _ in range(3)]
    _fail_one(client, "q", "other")
    # The Python signature is (group, queue): the command gets (queue, group).
    assert client.unfail("group", "retry-here", 2) == 2
    assert client.unfail("group", "retry-here") == 1
    assert sorted(job.jid for job in client.queues["retry-here"].peek(count=10)) == sorted(jids)
    assert client.jobs.failed() == {"other": 1}


# --- connection handling -------------------------------------------------------------


@pytest.fixture
def extra_server(server: LocalServer) -> Iterator[LocalServer]:
    """A private server of the same kind, for tests that reconfigure it."""
    private = start_server(server.kind)
    yield private
    private.stop()


def test_url_with_password(extra_server: LocalServer) -> None:
    with extra_server.client() as admin:
        admin.config_set("requirepass", "s3cret")
    for url in (
        f"redis://:s3cret@127.0.0.1:{extra_server.port}/0",
        f"redis://default:s3cret@127.0.0.1:{extra_server.port}/0",
    ):
        client = Client(url)
        jid = client.queues["q"].put(KLASS, {})
        assert client.jobs[jid] is not None
        client.database.close()
    wrong = Client(f"redis://:wrong@127.0.0.1:{extra_server.port}/0")
    with pytest.raises(AuthenticationError):
        wrong.queues["q"].put(KLASS, {})
    wrong.database.close()


def test_password_as_keyword_argument(extra_server: LocalServer) -> None:
    with extra_server.client() as admin:
        admin.config_set("requirepass", "s3cret")
    client = Client(f"redis://127.0.0.1:{extra_server.port}", password="s3cret")
    assert len(client.queues["q"]) == 0
    client.database.close()


def test_database_number_in_the_url(server: LocalServer, redis: Redis) -> None:
    client = Client(f"redis://127.0.0.1:{server.port}/3")
    jid = client.queues["q"].put(KLASS, {})
    assert redis.exists(f"ql:j:{jid}") == 0
    with Redis(host="127.0.0.1", port=server.port, db=3, decode_responses=True) as db3:
        assert db3.hget(f"ql:j:{jid}", "queue") == "q"
    client.database.close()


@pytest.fixture
def unix_server(server: LocalServer) -> Iterator[str]:
    """A server of the same kind listening only on a Unix socket; yields the socket path."""
    binary = find_server_binary(server.kind)
    assert binary is not None
    # Unix socket paths are limited to about 100 bytes: keep the directory short.
    workdir = Path(tempfile.mkdtemp(prefix="rq-", dir="/tmp"))
    path = workdir / "s.sock"
    process = subprocess.Popen(
        [str(binary), "--port", "0", "--unixsocket", str(path), "--dir", str(workdir),
         "--save", "", "--appendonly", "no", "--logfile", str(workdir / "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while not path.exists():
            assert process.poll() is None, (workdir / "log").read_text()
            assert time.monotonic() < deadline, "the server did not create its socket"
            time.sleep(0.02)
        yield str(path)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def test_unix_socket_url(unix_server: str) -> None:
    client = Client(f"unix://{unix_server}?db=2")
    assert client.database.connection_pool.connection_class is UnixDomainSocketConnection
    jid = client.queues["q"].put(KLASS, {})
    with Redis(unix_socket_path=unix_server, db=2, decode_responses=True) as raw:
        assert raw.hget(f"ql:j:{jid}", "queue") == "q"
    client.database.close()


def test_rediss_url_builds_a_tls_connection_without_connecting() -> None:
    client = Client(f"rediss://127.0.0.1:{free_port()}/0?ssl_cert_reqs=none")
    assert client.database.connection_pool.connection_class is SSLConnection


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A redis-server with TLS on a free port; yields the port and the CA certificate."""
    binary = find_server_binary("redis")
    openssl = shutil.which("openssl")
    if binary is None or openssl is None:
        pytest.skip("needs redis-server and openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", str(cert), "--tls-key-file", str(key),
         "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no",
         "--save", "", "--appendonly", "no", "--dir", str(tmp_path),
         "--logfile", str(tmp_path / "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                pytest.skip(f"this redis-server has no TLS: {(tmp_path / 'log').read_text()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the TLS server did not start"
            time.sleep(0.02)
        yield port, cert
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_rediss_url_talks_tls(tls_server: tuple[int, Path]) -> None:
    port, cert = tls_server
    client = Client(f"rediss://127.0.0.1:{port}/0", ssl_ca_certs=str(cert))
    jid = client.queues["q"].put(KLASS, {"secure": True})
    job = client.jobs[jid]
    assert job is not None
    assert job.data == '{"secure": true}'
    client.database.close()


def test_unreachable_server_raises_a_clear_error_after_the_retry_window() -> None:
    port = free_port()
    client = Client(f"redis://127.0.0.1:{port}", retry_window=1.0)
    started = time.monotonic()
    with pytest.raises(RedisConnectionError) as info:
        client.queues["q"].put(KLASS, {})
    assert time.monotonic() - started < 10
    assert f"127.0.0.1:{port}" in str(info.value)


@pytest.mark.slow
def test_a_server_that_drops_connection_attempts_fails_within_a_bounded_time() -> None:
    # A listening socket whose accept queue is full: the kernel drops further SYNs,
    # as a firewall or a dead host would. Without a connect timeout a call hangs
    # for minutes; the client must give a clear error naming the address instead.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    client = Client(f"redis://127.0.0.1:{port}")
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            client.queues["q"].put(KLASS, {})
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    caller = threading.Thread(target=attempt, daemon=True)
    caller.start()
    caller.join(timeout=40)
    try:
        assert outcome, "the call was still hanging after 40 seconds"
        error = outcome[0]
        assert isinstance(error, RedisConnectionError | RedisTimeoutError), repr(error)
        assert f"127.0.0.1:{port}" in str(error)
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@pytest.fixture
def old_server() -> Iterator[int]:
    """A stand-in that speaks just enough RESP to say it is Redis 6.2; yields its port.

    No Redis older than 7.0 is installed, so this stub answers INFO with an old
    version, EVALSHA with NOSCRIPT, HELLO with the protocol asked for, and anything
    else with +OK.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as stream:
            while not stop.is_set():
                words = read_command(stream)
                if words is None:
                    return
                if words[0] == b"EVALSHA":
                    conn.sendall(b"-NOSCRIPT No matching script.\r\n")
                elif words[0] == b"FCALL":
                    conn.sendall(b"-ERR unknown command 'FCALL'\r\n")
                elif words[0] == b"HELLO":
                    conn.sendall(b"%%1\r\n+proto\r\n:%s\r\n" % words[1])
                elif words[0] == b"INFO":
                    body = b"# Server\r\nredis_version:6.2.14\r\n"
                    conn.sendall(b"$%d\r\n%s\r\n" % (len(body), body))
                else:
                    conn.sendall(b"+OK\r\n")

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    yield listener.getsockname()[1]
    stop.set()
    acceptor.join()
    listener.close()


def test_a_server_older_than_7_is_refused_clearly(old_server: int) -> None:
    client = Client(f"redis://127.0.0.1:{old_server}")
    with pytest.raises(ReqlessError, match=r"7\.0.*6\.2\.14"):
        client.queues["q"].put(KLASS, {})
    client.database.close()


def test_client_survives_a_server_restart(server: LocalServer, tmp_path: Path) -> None:
    port = free_port()
    first = start_server(server.kind, port, workdir=tmp_path, appendonly=True)
    client = Client(first.url)
    name = load_script().library_name
    try:
        jid = client.queues["q"].put(KLASS, {})
        first.stop()
        second = start_server(server.kind, port, workdir=tmp_path, appendonly=True)
        try:
            with second.client() as raw:
                # The library survives in the append-only file; flush it to see
                # the same client object reload it after reconnecting.
                raw.function_flush()
                assert client.jobs[jid] is not None
                assert [entry[1] for entry in raw.function_list()] == [name]
            client.queues["q"].put(KLASS, {})
            assert len(client.queues["q"]) == 2
        finally:
            second.stop()
    finally:
        client.database.close()
        first.stop()


def test_function_flush_is_survived(client: Client) -> None:
    client.queues["q"].put(KLASS, {})
    client.database.function_flush()
    assert len(client.queues["q"]) == 1
    assert [entry[1] for entry in client.database.function_list()] == [load_script().library_name]
