"""`reqless throttle set --rate --per`, `clear-rate`, `show` of a rate window, and
`reqless throttle template set|list|delete`; bad values exit 2 and change nothing."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.client import Client
from reqless.models import ThrottleTemplate
from tests.cli.process import Reqless
from tests.helpers import snapshot

KLASS = "app.jobs.Job"


def test_set_a_rate_then_show_it_in_use(reqless: Reqless, client: Client) -> None:
    result = reqless("throttle", "set", "stripe", "--rate", "2", "--per", "60")
    assert result.code == 0, result
    assert result.out.strip() == "throttle stripe: maximum 0, rate 2 per 60 s"
    for jid in ("j1", "j2", "j3"):
        client.queues["q"].put(KLASS, {}, jid=jid, throttles=["stripe"])
    assert len(client.queues["q"].pop(3)) == 2
    shown = reqless("throttle", "show", "stripe", "--json").json()
    assert (shown["rate"], shown["per"], shown["used"], shown["pending"]) == (2, 60, 2, ["j3"])
    assert shown["reopens"] > 0
    table = reqless("throttle", "show", "stripe").out
    assert "2 per 60 s" in table and "2 of 2" in table and "reopens" in table
    assert "2 per 60 s" in reqless("throttle", "list").out


def test_set_maximum_and_rate_together_and_keep_what_is_left_out(
    reqless: Reqless, client: Client
) -> None:
    set_both = reqless("throttle", "set", "api", "--maximum", "3", "--rate", "5", "--per", "1.5",
                       "--json")  # fmt: skip
    assert set_both.json() == {"name": "api", "maximum": 3, "rate": 5, "per": 1.5}
    assert reqless("throttle", "set", "api", "4").code == 0  # the window is kept
    info = client.throttles["api"].info()
    assert (info.maximum, info.rate, info.per) == (4, 5, 1.5)
    assert reqless("throttle", "set", "api", "--rate", "9", "--per", "2").code == 0
    info = client.throttles["api"].info()
    assert (info.maximum, info.rate, info.per) == (4, 9, 2)


def test_clear_rate_keeps_the_maximum(reqless: Reqless, client: Client) -> None:
    client.throttles["api"].set(maximum=2, rate=1, per=60)
    result = reqless("throttle", "clear-rate", "api")
    assert result.code == 0, result
    info = client.throttles["api"].info()
    assert (info.maximum, info.rate) == (2, None)
    assert "rate" not in reqless("throttle", "show", "api", "--json").json()


def test_a_plain_throttle_shows_as_before(reqless: Reqless, client: Client) -> None:
    client.throttles["smtp"].set_maximum(2)
    shown = reqless("throttle", "show", "smtp", "--json").json()
    assert shown == {"name": "smtp", "maximum": 2, "ttl": -1, "locks": [], "pending": []}


def test_templates_set_list_show_and_delete(reqless: Reqless, client: Client) -> None:
    result = reqless("throttle", "template", "set", "stripe:*", "--rate", "10", "--per", "1")
    assert result.code == 0, result
    assert reqless("throttle", "template", "set", "smtp:*", "--maximum", "2").code == 0
    assert client.throttles.templates() == [
        ThrottleTemplate("smtp:*", 2), ThrottleTemplate("stripe:*", 0, 10, 1)
    ]  # fmt: skip
    assert reqless("throttle", "template", "list", "--json").json() == [
        {"pattern": "smtp:*", "maximum": 2, "rate": None, "per": None},
        {"pattern": "stripe:*", "maximum": 0, "rate": 10, "per": 1},
    ]
    table = reqless("throttle", "template", "list").out
    assert "stripe:*" in table and "10 per 1 s" in table
    shown = reqless("throttle", "show", "stripe:customer-42", "--json").json()
    assert (shown["template"], shown["rate"], shown["used"]) == ("stripe:*", 10, 0)
    assert reqless("throttle", "template", "delete", "stripe:*").code == 0
    assert client.throttles.templates() == [ThrottleTemplate("smtp:*", 2)]
    gone = reqless("throttle", "template", "delete", "stripe:*")
    assert gone.code == 1 and "no throttle template 'stripe:*'" in gone.err
    assert reqless("throttle", "template", "delete", "smtp:*").code == 0
    assert reqless("throttle", "template", "list").out.strip() == "no throttle templates"


def test_a_throttle_with_a_rate_is_listed_once(reqless: Reqless, client: Client) -> None:
    client.throttles["api"].set(rate=5, per=60)
    client.queues["q"].put(KLASS, {}, jid="j1", throttles=["api"])
    assert client.queues["q"].pop() is not None  # logs a start: the key api-starts
    names = [record["name"] for record in reqless("throttle", "list", "--json").json()]
    assert names == ["api", "ql:q:q"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("throttle", "set", "api", "--rate", "0", "--per", "60"), "'--rate': must be a whole"),
        (("throttle", "set", "api", "--rate", "-5", "--per", "60"), "'--rate': must be"),
        (("throttle", "set", "api", "--rate", "1.5", "--per", "60"), "'--rate': must be"),
        (("throttle", "set", "api", "--rate", "5", "--per", "0"), "'--per': must be a number"),
        (("throttle", "set", "api", "--rate", "5", "--per", "-1"), "'--per'"),
        (("throttle", "set", "api", "--rate", "5", "--per", "31622401"), "'--per'"),
        (("throttle", "set", "api", "--rate", "5"), "--per is missing"),
        (("throttle", "set", "api", "--per", "5"), "--rate is missing"),
        (("throttle", "set", "api"), "nothing to set"),
        (("throttle", "set", "api", "2", "--maximum", "3"), "give the maximum once"),
        (("throttle", "set", "api", "--rat", "5", "--per", "1"), "--rate"),
        (("throttle", "template", "set", "stripe", "--rate", "1", "--per", "1"), "prefix"),
        (("throttle", "template", "set", "ql:q:*", "--maximum", "1"), "'PATTERN'"),
        (("throttle", "template", "set", "stripe:*"), "limits nothing"),
        (("throttle", "template", "set", "stripe:*", "--rate", "0", "--per", "1"), "'--rate'"),
        (("throttle", "template", "set", "stripe:*", "--maximum", "-1"), "'--maximum'"),
        (("throttle", "template", "delete", "stripe"), "'PATTERN'"),
        (("throttle", "template", "lst"), "No such command 'lst'"),
    ],
)
def test_bad_values_exit_2_and_change_nothing(
    reqless: Reqless, client: Client, redis: Redis, args: tuple[str, ...], message: str
) -> None:
    client.throttles["api"].set(maximum=1, rate=2, per=30)
    client.throttles.template("stripe:*", rate=1, per=1)
    before = snapshot(redis)
    result = reqless(*args)
    assert result.code == 2, result
    assert message in result.err
    assert snapshot(redis) == before
