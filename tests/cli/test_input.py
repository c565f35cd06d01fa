"""What the admin commands do with what an operator types: exit statuses as docs/cli.md
lists them, negative numbers, typos, data from files and standard input, text."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from reqless.client import Client
from tests.cli.process import Reqless

KLASS = "app.jobs.Job"


# -- exit statuses: 2 for bad input, 1 for not found ------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("put", "", KLASS), "queue name must be a non-empty string"),
        (("put", "q", ""), "job class must be a class or a non-empty dotted path"),
        (("put", "q", "not a class!"), "job class must be a class path such as app.jobs.Report"),
        (("put", "q", "__main__.Job"), "defined in __main__"),
        (("config", "set", "heartbeat", "-5"), "heartbeat"),
        (("throttle", "set", "smtp", "-1"), "-1 is not in the range x>=0"),
        (("put", "q", KLASS, "--priority", "1", "--prioritty", "2"), "--priority"),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    reqless: Reqless, client: Client, args: tuple[str, ...], message: str
) -> None:
    result = reqless(*args)
    assert result.code == 2, result
    assert message in result.err
    assert "No such option: -" not in result.err  # a negative number is a value
    assert client.queues.names == []
    assert "heartbeat" not in client.config.all or client.config["heartbeat"] == 60


def test_negative_numbers_are_values(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put(KLASS, {}, jid="j1")
    assert reqless("priority", "j1", "-5").code == 0
    assert client.jobs.get_job("j1").priority == -5
    result = reqless("put", "q", KLASS, "-7", "--jid", "j2")
    assert result.code == 0, result.err
    assert client.jobs.get_job("j2").data == "-7"
    assert reqless("config", "set", "grace-period", "-1").code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("jobs", "emial"), "no queue 'emial' (did you mean 'email'?)"),
        (("failed", "email-Timeout"), "no failure group 'email-Timeout' (did you mean"),
        (("tagged", "urgnt"), "no job tagged 'urgnt'"),
        (("unfail", "email-Timeout", "email"), "no failed jobs in group 'email-Timeout'"),
        (("show", "nope"), "no such job: nope"),
    ],
)
def test_an_unknown_name_exits_1_with_the_close_matches(
    reqless: Reqless, client: Client, args: tuple[str, ...], message: str
) -> None:
    client.queues["email"].put(KLASS, {}, jid="f", tags=["urgent"])
    client.queues["email"].put(KLASS, {}, tags=["urgent"])
    job = client.queues["email"].pop()
    assert job is not None
    job.fail("email-TimeoutError", "boom")
    result = reqless(*args)
    assert result.code == 1, result
    assert message in result.err


def test_known_names_with_nothing_to_list_exit_0(reqless: Reqless, client: Client) -> None:
    client.queues["email"].put(KLASS, {})
    assert reqless("jobs", "email", "--state", "running").code == 0
    assert reqless("jobs", "anything", "--state", "complete").code == 0


def test_pausing_an_unknown_queue_warns_with_the_close_matches(
    reqless: Reqless, client: Client
) -> None:
    client.queues["email"].put(KLASS, {})
    result = reqless("pause", "emial")
    assert result.code == 0  # a queue may be paused before its first job
    assert "Warning: no queue 'emial' is known yet (did you mean 'email'?)" in result.err
    assert client.queues["emial"].counts["paused"] is True
    assert reqless("pause", "email").err == ""


# -- a put that replaces a job ---------------------------------------------------------


def test_put_of_an_existing_jid_warns_unless_replace(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put(KLASS, {}, jid="j")
    assert client.queues["q"].pop() is not None
    result = reqless("put", "q", KLASS, '{"n": 2}', "--jid", "j")
    assert result.code == 0 and result.out.strip() == "j"
    assert "Warning: put replaced 1 existing job(s)" in result.err
    assert "j (running in 'q', taken from worker 'test-worker'" in result.err
    quiet = reqless("put", "q", KLASS, '{"n": 3}', "--jid", "j", "--replace")
    assert quiet.code == 0 and quiet.err == ""
    assert client.jobs.get_job("j").data == '{"n": 3}'


# -- data: text, files, standard input, size -------------------------------------------


def test_show_prints_text_as_text(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put(KLASS, {"name": "Zoë ☃"}, jid="j")
    client.queues["q"].recur(KLASS, {"name": "Zoë"}, 60, jid="r")
    shown = reqless("show", "j")
    assert '"Zoë ☃"' in shown.out and "\\u" not in shown.out
    assert '"Zoë"' in reqless("show", "r").out
    as_json = reqless("show", "j", "--json")
    assert "Zoë ☃" in as_json.out and as_json.json()["data"] == {"name": "Zoë ☃"}


def test_put_reads_data_from_a_file_or_standard_input(
    reqless: Reqless, client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "data.json"
    path.write_text('{"to": "Zoë"}', encoding="utf-8")
    from_file = reqless("put", "q", KLASS, f"@{path}")
    assert from_file.code == 0, from_file.err
    assert json.loads(client.jobs.get_job(from_file.out.strip()).data) == {"to": "Zoë"}
    from_stdin = reqless("put", "q", KLASS, "-", stdin="[1, 2, 3]\n")
    assert from_stdin.code == 0, from_stdin.err
    assert json.loads(client.jobs.get_job(from_stdin.out.strip()).data) == [1, 2, 3]


@pytest.mark.parametrize(
    ("data", "stdin", "message"),
    [
        ("@/no/such/file.json", None, "cannot read /no/such/file.json: No such file"),
        ("-", "not json", "is not JSON text"),
    ],
)
def test_unreadable_data_exits_2(
    reqless: Reqless, client: Client, data: str, stdin: str | None, message: str
) -> None:
    result = reqless("put", "q", KLASS, data, stdin=stdin)
    assert result.code == 2 and message in result.err
    assert client.queues.names == []


def test_data_over_the_limit_is_refused(reqless: Reqless, client: Client) -> None:
    result = reqless("put", "q", KLASS, json.dumps("x" * 200), "--max-data-bytes", "100")
    assert result.code == 2
    assert "job data is 202 bytes, over the client's limit of 100 bytes" in result.err
    assert client.queues.names == []
    assert "64 MiB" in reqless("put", "--help").out or "67108864" in reqless("put", "--help").out


# -- listings ---------------------------------------------------------------------------


def test_throttle_list(reqless: Reqless, client: Client) -> None:
    assert reqless("throttle", "list").out.strip() == "no throttles"
    client.throttles["smtp"].set_maximum(3)
    client.throttles["ql:q:emails"].set_maximum(1)
    client.queues["q"].put(KLASS, {}, throttles=["held"])
    assert client.queues["q"].pop() is not None
    listed = {record["name"]: record for record in reqless("throttle", "list", "--json").json()}
    # A running job holds its queue's throttle (ql:q:q) as well as its own.
    assert sorted(listed) == ["held", "ql:q:emails", "ql:q:q", "smtp"]
    assert listed["smtp"]["maximum"] == 3 and len(listed["held"]["locks"]) == 1
    table = reqless("throttle", "list").out
    assert "smtp" in table and "unlimited" in table


def test_recurring_list_without_a_queue_lists_every_queue(reqless: Reqless, client: Client) -> None:
    client.queues["a"].recur(KLASS, {}, 60, jid="ra")
    client.queues["b"].recur(KLASS, {}, 60, jid="rb")
    every = reqless("recurring", "list", "--json")
    assert every.code == 0, every.err
    assert sorted(record["jid"] for record in every.json()) == ["ra", "rb"]
    assert [r["jid"] for r in reqless("recurring", "list", "b", "--json").json()] == ["rb"]


def test_stats_json_gives_each_buckets_bounds(reqless: Reqless, client: Client) -> None:
    client.queues["q"].put(KLASS, {})
    assert client.queues["q"].pop() is not None
    stats = reqless("stats", "q", "--json").json()
    for part in ("wait", "run"):
        buckets = stats[part]["buckets"]
        assert len(buckets) == 148 == len(stats[part]["histogram"])
        assert [b["count"] for b in buckets] == stats[part]["histogram"]
    bounds = [(b["lower_s"], b["upper_s"]) for b in stats["wait"]["buckets"]]
    assert bounds[0] == (0, 1) and bounds[59] == (59, 60) and bounds[60] == (60, 120)
    assert bounds[118] == (3540, 3600) and bounds[119] == (3600, 7200)
    assert bounds[141] == (82800, 86400) and bounds[142] == (86400, 172800)
    assert bounds[147] == (6 * 86400, 7 * 86400)
    assert all(low < high for low, high in bounds)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert stats["wait"]["buckets"][0]["count"] == 1
