"""QueuePatterns and QueuePriorityPattern: stored identifier and priority patterns."""

from __future__ import annotations

import json
from typing import Any

import pytest
from redis import Redis

from reqless.client import Client
from reqless.exceptions import ReqlessError
from reqless.models import QueuePriorityPattern
from reqless.queue_patterns import QueuePatterns
from tests.helpers import snapshot

DEFAULT = QueuePriorityPattern(["default"], False)

# --- QueuePriorityPattern --------------------------------------------------------------------


def test_model_attributes_equality_and_repr() -> None:
    pattern = QueuePriorityPattern(patterns=["a", "b*"], should_distribute_fairly=True)
    assert pattern.patterns == ["a", "b*"]
    assert pattern.should_distribute_fairly is True
    assert pattern == QueuePriorityPattern(["a", "b*"], True)
    assert pattern != QueuePriorityPattern(["a", "b*"], False)
    assert pattern != QueuePriorityPattern(["b*", "a"], True)
    other: object = (["a", "b*"], True)
    assert pattern != other
    assert repr(pattern) == (
        "<QueuePriorityPattern patterns=['a', 'b*'] should_distribute_fairly=True>"
    )
    assert QueuePriorityPattern(["x"]).should_distribute_fairly is False


def test_model_is_frozen_hashable_and_copies_its_patterns() -> None:
    source = ["a"]
    pattern = QueuePriorityPattern(source, False)
    source.append("b")
    assert pattern.patterns == ["a"]
    assert hash(pattern) == hash(QueuePriorityPattern(("a",), False))  # type: ignore[arg-type]
    assert len({pattern, QueuePriorityPattern(["a"], False)}) == 1
    with pytest.raises(AttributeError):
        pattern.should_distribute_fairly = True  # type: ignore[misc]


def test_model_equality_requires_the_same_class() -> None:
    class Other(QueuePriorityPattern):
        pass

    assert QueuePriorityPattern(["a"], False) != Other(["a"], False)


@pytest.mark.parametrize(
    ("patterns", "fairly"),
    [("abc", False), (["a", 1], False), (None, False), (["a"], "yes"), (["a"], 1)],
)
def test_model_rejects_bad_values(patterns: Any, fairly: Any) -> None:
    with pytest.raises(ReqlessError):
        QueuePriorityPattern(patterns, fairly)


# --- identifier patterns ---------------------------------------------------------------------


def test_client_queue_patterns_is_created_once(client: Client) -> None:
    assert isinstance(client.queue_patterns, QueuePatterns)
    assert client.queue_patterns is client.queue_patterns
    assert "QueuePatterns" in repr(client.queue_patterns)


def test_identifier_patterns_default(client: Client) -> None:
    assert client.queue_patterns.get_queue_identifier_patterns() == {"default": ["*"]}


def test_identifier_patterns_round_trip(client: Client, redis: Redis) -> None:
    patterns = client.queue_patterns
    patterns.set_queue_identifier_patterns(
        {"french": ["un", "deux", "trois", "quatre"], "spanish": ["uno", "dos", "tres"]}
    )
    assert patterns.get_queue_identifier_patterns() == {
        "default": ["*"],
        "french": ["un", "deux", "trois", "quatre"],
        "spanish": ["uno", "dos", "tres"],
    }
    assert redis.hget("ql:qp:identifiers", "french") == json.dumps(
        ["un", "deux", "trois", "quatre"]
    )


def test_identifier_patterns_explicit_default_replaces_the_builtin(client: Client) -> None:
    client.queue_patterns.set_queue_identifier_patterns({"default": ["a", "b"]})
    assert client.queue_patterns.get_queue_identifier_patterns() == {"default": ["a", "b"]}


def test_identifier_patterns_empty_lists_are_dropped(client: Client) -> None:
    client.queue_patterns.set_queue_identifier_patterns(
        {"french": ["un"], "junk": [], "default": []}
    )
    assert client.queue_patterns.get_queue_identifier_patterns() == {
        "french": ["un"],
        "default": ["*"],
    }


def test_identifier_patterns_empty_dict_resets(client: Client) -> None:
    client.queue_patterns.set_queue_identifier_patterns({"french": ["un"]})
    client.queue_patterns.set_queue_identifier_patterns({})
    assert client.queue_patterns.get_queue_identifier_patterns() == {"default": ["*"]}


@pytest.mark.parametrize(
    "value",
    [
        {"french": "un"},
        {"french": ["un", 2]},
        {"french": None},
        {"": ["un"]},
        {3: ["un"]},
        [("french", ["un"])],
        None,
    ],
)
def test_identifier_patterns_bad_input_writes_nothing(
    client: Client, redis: Redis, value: Any
) -> None:
    client.queue_patterns.set_queue_identifier_patterns({"kept": ["x"]})
    before = snapshot(redis)
    with pytest.raises(ReqlessError):
        client.queue_patterns.set_queue_identifier_patterns(value)
    assert snapshot(redis) == before


# --- priority patterns -----------------------------------------------------------------------


def test_priority_patterns_default(client: Client) -> None:
    assert client.queue_patterns.get_queue_priority_patterns() == [DEFAULT]


def test_priority_patterns_round_trip_appends_the_default(client: Client, redis: Redis) -> None:
    stored = [QueuePriorityPattern(["high*"], True), QueuePriorityPattern(["low", "!lower"], False)]
    client.queue_patterns.set_queue_priority_patterns(stored)
    assert client.queue_patterns.get_queue_priority_patterns() == [*stored, DEFAULT]
    assert redis.lrange("ql:qp:priorities", 0, -1) == [
        '{"fairly": true, "pattern": ["high*"]}',
        '{"fairly": false, "pattern": ["low", "!lower"]}',
        '{"fairly": false, "pattern": ["default"]}',
    ]


def test_priority_patterns_with_an_explicit_default(client: Client) -> None:
    stored = [QueuePriorityPattern(["default"], True), QueuePriorityPattern(["a"], False)]
    client.queue_patterns.set_queue_priority_patterns(stored)
    assert client.queue_patterns.get_queue_priority_patterns() == stored


def test_priority_patterns_empty_list_clears(client: Client, redis: Redis) -> None:
    client.queue_patterns.set_queue_priority_patterns([QueuePriorityPattern(["a"], False)])
    client.queue_patterns.set_queue_priority_patterns([])
    assert redis.exists("ql:qp:priorities") == 0
    assert client.queue_patterns.get_queue_priority_patterns() == [DEFAULT]


def test_priority_patterns_missing_fairly_reads_as_false(client: Client, redis: Redis) -> None:
    redis.rpush("ql:qp:priorities", '{"pattern": ["a"]}')
    assert client.queue_patterns.get_queue_priority_patterns() == [
        QueuePriorityPattern(["a"], False)
    ]


@pytest.mark.parametrize(
    "value", [[("a", False)], [["a"]], "default", None, [QueuePriorityPattern(["a"]), None]]
)
def test_priority_patterns_bad_input_writes_nothing(
    client: Client, redis: Redis, value: Any
) -> None:
    client.queue_patterns.set_queue_priority_patterns([QueuePriorityPattern(["kept"], False)])
    before = snapshot(redis)
    with pytest.raises(ReqlessError):
        client.queue_patterns.set_queue_priority_patterns(value)
    assert snapshot(redis) == before
