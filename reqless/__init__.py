"""reqless: a job queue for Redis and Valkey whose core is one atomic Lua script."""

from reqless.exceptions import LostLockError, ReqlessError

__all__ = ["LostLockError", "ReqlessError"]
