"""Exceptions raised by reqless: one root, a shallow tree."""

from __future__ import annotations

__all__ = ["LostLockError", "ReqlessError"]


class ReqlessError(Exception):
    """Root of every error reqless raises on purpose.

    Errors raised by the core script keep the server's message text unchanged,
    so callers can match on the core's documented messages.
    """


class LostLockError(ReqlessError):
    """The worker no longer holds the job it tried to act on.

    Raised by heartbeats the server refuses; its single argument is the jid.
    """
