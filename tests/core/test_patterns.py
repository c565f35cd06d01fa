"""Queue patterns (docs/core-commands.md, queueIdentifierPatterns.setAll): identifier and priority
pattern families."""

from __future__ import annotations

import json

import pytest
from redis import Redis

from tests.helpers import Core

DEFAULT_PRIORITY = '{"fairly": false, "pattern": ["default"]}'
FRENCH = '["un", "deux", "trois", "quatre"]'
SPANISH = '["uno", "dos", "tres"]'


# --- queueIdentifierPatterns.getAll ---------------------------------------------


def test_identifier_default_only(core: Core) -> None:
    assert core("queueIdentifierPatterns.getAll", 0) == '{"default":"[\\"*\\"]"}'
    assert core.redis.keys("*") == []


@pytest.mark.parametrize("key", ["ql:qp:identifiers", "qmore:dynamic"])
def test_identifier_stored_patterns_are_returned_as_texts(
    core: Core, redis: Redis, key: str
) -> None:
    redis.hset(key, mapping={"french": FRENCH, "spanish": SPANISH})
    assert core.json("queueIdentifierPatterns.getAll", 0) == {
        "french": FRENCH,
        "spanish": SPANISH,
        "default": '["*"]',
    }


@pytest.mark.parametrize("key", ["ql:qp:identifiers", "qmore:dynamic"])
def test_identifier_stored_default_replaces_the_builtin(core: Core, redis: Redis, key: str) -> None:
    redis.hset(key, "default", FRENCH)
    assert core.json("queueIdentifierPatterns.getAll", 0) == {"default": FRENCH}


def test_identifier_legacy_is_only_a_fallback(core: Core, redis: Redis) -> None:
    redis.hset("qmore:dynamic", "legacy", '["old"]')
    redis.hset("ql:qp:identifiers", "french", FRENCH)
    assert core.json("queueIdentifierPatterns.getAll", 0) == {
        "french": FRENCH,
        "default": '["*"]',
    }


# --- queueIdentifierPatterns.setAll ---------------------------------------------


def test_identifier_set_all_without_arguments_resets(core: Core, redis: Redis) -> None:
    redis.hset("ql:qp:identifiers", "french", FRENCH)
    redis.hset("qmore:dynamic", "spanish", SPANISH)
    assert core("queueIdentifierPatterns.setAll", 0) is None
    assert redis.hgetall("ql:qp:identifiers") == {"default": '["*"]'}
    assert not redis.exists("qmore:dynamic")


def test_identifier_set_all_keeps_exact_texts_and_drops_empty_lists(
    core: Core, redis: Redis
) -> None:
    redis.hset("qmore:dynamic", "legacy", '["old"]')
    core(
        "queueIdentifierPatterns.setAll",
        0,
        *("french", FRENCH, "spanish", SPANISH, "junk", "[]", "nothing", "{}"),
    )
    assert redis.hgetall("ql:qp:identifiers") == {
        "french": FRENCH,
        "spanish": SPANISH,
        "default": '["*"]',
    }
    assert not redis.exists("qmore:dynamic")
    assert core.json("queueIdentifierPatterns.getAll", 0) == {
        "french": FRENCH,
        "spanish": SPANISH,
        "default": '["*"]',
    }


def test_identifier_empty_default_is_replaced_by_the_builtin(core: Core) -> None:
    core("queueIdentifierPatterns.setAll", 0, "default", "[]")
    assert core.json("queueIdentifierPatterns.getAll", 0) == {"default": '["*"]'}


def test_identifier_given_default_is_kept(core: Core) -> None:
    core("queueIdentifierPatterns.setAll", 0, "default", FRENCH)
    assert core.json("queueIdentifierPatterns.getAll", 0) == {"default": FRENCH}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("french", '["a"]', "french", "[]"), '["a"]'),
        (("french", '["a"]', "french", '["b"]'), '["b"]'),
    ],
)
def test_identifier_last_kept_pair_wins(
    core: Core, redis: Redis, args: tuple[str, ...], expected: str
) -> None:
    core("queueIdentifierPatterns.setAll", 0, *args)
    assert redis.hget("ql:qp:identifiers", "french") == expected


IDENTIFIER = 'Identifier patterns for "{}" are not a JSON list of strings: '


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("french",), "Odd number of identifier patterns: 1 arguments"),
        (("french", FRENCH, "spanish"), "Odd number of identifier patterns: 3 arguments"),
        (("french", "["), IDENTIFIER.format("french") + "["),
        (("french", ""), IDENTIFIER.format("french")),
        (("french", "5"), IDENTIFIER.format("french") + "5"),
        (("french", '"str"'), IDENTIFIER.format("french") + '"str"'),
        (("french", "true"), IDENTIFIER.format("french") + "true"),
        (("french", "false"), IDENTIFIER.format("french") + "false"),
        (("french", "null"), IDENTIFIER.format("french") + "null"),
        (("french", '{"a":"b"}'), IDENTIFIER.format("french")),
        (("french", "[1]"), IDENTIFIER.format("french") + "[1]"),
        (("french", '[["x"]]'), IDENTIFIER.format("french")),
        (("french", FRENCH, "spanish", "[oops"), IDENTIFIER.format("spanish") + "[oops"),
    ],
)
def test_identifier_set_all_rejects_malformed_input(
    core: Core, redis: Redis, args: tuple[str, ...], match: str
) -> None:
    redis.hset("ql:qp:identifiers", "kept", '["kept"]')
    redis.hset("qmore:dynamic", "legacy", '["old"]')
    core.fails("queueIdentifierPatterns.setAll", 0, *args, match=match)


