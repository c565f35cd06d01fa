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
#: How many failed jobs `Client.unfail` moves by default.
UNFAIL_COUNT = 500
#: How many tags `Client.tags` returns by default.
TAGS_COUNT = 100
#: Lock length (seconds) the core uses when `heartbeat` is not configured.
HEARTBEAT = 60
#: Attempts for a command that hit a connection error (server restart, network blip).
CONNECTION_RETRIES = 3
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
#: A running job is heartbeated when less than this share of its lock is left.
HEARTBEAT_SHARE = 0.5
