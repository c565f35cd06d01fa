"""Configuration commands: config.get, config.getAll, config.set, config.unset
(docs/configuration.md)."""

from __future__ import annotations

import json

import pytest
from redis import Redis

from reqless.core import Arg
from tests.helpers import Core, events

DEFAULTS = {
    "application": "reqless",
    "grace-period": "10",
    "heartbeat": "60",
    "jobs-history": "604800",
    "jobs-history-count": "50000",
    "max-job-history": "100",
    "max-pop-retry": "1",
    "max-worker-age": "86400",
}


@pytest.mark.parametrize(("option", "default"), sorted(DEFAULTS.items()))
def test_get_returns_the_default_text(core: Core, option: str, default: str) -> None:
    assert core("config.get", 0, option) == default


def test_set_then_unset_restores_the_default(core: Core) -> None:
    core("config.set", 0, "heartbeat", 100)
    assert core("config.get", 0, "heartbeat") == "100"
    core("config.unset", 0, "heartbeat")
    assert core("config.get", 0, "heartbeat") == "60"


def test_unknown_option_is_nil_until_set(core: Core) -> None:
    assert core("config.get", 0, "foo") is None
    core("config.set", 0, "foo", 5)
    assert core("config.get", 0, "foo") == "5"
    core("config.unset", 0, "foo")
    assert core("config.get", 0, "foo") is None


def test_per_queue_option_does_not_fall_back_here(core: Core) -> None:
    assert core("config.get", 0, "q-heartbeat") is None
    core("config.set", 0, "heartbeat", 30)
    assert core("config.get", 0, "q-heartbeat") is None
    core("config.set", 0, "q-heartbeat", 7)
    assert core("config.get", 0, "q-heartbeat") == "7"


def test_get_all_on_a_fresh_database(core: Core) -> None:
    assert core.json("config.getAll", 0) == DEFAULTS


def test_get_all_overlays_every_stored_field(core: Core) -> None:
    core("config.set", 0, "heartbeat", 100)
    core("config.set", 0, "foo", "bar")
    core("config.set", 0, "q-heartbeat", 5)
    assert core.json("config.getAll", 0) == {
        **DEFAULTS,
        "heartbeat": "100",
        "foo": "bar",
        "q-heartbeat": "5",
    }


@pytest.mark.parametrize(
    ("option", "value"),
    [("heartbeat", ""), ("foo", "abc"), ("heartbeat", "0x10"), ("heartbeat", " 5 "),
     ("heartbeat", "1e3"), ("foo", "{}"), ("heartbeat", "-1"), ("application", "")],
)  # fmt: skip
def test_values_are_stored_as_exact_text(redis: Redis, core: Core, option: str, value: str) -> None:
    assert core("config.set", 0, option, value) is None
    assert redis.hget("ql:config", option) == value
    assert core("config.get", 0, option) == value
    assert core.json("config.getAll", 0)[option] == value


#: Values that would stop work, refused by config.set (issue 19): option, value, why.
REFUSED = [
    ("max-pop-retry", "0", "must be at least 1"),
    ("max-pop-retry", "-3", "must be at least 1"),
    ("max-pop-retry", "1.5", "must be a whole number"),
    ("queue-max-pop-retry", "0", "must be at least 1"),
    ("grace-period", "-1", "must be at least 0"),
    ("jobs-history-count", "2.5", "must be a whole number"),
    ("jobs-history-count", "-1", "must be at least 0"),
    ("max-job-history", "-1", "must be at least 0"),
    ("max-worker-age", "0", "must be at least 0.001"),
    ("heartbeat", "sixty", "must be a finite number"),
    ("queue-heartbeat", "inf", "must be a finite number"),
    ("jobs-history", "7 days", "must be a finite number"),
    ("grace-period", "nan", "must be a finite number"),
]


@pytest.mark.parametrize(("option", "value", "why"), REFUSED)
def test_values_that_would_stop_work_are_refused(
    core: Core, option: str, value: str, why: str
) -> None:
    core("config.set", 0, option, 5 if "retry" in option else 7)
    error = core.fails("config.set", 1, option, value, match=why)
    assert str(error).startswith(f'config.set(): option "{option}" {why} (')
    assert str(error).endswith(f'), not "{value}"')


