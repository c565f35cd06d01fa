"""Every default of the client library, in one place."""

from __future__ import annotations

#: Where `Client()` connects when no URL is given.
REDIS_URL = "redis://localhost:6379"
#: Retry budget of a job put without an explicit `retries`.
RETRIES = 5
#: Priority of a job put without an explicit `priority`.
PRIORITY = 0
#: Page size of the listing methods.
PAGE_SIZE = 25

#: Jobs per core call of `Queue.put_many` (each call is atomic).
PUT_MANY_CHUNK = 500
#: Largest encoded job data (bytes) a client sends; `Client(max_data_bytes=...)`.
#: Far below the server's `proto-max-bulk-len` (512 MB), past which it drops the connection.
MAX_DATA_BYTES = 64 * 1024 * 1024
#: Seconds an acknowledged write waits for its replicas or disks (`Durability.timeout`,
#: the worker's `--ack-timeout`) before DurabilityError.
ACK_TIMEOUT = 1.0
#: Missed intervals a recurring job made by `Queue.recur` catches up at most after a
#: time with no pops; 0 (the default, the core's and reqless 0.13's) makes one job for
#: every missed interval, as the README's "5 jobs got popped" example shows.
#: `backlog=1` spawns only the latest missed run.
RECUR_BACKLOG = 0
#: How many failed jobs `Client.unfail` moves by default.
UNFAIL_COUNT = 500
#: How many tags `Client.tags` returns by default.
TAGS_COUNT = 100
#: Lock length (seconds) the core uses when `heartbeat` is not configured.
HEARTBEAT = 60
#: Seconds to wait for a TCP connection before giving up (then retried).
CONNECT_TIMEOUT = 5.0
#: Oldest server major version the core script supports.
MIN_SERVER_VERSION = (7, 0)
#: Channels of the tracked-job events, without the `ql:` prefix.
TRACKED_EVENTS = ("canceled", "completed", "failed", "popped", "put", "stalled", "track", "untrack")
#: Seconds a pubsub listener waits for a message before checking whether it was stopped.
LISTENER_POLL_INTERVAL = 0.05
#: How long (milliseconds) the dynamic queue resolvers cache the stored queue patterns.
QUEUE_PATTERNS_REFRESH_MILLISECONDS = 300_000
#: Seconds a worker sleeps after a pass over its queues found no work.
WORKER_INTERVAL = 1.0
#: Seconds a stopping worker lets running jobs finish before stopping them.
SHUTDOWN_TIMEOUT = 30.0
#: Seconds a job interrupted for its time limit (or a shutdown) has to stop before
#: the process running it is killed (`reqless-py-worker --kill-grace`).
KILL_GRACE = 5.0
#: A running job is heartbeated when less than this share of its lock is left.
HEARTBEAT_SHARE = 0.5
#: Seconds a client keeps retrying a call the server did not answer (a restart, a blip).
RETRY_WINDOW = 10.0
#: First pause (seconds) between such retries; it doubles up to `RETRY_BACKOFF_CAP`.
RETRY_BACKOFF_BASE = 0.05
#: Longest pause (seconds) between such retries.
RETRY_BACKOFF_CAP = 1.0
#: Seconds between a worker's checks of its running jobs, children and stop
#: requests (signals only set flags; these checks act on them).
WORKER_CHECK_INTERVAL = 0.2
#: Longest pause (seconds) before restarting a worker child that keeps failing at start-up.
WORKER_RESTART_BACKOFF_CAP = 30.0
#: Seconds between a worker program's sweeps for expired locks in every queue
#: (see `reqless.workers.reaper`).
REAPER_INTERVAL = 2.0
#: Seconds past its lock's expiry (and the grace period) after which a sweep
#: takes back a job that no pop has reclaimed.
REAPER_MARGIN = 3.0
#: Most connections an `AsyncClient` opens at once; more concurrent calls wait for one.
ASYNC_MAX_CONNECTIONS = 100
