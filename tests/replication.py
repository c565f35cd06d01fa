"""A primary and its replica, started by the tests of durable acknowledgement.

`start_pair(kind)` starts a primary and a replica of it (`--replicaof`) on free
ports and waits until the replica is in sync; `fresh(pair)` flushes both between
tests and resets the primary's command counters, which `calls` reads.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from redis import Redis

from reqless.core import CoreRunner
from reqless.server import LocalServer, ServerKind, find_server_binary, start_server

__all__ = ["Pair", "calls", "fresh", "paused", "start_pair", "synced"]


@dataclass
class Pair:
    """A primary and one replica of it."""

    primary: LocalServer
    replica: LocalServer

    def stop(self) -> None:
        """Stop both servers (the replica first)."""
        self.replica.stop()
        self.primary.stop()


def start_pair(kind: ServerKind, options: tuple[str, ...] = ()) -> Pair:
    """A primary and a replica of `kind` (skipped when not installed), both given
    the server `options` (`"--appendonly", "yes"`), the replica in sync."""
    if find_server_binary(kind) is None:
        pytest.skip(f"{kind}-server is not installed")
    primary = start_server(kind, options=options)
    try:
        replica = start_server(
            kind, options=(*options, "--replicaof", "127.0.0.1", str(primary.port))
        )
    except BaseException:
        primary.stop()
        raise
    pair = Pair(primary, replica)
    synced(pair)
    return pair


def synced(pair: Pair, timeout: float = 10.0) -> None:
    """Wait until the replica is linked and has every write of the primary."""
    deadline = time.monotonic() + timeout
    with pair.primary.client() as primary, pair.replica.client() as replica:
        while True:
            link = replica.info("replication")
            offset = primary.info("replication")["master_repl_offset"]
            if (
                link.get("master_link_status") == "up"
                and link.get("slave_repl_offset", -1) >= offset
            ):
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the replica did not catch up: {link}")
            time.sleep(0.02)


def fresh(pair: Pair) -> None:
    """Empty both servers (FLUSHALL replicates), load the core, and reset the
    primary's command counters."""
    with pair.primary.client() as primary:
        primary.flushall()
        CoreRunner(primary).load()
        primary.config_resetstat()
    synced(pair)


def calls(redis: Redis, command: str) -> int:
    """How many times the server ran `command` since its counters were reset."""
    stats = redis.info("commandstats").get(f"cmdstat_{command.lower()}")
    return int(stats["calls"]) if stats else 0


@contextlib.contextmanager
def paused(server: LocalServer) -> Iterator[None]:
    """Stop the server's process (SIGSTOP) for the block: a replica that stays
    connected but acknowledges nothing."""
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
