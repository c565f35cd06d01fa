"""Fixtures of the worker tests (none of them needs a server)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from reqless.logger import logger


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    """Records of INFO and above logged by the package logger during the test.

    The logger's level and handlers are put back afterwards.
    """
    collected: list[logging.LogRecord] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(record)

    handler = Collector(logging.INFO)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield collected
    logger.removeHandler(handler)
    logger.setLevel(level)
