"""Prometheus text for `/metrics` (docs/ui.md, Metrics), from a custom collector on a private
registry.

Counts come from the shared snapshot (cached 5 s here); failed-per-group and
head-of-line latency are read at scrape time and cached 5 s; today's per-queue
counters (one `queue.stats` per queue) at most every 30 s. With several
instances every sample gains an `instance` label. An instance that cannot be read
reports `reqless_up 0` instead of failing the whole scrape.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

from reqless._calls import queue as queue_calls
from reqless._calls import server as server_calls
from reqless.exceptions import ReqlessError
from reqless.logger import logger
from reqless.ui.live import snapshot
from reqless.ui.state import Instance, UIState

__all__ = ["COUNTS_TTL_S", "TODAY_TTL_S", "exposition"]

COUNTS_TTL_S = 5.0
TODAY_TTL_S = 30.0
_PART = "metrics"
#: Today's counters: metric suffix -> how to read it from a `queue.stats` reply.
_TODAY: tuple[tuple[str, str], ...] = (
    ("popped", "jobs handed out today (wait samples)"),
    ("completed", "jobs completed today (run samples)"),
    ("failures", "jobs that failed today"),
    ("lock_expiries", "locks that expired today"),
)


def _latest_put(job: dict[str, Any]) -> float | None:
    for entry in reversed(job.get("history") or []):
        if isinstance(entry, dict) and entry.get("what") == "put":
            when = entry.get("when")
            if isinstance(when, (int, float)):
                return float(when)
    return None


def _latencies(inst: Instance, queues: list[dict[str, Any]]) -> dict[str, float]:
    """Age of the job each queue would hand out next, from its latest put."""
    now = time.time()
    found: dict[str, float] = {}
    for queue in queues:
        name = queue["name"]
        if not queue["counts"]["waiting"] and not queue["counts"]["stalled"]:
            found[name] = 0.0
            continue
        jobs = inst.client._run(queue_calls.peek(name, 0, 1))
        put_at = _latest_put(jobs[0]) if isinstance(jobs, list) and jobs else None
        found[name] = max(0.0, now - put_at) if put_at is not None else 0.0
    return found


def _today(inst: Instance, names: list[str]) -> dict[str, dict[str, int]]:
    now = time.time()
    found = {}
    for name in names:
        stats = inst.client._run(queue_calls.stats(name, now))
        found[name] = {
            "popped": int((stats.get("wait") or {}).get("count") or 0),
            "completed": int((stats.get("run") or {}).get("count") or 0),
            "failures": int(stats.get("failures") or 0),
            "lock_expiries": int(stats.get("retries") or 0),
        }
    return found


def _groups(inst: Instance) -> dict[str, int]:
    groups = inst.client._run(server_calls.failure_counts())
    return {str(k): int(v) for k, v in groups.items()} if isinstance(groups, dict) else {}


class _Families:
    """The gauge families of one scrape, with the `instance` label when needed."""

    def __init__(self, multi: bool) -> None:
        self.multi = multi
        base = ["instance"] if multi else []

        def gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, doc, labels=[*base, *labels])

        self.up = gauge("reqless_up", "1 when the instance could be read", [])
        self.jobs = gauge("reqless_queue_jobs", "jobs per queue and state", ["queue", "state"])
        self.paused = gauge("reqless_queue_paused", "1 when the queue is paused", ["queue"])
        self.latency = gauge(
            "reqless_queue_latency_seconds",
            "age of the job the queue would hand out next (0 when none waits)",
            ["queue"],
        )
        self.failed = gauge("reqless_failed_jobs", "failed jobs per failure group", ["group"])
        self.workers = gauge("reqless_workers", "workers by status", ["status"])
        self.tracked = gauge("reqless_tracked_jobs", "tracked jobs", [])
        self.today = {
            key: gauge(f"reqless_queue_today_{key}", doc, ["queue"]) for key, doc in _TODAY
        }

    def all(self) -> list[GaugeMetricFamily]:
        return [
            self.up,
            self.jobs,
            self.paused,
            self.latency,
            self.failed,
            self.workers,
            self.tracked,
            *self.today.values(),
        ]


class _Collector(Collector):
    def __init__(self, state: UIState) -> None:
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        started = time.perf_counter()
        families = _Families(self.state.multi)
        for inst in self.state.instances.values():
            self._collect_instance(inst, families)
        yield from families.all()
        duration = GaugeMetricFamily(
            "reqless_scrape_duration_seconds", "time this scrape took to compute"
        )
        duration.add_metric([], time.perf_counter() - started)
        yield duration

    def _collect_instance(self, inst: Instance, families: _Families) -> None:
        base = [inst.name] if families.multi else []
        try:
            snap = snapshot.current(self.state, inst, max_age=COUNTS_TTL_S)
            cache = inst.cache
            groups = cache.get(("metrics", "groups"), COUNTS_TTL_S, lambda: _groups(inst))
            latencies = cache.get(
                ("metrics", "latency"), COUNTS_TTL_S, lambda: _latencies(inst, snap["queues"])
            )
            names = [q["name"] for q in snap["queues"]]
            today = cache.get(("metrics", "today"), TODAY_TTL_S, lambda: _today(inst, names))
        except (RedisError, ReqlessError, ValueError) as exc:
            logger.warning("metrics: instance %s could not be read: %s", inst.name, exc)
            families.up.add_metric(base, 0)
            return
        families.up.add_metric(base, 1)
        for queue in snap["queues"]:
            name = queue["name"]
            for state, count in queue["counts"].items():
                families.jobs.add_metric([*base, name, state], count)
            families.paused.add_metric([*base, name], 1 if queue["paused"] else 0)
            families.latency.add_metric([*base, name], latencies.get(name, 0.0))
            counters = today.get(name)
            if counters is not None:
                for key, family in families.today.items():
                    family.add_metric([*base, name], counters[key])
        for group, count in groups.items():
            families.failed.add_metric([*base, group], count)
        for status, count in snap["workers"].items():
            families.workers.add_metric([*base, status], count)
        families.tracked.add_metric(base, snap["tracked_total"])


def _registry(state: UIState) -> CollectorRegistry:
    found = state.parts.get(_PART)
    if isinstance(found, CollectorRegistry):
        return found
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(state))
    kept: CollectorRegistry = state.parts.setdefault(_PART, registry)
    return kept


def exposition(state: UIState) -> bytes:
    """The Prometheus text of every instance (the body of `/metrics`)."""
    return generate_latest(_registry(state))
