"""Durable acknowledgement: what a client waits for after the writes that matter.

`Client(url, durability=Durability(replicas=1))` makes `put`, `put_many`,
`complete`, `fail` and `retry` return only once the server reports the write on
that many replicas (`WAIT`), or on disk (`WAITAOF`), and raise `DurabilityError`
when that report does not come within `timeout`: the write was applied on the
primary all the same. What each setting guarantees across a crash and a
failover is in docs/scale-out.md ("Durable acknowledgement").
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Any

from reqless import defaults
from reqless.exceptions import ArgumentError, DurabilityError

__all__ = ["Durability", "DurabilityError", "checked_durability", "waitaof_problem"]

#: The oldest Redis with WAITAOF (Valkey has it in every version reqless runs on).
WAITAOF_REDIS = (7, 2)


@dataclass(frozen=True, slots=True)
class Durability:
    """What an acknowledged write waits for before the call returns.

    Args:
        replicas: replicas that must have received the write (`WAIT replicas`).
        local_disk: the primary must have written it to its append-only file
            and fsynced it (`WAITAOF 1 0`; needs `appendonly yes`).
        replica_disk: replicas that must have fsynced it to their append-only
            file (`WAITAOF .. replica_disk`).
        timeout: seconds each wait may take before `DurabilityError` (> 0).

    `local_disk` and `replica_disk` need Redis 7.2+ or Valkey. At least one of
    `replicas`, `local_disk` and `replica_disk` must be asked for.
    """

    replicas: int = 0
    local_disk: bool = False
    replica_disk: int = 0
    timeout: float = defaults.ACK_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("replicas", "replica_disk"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ArgumentError(
                    f"Durability: {name} must be a non-negative integer, not {value!r}"
                )
        if not isinstance(self.local_disk, bool):
            raise ArgumentError(
                f"Durability: local_disk must be True or False, not {self.local_disk!r}"
            )
        timeout = self.timeout
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, numbers.Real)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ArgumentError(
                f"Durability: timeout must be a number of seconds > 0, not {timeout!r}"
            )
        if not (self.replicas or self.local_disk or self.replica_disk):
            raise ArgumentError(
                "Durability: nothing to wait for: set replicas, local_disk or replica_disk"
            )

    @property
    def uses_waitaof(self) -> bool:
        """Whether a disk is asked for (WAITAOF, Redis 7.2+ or Valkey)."""
        return self.local_disk or self.replica_disk > 0

    @property
    def timeout_ms(self) -> int:
        """`timeout` as the servers take it: whole milliseconds, at least 1 (0 is forever)."""
        return max(1, math.ceil(self.timeout * 1000))

    @property
    def longest_wait(self) -> float:
        """Seconds an acknowledged write may wait at most: `timeout` per wait sent."""
        return float(self.timeout) * len(self.wait_commands())

    def wait_commands(self) -> list[tuple[str | int, ...]]:
        """The commands sent right after an acknowledged write, on its connection.

        WAIT is left out when `replica_disk` already covers `replicas`: a replica
        that fsynced the write has received it.
        """
        commands: list[tuple[str | int, ...]] = []
        if self.replicas > self.replica_disk:
            commands.append(("WAIT", self.replicas, self.timeout_ms))
        if self.uses_waitaof:
            commands.append(("WAITAOF", int(self.local_disk), self.replica_disk, self.timeout_ms))
        return commands

    def check(self, command: str, reply: Any, waits: list[Any]) -> None:
        """Raise DurabilityError unless the replies `waits` of `wait_commands()` meet
        this durability; `reply` is the write's own reply, carried by the error."""
        got: dict[str, int] = {}
        short: list[str] = []
        for sent, answer in zip(self.wait_commands(), waits, strict=True):
            if isinstance(answer, Exception):
                raise DurabilityError(
                    f"{command} was applied on the primary but the server refused {sent[0]}: "
                    f"{answer}",
                    command=command, reply=reply, acknowledged=got,
                )  # fmt: skip
            if sent[0] == "WAIT":
                got["replicas"] = int(answer)
                if got["replicas"] < self.replicas:
                    short.append(
                        f"only {got['replicas']} of {self.replicas} replicas acknowledged it"
                    )
                continue
            got["local_disk"], got["replica_disk"] = int(answer[0]), int(answer[1])
            if got["local_disk"] < int(self.local_disk):
                short.append("it was not on the local disk")
            if got["replica_disk"] < self.replica_disk:
                short.append(
                    f"only {got['replica_disk']} of {self.replica_disk} replicas had it on disk"
                )
        if short:
            raise DurabilityError(
                f"{command} was applied on the primary but {' and '.join(short)} "
                f"within {float(self.timeout)} s",
                command=command, reply=reply, acknowledged=got,
            )  # fmt: skip

    def describe(self) -> str:
        """What is waited for, in words (for logs)."""
        parts = []
        if self.replicas:
            parts.append(f"{self.replicas} replica(s)")
        if self.local_disk:
            parts.append("the local disk")
        if self.replica_disk:
            parts.append(f"{self.replica_disk} replica disk(s)")
        return f"{', '.join(parts)} within {float(self.timeout)} s"


def waitaof_problem(durability: Durability, info: dict[str, Any]) -> str | None:
    """Why the server of `info` (INFO server and persistence) cannot give `durability`,
    or None. Checked before the first acknowledged write, so nothing is written."""
    if not durability.uses_waitaof:
        return None
    if "valkey_version" not in info:
        text = str(info.get("redis_version", "0"))
        version = tuple(int(part) for part in re.findall(r"\d+", text)[:2])
        if version < WAITAOF_REDIS:
            return (
                f"WAITAOF needs Redis 7.2+ or Valkey; this server is Redis {text}: use "
                "replicas= only (local_disk and replica_disk need WAITAOF)"
            )
    if durability.local_disk and str(info.get("aof_enabled", "0")) != "1":
        return (
            "local_disk needs the server to write an append-only file (appendonly yes); "
            "this server has appendonly no"
        )
    return None


def checked_durability(value: object) -> Durability | None:
    """A client's `durability` argument: a Durability or None (ArgumentError otherwise)."""
    if value is None or isinstance(value, Durability):
        return value
    raise ArgumentError(
        f"durability must be a reqless.durability.Durability or None, not {value!r}"
    )