@pytest.mark.parametrize(
    ("option", "value"),
    [("heartbeat", "0"), ("heartbeat", "-10"), ("grace-period", "0"), ("jobs-history", "-1"),
     ("jobs-history-count", "0"), ("max-job-history", "0"), ("max-pop-retry", "2"),
     ("q-heartbeat", "0.5"), ("heartbeat-x", "anything"), ("-heartbeat", "x")],
)  # fmt: skip
def test_values_the_specification_uses_are_kept(core: Core, option: str, value: str) -> None:
    assert core("config.set", 0, option, value) is None
    assert core("config.get", 0, option) == value


@pytest.mark.parametrize("value", ["soon", "", "inf", "nan", "1e400"])
def test_unusable_stored_value_falls_back_to_the_default(
    redis: Redis, core: Core, value: str
) -> None:
    # Issue 8.5: the spec lets a later command fail on a non-numeric value, which
    # stopped every pop; the core uses the default instead. config.set refuses
    # such values now, but another client may write them directly.
    core.put(0, "jid")
    redis.hset("ql:config", "heartbeat", value)
    (job,) = core.pop(0)
    assert job["expires"] == 60


def test_unusable_per_queue_value_falls_back_to_the_global_one(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core("config.set", 0, "heartbeat", "30")
    redis.hset("ql:config", "queue-heartbeat", "sixty")
    (job,) = core.pop(0)
    assert job["expires"] == 30


def test_unusable_history_settings_do_not_stop_complete(redis: Redis, core: Core) -> None:
    core.put(0, "jid")
    core.pop(0)
    for option in ("jobs-history", "jobs-history-count", "max-job-history"):
        redis.hset("ql:config", option, "7 days")
    assert core("job.complete", 1, "jid", "worker", "queue", "{}") == "complete"
    assert core.job("jid")["state"] == "complete"


def test_set_publishes_the_log_event_first(redis: Redis, core: Core) -> None:
    with events(redis) as capture:
        core("config.set", 0, "heartbeat", 100)
        core("config.set", 0, "a/b", 'x"y')
        messages = capture.drain()
    assert messages == [
        ("ql:log", '{"option":"heartbeat","event":"config_set","value":"100"}'),
        ("ql:log", '{"option":"a\\/b","event":"config_set","value":"x\\"y"}'),
    ]


def test_unset_publishes_even_when_not_set(redis: Redis, core: Core) -> None:
    with events(redis) as capture:
        core("config.unset", 0, "never-set")
        messages = capture.drain()
    assert messages == [("ql:log", '{"event":"config_unset","option":"never-set"}')]
    assert redis.exists("ql:config") == 0


def test_unset_removes_only_that_field(redis: Redis, core: Core) -> None:
    core("config.set", 0, "a", 1)
    core("config.set", 0, "b", 2)
    core("config.unset", 0, "a")
    assert redis.hgetall("ql:config") == {"b": "2"}


def test_get_and_get_all_write_nothing(redis: Redis, core: Core) -> None:
    core("config.get", 0, "heartbeat")
    core("config.getAll", 0)
    assert redis.keys("*") == []


MALFORMED: list[tuple[str, tuple[Arg, ...], str]] = [
    ("config.get", (), "config.get(): Argument 'key' missing"),
    ("config.set", (), 'config.set(): Arg "option" missing'),
    ("config.set", ("heartbeat",), 'config.set(): Arg "value" missing'),
    ("config.unset", (), 'config.unset(): Arg "option" missing'),
]


@pytest.mark.parametrize(("command", "args", "match"), MALFORMED)
def test_malformed_arguments(core: Core, command: str, args: tuple[Arg, ...], match: str) -> None:
    core("config.set", 0, "heartbeat", 30)
    core.fails(command, 0, *args, match=match)


def test_failed_set_publishes_nothing(redis: Redis, core: Core) -> None:
    with events(redis) as capture:
        core.fails("config.set", 0, "heartbeat", match='Arg "value" missing')
        assert capture.drain() == []


def test_get_all_values_are_strings(core: Core) -> None:
    core("config.set", 0, "heartbeat", 100)
    raw = core("config.getAll", 0)
    assert '"heartbeat":"100"' in raw
    assert all(isinstance(value, str) for value in json.loads(raw).values())
