"""Exceptions raised by reqless: one root, a shallow tree."""

from __future__ import annotations

__all__ = ["LostLockError", "ReqlessError"]


class ReqlessError(Exception):
    """Root of every error reqless raises on purpose.

    Errors raised by the core script (`reqless.core.CoreError`) read as the core's
    documented message, so callers can match on it; the server's full text, with
    the script digest and line it appends, is kept in the error's `raw` attribute.
    A bad argument is refused with a ReqlessError naming it, before anything is sent.
    """


class LostLockError(ReqlessError):
    """The worker no longer holds the job it tried to act on.

    Raised when the server refuses a heartbeat, complete, fail or retry because
    the job was moved, cancelled, completed, or handed to another worker after
    its lock expired, or because another client, which never held it, asked.
    `args` is `(jid,)`; `reason` keeps the core's message.
    """

    def __init__(self, jid: str, reason: str | None = None) -> None:
        super().__init__(jid)
        self.jid = jid
        self.reason = reason

    def __str__(self) -> str:
        if self.reason:
            return f"lost the lock on job {self.jid}: {self.reason}"
        return f"lost the lock on job {self.jid}"
