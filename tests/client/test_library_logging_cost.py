"""The package's `NullHandler` keeps Python's last-resort output off without being
called: a worker logs a record per job through the `reqless` logger."""

from __future__ import annotations

import io
import logging

import pytest

from reqless.logger import logger


def test_a_record_passes_the_null_handler_without_calling_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (null,) = logger.handlers
    called: list[logging.LogRecord] = []

    def handle(record: logging.LogRecord) -> bool:
        called.append(record)
        return True

    monkeypatch.setattr(null, "handle", handle)
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    monkeypatch.setattr(root, "handlers", [handler])
    monkeypatch.setattr(root, "level", logging.DEBUG)
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.CRITICAL):
        logger.log(level, "seen by the root handler %d", level)
    assert called == []
    assert stream.getvalue().count("seen by the root handler") == 4
