"""The README's promises, kept: its examples run as written against a real server.

Each docs/examples/readme_*.py runs in a subprocess (REQLESS_URL pointing at the
test server, docs/examples on PYTHONPATH); the tests then check on the server what
the README says should have happened. The README's job classes (gnomes.py and
its alternatives) are driven through `Job.process()` as a worker would.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from redis import Redis

import reqless
from reqless.job import Job, RecurringJob
from reqless.server import LocalServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
PRIORITY_JID = "83da4d32a0a811e1933012313b062cf1"
TRACKED_JID = "b1882e009a3d11e192d0b174d751779d"


@pytest.fixture
def client(server: LocalServer, redis: Redis) -> Iterator[reqless.Client]:
    """A client made the README's way, on a flushed database."""
    made = reqless.Client(server.url)
    yield made
    made.database.close()


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the README's job modules importable, as a worker's --path would."""
    monkeypatch.syspath_prepend(str(EXAMPLES))


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def run_example(server: LocalServer, name: str) -> str:
    """Run docs/examples/<name> against `server`; returns its standard output."""
    env = dict(os.environ)
    env["REQLESS_URL"] = server.url
    inherited = [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []
    env["PYTHONPATH"] = os.pathsep.join([str(EXAMPLES), str(ROOT), *inherited])
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=EXAMPLES, env=env, capture_output=True, text=True, timeout=50, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{name} failed:\n{result.stderr}"
    return result.stdout


def _job(client: reqless.Client, jid: str) -> Job:
    job = client.jobs[jid]
    assert isinstance(job, Job), job
    return job


def _pop(client: reqless.Client, queue: str) -> Job:
    job = client.queues[queue].pop()
    assert job is not None, f"nothing to pop in {queue}"
    return job


def _only_jid(client: reqless.Client, queue: str) -> str:
    (job,) = client.queues[queue].peek(count=10)
    return job.jid


TESTED_EXAMPLES = {
    "readme_connect.py",
    "readme_put.py",
    "readme_priority.py",
    "readme_scheduled.py",
    "readme_recurring.py",
    "readme_config.py",
    "readme_tags.py",
    "readme_depends.py",
    "readme_retries.py",
    "readme_pop.py",
    "readme_debugging.py",
    "readme_pipeline.py",
    "readme_notifications.py",
}


def test_every_readme_example_is_tested() -> None:
    assert {path.name for path in EXAMPLES.glob("readme_*.py")} == TESTED_EXAMPLES


# --- "Features" ------------------------------------------------------------------------


def _worker_queue(client: reqless.Client, name: str, worker: str) -> reqless.Queue:
    queue = client.queues[name]
    queue.worker_name = worker
    return queue


def test_dropped_jobs_are_picked_up_and_repeated_drops_fail(client: reqless.Client) -> None:
    # "Jobs don't get dropped on the floor" and "If a job is repeatedly dropped,
    # then it is presumed to be problematic, and is automatically failed."
    # Every lock has expired as soon as it is given (the Config mapping refuses
    # a negative heartbeat; the core takes it).
    client("config.set", "heartbeat", -10)
    client.config["grace-period"] = 0  # and is handed on at the next pop
    jid = client.queues["underpants"].put("gnomes.GnomesJob", {}, retries=1)
    first = _worker_queue(client, "underpants", "gnome-1").pop()
    assert first is not None and first.jid == jid
    second = _worker_queue(client, "underpants", "gnome-2").pop()
    assert second is not None and second.jid == jid
    assert (second.worker_name, second.retries_left) == ("gnome-2", 0)
    assert _worker_queue(client, "underpants", "gnome-3").pop() is None
    failed = _job(client, jid)
    assert failed.state == "failed"
    assert failed.failure["group"] == "failed-retries-underpants"


def test_retries_are_renewed_by_a_new_queue_or_completion(client: reqless.Client) -> None:
    queue = client.queues["underpants"]
    jid = queue.put("gnomes.GnomesJob", {}, retries=3)
    _pop(client, "underpants").retry()
    assert _job(client, jid).retries_left == 2
    _pop(client, "underpants").complete("unknown")
    assert _job(client, jid).retries_left == 3
    _pop(client, "unknown").retry()
    _job(client, jid).move("profit")
    assert _job(client, jid).retries_left == 3


def test_job_data_is_stored_temporarily(client: reqless.Client) -> None:
    client.config["jobs-history-count"] = 2
    queue = client.queues["underpants"]
    jids = [queue.put("gnomes.GnomesJob", {}) for _ in range(3)]
    for _ in jids:
        _pop(client, "underpants").complete()
    assert client.jobs[jids[0]] is None
    assert sorted(client.jobs.complete()) == sorted(jids[1:])


def test_tracked_jobs_emit_events(client: reqless.Client) -> None:
    jid = client.queues["underpants"].put("gnomes.GnomesJob", {})
    seen: list[tuple[str, str]] = []
    client.events.on("popped", lambda popped: seen.append(("popped", popped)))
    client.events.on("completed", lambda done: seen.append(("completed", done)))
    with client.events.thread():
        client.track(jid)
        _pop(client, "underpants").complete()
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert seen == [("popped", jid), ("completed", jid)]


# --- "Business Time!" ------------------------------------------------------------------


def test_connect(server: LocalServer, client: reqless.Client) -> None:
    assert run_example(server, "readme_connect.py").split() == ["0"]


def test_put_a_thousand_gnomes_twice(server: LocalServer, client: reqless.Client) -> None:
    assert run_example(server, "readme_put.py").split() == ["2000"]
    queue = client.queues["underpants"]
    assert queue.counts["waiting"] == 2000
    jobs = queue.peek(count=2000)
    assert len(jobs) == 2000
    assert {job.klass_name for job in jobs} == {"gnomes.GnomesJob"}
    assert {job.data for job in jobs} == {"{}"}


def test_pipeline_example(server: LocalServer, client: reqless.Client) -> None:
    output = run_example(server, "readme_pipeline.py")
    assert [line.split(" ->")[0] for line in output.splitlines()] == [
        "underpants",
        "unknown",
        "profit",
    ]
    (jid,) = client.jobs.complete()
    job = _job(client, jid)
    assert job.state == "complete"
    assert [entry.get("queue") for entry in job.history if entry["what"] == "put"] == [
        "underpants",
        "unknown",
        "profit",
    ]


@pytest.mark.usefixtures("examples")
def test_gnomes_job_moves_through_the_pipeline(client: reqless.Client) -> None:
    gnomes = _module("gnomes")
    jid = client.queues["underpants"].put(gnomes.GnomesJob, {})
    assert _job(client, jid).klass_name == "gnomes.GnomesJob"
    for step, after in (("underpants", "unknown"), ("unknown", "profit")):
        job = _pop(client, step)
        assert job.klass is gnomes.GnomesJob
        job.process()
        moved = _job(client, jid)
        assert (moved.state, moved.queue_name) == ("waiting", after)
    _pop(client, "profit").process()
    assert _job(client, jid).state == "complete"
    assert client.jobs.failed() == {}


@pytest.mark.usefixtures("examples")
def test_alternative_process_compares_job_queue_with_names(client: reqless.Client) -> None:
    gnomes_process = _module("gnomes_process")
    jid = client.queues["underpants"].put(gnomes_process.GnomesJob, {})
    # As printed, the "underpants" branch completes the job back into "underpants".
    _pop(client, "underpants").process()
    again = _job(client, jid)
    assert (again.state, again.queue_name) == ("waiting", "underpants")
    _job(client, jid).move("unknown")
    _pop(client, "unknown").process()
    assert _job(client, jid).queue_name == "profit"
    _pop(client, "profit").process()
    assert _job(client, jid).state == "complete"
    stray = client.queues["elsewhere"].put(gnomes_process.GnomesJob, {})
    _pop(client, "elsewhere").process()
    failed = _job(client, stray)
    assert failed.state == "failed"
    assert (failed.failure["group"], failed.failure["message"]) == ("unknown-stage", "What what?")


@pytest.mark.usefixtures("examples")
def test_job_data_is_updated_along_the_pipeline(client: reqless.Client) -> None:
    gnomes_data = _module("gnomes_data")
    jid = client.queues["underpants"].put(gnomes_data.GnomesJob, {})
    _pop(client, "underpants").process()
    assert json.loads(_job(client, jid).data) == {"collected": 3}
    _pop(client, "unknown").process()
    assert _job(client, jid).queue_name == "profit"


@pytest.mark.usefixtures("examples")
def test_a_job_moved_away_from_its_worker_is_ignored(client: reqless.Client) -> None:
    # "if a worker is working on a job, and you move it, the worker's request to
    # complete the job will be ignored"
    gnomes = _module("gnomes")
    jid = client.queues["underpants"].put(gnomes.GnomesJob, {})
    job = _pop(client, "underpants")
    _job(client, jid).move("profit")
    job.process()  # the handler's complete("unknown") is refused; nothing raises
    moved = _job(client, jid)
    assert (moved.state, moved.queue_name) == ("waiting", "profit")
    assert client.jobs.failed() == {}


# --- "Debugging / Developing" ----------------------------------------------------------


@pytest.mark.usefixtures("examples")
def test_debugging_example(server: LocalServer, client: reqless.Client) -> None:
    run_example(server, "readme_debugging.py")
    jid = _only_jid(client, "foo")
    job = _pop(client, "foo")
    assert (job.klass_name, job.data) == ("awesomeproject.Job", '{"key": "value"}')
    job.process()
    done = _job(client, jid)
    assert done.state == "complete"
    assert json.loads(done.data) == {"key": "value", "seen": True}


def test_a_changed_job_module_is_reimported_without_restarting(
    client: reqless.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Whenever a job is processed, it checks to see if the file in which your job
    # is defined has been updated since its last import. If it has, it
    # automatically reimports it."
    name = f"awesome_{uuid.uuid4().hex}"
    source = tmp_path / f"{name}.py"
    template = (
        "import json\n\n\nclass Job:\n    @staticmethod\n    def foo(job):\n"
        "        job.data = json.dumps({{'version': {version}}})\n        job.complete()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    versions = []
    for version, mtime in ((1, 1_000_000_000), (2, 1_000_000_100)):
        source.write_text(template.format(version=version))
        os.utime(source, (mtime, mtime))
        jid = client.queues["foo"].put(f"{name}.Job", '{"key": "value"}')
        _pop(client, "foo").process()
        versions.append(json.loads(_job(client, jid).data)["version"])
    sys.modules.pop(name, None)
    assert versions == [1, 2]


# --- "Internals and Additional Features" ---------------------------------------------------


def test_priority(server: LocalServer, client: reqless.Client) -> None:
    run_example(server, "readme_priority.py")
    assert _job(client, PRIORITY_JID).priority == 25
    first, second = client.queues["underpants"].pop(2)
    assert first.jid == PRIORITY_JID
    assert (second.priority, second.data) == (10, '{"address": "123 Brief St."}')


def test_scheduled(server: LocalServer, client: reqless.Client) -> None:
    assert run_example(server, "readme_scheduled.py").split() == ["None"]
    queue = client.queues["underpants"]
    scheduled = client.jobs.get(*queue.jobs.scheduled())
    assert sorted(job.priority for job in scheduled) == [0, 100]
    assert {job.state for job in scheduled} == {"scheduled"}
    assert queue.pop() is None


def test_recurring(server: LocalServer, client: reqless.Client) -> None:
    output = run_example(server, "readme_recurring.py")
    assert output.split() == ["5"]  # "=> 5 jobs got popped"
    templates = [client.jobs[jid] for jid in client.queues["maintenance"].jobs.recurring()]
    assert all(isinstance(template, RecurringJob) for template in templates)
    by_data = {template.data: template for template in templates if template is not None}
    daily = by_data['{"tasks": ["sweep", "mop", "scrub"]}']
    assert isinstance(daily, RecurringJob)
    assert (daily.priority, daily.interval, daily.tags) == (20, 7200, ["foo", "bar"])
    later = by_data['{"tasks": ["dust"]}']
    assert isinstance(later, RecurringJob)
    assert later.interval == 86400
    assert later.next is not None and abs(later.next - (time.time() + 3600)) < 60
    # "That will spawn a job right now": the daily one spawns at once.
    assert _pop(client, "maintenance").data == '{"tasks": ["sweep", "mop", "scrub"]}'
    (minutely,) = client.queues["minutely"].jobs.recurring()
    template = client.jobs[minutely]
    assert isinstance(template, RecurringJob)
    assert template.count == 6


def test_config(server: LocalServer, client: reqless.Client) -> None:
    assert run_example(server, "readme_config.py").split() == ["604800", "500"]
    assert client.config["jobs-history"] == 604800
    assert client.config["jobs-history-count"] == 500


def test_tagging_and_tracking(server: LocalServer, client: reqless.Client) -> None:
    output = run_example(server, "readme_tags.py")
    assert "'total': 2" in output
    job = _job(client, TRACKED_JID)
    assert job.tracked is True
    assert job.tags == ["howdy", "hello"]
    assert [tracked.jid for tracked in client.jobs.tracked()["jobs"]] == [TRACKED_JID]
    tagged = client.jobs.tagged("foo")
    assert tagged["total"] == 1
    (aplenty,) = tagged["jobs"]
    assert _job(client, aplenty).tags == ["12345", "foo", "bar"]
    assert client.jobs.tagged("howdy")["jobs"] == [TRACKED_JID]


def test_depends(server: LocalServer, client: reqless.Client) -> None:
    run_example(server, "readme_depends.py")
    omelet = _job(client, client.queues["omelete"].jobs.depends()[0])
    eggs, pan = _only_jid(client, "buy_eggs"), _only_jid(client, "buy_pan")
    assert omelet.state == "depends"
    assert sorted(omelet.dependencies) == sorted([eggs, pan])
    assert client.queues["omelete"].pop() is None
    _pop(client, "buy_eggs").complete()
    assert _job(client, omelet.jid).state == "depends"
    _pop(client, "buy_pan").complete()
    assert _pop(client, "omelete").jid == omelet.jid


def test_retries(server: LocalServer, client: reqless.Client) -> None:
    run_example(server, "readme_retries.py")
    job = _job(client, _only_jid(client, "underpants"))
    assert (job.original_retries, job.retries_left) == (10, 10)


def test_pop_and_heartbeat(server: LocalServer, client: reqless.Client) -> None:
    output = run_example(server, "readme_pop.py")
    expires_at, ttl = (float(value) for value in output.split())
    assert abs(expires_at - (time.time() + 60)) < 30
    assert 0 < ttl <= 60
    counts = client.queues["underpants"].counts
    assert (counts["running"], counts["waiting"]) == (19, 4)
    assert len(client.jobs.complete()) == 1
    assert client.queues["anotherQueue"].counts["waiting"] == 1


def test_notifications(server: LocalServer, client: reqless.Client) -> None:
    output = run_example(server, "readme_notifications.py")
    events = [line.split(" => ")[1] for line in output.splitlines()]
    assert events == ["track", "put", "popped", "completed"]
    assert len({line.split(" => ")[0] for line in output.splitlines()}) == 1
