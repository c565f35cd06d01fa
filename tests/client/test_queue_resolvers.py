"""Queue resolution: the transforming resolver and the two dynamic transformers."""

from __future__ import annotations

import time

import pytest

from reqless.abstract import AbstractQueueIdentifiersTransformer, AbstractQueueResolver
from reqless.client import Client
from reqless.models import QueuePriorityPattern
from reqless.queue_resolvers import (
    DynamicMappingQueueIdentifiersTransformer,
    DynamicPriorityQueueIdentifiersTransformer,
    TransformingQueueResolver,
)

resolve_names = DynamicMappingQueueIdentifiersTransformer.resolve_queue_names
prioritize = DynamicPriorityQueueIdentifiersTransformer.prioritize_queues


def make_queues(client: Client, *names: str) -> None:
    for name in names:
        client.queues[name].put("tests.Klass", "{}")


class Append:
    """A transformer that appends a fixed name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def transform(self, queue_identifiers: list[str]) -> list[str]:
        return [*queue_identifiers, self.name]


class Clock:
    """A stand-in for time.monotonic that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- TransformingQueueResolver ---------------------------------------------------------------


@pytest.mark.parametrize("transformers", [None, []])
def test_resolver_without_transformers_returns_the_same_list(
    transformers: list[AbstractQueueIdentifiersTransformer] | None,
) -> None:
    identifiers = ["a", "b*"]
    resolver = TransformingQueueResolver(identifiers, transformers)
    assert resolver.resolve() is identifiers
    assert isinstance(resolver, AbstractQueueResolver)
    assert "TransformingQueueResolver" in repr(resolver)


def test_resolver_applies_transformers_in_order() -> None:
    resolver = TransformingQueueResolver(["a"], [Append("b"), Append("c")])
    assert resolver.resolve() == ["a", "b", "c"]
    assert isinstance(Append("x"), AbstractQueueIdentifiersTransformer)


# --- resolve_queue_names ---------------------------------------------------------------------


def test_resolve_queue_names_worked_example() -> None:
    known = ["exact_queue_name", "exact_queue_name_extended", "no_match_queue_name"]
    known.append("other_queue_name")
    mapping = {"exact": ["exact*"], "inexact": ["!exact*"], "other": ["other*"]}
    identifiers = ["*", "!@exact", "!@inexact", "!exact_queue_name_extended", "@other", "!no*"]
    assert resolve_names(mapping, known, identifiers) == ["other_queue_name", "exact_queue_name"]


def test_static_names_are_kept_even_when_unknown() -> None:
    assert resolve_names({}, ["a"], ["b", "a", "b"]) == ["b", "a"]


def test_star_matches_in_known_order() -> None:
    assert resolve_names({}, ["b1", "a1", "b2"], ["b*", "*"]) == ["b1", "b2", "a1"]


def test_a_name_keeps_its_first_position_unless_removed_and_added_again() -> None:
    assert resolve_names({}, ["a", "b"], ["a", "b", "a"]) == ["a", "b"]
    assert resolve_names({}, ["a", "b"], ["a", "b", "!a", "a"]) == ["b", "a"]


def test_negated_pattern_matching_a_name_not_in_the_result_does_nothing() -> None:
    # The original raised ValueError here (a defect of the original).
    assert resolve_names({}, ["foo1"], ["!foo*"]) == []
    assert resolve_names({}, ["foo1", "bar"], ["bar", "!foo1"]) == ["bar"]


def test_regex_metacharacters_match_literally() -> None:
    known = ["a.b", "axb", "a+", "aa", "(x)", "x"]
    assert resolve_names({}, known, ["a.*"]) == ["a.b"]
    assert resolve_names({}, known, ["a+*"]) == ["a+"]
    assert resolve_names({}, known, ["(x)*"]) == ["(x)"]
    assert resolve_names({}, known, ["*", "!a.b"]) == ["axb", "a+", "aa", "(x)", "x"]


def test_mapping_references() -> None:
    mapping = {"both": ["a*", "!ab"], "neg": ["!b*"]}
    known = ["aa", "ab", "ba"]
    assert resolve_names(mapping, known, ["@both"]) == ["aa"]
    assert resolve_names(mapping, known, ["*", "!@both"]) == ["ba", "ab"]
    assert resolve_names(mapping, known, ["!@neg"]) == ["ba"]
    assert resolve_names(mapping, known, ["@missing", "!@missing"]) == []


def test_patterns_match_whole_names() -> None:
    assert resolve_names({}, ["abc", "xabc", "abcx"], ["abc*"]) == ["abc", "abcx"]


# --- prioritize_queues -----------------------------------------------------------------------


def test_prioritize_without_patterns_keeps_the_order() -> None:
    assert prioritize(["b", "a"], []) == ["b", "a"]
    assert prioritize(["b", "a"], [QueuePriorityPattern(["default"], False)]) == ["b", "a"]


def test_prioritize_tiers_around_the_default() -> None:
    patterns = [
        QueuePriorityPattern(["high*"], False),
        QueuePriorityPattern(["default"], False),
        QueuePriorityPattern(["low*"], False),
    ]
    names = ["low1", "mid", "high1", "high2", "low2"]
    assert prioritize(names, patterns) == ["high1", "high2", "mid", "low1", "low2"]


def test_prioritize_without_a_default_puts_the_rest_last() -> None:
    patterns = [QueuePriorityPattern(["b"], False), QueuePriorityPattern(["a"], False)]
    assert prioritize(["a", "c", "b"], patterns) == ["b", "a", "c"]


def test_prioritize_tier_order_follows_the_patterns_then_the_names() -> None:
    patterns = [QueuePriorityPattern(["b*", "a*"], False)]
    assert prioritize(["a1", "b1", "c", "a2", "b2"], patterns) == ["b1", "b2", "a1", "a2", "c"]


