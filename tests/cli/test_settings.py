"""`reqless config`, `throttle`, `workers`, `forget-workers` and `recurring`."""

from __future__ import annotations

import json

from reqless.client import Client
from tests.cli.process import Reqless


def test_config_get_set_unset(reqless: Reqless, client: Client) -> None:
    everything = reqless("config", "get", "--json").json()
    assert everything["heartbeat"] == "60"
    assert "heartbeat" in reqless("config", "get").out
    assert reqless("config", "set", "heartbeat", "120").code == 0
    assert client.config["heartbeat"] == 120
    assert reqless("config", "get", "heartbeat").out.strip() == "120"
    assert reqless("config", "get", "heartbeat", "--json").json() == {"heartbeat": "120"}
    assert reqless("config", "unset", "heartbeat").code == 0
    assert client.config["heartbeat"] == 60
    missing = reqless("config", "get", "no-such-option")
    assert missing.code == 1 and "no-such-option" in missing.err


def test_config_set_refuses_a_bad_number(reqless: Reqless, client: Client) -> None:
    result = reqless("config", "set", "heartbeat", "soon")
    assert result.code == 2
    assert "heartbeat" in result.err
    assert client.config["heartbeat"] == 60


def test_throttle_set_show_release_delete(reqless: Reqless, client: Client) -> None:
    assert reqless("throttle", "set", "smtp", "2", "--expiration", "600").code == 0
    assert client.throttles["smtp"].maximum() == 2
    client.queues["q"].put("app.Job", {}, jid="j1", throttles=["smtp"])
    assert client.queues["q"].pop() is not None
    shown = reqless("throttle", "show", "smtp", "--json").json()
    assert (shown["maximum"], shown["locks"], shown["pending"]) == (2, ["j1"], [])
    assert 0 < shown["ttl"] <= 600
    assert "j1" in reqless("throttle", "show", "smtp").out
    assert reqless("throttle", "release", "smtp", "j1").code == 0
    assert client.throttles["smtp"].locks() == []
    assert reqless("throttle", "delete", "smtp").code == 0
    assert client.throttles["smtp"].maximum() == 0
    assert reqless("throttle", "set", "smtp", "-1").code == 2


def test_workers_and_forget_workers(reqless: Reqless, client: Client) -> None:
    assert reqless("workers").out.strip() == "no workers"
    client.queues["q"].put("app.Job", {}, jid="j1")
    assert client.queues["q"].pop() is not None
    assert reqless("workers", "--json").json() == [{"name": "test-worker", "jobs": 1, "stalled": 0}]
    assert "test-worker" in reqless("workers").out
    assert reqless("workers", "test-worker", "--json").json() == {"jobs": ["j1"], "stalled": []}
    assert "j1" in reqless("workers", "test-worker").out
    assert reqless("forget-workers", "test-worker").code == 0
    assert client.workers.counts == []


def test_recurring_add_list_show_update_cancel(reqless: Reqless, client: Client) -> None:
    added = reqless(
        "recurring", "add", "reports", "app.Report", '{"kind": "daily"}', "--interval", "3600",
        "--offset", "600", "--jid", "r1", "-t", "nightly",
    )  # fmt: skip
    assert (added.code, added.out.strip()) == (0, "r1"), added.err
    template = client.jobs.get_recurring("r1")
    assert (template.interval, template.tags, json.loads(template.data)) == (
        3600, ["nightly"], {"kind": "daily"}
    )  # fmt: skip
    assert "r1" in reqless("recurring", "list", "reports").out
    assert [r["jid"] for r in reqless("recurring", "list", "reports", "--json").json()] == ["r1"]
    assert "every" in reqless("recurring", "show", "r1").out
    assert reqless("show", "r1", "--json").json()["recurring"] is True
    updated = reqless("recurring", "update", "r1", "--interval", "60", "--priority", "4", "--json")
    assert updated.code == 0, updated.err
    assert (updated.json()["interval"], updated.json()["priority"]) == (60, 4)
    assert reqless("recurring", "update", "r1").code == 2
    assert reqless("recurring", "add", "reports", "app.Report").code == 2  # no --interval
    assert reqless("recurring", "show", "nope").code == 1
    assert reqless("recurring", "cancel", "r1").code == 0
    assert client.jobs["r1"] is None
