"""Sample calls of every `reqless._calls` builder, with good arguments.

Shared by the coverage test of the builders (tests/client/test_calls_cover.py)
and the test that runs every read command through the `no-writes` function
(tests/core/test_full_server.py), so a new builder gets one sample, used by both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reqless._calls import Call
from reqless._calls import config as config_calls
from reqless._calls import cron as cron_calls
from reqless._calls import follow as follow_calls
from reqless._calls import groups as groups_calls
from reqless._calls import job as job_calls
from reqless._calls import queue as queue_calls
from reqless._calls import server as server_calls
from reqless.models import QueuePriorityPattern

__all__ = ["SAMPLES", "J", "all_calls"]

J = "0f3c5b9e8d7a4c2b9f1e6d5c4b3a2918"

#: Each builder, and how to build its calls with good sample arguments.
SAMPLES: dict[str, Callable[[], list[Call[Any]]]] = {
    "job.complete": lambda: [job_calls.complete(J, "w", "q", "{}")],
    "job.complete_and_requeue": lambda: [
        job_calls.complete_and_requeue(J, "w", "q", "{}", "next", None, None)
    ],
    "job.complete_and_pop": lambda: [job_calls.complete_and_pop(J, "w", "q", "{}", ["q"])],
    "job.fail": lambda: [job_calls.fail(J, "w", "g", "m", "{}")],
    "job.heartbeat": lambda: [job_calls.heartbeat(J, "w", "{}")],
    "job.retry": lambda: [job_calls.retry(J, "q", "w", 0, "g", "m")],
    "job.cancel": lambda: [job_calls.cancel(J)],
    "job.cancel_many": lambda: [job_calls.cancel_many((J, J))],
    "job.track": lambda: [job_calls.track(J)],
    "job.untrack": lambda: [job_calls.untrack(J)],
    "job.tag": lambda: [job_calls.tag(J, ("t",)), job_calls.tag(J, ("t",), remove=True)],
    "job.add_dependency": lambda: [job_calls.add_dependency(J, ("x",))],
    "job.remove_dependency": lambda: [job_calls.remove_dependency(J, (), every=True)],
    "job.move": lambda: [job_calls.move(J, "w", "q", "k.K", "{}", None, None, [])],
    "job.timeout": lambda: [job_calls.timeout(J)],
    "job.log": lambda: [job_calls.log(J, "m", None)],
    "job.set_priority": lambda: [job_calls.set_priority(J, 1)[0]],
    "job.details": lambda: [job_calls.details(J)],
    "job.recurring_update": lambda: [job_calls.recurring_update(J, "priority", 1)],
    "job.recurring_cancel": lambda: [job_calls.recurring_cancel(J)],
    "job.recurring_pause": lambda: [job_calls.recurring_pause(J)],
    "job.recurring_resume": lambda: [job_calls.recurring_resume(J)],
    "job.recurring_changes": lambda: [job_calls.recurring_changes(J, [("priority", 1)])],
    "job.recurring_tag": lambda: [
        job_calls.recurring_tag(J, ("t",)),
        job_calls.recurring_tag(J, ("t",), remove=True),
    ],
    "queue.put": lambda: [queue_calls.put("w", "q", klass="k.K", data={})],
    "queue.requeue": lambda: [queue_calls.requeue("w", "q", klass="k.K", data={})],
    "queue.requeue_stored": lambda: [queue_calls.requeue_stored("w", "q", "{}", klass="k.K")],
    "queue.existing": lambda: [queue_calls.existing([J])],
    "queue.put_many": lambda: (
        queue_calls.put_many("w", "q", [{"klass": "k.K", "data": {}}], 10).calls
    ),
    "queue.recur": lambda: [queue_calls.recur("q", "k.K", {}, 60)],
    "queue.recur_on_cron": lambda: [
        queue_calls.recur_on_cron("q", "k.K", {}, "0 * * * *"),
        queue_calls.recur_on_cron("q", "k.K", {}, "0 9 * * *", timezone="Europe/Berlin"),
    ],
    "queue.pop": lambda: [queue_calls.pop("q", "w", 1)],
    "queue.peek": lambda: [queue_calls.peek("q", 0, 1)],
    "queue.jobs_by_state": lambda: [
        queue_calls.jobs_by_state("q", "waiting", 0, 1),
        queue_calls.jobs_by_state("q", "stalled", 0, 1),
    ],
    "queue.length": lambda: [queue_calls.length("q")],
    "queue.stats": lambda: [queue_calls.stats("q", None)],
    "queue.counts": lambda: [queue_calls.counts("q")],
    "queue.core_counts": lambda: [queue_calls.core_counts("q")],
    "queue.pause": lambda: [queue_calls.pause("q")],
    "queue.unpause": lambda: [queue_calls.unpause("q")],
    "queue.pick": lambda: [queue_calls.pick("w", 1, 0, ["q"])],
    "queue.ready": lambda: [queue_calls.ready(["q"])],
    "queue.pick_at": lambda: [queue_calls.pick_at("w", 1, 1, 0.5, ["q"])],
    "server.get_job": lambda: [server_calls.get_job(J)],
    "server.get_recurring": lambda: [server_calls.get_recurring(J)],
    "server.get_jobs": lambda: [server_calls.get_jobs((J,))],
    "server.completed": lambda: [server_calls.completed(0, 1)],
    "server.unique_holder": lambda: [server_calls.unique_holder("k")],
    "server.free_unique": lambda: [server_calls.free_unique("k")],
    "server.tracked": lambda: [server_calls.tracked()],
    "server.tagged": lambda: [server_calls.tagged("t", 0, 1)],
    "server.failure_counts": lambda: [server_calls.failure_counts()],
    "server.failed_by_group": lambda: [server_calls.failed_by_group("g", 0, 1)],
    "server.queue_counts": lambda: [server_calls.queue_counts()],
    "server.all_queue_counts": lambda: [server_calls.all_queue_counts()],
    "server.forget_queues": lambda: [server_calls.forget_queues(("q",))],
    "server.queue_names": lambda: [server_calls.queue_names()],
    "server.workers_counts": lambda: [server_calls.workers_counts()],
    "server.worker_jobs": lambda: [server_calls.worker_jobs("w")],
    "server.worker_forget": lambda: [server_calls.worker_forget(("w",))],
    "server.tags": lambda: [server_calls.tags(0, 1)],
    "server.unfail": lambda: [server_calls.unfail("g", "q", 1)],
    "groups.queue_groups": lambda: [groups_calls.queue_groups("q", 0, 1)],
    "groups.queue_group_jobs": lambda: [groups_calls.queue_group_jobs("q", "g", 0, 1)],
    "groups.queue_group_weight": lambda: [groups_calls.queue_group_weight("q", "g", 2)],
    "follow.job_progress": lambda: [follow_calls.job_progress(J, "w", 0.5, "half")],
    "follow.job_wait": lambda: [follow_calls.job_wait(J)],
    "follow.batch_open": lambda: [
        follow_calls.batch_open("b"),
        follow_calls.batch_open(
            "b", {"klass": "app.Done", "queue": "q", "data": {}, "priority": 1}, None
        ),
    ],
    "follow.batch_close": lambda: [follow_calls.batch_close("b")],
    "follow.batch_get": lambda: [follow_calls.batch_get("b")],
    "follow.batch_jobs": lambda: [follow_calls.batch_jobs("b", 0, 1)],
    "follow.batch_canceled": lambda: [follow_calls.batch_canceled("b", ["j1", "j2"])],
    "follow.batch_list": lambda: [follow_calls.batch_list(0, 1)],
    "follow.batch_cancel": lambda: [follow_calls.batch_cancel("b")],
    "server.throttle_get": lambda: [server_calls.throttle_get("t")],
    "server.throttle_set": lambda: [
        server_calls.throttle_set("t", 1, None),
        server_calls.throttle_set("t", 1, None, rate=5, per=0.5),
    ],
    "server.throttle_ids": lambda: [
        server_calls.throttle_ids("t", "locks"),
        server_calls.throttle_ids("t", "pending"),
    ],
    "server.throttle_delete": lambda: [server_calls.throttle_delete("t")],
    "server.throttle_release": lambda: [server_calls.throttle_release("t", (J,))],
    "server.throttle_clear_rate": lambda: [server_calls.throttle_clear_rate("t")],
    "server.throttle_template_set": lambda: [
        server_calls.throttle_template_set("t:*", 1),
        server_calls.throttle_template_set("t:*", 0, rate=5, per=60),
    ],
    "server.throttle_template_delete": lambda: [server_calls.throttle_template_delete("t:*")],
    "server.throttle_templates": lambda: [server_calls.throttle_templates()],
    "server.identifier_patterns": lambda: [server_calls.identifier_patterns()],
    "server.set_identifier_patterns": lambda: [server_calls.set_identifier_patterns({"a": ["*"]})],
    "server.priority_patterns": lambda: [server_calls.priority_patterns()],
    "server.identifier_pattern_texts": lambda: [server_calls.identifier_pattern_texts()],
    "server.priority_pattern_texts": lambda: [server_calls.priority_pattern_texts()],
    "server.set_priority_patterns": lambda: [
        server_calls.set_priority_patterns([QueuePriorityPattern(["*"])])
    ],
    "config.get_all": lambda: [config_calls.get_all()],
    "config.get": lambda: [config_calls.get("heartbeat")],
    "config.get_text": lambda: [config_calls.get_text("heartbeat")],
    "config.set_text": lambda: [config_calls.set_text("heartbeat", "60")],
    "config.set": lambda: [config_calls.set("heartbeat", 60)],
    "config.set_many": lambda: config_calls.set_many({"heartbeat": 60}, {}),
    "config.unset": lambda: [config_calls.unset("heartbeat")],
    "cron.next_times": lambda: [
        cron_calls.next_times("0 9 * * 1-5", 3, 0),
        cron_calls.next_times("@daily", 1, 0, "[[0,3600]]"),
    ],
}


def all_calls() -> list[Call[Any]]:
    """Every sample call, in SAMPLES order."""
    return [call for build in SAMPLES.values() for call in build()]
