"""The package logs like a library: a `NullHandler` on `reqless`, records propagate,
so the application's logging configuration decides where reqless's warnings go."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis

import reqless
from reqless.client import Client
from reqless.logger import logger


@contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """The root logger with no handlers, as in a fresh program; put back afterwards.

    Used inside the test itself: pytest adds its capturing handlers per test phase.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.handlers = []
    try:
        yield root
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = handlers
        root.setLevel(level)


def test_the_package_logger_is_exported_and_has_only_a_null_handler() -> None:
    assert reqless.logger is logger
    assert logger.name == "reqless"
    assert logger.propagate
    assert logger.level == logging.NOTSET
    assert [type(handler) for handler in logger.handlers] == [logging.NullHandler]


def test_a_client_warning_reaches_the_handler_of_basic_config(client: Client, redis: Redis) -> None:
    # Written by a client that bypasses config.set: reading it warns.
    redis.hset("ql:config", "heartbeat", "sixty")
    stream = io.StringIO()
    with bare_root():
        logging.basicConfig(level=logging.INFO, stream=stream)
        assert client.config["heartbeat"] == "sixty"
    assert "WARNING:reqless:" in stream.getvalue()
    assert "'heartbeat'" in stream.getvalue()


def test_importing_reqless_prints_nothing_even_for_warnings() -> None:
    # No handler configured: a library must not write to standard error itself.
    code = "import logging, reqless; logging.getLogger('reqless').warning('unseen')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert (result.stdout, result.stderr) == ("", "")
