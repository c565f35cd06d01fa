"""The worker's text log formats each record's time as `logging.Formatter` does,
making the date and time text once a second (a worker logs a record per job)."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from reqless.logger import LOG_FORMAT
from reqless.workers.logs import TextFormatter

TIMES = [0.5, 1.0, 1.999, 59.9994, 60.0, 1_700_000_000.123456, 1_700_000_000.9999, 1_700_000_001.0]


def record_at(created: float) -> logging.LogRecord:
    record = logging.LogRecord("reqless", logging.INFO, __file__, 1, "done", (), None)
    record.created = created
    record.msecs = int((created - int(created)) * 1000) + 0.0
    return record


def test_the_time_text_is_the_standard_formatters() -> None:
    ours, standard = TextFormatter(), logging.Formatter(LOG_FORMAT)
    # Forwards, backwards and repeated, so a remembered second is never reused wrongly.
    for created in [*TIMES, *reversed(TIMES), *TIMES]:
        record = record_at(created)
        assert ours.formatTime(record) == standard.formatTime(record)
    record = record_at(time.time())
    assert ours.format(record) == standard.format(record)  # a record outside any job


def test_the_date_and_time_text_is_made_once_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = time.strftime

    def counting(fmt: str, *args: Any) -> str:
        made.append(fmt)
        return real(fmt, *args)

    monkeypatch.setattr(time, "strftime", counting)
    formatter = TextFormatter()
    texts = {formatter.formatTime(record_at(1_700_000_000 + i / 100)) for i in range(100)}
    assert len(made) == 1
    assert len(texts) == 100  # the milliseconds still differ
    formatter.formatTime(record_at(1_700_000_001.5))
    assert len(made) == 2


def test_a_date_format_or_converter_of_ones_own_is_honoured() -> None:
    record = record_at(1_700_000_000.25)
    ours, standard = TextFormatter(), logging.Formatter(LOG_FORMAT)
    assert ours.formatTime(record, "%H:%M") == standard.formatTime(record, "%H:%M")
    ours.converter = standard.converter = time.gmtime
    assert ours.formatTime(record) == standard.formatTime(record)
    assert ours.formatTime(record).startswith("2023-11-14 22:13:20")


def test_a_format_without_milliseconds_is_left_to_the_base_class() -> None:
    record = record_at(1_700_000_000.25)
    ours, standard = TextFormatter(), logging.Formatter(LOG_FORMAT)
    ours.default_msec_format = standard.default_msec_format = None
    assert ours.formatTime(record) == standard.formatTime(record)
