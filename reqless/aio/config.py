"""The server's configuration, for the asyncio client (`client.config`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from reqless._calls import config as calls

if TYPE_CHECKING:
    from reqless.aio.client import AsyncClient

__all__ = ["AsyncConfig"]


class AsyncConfig:
    """The server's global configuration, read fresh on every call.

    The asyncio twin of `reqless.Config`, with methods in place of the mapping
    protocol: `await config.get(option)` decodes the value (JSON, else text;
    None when unset), `await config.all()` lists raw strings, defaults included.
    Values are checked before anything is sent, by the same code as the sync client.
    """

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<reqless.aio.AsyncConfig of {self._client!r}>"

    async def all(self) -> dict[str, str]:
        """Every option: server defaults overlaid with the values set, all as strings."""
        return await self._client._run(calls.get_all())

    async def get(self, option: str, default: Any = None) -> Any:
        """The decoded value of `option`, or `default` when it is None."""
        value = await self._client._run(calls.get(option))
        return default if value is None else value

    async def set(self, option: str, value: str | int | float) -> None:
        """Store `value` (a string or a finite number) as the text of `option`."""
        await self._client._run(calls.set(option, value))

    async def unset(self, option: str) -> None:
        """Unset `option` (`del config[option]`): defaulted ones revert to the default."""
        await self._client._run(calls.unset(option))

    async def has(self, option: str) -> bool:
        """Whether `option` is listed (`option in config`)."""
        return option in await self.all()

    async def pop(self, option: str, default: Any = None) -> Any:
        """Read `option` (as `get` does), then unset it."""
        value = await self.get(option, default)
        await self.unset(option)
        return value

    async def setdefault(self, option: str, default: Any = None) -> Any:
        """The decoded value of `option`; when it is None, store `default` and return it."""
        value = await self.get(option)
        if value is None and default is not None:
            await self.set(option, default)
            return default
        return value

    async def update(
        self, other: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), /, **kwargs: Any
    ) -> None:
        """Set several options (`kwargs` first, `other` wins); all are checked first."""
        for call in calls.set_many(other, kwargs):
            await self._client._run(call)

    async def clear(self) -> None:
        """Unset every option, which restores the server defaults."""
        for option in await self.all():
            await self._client._run(calls.unset(option))
