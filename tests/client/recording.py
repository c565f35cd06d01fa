"""A real Client that also records the commands it sends, for argument-order checks."""

from __future__ import annotations

from typing import Any

from reqless.client import Client
from reqless.core import Arg

__all__ = ["RecordingClient"]


class RecordingClient(Client):
    """Sends every command to the server as usual, and remembers it in `calls`."""

    def __init__(self, url: str, hostname: str | None = None, **kwargs: Any) -> None:
        super().__init__(url, hostname, **kwargs)
        self.calls: list[tuple[Arg, ...]] = []

    def __call__(
        self, command: str, *args: Arg, repeatable: bool = False, acknowledged: bool = False
    ) -> Any:
        self.calls.append((command, *args))
        return super().__call__(command, *args, repeatable=repeatable, acknowledged=acknowledged)

    def last(self, command: str) -> tuple[Arg, ...]:
        """The arguments (after the command name) of the latest call of `command`."""
        for call in reversed(self.calls):
            if call[0] == command:
                return call[1:]
        raise AssertionError(f"{command} was not called; calls: {self.calls}")
