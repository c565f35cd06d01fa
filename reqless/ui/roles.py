"""Who is asking: the user of a request and what their role allows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = ["Role", "User"]


class Role(IntEnum):
    """Roles in increasing power; a role may do everything of the roles below it."""

    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @classmethod
    def parse(cls, text: str) -> Role:
        """`"viewer"`, `"operator"` or `"admin"` (any case) to a Role; ValueError otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown role {text!r} (expected viewer, operator or admin)"
            ) from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class User:
    """The authenticated user of one request.

    `via` says how they were recognised: "none" (no authentication configured),
    "basic", "token", "proxy" or "hook".
    """

    name: str
    role: Role
    via: str = "none"

    def may(self, role: Role) -> bool:
        return self.role >= role
