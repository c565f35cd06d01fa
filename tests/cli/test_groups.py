"""`reqless put --group`, a group in `reqless put-many` lines, `reqless groups` and
`reqless group-weight`; bad values exit 2 and change nothing."""

from __future__ import annotations

import json

import pytest
from redis import Redis

from reqless.client import Client
from reqless.job import Job
from tests.cli.process import Reqless
from tests.helpers import snapshot

KLASS = "app.jobs.Job"


def test_put_with_a_group_and_list_the_groups(reqless: Reqless, client: Client) -> None:
    for jid in ("a1", "a2"):
        assert reqless("put", "q", KLASS, "--jid", jid, "--group", "customer-a").code == 0
    lines = json.dumps({"klass": KLASS, "jid": "b1", "group": "customer-b"}) + "\n"
    assert reqless("put-many", "--queue", "q", "-", stdin=lines).code == 0
    job = client.jobs["b1"]
    assert isinstance(job, Job) and job.group == "customer-b"
    listed = reqless("groups", "q", "--json").json()
    assert [(g["group"], g["waiting"], g["weight"], g["parked"]) for g in listed] == [
        ("customer-a", 2, 1, None),
        ("customer-b", 1, 1, None),
    ]
    table = reqless("groups", "q").out
    assert "customer-a" in table and "waiting" in table and "weight" in table
    assert reqless("groups", "q", "customer-a", "--json").json() == ["a1", "a2"]
    assert "a2" in reqless("groups", "q", "customer-a").out
    assert reqless("groups", "empty").out.strip() == "no groups in empty"


def test_group_weight_sets_and_clears(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put(KLASS, {}, group="a")
    result = reqless("group-weight", "q", "a", "3", "--json")
    assert result.json() == {"queue": "q", "group": "a", "weight": 3}
    assert [g["weight"] for g in client.queues["q"].groups()] == [3]
    assert reqless("group-weight", "q", "a", "1").out.strip() == "group a of q: weight 1"
    assert [g["weight"] for g in client.queues["q"].groups()] == [1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("group-weight", "q", "a", "0"), "'WEIGHT': must be a whole number from 1 to 1000"),
        (("group-weight", "q", "a", "1.5"), "'WEIGHT'"),
        (("group-weight", "q", "a", "-2"), "'WEIGHT'"),
        (("group-weight", "q", "a", "1001"), "'WEIGHT'"),
        (("group-weight", "q", "", "2"), "'GROUP'"),
        (("put", "q", KLASS, "--group", ""), "'--group': must be 1 to 256 characters"),
        (("put", "q", KLASS, "--group", "x" * 257), "'--group': must be"),
        (("put", "q", KLASS, "--group", "tab\there"), "'--group': must be"),
        (("put", "q", KLASS, "--grop", "a"), "--group"),
        (("groups", "q", "--count", "0"), "'--count'"),
    ],
)
def test_bad_values_exit_2_and_change_nothing(
    reqless: Reqless, client: Client, redis: Redis, args: tuple[str, ...], message: str
) -> None:
    client.queues["q"].put(KLASS, {}, jid="kept", group="a")
    client.queues["q"].set_group_weight("a", 2)
    before = snapshot(redis)
    result = reqless(*args)
    assert result.code == 2, result
    assert message in result.err
    assert snapshot(redis) == before


def test_a_bad_group_in_a_put_many_line_puts_nothing(reqless: Reqless, client: Client) -> None:
    lines = "\n".join(
        json.dumps(line)
        for line in ({"klass": KLASS, "group": "ok"}, {"klass": KLASS, "group": ""})
    )
    result = reqless("put-many", "--queue", "q", "-", stdin=lines)
    assert result.code == 2
    assert '<stdin>:2: "group" must be 1 to 256 characters' in result.err
    assert client.queues.names == []
