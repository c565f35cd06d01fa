"""What one UI process holds: its settings, its Redis instances and shared caches."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from reqless.client import Client
from reqless.ui.cache import TTLCache
from reqless.ui.roles import Role
from reqless.ui.settings import UISettings

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["INSTANCE_NAME", "Authorize", "Instance", "UIState", "redacted_url"]

INSTANCE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

#: The `authorize` hook of `create_app`: maps a request to a role, or None for 403.
Authorize = Callable[["Request"], "Role | None"]


def redacted_url(url: str) -> str:
    """A Redis URL with any password replaced by `****` (for pages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{user}:****@{host}" if user else f":****@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass
class Instance:
    """One Redis instance the UI shows, with its own caches."""

    name: str
    client: Client
    cache: TTLCache = field(default_factory=TTLCache)

    @property
    def url(self) -> str:
        """The redacted URL of the instance."""
        if self.client.address.kind != "single":  # a cluster or Sentinel URL
            return self.client.address.shown
        kwargs = self.client.database.connection_pool.connection_kwargs
        if "path" in kwargs:
            return f"unix://{kwargs['path']}"
        host = kwargs.get("host", "?")
        port = kwargs.get("port", "?")
        db = kwargs.get("db", 0)
        auth = ":****@" if kwargs.get("password") else ""
        return f"redis://{auth}{host}:{port}/{db}"


@dataclass
class UIState:
    """Held on `app.state.ui`; one per app."""

    settings: UISettings
    instances: dict[str, Instance]
    authorize: Authorize | None = None
    #: Other parts (stream hub, operations, metrics, audit) hang their state here
    #: under their own key, created at app start-up.
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def multi(self) -> bool:
        """True when pages and API paths carry an `/i/{instance}` prefix (docs/ui.md, Several
        instances)."""
        return len(self.instances) > 1

    @property
    def default_instance(self) -> Instance:
        return next(iter(self.instances.values()))

    @classmethod
    def build(
        cls,
        clients: Client | Mapping[str, Client],
        settings: UISettings | None,
        authorize: Authorize | None,
    ) -> UIState:
        if isinstance(clients, Client):
            named: dict[str, Client] = {"default": clients}
        else:
            named = dict(clients)
        if not named:
            raise ValueError("create_app needs at least one client")
        for name in named:
            if not INSTANCE_NAME.match(name):
                raise ValueError(
                    f"instance name {name!r} must be 1-32 characters of A-Z a-z 0-9 _ -"
                )
        return cls(
            settings=settings or UISettings(),
            instances={name: Instance(name, client) for name, client in named.items()},
            authorize=authorize,
        )
