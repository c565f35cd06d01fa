# GENERATED from reqless/aio/throttle.py by scripts/unasync: edit that file, then run it.
"""A throttle: a cap on how many jobs naming it may run at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reqless._calls import server as calls

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["Throttle"]


class Throttle:
    """A named throttle (`client.throttles[name]`); creating one makes no server call.

    A maximum of 0 means unlimited, which is also what a throttle that was never
    set reports. A queue's own throttle is named `ql:q:<queue>`.
    """

    def __init__(self, client: Client, name: str) -> None:
        self.client = client
        self._name = name

    def __repr__(self) -> str:
        return f"<reqless.Throttle {self._name!r}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Throttle):
            return self._name == other._name and self.client is other.client
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._name)

    @property
    def name(self) -> str:
        """The throttle's id."""
        return self._name

    def _info(self) -> dict[str, Any]:
        return self.client._run(calls.throttle_get(self._name))

    def maximum(self) -> int:
        """How many jobs may hold the throttle at once (0: unlimited or never set)."""
        info = self._info()
        return int(info.get("maximum", 0))

    def ttl(self) -> int:
        """Seconds until the throttle expires: -1 when it never does, -2 when it does not exist."""
        info = self._info()
        return int(info.get("ttl", -2))

    def set_maximum(self, maximum: int | None = None, expiration: float | None = None) -> None:
        """Set the maximum (default: keep the current one) and, when given, an expiry.

        Args:
            maximum: a non-negative integer; 0 means unlimited.
            expiration: seconds until the throttle's definition is deleted. None or 0
                sets no expiry (an expiry set earlier keeps running).
        """
        if maximum is None:
            maximum = self.maximum()
        self.client._run(calls.throttle_set(self._name, maximum, expiration))

    def locks(self) -> list[str]:
        """Jids holding a slot, ordered by jid."""
        return self.client._run(calls.throttle_ids(self._name, "locks"))

    def pending(self) -> list[str]:
        """Jids waiting for a slot, longest waiting first."""
        return self.client._run(calls.throttle_ids(self._name, "pending"))

    def delete(self) -> None:
        """Delete the definition (it becomes unlimited); holders and waiters are kept."""
        self.client._run(calls.throttle_delete(self._name))

    def release(self, *jids: str) -> None:
        """Release jobs from this throttle only, in order (extension: `throttle.release`).

        A holder gives up its slot and the longest waiting jobs go back to work; a
        waiter stops waiting. Nothing else about the jobs changes.
        """
        self.client._run(calls.throttle_release(self._name, jids))
