"""`reqless put --unique ...` and `reqless unique show/free`, in a subprocess."""

from __future__ import annotations

from redis import Redis

from reqless.client import Client
from tests.cli.process import Reqless
from tests.helpers import snapshot


def test_put_with_a_unique_key_prints_the_holder(reqless: Reqless, client: Client) -> None:
    first = reqless("put", "q", "app.Job", "--unique", "invoice:42", "--unique-for", "60")
    assert first.code == 0, first.err
    jid = first.out.strip()
    job = client.jobs.get_job(jid)
    assert (job.unique, job.unique_until) == ("invoice:42", "finish")
    again = reqless("put", "q", "app.Job", '{"v": 2}', "--unique", "invoice:42")
    assert (again.code, again.out.strip()) == (0, jid), again.err
    assert len(client.queues["q"]) == 1


def test_on_conflict_error_and_bad_options(reqless: Reqless, client: Client, redis: Redis) -> None:
    jid = client.queues["q"].put("app.Job", {}, unique="k")
    before = snapshot(redis)
    refused = reqless("put", "q", "app.Job", "--unique", "k", "--on-conflict", "error")
    assert refused.code == 1
    assert f'unique key "k" is held by job {jid}' in refused.err
    for args, message in (
        (("--unique", ""), "--unique needs a non-empty KEY"),
        (("--unique", "k", "--on-conflict", "merge"), "--on-conflict"),
        (("--unique", "k", "--unique-until", "never"), "--unique-until"),
        (("--unique", "k", "--unique-for", "0"), "--unique-for"),
        (("--on-conflict", "error"), "--on-conflict needs --unique KEY"),
        (("--unique-for", "5", "--unique-until", "start"), "--unique-until, --unique-for needs"),
    ):
        result = reqless("put", "q", "app.Job", *args)
        assert result.code == 2, (args, result.err)
        assert message in result.err, (args, result.err)
    assert snapshot(redis) == before


def test_unique_show_and_free(reqless: Reqless, client: Client) -> None:
    jid = client.queues["q"].put("app.Job", {}, unique="k")
    shown = reqless("unique", "show", "k")
    assert (shown.code, shown.out.strip()) == (0, jid), shown.err
    assert reqless("unique", "show", "k", "--json").json() == {"key": "k", "jid": jid}
    freed = reqless("unique", "free", "k", "--json")
    assert (freed.code, freed.json()) == (0, {"key": "k", "freed": True}), freed.err
    assert reqless("unique", "show", "k").out.strip() == "-"
    assert reqless("unique", "free", "k").out.strip() == "k was not held"
    assert reqless("unique", "free", "").code == 2
