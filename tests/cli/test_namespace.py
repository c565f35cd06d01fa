"""`--namespace` on the admin commands: the option, `reqless --namespace` and
`$REQLESS_NAMESPACE` choose the namespace; jobs never show across namespaces."""

from __future__ import annotations

import pytest
from redis import Redis

from reqless.client import Client
from reqless.server import LocalServer
from tests.cli.process import clean_environment, run_reqless


def test_a_job_put_in_one_namespace_is_not_found_in_another(
    server: LocalServer, redis: Redis
) -> None:
    put = run_reqless("--namespace", "a", "put", "q", "app.Job", "--jid", "j1", "--url", server.url)
    assert (put.code, put.out.strip()) == (0, "j1"), put.err
    elsewhere = run_reqless("--namespace", "b", "show", "j1", "--url", server.url)
    assert (elsewhere.code, elsewhere.err) == (1, "Error: no such job: j1\n")
    plain = run_reqless("show", "j1", "--url", server.url)
    assert plain.code == 1, plain.out
    found = run_reqless("show", "j1", "--namespace", "a", "--url", server.url)
    assert found.code == 0 and "app.Job" in found.out, found.err
    assert all(str(key).startswith("ql:{a}:") for key in redis.keys("*"))


def test_the_environment_names_the_namespace_and_an_option_overrides_it(
    server: LocalServer, redis: Redis
) -> None:
    Client(server.url, namespace="a").queues["qa"].put("app.Job", {}, jid="ja")
    Client(server.url, namespace="b").queues["qb"].put("app.Job", {}, jid="jb")
    env = {**clean_environment(), "REQLESS_NAMESPACE": "a"}
    listed = run_reqless("queues", "--json", "--url", server.url, env=env)
    assert [row["name"] for row in listed.json()] == ["qa"], listed.err
    chosen = run_reqless("queues", "--json", "--namespace", "b", "--url", server.url, env=env)
    assert [row["name"] for row in chosen.json()] == ["qb"], chosen.err
    grouped = run_reqless("--namespace", "b", "show", "jb", "--url", server.url, env=env)
    assert grouped.code == 0, grouped.err


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        (["--namespace", "a{b"], "braces"),
        (["--namespace", "a b"], "spaces"),
        (["--namespace", "x" * 65], "at most 64"),
    ],
)
def test_a_bad_namespace_is_a_usage_error_and_writes_nothing(
    server: LocalServer, redis: Redis, where: list[str], problem: str
) -> None:
    for args in ([*where, "put", "q", "app.Job"], ["put", "q", "app.Job", *where]):
        result = run_reqless(*args, "--url", server.url)
        assert result.code == 2 and "--namespace" in result.err and problem in result.err
    assert redis.keys("*") == []


def test_a_bad_namespace_in_the_environment_is_a_usage_error(
    server: LocalServer, redis: Redis
) -> None:
    env = {**clean_environment(), "REQLESS_NAMESPACE": "a}b"}
    result = run_reqless("put", "q", "app.Job", "--url", server.url, env=env)
    assert result.code == 2 and "REQLESS_NAMESPACE" in result.err and "braces" in result.err
    assert redis.keys("*") == []
