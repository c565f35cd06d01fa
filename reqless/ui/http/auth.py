"""Who is asking (docs/ui.md, Authentication modes): HTTP Basic, bearer tokens and the trusted proxy
header.

`Authenticator.authenticate` turns a request's headers into a `User`, or an
`ApiError` saying why not. The embedding hook (`authorize`) is handled by the
security middleware, because it replaces all of this.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from starlette.datastructures import Headers

from reqless.ui.errors import ApiError
from reqless.ui.roles import Role, User
from reqless.ui.settings import UISettings

__all__ = [
    "Authenticator",
    "Credentials",
    "FailedLogins",
    "Network",
    "is_loopback",
    "parse_ip",
    "parse_networks",
]

log = logging.getLogger("reqless.ui.security")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Failed logins allowed per client address within `WINDOW_S`, before 429 (docs/ui.md,
#: Authentication modes).
MAX_FAILURES = 10
WINDOW_S = 60.0
#: Addresses remembered at most; the oldest are forgotten first, so a flood of
#: spoofed addresses cannot grow the process without bound.
MAX_ADDRESSES = 10_000


def parse_networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    """CIDR strings (or single addresses) to networks; ValueError names a bad one."""
    networks = []
    for text in cidrs:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not an IP address or CIDR block") from None
    return tuple(networks)


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (brackets and zone ids allowed)."""
    name = host.strip().lower().strip("[]").split("%", 1)[0]
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse_ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address in `text` (brackets and zone ids allowed), or None."""
    if not text:
        return None
    try:
        return ipaddress.ip_address(text.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None


class FailedLogins:
    """Failed logins per client address over the last minute."""

    def __init__(self, limit: int = MAX_FAILURES, window_s: float = WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._seen.get(address)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._seen[address]
        return times

    def blocked(self, address: str, now: float | None = None) -> float:
        """Seconds until `address` may try again; 0 when it may now."""
        moment = time.monotonic() if now is None else now
        times = self._recent(address, moment)
        if len(times) < self.limit:
            return 0.0
        return max(times[0] + self.window_s - moment, 0.0)

    def record(self, address: str, now: float | None = None) -> None:
        """Count one failed login from `address`."""
        moment = time.monotonic() if now is None else now
        times = self._seen.pop(address, None) or deque()
        times.append(moment)
        # Only the newest `limit` matter to `blocked`.
        while len(times) > self.limit:
            times.popleft()
        self._seen[address] = times
        while len(self._seen) > MAX_ADDRESSES:
            self._seen.popitem(last=False)


@dataclass(frozen=True)
class Credentials:
    """What a request presented: its user, or the error to answer, and whether the
    attempt counts as a failed login (wrong secret, as opposed to no secret)."""

    user: User | None
    error: ApiError | None = None
    failed_login: bool = False


def _encode(text: str) -> bytes:
    return text.encode("utf-8")


class Authenticator:
    """The built-in authentication modes configured in `UISettings`."""

    def __init__(self, settings: UISettings) -> None:
        self.settings = settings
        self.proxies = parse_networks(settings.trusted_proxies)
        self.failures = FailedLogins()
        self._users = [(_encode(u.name), _encode(u.password), u) for u in settings.basic_users]
        self._tokens = [(_encode(t.token), t) for t in settings.tokens]

    @property
    def configured(self) -> bool:
        """True when any built-in mode (basic, token, proxy header) is set up."""
        return self.settings.auth_configured

    def trusted_peer(self, peer: str | None) -> bool:
        """True when the TCP peer is one of the trusted proxies."""
        address = parse_ip(peer)
        return address is not None and any(address in net for net in self.proxies)

    def client_address(self, peer: str | None, headers: Headers) -> str:
        """The address failed logins are counted against: the peer, or the client a
        trusted proxy names in `X-Forwarded-For`.

        The list is read from the right, skipping our own proxies: anything left of
        the first other address was written by the client and proves nothing.
        """
        address = peer or "unknown"
        if not self.trusted_peer(peer):
            return address
        forwarded = headers.get("x-forwarded-for", "")
        for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
            address = hop
            if not self.trusted_peer(hop):
                break
        return address

    def challenge(self) -> dict[str, str]:
        """The `WWW-Authenticate` header of a 401 (only Basic makes browsers ask)."""
        if self.settings.basic_users:
            return {"WWW-Authenticate": 'Basic realm="reqless", charset="UTF-8"'}
        if self.settings.tokens:
            return {"WWW-Authenticate": 'Bearer realm="reqless"'}
        return {}

    def unauthenticated(self, message: str = "authentication required") -> ApiError:
        """A 401 carrying the challenge of the configured modes."""
        return ApiError("unauthenticated", message, headers=self.challenge())

    def authenticate(self, peer: str | None, headers: Headers) -> Credentials:
        """The user these headers prove, in order: proxy header, then Authorization."""
        proxied = self._from_proxy(peer, headers)
        if proxied is not None:
            return proxied
        scheme, _, value = headers.get("authorization", "").strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "basic" and self.settings.basic_users:
            return self._basic(value.strip())
        if scheme == "bearer" and self.settings.tokens:
            return self._bearer(value.strip())
        return Credentials(None, self.unauthenticated())

    def _from_proxy(self, peer: str | None, headers: Headers) -> Credentials | None:
        name_header = self.settings.trusted_user_header
        if not name_header or not self.trusted_peer(peer):
            return None
        name = headers.get(name_header, "").strip()
        if not name:
            return None
        role_text = headers.get(f"{name_header}-Role", "").strip()
        try:
            role = Role.parse(role_text) if role_text else Role.VIEWER
        except ValueError as exc:
            return Credentials(None, ApiError("forbidden", f"{name_header}-Role: {exc}"))
        return Credentials(User(name, role, "proxy"))

    def _basic(self, value: str) -> Credentials:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return Credentials(None, self.unauthenticated("malformed Basic credentials"), True)
        name, colon, password = decoded.partition(":")
        if not colon:
            return Credentials(None, self.unauthenticated("malformed Basic credentials"), True)
        given_name, given_password = _encode(name), _encode(password)
        found = None
        # Compare with every user, never stopping early, so the time taken says
        # nothing about which names exist or how much of a password matched.
        for stored_name, stored_password, basic_user in self._users:
            name_ok = hmac.compare_digest(given_name, stored_name)
            password_ok = hmac.compare_digest(given_password, stored_password)
            if name_ok and password_ok and found is None:
                found = basic_user
        if found is None:
            return Credentials(None, self.unauthenticated("wrong user name or password"), True)
        return Credentials(User(found.name, found.role, "basic"))

    def _bearer(self, value: str) -> Credentials:
        given = _encode(value)
        found = None
        for stored, token in self._tokens:
            if hmac.compare_digest(given, stored) and found is None:
                found = token
        if found is None:
            return Credentials(None, self.unauthenticated("unknown bearer token"), True)
        return Credentials(User(found.label or "token", found.role, "token"))
