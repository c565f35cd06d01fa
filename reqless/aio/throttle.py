"""A throttle: a cap on how many jobs naming it may run at once, and on how many
may start in any window of time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reqless._calls import server as calls
from reqless.models import ThrottleInfo

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient

__all__ = ["AsyncThrottle"]


class AsyncThrottle:
    """A named throttle (`client.throttles[name]`); creating one makes no server call.

    A maximum of 0 means unlimited, which is also what a throttle that was never
    set reports. A queue's own throttle is named `ql:q:<queue>`. A rate window
    (`set_rate`) limits starts instead: at most `rate` jobs start in any `per`
    seconds. A throttle without a definition of its own takes the one of the
    longest matching template (`client.throttles.template`).
    """

    def __init__(self, client: AsyncClient, name: str) -> None:
        self.client = client
        self._name = name

    def __repr__(self) -> str:
        return f"<reqless.aio.AsyncThrottle {self._name!r}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AsyncThrottle):
            return self._name == other._name and self.client is other.client
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._name)

    @property
    def name(self) -> str:
        """The throttle's id."""
        return self._name

    async def _info(self) -> dict[str, Any]:
        return await self.client._run(calls.throttle_get(self._name))

    async def maximum(self) -> int:
        """How many jobs may hold the throttle at once (0: unlimited or never set)."""
        info = await self._info()
        return int(info.get("maximum", 0))

    async def ttl(self) -> int:
        """Seconds until the throttle expires: -1 when it never does, -2 when it does not exist."""
        info = await self._info()
        return int(info.get("ttl", -2))

    async def info(self) -> ThrottleInfo:
        """Everything the throttle is now, in one call: maximum, expiry, rate window
        and its use, and the template defining it."""
        return ThrottleInfo.from_payload(self._name, await self._info())

    async def rate(self) -> int | None:
        """How many jobs may start in any `per` seconds; None without a rate window."""
        return (await self.info()).rate

    async def per(self) -> float | None:
        """The rate window's length in seconds; None without a rate window."""
        return (await self.info()).per

    async def used(self) -> int | None:
        """Starts logged in the current window; None without a rate window."""
        return (await self.info()).used

    async def reopens(self) -> float | None:
        """When the full window next admits a start (epoch seconds); None unless full."""
        return (await self.info()).reopens

    async def template(self) -> str | None:
        """The pattern of the template that defines this throttle, or None."""
        return (await self.info()).template

    async def set_maximum(
        self, maximum: int | None = None, expiration: float | None = None
    ) -> None:
        """Set the maximum (default: keep the current one) and, when given, an expiry.

        Args:
            maximum: a non-negative integer; 0 means unlimited.
            expiration: seconds until the throttle's definition is deleted. None or 0
                sets no expiry (an expiry set earlier keeps running).
        """
        if maximum is None:
            maximum = await self.maximum()
        await self.client._run(calls.throttle_set(self._name, maximum, expiration))

    async def set(
        self,
        *,
        maximum: int | None = None,
        rate: int | None = None,
        per: float | None = None,
        expiration: float | None = None,
    ) -> None:
        """Set the maximum and the rate window together, in one atomic call.

        Args:
            maximum: a non-negative integer, 0 for no concurrency limit (default:
                keep the current one).
            rate: at most this many starts (1 to 1,000,000) in any `per` seconds;
                give both or neither. Neither keeps the current window.
            per: the window in seconds, above 0 and at most 31,622,400 (a year).
            expiration: as `set_maximum`.
        """
        calls.rate_window(rate, per)  # refused before the maximum is read
        if maximum is None:
            maximum = await self.maximum()
        await self.client._run(
            calls.throttle_set(self._name, maximum, expiration, rate=rate, per=per)
        )

    async def set_rate(self, rate: int, per: float) -> None:
        """Let at most `rate` jobs start in any `per` seconds; the maximum is kept."""
        await self.set(rate=rate, per=per)

    async def clear_rate(self) -> None:
        """Remove the rate window (the maximum stays); jobs held on it go back to work."""
        await self.client._run(calls.throttle_clear_rate(self._name))

    async def locks(self) -> list[str]:
        """Jids holding a slot, ordered by jid."""
        return await self.client._run(calls.throttle_ids(self._name, "locks"))

    async def pending(self) -> list[str]:
        """Jids waiting for a slot, longest waiting first."""
        return await self.client._run(calls.throttle_ids(self._name, "pending"))

    async def delete(self) -> None:
        """Delete the definition (it becomes unlimited); holders and waiters are kept."""
        await self.client._run(calls.throttle_delete(self._name))

    async def release(self, *jids: str) -> None:
        """Release jobs from this throttle only, in order (extension: `throttle.release`).

        A holder gives up its slot and the longest waiting jobs go back to work; a
        waiter stops waiting. Nothing else about the jobs changes.
        """
        await self.client._run(calls.throttle_release(self._name, jids))
