"""The worker program in namespaces: `--namespace` (repeatable) gives each child
one namespace's client, round-robin; jobs of other namespaces are left alone."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator

import pytest

from reqless.cli.worker_args import parse_worker_args
from reqless.client import Client
from reqless.server import LocalServer
from tests.worker.conftest import JobsModule, StartWorker, job_data, job_state, lines, wait_for
from tests.worker.test_asyncio_worker import ASYNC_JOBS


@pytest.fixture
def spaces(server: LocalServer, client: Client) -> Iterator[dict[str, Client]]:
    """Clients of namespaces a and b and of the shared layout, on the flushed server."""
    made = {name: Client(server.url, namespace=name) for name in ("a", "b")}
    yield {**made, "": client}
    for each in made.values():
        each.database.close()


@pytest.fixture
def async_klass(jobs_module: JobsModule) -> str:
    """Dotted path of an async job class (see tests/worker/test_asyncio_worker.py)."""
    name = f"{jobs_module.name}_async"
    (jobs_module.directory / f"{name}.py").write_text(ASYNC_JOBS)
    return f"{name}.AsyncScripted"


def _state_is(client: Client, jid: str, state: str) -> Callable[[], bool]:
    return lambda: job_state(client, jid) == state


def test_a_worker_of_two_namespaces_drains_both_and_nothing_else(
    spaces: dict[str, Client], jobs_module: JobsModule, start_worker: StartWorker
) -> None:
    jids = {
        name: [spaces[name].queues["q"].put(jobs_module.klass, {"record": True}) for _ in range(3)]
        for name in ("a", "b", "")
    }
    worker = start_worker(
        "-q", "q", "--namespace", "a", "--namespace", "b", "-w", "2", "--name", "ns"
    )  # fmt: skip
    for name in ("a", "b"):
        for jid in jids[name]:
            wait_for(_state_is(spaces[name], jid, "complete"), message=jid)
    # Child 0 serves namespace a, child 1 namespace b.
    for name, child in (("a", "ns-0"), ("b", "ns-1")):
        for jid in jids[name]:
            assert job_data(spaces[name], jid)["recorded"]["worker"] == child
    assert [job_state(spaces[""], jid) for jid in jids[""]] == ["waiting"] * 3
    assert "in namespaces a, b" in worker.stderr()
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0


@pytest.mark.parametrize("mode", [[], ["--asyncio"]], ids=["serial", "asyncio"])
def test_a_worker_in_a_namespace_hears_that_its_lock_was_lost(
    spaces: dict[str, Client], jobs_module: JobsModule, async_klass: str, start_worker: StartWorker,
    mode: list[str],
) -> None:  # fmt: skip
    halted = jobs_module.file("halted")
    a = spaces["a"]
    job_class = async_klass if mode else jobs_module.klass  # an async job, for the asyncio child
    slow = a.queues["q"].put(job_class, {"sleep": 30, "halted": halted})
    worker = start_worker("-q", "q", "--namespace", "a", "-w", "1", *mode)
    wait_for(lambda: job_state(a, slow) == "running", message="the job starts")
    a.queues["q"].pause()  # so that the worker does not pop the job again
    a.jobs.get_job(slow).timeout()  # lock_lost, on the worker's sharded channel
    wait_for(lambda: lines(halted) != [], message="the worker halts the job")
    assert lines(halted)[0][0] == slow
    assert "the server took it away" in worker.stderr()
    worker.send(signal.SIGTERM)
    assert worker.wait() == 0


def test_the_namespaces_of_the_worker_options() -> None:
    assert parse_worker_args(["-q", "q"], environ={}).namespaces == (None,)
    given = parse_worker_args(["-q", "q", "-w", "3", "--namespace", "a", "--namespace", "b"])
    assert given.namespaces == ("a", "b")
    from_env = parse_worker_args(["-q", "q"], environ={"REQLESS_NAMESPACE": "a"})
    assert from_env.namespaces == ("a",)
    named = parse_worker_args(["-q", "q", "--namespace", "b"], environ={"REQLESS_NAMESPACE": "a"})
    assert named.namespaces == ("b",)


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        (["-w", "1", "--namespace", "a", "--namespace", "b"], {},
         "argument --namespace: 2 namespaces need at least 2 worker processes"),
        (["--namespace", "a{b"], {}, "may not contain braces"),
        ([], {"REQLESS_NAMESPACE": "a b"}, "environment variable REQLESS_NAMESPACE:"),
    ],
)  # fmt: skip
def test_bad_namespaces_are_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_worker_args(["-q", "q", *argv], environ=environ)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
