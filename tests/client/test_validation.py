"""Every bad argument raises ReqlessError naming it, and nothing is sent to the server.

The same argument gets the same check wherever it is taken: put, requeue, recur,
move, complete, retry, fail, the priority setter, the recurring-job setters and
job lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from redis import Redis

from reqless.exceptions import ReqlessError
from reqless.job import Job, RecurringJob
from reqless.server import LocalServer
from tests.client.recording import RecordingClient
from tests.client.sync_adapter import Kind, open_client
from tests.helpers import snapshot

KLASS = "tests.client.test_validation.Gnome"
INF, NAN = float("inf"), float("nan")


class Gnome:
    """A job class for these tests."""


@dataclass
class Scene:
    """A recording client with a running job and a recurring template."""

    client: RecordingClient
    job: Job
    template: RecurringJob

    def put(self, **kwargs: Any) -> str:
        return self.client.queues["q"].put(KLASS, {}, **kwargs)

    def recur(self, **kwargs: Any) -> str:
        kwargs.setdefault("interval", 60)
        return self.client.queues["q"].recur(KLASS, {}, **kwargs)

    def set(self, target: object, attribute: str, value: object) -> None:
        setattr(target, attribute, value)


#: Each test taking `client_kind` runs through the sync and the asyncio client.
BOTH_CLIENTS = True


@pytest.fixture
def scene(client_kind: Kind, server: LocalServer, redis: Redis) -> Iterator[Scene]:
    with open_client(client_kind, server.url, recording=True) as opened:
        client = cast(RecordingClient, opened)
        client.queues["q"].put(KLASS, {})
        job = client.queues["q"].pop()
        assert job is not None
        template = client.jobs[client.queues["q"].recur(KLASS, {}, 60, offset=3600)]
        assert isinstance(template, RecurringJob)
        yield Scene(client, job, template)


Action = Callable[[Scene], object]

# (argument named in the message, the call)
BAD: dict[str, tuple[str, Action]] = {
    # queue names
    "put-queue-empty": ("queue name", lambda s: s.client.queues[""].put(KLASS, {})),
    "requeue-queue-empty": ("queue name", lambda s: s.client.queues[""].requeue(KLASS, {})),
    "recur-queue-empty": ("queue name", lambda s: s.client.queues[""].recur(KLASS, {}, 60)),
    "move-queue-empty": ("queue name", lambda s: s.job.move("")),
    "move-queue-none": ("queue name", lambda s: s.job.move(None)),  # type: ignore[arg-type]
    "recurring-move-empty": ("queue name", lambda s: s.template.move("")),
    "complete-next-empty": ("queue name", lambda s: s.job.complete("")),
    "unfail-queue-empty": ("queue name", lambda s: s.client.unfail("group", "")),
    # job classes
    "put-class-int": ("job class", lambda s: s.client.queues["q"].put(123, {})),  # type: ignore[arg-type]
    "put-class-empty": ("job class", lambda s: s.client.queues["q"].put("", {})),
    "recur-class-empty": ("job class", lambda s: s.client.queues["q"].recur("", {}, 60)),
    "recurring-klass-int": ("job class", lambda s: s.set(s.template, "klass", 123)),
    # retries
    "put-retries-negative": ("retries", lambda s: s.put(retries=-1)),
    "put-retries-fraction": ("retries", lambda s: s.put(retries=2.5)),
    "put-retries-bool": ("retries", lambda s: s.put(retries=True)),
    "put-retries-text": ("retries", lambda s: s.put(retries="3")),
    "recur-retries-negative": ("retries", lambda s: s.recur(retries=-1)),
    "recurring-retries-fraction": ("retries", lambda s: s.set(s.template, "retries", 2.5)),
    # delay
    "put-delay-negative": ("delay", lambda s: s.put(delay=-5)),
    "put-delay-inf": ("delay", lambda s: s.put(delay=INF)),
    "put-delay-nan": ("delay", lambda s: s.put(delay=NAN)),
    "put-delay-text": ("delay", lambda s: s.put(delay="x")),
    "move-delay-negative": ("delay", lambda s: s.job.move("other", delay=-1)),
    "complete-delay-inf": ("delay", lambda s: s.job.complete("next", delay=INF)),
    "retry-delay-negative": ("delay", lambda s: s.job.retry(-1)),
    "retry-delay-nan": ("delay", lambda s: s.job.retry(NAN)),
    # priority
    "put-priority-inf": ("priority", lambda s: s.put(priority=INF)),
    "put-priority-nan": ("priority", lambda s: s.put(priority=NAN)),
    "put-priority-bool": ("priority", lambda s: s.put(priority=True)),
    "put-priority-huge-int": ("priority", lambda s: s.put(priority=10**400)),
    "recur-priority-nan": ("priority", lambda s: s.recur(priority=NAN)),
    "job-priority-bool": ("priority", lambda s: s.set(s.job, "priority", True)),
    "job-priority-inf": ("priority", lambda s: s.set(s.job, "priority", INF)),
    "job-priority-text": ("priority", lambda s: s.set(s.job, "priority", "5")),
    "recurring-priority-nan": ("priority", lambda s: s.set(s.template, "priority", NAN)),
    # interval, offset, backlog
    "recur-interval-none": ("interval", lambda s: s.recur(interval=None)),
    "recur-interval-zero": ("interval", lambda s: s.recur(interval=0)),
    "recur-interval-inf": ("interval", lambda s: s.recur(interval=INF)),
    "recur-interval-bool": ("interval", lambda s: s.recur(interval=True)),
    "recurring-interval-negative": ("interval", lambda s: s.set(s.template, "interval", -1)),
    "recur-offset-nan": ("offset", lambda s: s.recur(offset=NAN)),
    "recur-offset-none": ("offset", lambda s: s.recur(offset=None)),
    "recur-backlog-negative": ("backlog", lambda s: s.recur(backlog=-1)),
    # tags, depends, throttles, jids
    "put-tags-numbers": ("tags", lambda s: s.put(tags=[1, 2])),
    "put-tags-text": ("tags", lambda s: s.put(tags="vip")),
    "put-tags-empty-name": ("tags", lambda s: s.put(tags=[""])),
    "recur-tags-numbers": ("tags", lambda s: s.recur(tags=[1])),
    "job-tag-none": ("tags", lambda s: s.job.tag(None)),  # type: ignore[arg-type]
    "recurring-untag-int": ("tags", lambda s: s.template.untag(1)),  # type: ignore[arg-type]
    "put-depends-none-item": ("depends", lambda s: s.put(depends=[None])),
    "move-depends-text": ("depends", lambda s: s.job.move("other", depends="abc")),  # type: ignore[arg-type]
    "put-throttles-int": ("throttles", lambda s: s.put(throttles=[1])),
    "put-jid-int": ("jid", lambda s: s.put(jid=123)),
    "jobs-lookup-none": ("jid", lambda s: s.client.jobs[None]),  # type: ignore[index]
    "jobs-lookup-empty": ("jid", lambda s: s.client.jobs[""]),
    "jobs-get-none": ("jid", lambda s: s.client.jobs.get("a", None)),  # type: ignore[arg-type]
    "job-depend-int": ("jid", lambda s: s.job.depend(5)),  # type: ignore[arg-type]
    # failure groups and messages
    "fail-group-none": ("group", lambda s: s.job.fail(None, "m")),  # type: ignore[arg-type]
    "fail-group-empty": ("group", lambda s: s.job.fail("", "m")),
    "fail-message-none": ("message", lambda s: s.job.fail("g", None)),  # type: ignore[arg-type]
    "retry-group-empty": ("group", lambda s: s.job.retry(0, "", "m")),
    "retry-message-int": ("message", lambda s: s.job.retry(0, "g", 5)),  # type: ignore[arg-type]
    "unfail-group-none": ("group", lambda s: s.client.unfail(None, "q")),  # type: ignore[arg-type]
    # data
    "put-data-not-json": ("data", lambda s: s.client.queues["q"].put(KLASS, "not json")),
    "recurring-data-nan": ("data", lambda s: s.set(s.template, "data", {"x": NAN})),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_argument_is_refused_before_anything_is_sent(
    scene: Scene, redis: Redis, case: str
) -> None:
    argument, action = BAD[case]
    sent = len(scene.client.calls)
    before = snapshot(redis)
    with pytest.raises(ReqlessError) as info:
        action(scene)
    assert argument in str(info.value), str(info.value)
    assert scene.client.calls[sent:] == []
    assert snapshot(redis) == before


GOOD: dict[str, Action] = {
    "put-negative-priority": lambda s: s.put(priority=-5),
    "put-fractional-priority-and-delay": lambda s: s.put(priority=1.5, delay=0.25),
    "put-no-retries": lambda s: s.put(retries=0),
    "put-tuple-tags": lambda s: s.put(tags=("a", "b")),
    "put-none-means-defaults": lambda s: s.put(priority=None, delay=None, retries=None),
    "recur-fractional-interval-negative-offset": lambda s: s.recur(interval=0.5, offset=-10),
    "job-priority-negative-float": lambda s: s.set(s.job, "priority", -2.5),
    "recurring-retries-zero": lambda s: s.set(s.template, "retries", 0),
    "fail-empty-message": lambda s: s.job.fail("group", ""),
    "jobs-lookup-missing": lambda s: s.client.jobs["nope"],
}


@pytest.mark.parametrize("case", sorted(GOOD))
def test_good_arguments_are_sent(scene: Scene, case: str) -> None:
    sent = len(scene.client.calls)
    GOOD[case](scene)
    assert len(scene.client.calls) > sent


def test_numbers_keep_their_type_on_the_wire(scene: Scene) -> None:
    scene.put(priority=5, delay=0, retries=2)
    args = scene.client.last("queue.put")
    assert (args[5], args[7], args[11]) == (0, 5, 2)
    assert all(type(arg) is int for arg in (args[5], args[7], args[11]))
