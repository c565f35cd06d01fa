"""The UI's settings: the options of `reqless ui`, as one typed object.

`reqless ui` builds it from its command line and environment (reqless/cli/ui.py);
an application that mounts the UI builds it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reqless.ui.roles import Role

__all__ = ["DEFAULT_REDACT_KEYS", "BasicUser", "BearerToken", "UISettings"]

DEFAULT_REDACT_KEYS: tuple[str, ...] = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
)


@dataclass(frozen=True)
class BasicUser:
    """One HTTP Basic user (`--basic-auth USER:PASSWORD[:ROLE]`)."""

    name: str
    password: str
    role: Role = Role.ADMIN


@dataclass(frozen=True)
class BearerToken:
    """One API token (`--token-file`, lines `token:role:label`)."""

    token: str
    role: Role
    label: str


@dataclass(frozen=True)
class UISettings:
    """Everything the UI can be told. Defaults are those of `reqless ui`."""

    host: str = "127.0.0.1"
    port: int = 9393
    root_path: str = ""
    read_only: bool = False
    basic_users: tuple[BasicUser, ...] = ()
    tokens: tuple[BearerToken, ...] = ()
    trusted_user_header: str | None = None
    trusted_proxies: tuple[str, ...] = ()  # CIDR strings
    insecure_no_auth: bool = False
    #: Host names accepted in the Host header besides localhost and loopback
    #: addresses (DNS-rebinding guard in the no-auth mode).
    allowed_hosts: tuple[str, ...] = ()
    #: The UI's external origin (e.g. "https://ops.example.com") when behind a proxy.
    external_url: str | None = None
    refresh_floor: float = 2.0
    operator_bulk_limit: int = 1_000
    admin_bulk_limit: int = 100_000
    scan_limit: int = 10_000
    redact_keys: tuple[str, ...] = DEFAULT_REDACT_KEYS
    environment_label: str | None = None
    environment_color: str | None = None
    metrics: bool = False
    metrics_auth: bool = False
    audit_redis: bool = False
    #: Extra frame-ancestors sources for the CSP when the UI is embedded.
    frame_ancestors: tuple[str, ...] = ()
    max_streams: int = 200
    #: Latency above which a queue with waiting jobs "is not draining".
    backlog_threshold_s: float = 300.0
    #: Worker status thresholds: active within, quiet within.
    worker_active_s: float = 60.0
    worker_quiet_s: float = 600.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def auth_configured(self) -> bool:
        return bool(self.basic_users or self.tokens or self.trusted_user_header)

    @property
    def auth_mode(self) -> str:
        """A short label for the startup line and the About page."""
        modes = []
        if self.basic_users:
            modes.append("basic")
        if self.tokens:
            modes.append("token")
        if self.trusted_user_header:
            modes.append("proxy header")
        return ", ".join(modes) if modes else "none"

    def bulk_limit(self, role: Role) -> int:
        """The largest bulk action this role may run in one request (docs/ui.md, Actions)."""
        if role >= Role.ADMIN:
            return self.admin_bulk_limit
        if role >= Role.OPERATOR:
            return self.operator_bulk_limit
        return 0