def test_prioritize_negation_within_a_tier() -> None:
    patterns = [QueuePriorityPattern(["a*", "!ab"], False)]
    assert prioritize(["ab", "b", "aa"], patterns) == ["aa", "ab", "b"]
    # a standalone negative pattern has no effect
    assert prioritize(["ab", "b"], [QueuePriorityPattern(["!ab"], False)]) == ["ab", "b"]


def test_prioritize_last_default_wins() -> None:
    patterns = [
        QueuePriorityPattern(["default"], False),
        QueuePriorityPattern(["a"], False),
        QueuePriorityPattern(["default"], False),
    ]
    assert prioritize(["b", "a"], patterns) == ["a", "b"]


def test_prioritize_a_queue_appears_once() -> None:
    patterns = [QueuePriorityPattern(["a*"], False), QueuePriorityPattern(["a1"], False)]
    assert prioritize(["a1", "a1", "b"], patterns) == ["a1", "b"]


def test_prioritize_escapes_metacharacters() -> None:
    assert prioritize(["axb", "a.b"], [QueuePriorityPattern(["a.b"], False)]) == ["a.b", "axb"]


def test_prioritize_fair_tiers_are_shuffled() -> None:
    names = [f"q{i}" for i in range(6)]
    patterns = [QueuePriorityPattern(["q*"], True), QueuePriorityPattern(["default"], False)]
    orders = {tuple(prioritize([*names, "z"], patterns)) for _ in range(50)}
    assert len(orders) > 1
    assert all(sorted(order[:6]) == names and order[6] == "z" for order in orders)


def test_prioritize_a_fair_default_is_shuffled() -> None:
    names = [f"q{i}" for i in range(6)]
    patterns = [QueuePriorityPattern(["a"], False), QueuePriorityPattern(["default"], True)]
    orders = {tuple(prioritize(["a", *names], patterns)) for _ in range(50)}
    assert len(orders) > 1
    assert all(order[0] == "a" and sorted(order[1:]) == names for order in orders)


# --- the transformers against a server -------------------------------------------------------


def test_mapping_transformer_uses_stored_patterns_and_current_queues(client: Client) -> None:
    client.queue_patterns.set_queue_identifier_patterns({"mail": ["mail-*"]})
    make_queues(client, "mail-out", "other", "mail-in")
    transformer = DynamicMappingQueueIdentifiersTransformer(client)
    assert transformer.transform(["@mail"]) == ["mail-out", "mail-in"]
    assert transformer.transform(["@default", "!@mail"]) == ["other"]
    make_queues(client, "mail-new")  # known names are fetched on every call
    assert transformer.transform(["@mail"]) == ["mail-out", "mail-in", "mail-new"]


def test_mapping_transformer_caches_for_five_minutes_by_default(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr("reqless.queue_resolvers.time.monotonic", clock)
    make_queues(client, "a", "b")
    client.queue_patterns.set_queue_identifier_patterns({"x": ["a"]})
    transformer = DynamicMappingQueueIdentifiersTransformer(client)
    assert transformer.transform(["@x"]) == ["a"]
    client.queue_patterns.set_queue_identifier_patterns({"x": ["b"]})
    clock.now += 299
    assert transformer.transform(["@x"]) == ["a"]
    assert transformer._get_dynamic_queue_mapping() == {"x": ["a"], "default": ["*"]}
    clock.now += 2
    assert transformer.transform(["@x"]) == ["b"]


def test_mapping_transformer_refresh_frequency(client: Client) -> None:
    make_queues(client, "a", "b")
    client.queue_patterns.set_queue_identifier_patterns({"x": ["a"]})
    transformer = DynamicMappingQueueIdentifiersTransformer(client, 1)
    assert transformer.transform(["@x"]) == ["a"]
    client.queue_patterns.set_queue_identifier_patterns({"x": ["b"]})
    time.sleep(0.01)
    assert transformer.transform(["@x"]) == ["b"]


def test_priority_transformer_uses_stored_patterns(client: Client) -> None:
    transformer = DynamicPriorityQueueIdentifiersTransformer(client)
    assert transformer.transform(["b", "a"]) == ["b", "a"]
    fresh = DynamicPriorityQueueIdentifiersTransformer(client)
    client.queue_patterns.set_queue_priority_patterns([QueuePriorityPattern(["a"], False)])
    assert fresh.transform(["b", "a"]) == ["a", "b"]


def test_priority_transformer_caches(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr("reqless.queue_resolvers.time.monotonic", clock)
    transformer = DynamicPriorityQueueIdentifiersTransformer(client, 10_000)
    assert transformer.transform(["b", "a"]) == ["b", "a"]
    client.queue_patterns.set_queue_priority_patterns([QueuePriorityPattern(["a"], False)])
    clock.now += 9
    assert transformer.transform(["b", "a"]) == ["b", "a"]
    clock.now += 1
    assert transformer.transform(["b", "a"]) == ["a", "b"]
    assert transformer._get_dynamic_queue_priorities() == [
        QueuePriorityPattern(["a"], False),
        QueuePriorityPattern(["default"], False),
    ]


def test_resolver_with_both_transformers(client: Client) -> None:
    make_queues(client, "low", "high", "mid")
    client.queue_patterns.set_queue_priority_patterns(
        [
            QueuePriorityPattern(["high"], False),
            QueuePriorityPattern(["default"], False),
            QueuePriorityPattern(["low"], False),
        ]
    )
    resolver = TransformingQueueResolver(
        ["*"],
        [
            DynamicMappingQueueIdentifiersTransformer(client),
            DynamicPriorityQueueIdentifiersTransformer(client),
        ],
    )
    assert resolver.resolve() == ["high", "mid", "low"]
