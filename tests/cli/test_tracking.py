"""`reqless track`, `untrack`, `tracked`, `tag`, `untag` and `tagged`."""

from __future__ import annotations

from reqless.client import Client
from tests.cli.process import Reqless


def test_track_untrack_and_tracked(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {}, jid="j1")
    assert reqless("track", "j1").code == 0
    assert client.jobs.get_job("j1").tracked
    tracked = reqless("tracked")
    assert "j1" in tracked.out
    assert [job["jid"] for job in reqless("tracked", "--json").json()["jobs"]] == ["j1"]
    assert reqless("untrack", "j1").code == 0
    assert not client.jobs.get_job("j1").tracked
    assert reqless("tracked").out.strip() == "no tracked jobs"


def test_track_an_unknown_jid_tracks_nothing(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {}, jid="j1")
    result = reqless("track", "j1", "nope")
    assert result.code == 1 and "nope" in result.err
    assert not client.jobs.get_job("j1").tracked


def test_tag_untag_and_tagged(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put("app.Job", {}, jid="j1")
    client.queues["q"].put("app.Job", {}, jid="j2", tags=["red"])
    assert reqless("tag", "j1", "red", "blue").out.strip() == "red, blue"
    assert reqless("tag", "j1", "green", "--json").json() == {
        "jid": "j1", "tags": ["red", "blue", "green"]
    }  # fmt: skip
    assert reqless("untag", "j1", "blue").out.strip() == "red, green"
    assert sorted(reqless("tagged", "red", "--json").json()["jobs"]) == ["j1", "j2"]
    assert "2 job(s) tagged red" in reqless("tagged", "red").out
    assert reqless("tagged", "--top", "--json").json() == ["red"]
    assert reqless("tagged").code == 2
    assert reqless("tag", "nope", "red").code == 1
