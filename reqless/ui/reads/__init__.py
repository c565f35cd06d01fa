"""The read side of the UI: JSON-able dicts that are exactly the API's read responses.

Every function takes the `Instance` (and the `UISettings` where redaction, caps or
thresholds matter) and returns plain dicts/lists. `api_read.py` wraps them as JSON;
the HTML pages call the same functions to render the same data server-side.
Bad parameters raise `ApiError` (400 `invalid_argument` naming the parameter, 404
`not_found`); core errors propagate as `CoreError` (422). Lists use
`paging.list_response`: `{"items", "offset", "limit", "total", "has_more"}` (+ extra
keys noted below). Times are epoch seconds in `*_at` fields, durations seconds in
`*_s` fields. `fresh=True` bypasses the process caches (a manual refresh).
Links inside results (`path`) are relative to the instance root: prefix them with
`paths.url_prefix(request)`.

Shapes used below
-----------------
JobRow (one row of any job list; `rows.job_row`):
  {"kind": "job", "jid", "klass", "queue": str|null, "state", "priority", "tags",
   "worker": str|null, "tracked", "retries", "remaining", "expires_at": float|null,
   "lock_expired": bool,            # running and its lock deadline has passed
   "failure": {"group","message","message_line","when_at","worker"}|null (redacted),
   "dependencies": [jid], "dependents": [jid], "throttles": [id],
   "spawned_from_jid": str|null, "scheduled_at": float|null (scheduled jobs),
   "state_since_at": float|null,    # when of the newest history entry
   "completed_at": float|null,      # complete jobs: when of the newest `done`
   "put_queue": str|null,           # queue of the newest `put` history entry
   "group": str|null,               # the job's fair group (put with `group`)
   "progress": {"fraction": 0..1, "message" (redacted), "at": float|null}|null,
                                    # the last job.progress report, if any
   "batch": str|null}               # the id of the batch the job belongs to
Expired row (a jid listed somewhere whose job no longer exists): {"kind": "expired", "jid"}
Canceled row (a batch's job canceled, so deleted): {"kind": "canceled", "jid"}
Job (job view) = JobRow + {"data", "data_is_json", "data_truncated", "data_size",
   "redacted_paths", "history": [{"what", "when_at", ...details (redacted)}],
   "dependency_jobs"/"dependent_jobs": [{"jid","klass","state","queue"}],
   "throttle_states": [Throttle + {"holding": bool, "waiting": bool}],
   "unique": {"key", "until": "finish"|"start", "expires_at": float|null,
     "holder": jid|null, "held": bool}|null,   # the job's unique key, if put with one
   "has_result": bool, "result", "result_is_json", "result_truncated", "result_size",
   "result_redacted_paths"            # a completed job's result, as `data` is shown
   "trace": str|null}                 # trace context the job was put with (OpenTelemetry)
   `data` is parsed and redacted; text when not JSON; over 256 KiB it is the first
   256 KiB of the redacted JSON text (a string) with `data_truncated: true`.
RecurringRow: {"kind": "recurring", "jid", "klass", "queue", "state": "recur",
   "priority", "tags", "retries", "interval_s", "count", "backlog",
   "next_run_at": float|null (null while paused), "throttles", "paused": bool,
   "schedule": "every 60 s"|"cron <expression> (<timezone>)",
   "cron": recurring.CronSchedule|null}   # null for interval templates
Recurring (view) = RecurringRow + {"data", "data_is_json", "data_truncated",
   "data_size", "redacted_paths", "last_spawn": {"jid", "state"|null}|null,
   "next_fire_times": [recurring.FireTime] (5; none while paused),
   "next_fire_error": str|null}   # why the times could not be worked out
Queue: {"name", "paused", "counts": {running, waiting, scheduled, stalled, depends,
   throttled, recurring}, "latency_s": float|null, "throttle": {"id","maximum",
   "in_use","pending","expires_in_s"}, "today": {"popped","completed","failures",
   "still_failed","lock_expiries","wait_mean_s","run_mean_s"}|null}
   (`today`/`latency_s` are null unless stats were asked for; cached 30 s)
Throttle: {"id", "kind": "queue"|"named", "queue": str|null, "maximum", "in_use",
   "pending", "expires_in_s": int|null, "exists": bool, "expired_holding": bool,
   "rate": int|null, "per": float|null, "used": int|null,   # the rate window, if any
   "reopens_at": float|null (only while the window is full),
   "template": str|null}            # the template pattern defining the throttle
Worker: {"name", "running", "stalled", "last_seen_at", "status"}
StatsDay: {"date", "popped", "completed", "failures", "still_failed",
   "lock_expiries", "wait": {"count","mean_s","std_s","histogram": [148 ints],
   "unbucketed","p50_le_s","p90_le_s","p99_le_s"}, "run": {...}}

Public functions
----------------
queues.list_queues(inst, settings, *, sort="name", order="asc", q="", with_stats=False,
        fresh=False, page=None) -> list of Queue (page None: first 500)
    sort: name|paused|running|waiting|scheduled|stalled|depends|throttled|recurring|
          latency|popped|completed|failures|wait_mean|run_mean; order: asc|desc
queues.queue_detail(inst, settings, name, fresh=False) -> Queue (with today) +
    {"known": bool, "not_draining": bool, "backlog_threshold_s",
     "settings": {"heartbeat"|"max-pop-retry": {"key","value","override","global",
                  "default","source": "override"|"global"|"default"}}}
queues.queue_jobs(inst, settings, name, state, page) -> list of JobRow (+ "position"
    for waiting, which lists expired locks first as a pop would, and of each fair
    group only its head; recurring gives RecurringRow); total = the state's count
    (for waiting, less the grouped jobs behind their heads)
groups.groups(inst, queue, page) -> list of Group {"group", "position" (1: served
    next), "waiting", "weight", "turn_at", "parked_jid": str|null}; total exact
groups.group_jobs(inst, settings, queue, group, page) -> list of JobRow (+ "position"
    in the group's hand-out order); total null, has_more exact
queues.queue_row(inst, count_object_or_snapshot_entry, with_stats=True) -> Queue
queues.latency_cached(inst, name) -> float|None
stats.stats_day(inst, name, day: "YYYY-MM-DD"|None) -> StatsDay + {"queue"} (UTC day)
stats.history(inst, name, days: 7|30|90, fresh=False) -> {"queue", "days", "items":
    [StatsDay whose wait/run hold only count, mean_s, std_s], oldest first}
jobs.job_view(inst, settings, jid) -> Job | Recurring; 404 when neither exists
jobs.jobs_multi(inst, settings, jids: list[str]) -> {"items": [JobRow], "missing": [jid]}
    (1..500 jids, else 400 naming `jid`)
jobs.job_data(inst, settings, jid, reveal=False) -> {"jid", "revealed", "data",
    "data_is_json", "data_truncated": false, "data_size", "redacted_paths"}
    (reveal: nothing masked; the caller checks admin and audits)
jobs.job_graph(inst, jid, depth=1..3) -> {"root", "depth", "nodes": [{"jid","klass",
    "state","queue","depth"}], "edges": [{"from": dependency, "to": dependent}],
    "missing": [jid], "truncated": bool (hit 200 nodes)}
failed.groups(inst, settings, *, sort="count", q="", page=None) -> list of
    {"group","count","queue": str|null (failed-retries-<queue>, else the queue the
     newest and oldest jobs both failed in), "queues": [the sampled jobs' queues],
     "newest": JobRow|null,
     "oldest": JobRow|null} + {"total_failed", "group_count"}; sort: count|name|newest
failed.group_counts(inst) -> {group: count}
failed.group_jobs(inst, settings, group, page) -> list of JobRow, newest failure first
failed.clusters(inst, settings, group, limit) -> {"group", "total", "examined",
    "limit", "capped", "clusters": [{"message_line", "count", "jids"}]}
tracked.tracked(inst, settings, state="all"|tab, page, cap=10_000) -> list of
    JobRow|expired row + {"state", "counts": {"all","waiting","running","scheduled",
    "stalled","depends","throttled","failed","complete","expired"}, "counted",
    "capped" (counts cover only the newest `cap` tracked jids), "cap"}
tracked.tracked_states(inst, cap) -> ([(jid, tab)], total, capped)
completed.completed(inst, settings, page) -> list of JobRow (+ "total_s"; "queue" is
    the last put's queue) + {"retention": {"jobs-history", "jobs-history-count"}}
recurring.recurring(inst, settings, *, queue="", q="", sort="next_run", page,
    fresh=False) -> list of RecurringRow + {"capped", "examined"}
    (queue and q are substrings of queue and class; sort: next_run|queue|interval)
workers.workers(inst, settings, page=None) -> list of Worker + {"counts":
    {"active","quiet","stale"}, "stale_holding": [name], "max_worker_age_s",
    "active_within_s", "quiet_within_s"}
workers.worker_detail(inst, settings, name, page) -> {"worker": Worker,
    "running": list of JobRow, "stalled": list of JobRow}; 404 for unknown workers
throttles.throttles(inst, page=None, *, cap=10_000, fresh=False) -> list of Throttle
    (queue throttles first) + {"scanned_keys", "capped", "scan_cap"}
throttles.throttle_detail(inst, settings, tid, list_name: "locks"|"pending", page)
    -> {"throttle": Throttle, "list", "jobs": list of JobRow|expired row}
throttles.throttle_info(inst, tid) -> Throttle
tags.top_tags(inst, page) -> list of {"tag", "count"} (total null; has_more exact)
tags.tag_jobs(inst, settings, tag, page) -> list of JobRow (total from the core) +
    {"tag", "missing"}
config.config(inst) -> {"options": [{"key","value","default"|null,
    "source": "set"|"default","description"|null}], "queues": {queue: [same +
    "option"]}, "defaults": {key: value}}
patterns.patterns(inst) -> {"identifiers": {name: [pattern]}, "priorities":
    [{"pattern": [..], "fair": bool}], "preview": <preview>}
patterns.preview(inst, identifiers|None, priorities|None) -> {"identifiers":
    {name: [queue]}, "order": [queue], "queues": [known names]}
patterns.parse_identifiers(json_text|None), patterns.parse_priorities(json_text|None)
summary.summary(state, inst, user=None) -> {"at", "health": {"reachable","server",
    "version","used_memory","maxmemory","eviction_policy","eviction_warning","core",
    "read_only","auth_mode" (admins only, else null)}, "totals": {counts...,
    "failed","failed_groups","tracked","workers": {active,quiet,stale},"completed",
    "queues","paused"}, "warnings": [{"kind": stalled|not_draining|stale_workers|
    group_grew|tracked_expired, "message", "path", "targets"?, "count"?}],
    "throughput": relay.throughput(...), "top_queues": [Queue], "top_groups":
    [failed.groups items, top 5]}
info.info(state, inst, user) -> {"versions": {"ui", "core": {"sha","library"}},
    "instance": {"name","names"}, "redis": {...INFO highlights, "eviction_warning",
    "persistence": {...}}, "settings": {...}, "user": {"name","role","via"},
    "permissions": {"view","operate","admin","reveal","bulk_limit"},
    "housekeeping_writes": true}

Also
----
reqless.ui.reads.search.search(inst, settings, q, cursor=None) -> one of
    {"kind": "redirect", "path", "target": {"kind": job|recurring|tag|queue, ...}}
    {"kind": "queues"|"workers"|"groups", "items": [{"name"|"group", "path", ...}]}
    {"kind": "jobs", "mode": "scan"|"jid_prefix", "items": [JobRow], "matches",
     "examined", "scope_total", "capped", "next_cursor", "scope", ...}
reqless.ui.reads.search.select_jids(inst, settings, query, cap) -> (jids[:cap], matched)
    (matched is cap + 1 when more than cap match)
reqless.ui.reads.redact.redact(value, keys) -> (masked copy, [paths]);
reqless.ui.reads.redact.redact_text(text, keys) -> (text, changed)
"""

from __future__ import annotations