# --- queuePriorityPatterns.getAll -----------------------------------------------


def test_priority_default(core: Core) -> None:
    assert core("queuePriorityPatterns.getAll", 0) == json.dumps([DEFAULT_PRIORITY])
    assert core.json("queuePriorityPatterns.getAll", 0) == [DEFAULT_PRIORITY]
    assert core.redis.keys("*") == []


def test_priority_legacy_fallback(core: Core, redis: Redis) -> None:
    redis.rpush("qmore:priority", '{"pattern": ["old"]}', "raw text")
    assert core.json("queuePriorityPatterns.getAll", 0) == ['{"pattern": ["old"]}', "raw text"]
    redis.rpush("ql:qp:priorities", '{"pattern": ["new"]}')
    assert core.json("queuePriorityPatterns.getAll", 0) == ['{"pattern": ["new"]}']


# --- queuePriorityPatterns.setAll -----------------------------------------------


def test_priority_two_patterns_get_the_builtin_default(core: Core, redis: Redis) -> None:
    first = '{"fairly": true, "pattern": ["a", "b*"]}'
    second = '{"pattern":["c"]}'
    assert core("queuePriorityPatterns.setAll", 0, first, second) is None
    assert redis.lrange("ql:qp:priorities", 0, -1) == [first, second, DEFAULT_PRIORITY]
    assert core.json("queuePriorityPatterns.getAll", 0) == [first, second, DEFAULT_PRIORITY]


def test_priority_single_default_pattern_is_stored_alone(core: Core) -> None:
    only = '{"fairly": true, "pattern": ["default"]}'
    core("queuePriorityPatterns.setAll", 0, only)
    assert core.json("queuePriorityPatterns.getAll", 0) == [only]


def test_priority_default_in_the_middle(core: Core) -> None:
    given = ['{"pattern":["a"]}', '{"pattern":["default"],"fairly":false}', '{"pattern":["b"]}']
    core("queuePriorityPatterns.setAll", 0, *given)
    assert core.json("queuePriorityPatterns.getAll", 0) == given


def test_priority_two_element_default_is_not_a_default(core: Core) -> None:
    core("queuePriorityPatterns.setAll", 0, '{"pattern": ["default","x"]}')
    assert core.json("queuePriorityPatterns.getAll", 0) == [
        '{"pattern": ["default","x"]}',
        DEFAULT_PRIORITY,
    ]


def test_priority_set_all_without_arguments_resets(core: Core, redis: Redis) -> None:
    redis.rpush("ql:qp:priorities", '{"pattern": ["new"]}')
    redis.rpush("qmore:priority", '{"pattern": ["old"]}')
    core("queuePriorityPatterns.setAll", 0)
    assert redis.keys("*") == []
    assert core.json("queuePriorityPatterns.getAll", 0) == [DEFAULT_PRIORITY]


def test_priority_set_all_deletes_the_legacy_list(core: Core, redis: Redis) -> None:
    redis.rpush("qmore:priority", '{"pattern": ["old"]}')
    core("queuePriorityPatterns.setAll", 0, '{"pattern": ["new"]}')
    assert not redis.exists("qmore:priority")


PRIORITY = 'Priority pattern is not a JSON object with a "pattern" list of strings: '


@pytest.mark.parametrize(
    "args",
    [
        ("[",),
        ("",),
        ("5",),
        ('"text"',),
        ("null",),
        ("false",),
        ("[]",),
        ("{}",),
        ('{"fairly": true}',),
        ('{"pattern": "default"}',),
        ('{"pattern": [1]}',),
        ('{"pattern": {"a": "b"}}',),
        ('{"pattern": ["a"], "fairly": "yes"}',),
        ('{"pattern": ["a"], "fairly": null}',),
        ('{"pattern": ["a"]}', "junk"),
        ('{"pattern": ["default"]}', "junk"),
    ],
)
def test_priority_set_all_rejects_malformed_input_and_keeps_the_patterns(
    core: Core, redis: Redis, args: tuple[str, ...]
) -> None:
    redis.rpush("ql:qp:priorities", '{"pattern": ["kept"]}')
    redis.rpush("qmore:priority", '{"pattern": ["old"]}')
    core.fails("queuePriorityPatterns.setAll", 0, *args, match=PRIORITY)
    assert core.json("queuePriorityPatterns.getAll", 0) == ['{"pattern": ["kept"]}']
