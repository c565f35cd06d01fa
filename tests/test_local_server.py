"""`reqless.server.start_server` never takes a server it did not start for its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reqless.exceptions import ReqlessError
from reqless.server import LocalServer, start_server


@pytest.fixture
def someone_elses() -> Iterator[LocalServer]:
    """A server this test did not ask `start_server` to claim: another application's."""
    other = start_server("valkey")
    yield other
    other.stop()


def test_a_port_in_use_is_refused_before_anything_starts(someone_elses: LocalServer) -> None:
    with pytest.raises(ReqlessError, match=f"port {someone_elses.port} on 127.0.0.1 is in use"):
        start_server("valkey", someone_elses.port)


def test_a_server_that_cannot_bind_is_not_mistaken_for_the_one_on_its_port(
    someone_elses: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The port looked free when it was chosen, and was taken before the server bound
    # it: the other server answers PING there, but it is not the one started here.
    monkeypatch.setattr("reqless.server.free_port", lambda: someone_elses.port)
    with pytest.raises(ReqlessError, match="another program listens on that port"):
        start_server("valkey", timeout=5)
    assert someone_elses.process.poll() is None


def test_a_server_with_a_password_starts_and_names_it_in_its_url() -> None:
    protected = start_server("valkey", password="s3cret/x")
    try:
        assert protected.url == f"redis://:s3cret%2Fx@127.0.0.1:{protected.port}/0"
        with protected.client() as connection:
            assert connection.ping()
    finally:
        protected.stop()
