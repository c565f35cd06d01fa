"""A command that fails says why on one line, exits non-zero, and changes nothing."""

from __future__ import annotations

from redis import Redis

from reqless.client import Client
from tests.cli.process import Reqless
from tests.helpers import snapshot

# (arguments, exit status, text the message must contain)
FAILING = [
    (("cancel", "parent", "nope"), 1, "no such job: nope"),
    (("cancel", "parent"), 1, "dependency"),
    (("retry", "parent"), 1, "parent is waiting"),
    (("move", "nope", "q2"), 1, "no such job: nope"),
    (("priority", "nope", "3"), 1, "no such job: nope"),
    (("track", "parent", "nope"), 1, "no such job: nope"),
    (("tag", "nope", "x"), 1, "no such job: nope"),
    (("unfail", "no-group", "q"), 1, "no-group"),
    (("recurring", "update", "nope", "--interval", "5"), 1, "nope"),
    (("config", "set", "heartbeat", "soon"), 2, "heartbeat"),
    (("put", "q", "app.Job", "{bad"), 2, "not JSON text"),
    (("throttle", "set", "t", "many"), 2, "many"),
]


def test_failing_commands_change_nothing(reqless: Reqless, client: Client, redis: Redis) -> None:
    client.queues["q"].put("app.Job", {}, jid="parent")
    client.queues["q"].put("app.Job", {}, jid="child", depends=["parent"])
    client.queues["q"].recur("app.Job", {}, 60, offset=600, jid="every-minute")
    before = snapshot(redis)
    for args, code, text in FAILING:
        result = reqless(*args)
        assert result.code == code, (args, result.err)
        last = result.err.strip().splitlines()[-1]
        assert last.startswith("Error: ") and text in last, (args, result.err)
        assert result.out == "", args
        assert snapshot(redis) == before, args
