"""Names an operator types (queues, failure groups, tags): unknown ones, and the close
matches a typo most likely meant (`emial` for `email`)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from reqless.cli.admin.connection import CommandError, warn
from reqless.client import Client

__all__ = ["did_you_mean", "not_found", "unknown_queues", "warn_unknown_queues"]


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'a' or 'b'?)` naming the close matches of `name`, or ``."""
    close = difflib.get_close_matches(name, list(known), n=3)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(match) for match in close)}?)"


def not_found(what: str, name: str, known: Iterable[str]) -> CommandError:
    """The error (exit status 1) for a name nothing on the server carries."""
    return CommandError(f"no {what} {name!r}{did_you_mean(name, known)}")


def unknown_queues(client: Client, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """The queues among `names` the server does not know, and every known queue.

    A queue is known while it is listed (a job was put into it and it was not
    forgotten) or holds jobs.
    """
    known = client.queues.names
    listed = set(known)
    unknown = [name for name in names if name not in listed and not len(client.queues[name])]
    return unknown, known


def warn_unknown_queues(client: Client, names: Iterable[str]) -> None:
    """Warn, with the close matches, about each queue of `names` the server does not know.

    For commands that act on a queue before it has jobs (pausing one, say), where
    a typo would otherwise pass silently.
    """
    unknown, known = unknown_queues(client, names)
    for name in unknown:
        warn(f"no queue {name!r} is known yet{did_you_mean(name, known)}")
