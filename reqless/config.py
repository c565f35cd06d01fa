"""The server's configuration as a mutable mapping (`client.config`)."""

from __future__ import annotations

from collections.abc import (
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    ValuesView,
)
from typing import TYPE_CHECKING, Any

from reqless._calls import config as calls

if TYPE_CHECKING:
    from reqless.client import Client

__all__ = ["Config"]


class Config(MutableMapping[str, Any]):
    """The server's global configuration (`client.config`), read fresh on every access.

    Reading an option JSON-decodes it (`"60"` gives 60; free text stays text) and gives
    None for an option that is neither set nor has a server default. Listing
    (`all`, `keys()`, `values()`, `items()`, iteration) shows the raw strings, server
    defaults included. Values are written as text; deleting an option restores its
    default, so options with a default never disappear: use `clear()` rather than a
    `popitem()` loop to reset everything.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<reqless.Config of {self._client!r}>"

    @property
    def all(self) -> dict[str, str]:
        """Every option: server defaults overlaid with the values set, all as strings."""
        return self._client._run(calls.get_all())

    def __getitem__(self, option: str) -> Any:
        """The decoded value of `option`, or None when it is unset and has no default."""
        return self._client._run(calls.get(option))

    def __setitem__(self, option: str, value: str | int | float) -> None:
        """Store `value` (a string or a finite number) as the text of `option`."""
        self._client._run(calls.set(option, value))

    def __delitem__(self, option: str) -> None:
        """Unset `option`; absent options are fine, defaulted ones revert to the default."""
        self._client._run(calls.unset(option))

    def __contains__(self, option: object) -> bool:
        return option in self.all

    def __iter__(self) -> Iterator[str]:
        return iter(self.all)

    def __len__(self) -> int:
        return len(self.all)

    def keys(self) -> KeysView[str]:
        """The option names of a freshly fetched `all`."""
        return self.all.keys()

    def values(self) -> ValuesView[Any]:
        """The raw (string) values of a freshly fetched `all`."""
        return self.all.values()

    def items(self) -> ItemsView[str, Any]:
        """The (option, raw string value) pairs of a freshly fetched `all`."""
        return self.all.items()

    def get(self, option: str, default: Any = None) -> Any:
        """The decoded value of `option`, or `default` when it is None.

        Unlike the original, a falsy default such as 0 is honoured too.
        """
        value = self[option]
        return default if value is None else value

    def pop(self, option: str, default: Any = None) -> Any:
        """Read `option` (as `get` does), then unset it."""
        value = self.get(option, default)
        del self[option]
        return value

    def setdefault(self, option: str, default: Any = None) -> Any:
        """The decoded value of `option`; when it is None, store `default` and return it."""
        value = self[option]
        if value is None and default is not None:
            self[option] = default
            return default
        return value

    def update(  # type: ignore[override]
        self, other: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), /, **kwargs: Any
    ) -> None:
        """Set several options: `kwargs` first, then `other` (which wins on collisions).

        Every option and value is checked before the first one is written.
        """
        for call in calls.set_many(other, kwargs):
            self._client._run(call)

    def clear(self) -> None:
        """Unset every option, which restores the server defaults."""
        for option in self.all:
            self._client._run(calls.unset(option))
