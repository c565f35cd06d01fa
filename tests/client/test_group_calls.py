"""The calls on a queue's fair groups (reqless/_calls/groups.py), against a real core.

Jobs get their group through a raw `queue.put ... group <name>`, so these tests
hold the calls alone, whatever the client's own `put` offers.
"""

from __future__ import annotations

import pytest
from redis import Redis

from reqless._calls import Call
from reqless._calls.groups import queue_group_jobs, queue_group_weight, queue_groups
from reqless.client import Client
from reqless.exceptions import ArgumentError
from tests.helpers import snapshot


def _put(client: Client, jid: str, group: str, queue: str = "q") -> None:
    args = ("w", queue, jid, "k.K", "{}", 0, "group", group)
    client._run(Call("queue.put", args, str, repeatable=False))


def test_groups_are_listed_next_served_first_with_typed_fields(client: Client) -> None:
    for jid, group in [("a1", "a"), ("b1", "b"), ("a2", "a"), ("a3", "a")]:
        _put(client, jid, group)
    groups = client._run(queue_groups("q"))
    assert [(g["group"], g["waiting"], g["weight"], g["parked"]) for g in groups] == [
        ("a", 3, 1, None),
        ("b", 1, 1, None),
    ]
    assert all(isinstance(g["turn"], float) for g in groups)
    assert client._run(queue_groups("q", 1, 1))[0]["group"] == "b"
    assert client._run(queue_groups("q", 2, 5)) == []
    assert client._run(queue_groups("nothing")) == []


def test_a_groups_jobs_come_in_hand_out_order_and_page(client: Client) -> None:
    for jid in ("a1", "a2", "a3"):
        _put(client, jid, "a")
    assert client._run(queue_group_jobs("q", "a")) == ["a1", "a2", "a3"]
    assert client._run(queue_group_jobs("q", "a", 1, 1)) == ["a2"]
    assert client._run(queue_group_jobs("q", "none")) == []


def test_a_weight_is_set_shown_and_cleared_with_1(client: Client) -> None:
    _put(client, "a1", "a")
    assert client._run(queue_group_weight("q", "a", 5)) == 5
    assert client._run(queue_groups("q"))[0]["weight"] == 5
    assert client._run(queue_group_weight("q", "a", 1)) == 1
    assert client._run(queue_groups("q"))[0]["weight"] == 1


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (lambda: queue_groups(""), "queue name"),
        (lambda: queue_groups("q", -1), "offset"),
        (lambda: queue_groups("q", 0, 0), "limit"),
        (lambda: queue_groups("q", 0, 2.5), "limit"),  # type: ignore[arg-type]
        (lambda: queue_groups("q", True), "offset"),
        (lambda: queue_group_jobs("q", ""), "group"),
        (lambda: queue_group_jobs("q", 7), "group"),  # type: ignore[arg-type]
        (lambda: queue_group_jobs("q", "a", 0, -3), "limit"),
        (lambda: queue_group_weight("q", "a", 0), "weight"),
        (lambda: queue_group_weight("q", "a", 1001), "weight"),
        (lambda: queue_group_weight("q", "a", 1.5), "weight"),  # type: ignore[arg-type]
        (lambda: queue_group_weight("q", "a", True), "weight"),
        (lambda: queue_group_weight("q", "a", "2"), "weight"),  # type: ignore[arg-type]
        (lambda: queue_group_weight(None, "a", 2), "queue name"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_refused_before_sending(build: object, named: str) -> None:
    with pytest.raises(ArgumentError, match=named):
        build()  # type: ignore[operator]


def test_the_largest_weight_is_accepted_and_nothing_else_changes(
    client: Client, redis: Redis
) -> None:
    _put(client, "a1", "a")
    before = snapshot(redis)
    with pytest.raises(ArgumentError):
        client._run(queue_group_weight("q", "a", 1001))
    assert snapshot(redis) == before
    assert client._run(queue_group_weight("q", "a", 1000)) == 1000
