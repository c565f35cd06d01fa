"""Config: the server configuration as a mutable mapping."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.config import Config
from reqless.exceptions import ReqlessError
from tests.helpers import snapshot

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


def test_client_config_is_a_config(client: Client) -> None:
    assert isinstance(client.config, Config)
    assert client.config is client.config
    assert "Config" in repr(client.config)


def test_all_on_a_fresh_server_is_the_defaults(client: Client) -> None:
    assert client.config.all == DEFAULTS


def test_getitem_decodes_json(client: Client) -> None:
    assert client.config["heartbeat"] == 60
    assert client.config["grace-period"] == 10


def test_getitem_of_free_text_is_the_text(client: Client) -> None:
    # The original raised json.JSONDecodeError here (a quirk of the original).
    assert client.config["application"] == "reqless"
    client.config["application"] = "my app"
    assert client.config["application"] == "my app"
    assert client.config.get("application") == "my app"


def test_getitem_of_missing_option_is_none(client: Client) -> None:
    assert client.config["nope"] is None
    assert client.config["queue-heartbeat"] is None


def test_getitem_of_empty_text_is_none(client: Client) -> None:
    client.config["foo"] = ""
    assert client.config["foo"] is None
    assert client.config.all["foo"] == ""


@pytest.mark.parametrize(
    ("value", "stored", "read"),
    [
        (100, "100", 100),
        (2.5, "2.5", 2.5),
        (-3, "-3", -3),
        ("text", "text", "text"),
        ('{"a": [1]}', '{"a": [1]}', {"a": [1]}),
        ("true", "true", True),
    ],
)
def test_setitem_stores_text(
    client: Client, redis: Redis, value: Any, stored: str, read: Any
) -> None:
    client.config["foo"] = value
    assert redis.hget("ql:config", "foo") == stored
    assert client.config.all["foo"] == stored
    assert client.config["foo"] == read


def test_setitem_overrides_a_default(client: Client) -> None:
    client.config["heartbeat"] = 100
    assert client.config["heartbeat"] == 100
    assert client.config.all["heartbeat"] == "100"


@pytest.mark.parametrize("value", [None, True, False, [1], {"a": 1}, (1,), b"x", float("nan")])
def test_setitem_rejects_values_that_are_not_text(client: Client, redis: Redis, value: Any) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match="'heartbeat'"):
        client.config["heartbeat"] = value
    assert snapshot(redis) == before


@pytest.mark.parametrize("option", ["", None, 5])
def test_option_names_must_be_non_empty_strings(client: Client, redis: Redis, option: Any) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match="option names"):
        client.config[option] = 1
    with pytest.raises(ReqlessError, match="option names"):
        client.config[option]
    with pytest.raises(ReqlessError, match="option names"):
        del client.config[option]
    assert snapshot(redis) == before


def test_delitem_reverts_to_the_default(client: Client) -> None:
    client.config["heartbeat"] = 5
    del client.config["heartbeat"]
    assert client.config["heartbeat"] == 60


def test_delitem_of_an_absent_option_is_fine(client: Client) -> None:
    del client.config["nope"]
    client.config["foo"] = 5
    del client.config["foo"]
    assert client.config["foo"] is None
    assert "foo" not in client.config


def test_contains_counts_defaults(client: Client) -> None:
    assert "heartbeat" in client.config
    assert "foo" not in client.config
    client.config["foo"] = 1
    assert "foo" in client.config


def test_iteration_and_len(client: Client) -> None:
    assert len(client.config) == 8
    assert sorted(client.config) == sorted(DEFAULTS)
    client.config["foo"] = "bar"
    assert len(client.config) == 9
    assert "foo" in list(client.config)


def test_views_are_raw_strings(client: Client) -> None:
    client.config["foo"] = 5
    assert set(client.config.keys()) == {*DEFAULTS, "foo"}
    assert "5" in list(client.config.values())
    assert dict(client.config.items()) == {**DEFAULTS, "foo": "5"}


def test_get_with_default(client: Client) -> None:
    assert client.config.get("foo") is None
    assert client.config.get("foo", "bar") == "bar"
    assert client.config.get("heartbeat", 5) == 60


@pytest.mark.parametrize("default", [0, "", False, []])
def test_get_honours_a_falsy_default(client: Client, default: Any) -> None:
    # The original returned None unless the default was truthy (docs/client.md).
    assert client.config.get("foo", default) == default
    assert client.config.pop("foo", default) == default


def test_pop_reads_then_unsets(client: Client) -> None:
    client.config["foo"] = 7
    assert client.config.pop("foo") == 7
    assert client.config["foo"] is None
    client.config["heartbeat"] = 7
    assert client.config.pop("heartbeat") == 7
    assert client.config["heartbeat"] == 60
    assert client.config.pop("missing") is None
    assert client.config.pop("missing", 3) == 3


def test_popitem_unsets_one_option(client: Client) -> None:
    client.config["heartbeat"] = 5
    option, value = client.config.popitem()
    assert option in DEFAULTS
    assert client.config[option] == (60 if option == "heartbeat" else value)


def test_setdefault(client: Client) -> None:
    assert client.config.setdefault("foo", 3) == 3
    assert client.config["foo"] == 3
    assert client.config.setdefault("foo", 4) == 3
    assert client.config.setdefault("heartbeat", 4) == 60
    assert client.config.setdefault("bar") is None
    assert "bar" not in client.config


def test_update_other_wins_over_kwargs(client: Client) -> None:
    client.config.update({"foo": 1, "heartbeat": 30}, foo=2, bar="x")
    assert client.config["foo"] == 1
    assert client.config["bar"] == "x"
    assert client.config["heartbeat"] == 30


def test_update_accepts_pairs_and_kwargs_only(client: Client) -> None:
    client.config.update([("foo", 1), ("bar", 2)])
    client.config.update(baz=3)
    assert (client.config["foo"], client.config["bar"], client.config["baz"]) == (1, 2, 3)


def test_update_checks_everything_before_writing(client: Client, redis: Redis) -> None:
    before = snapshot(redis)
    with pytest.raises(ReqlessError, match="'bad'"):
        client.config.update({"foo": 1, "bad": None, "bar": 2})
    with pytest.raises(ReqlessError, match="option names"):
        client.config.update({"foo": 1, "": 2})
    assert snapshot(redis) == before


def test_clear_restores_defaults(client: Client, redis: Redis) -> None:
    client.config.update(heartbeat=1, foo="bar")
    client.config.clear()
    assert client.config.all == DEFAULTS
    assert redis.exists("ql:config") == 0


def test_equality_with_a_dict_of_raw_values(client: Client) -> None:
    assert client.config == DEFAULTS


def test_unknown_attributes_raise(client: Client) -> None:
    with pytest.raises(AttributeError):
        client.config.nope  # type: ignore[attr-defined]  # noqa: B018


def test_queue_heartbeat_goes_through_config(client: Client) -> None:
    client.queues["q"].heartbeat = 30
    assert client.config["q-heartbeat"] == 30
    assert client.queues["q"].heartbeat == 30
