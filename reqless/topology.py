"""Server URLs past one primary: a Redis Cluster, or a primary found through Sentinel.

`parse_server_url` reads a URL into a `ServerAddress`; `connect_sync` and
`connect_async` open a redis-py connection to it. The URL forms:

- `redis://`, `rediss://`, `unix://`: one server, read by redis-py's `from_url`.
- `redis+cluster://[user:password@]host:port[,host:port...][/0][?option=value...]`
  (`rediss+cluster://` for TLS): any nodes of a cluster; the client learns the
  rest. A cluster has only database 0.
- `redis+sentinel://[user:password@]host:port[,host:port...]/service[/db][?option=value...]`
  (`rediss+sentinel://` for TLS): the sentinels and the name they know the
  primary by; connections follow the primary through a failover.

A host without a port gets 6379 (cluster) or 26379 (sentinel). The options are
those redis-py reads from a URL's query (`socket_timeout=2.5`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, quote, unquote

import redis.asyncio
import redis.asyncio.cluster
import redis.asyncio.sentinel
from redis import Redis
from redis.cluster import ClusterNode, RedisCluster
from redis.connection import URL_QUERY_ARGUMENT_PARSERS
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.sentinel import MasterNotFoundError, Sentinel, SentinelConnectionPool

from reqless.exceptions import ArgumentError, ServerAccessError

__all__ = [
    "SCHEMES",
    "ServerAddress",
    "cluster_url",
    "connect_async",
    "connect_sync",
    "parse_server_url",
]

#: Every URL scheme `parse_server_url` reads, by the kind of address it names.
SCHEMES: dict[str, Literal["single", "cluster", "sentinel"]] = {
    "redis": "single",
    "rediss": "single",
    "unix": "single",
    "redis+cluster": "cluster",
    "rediss+cluster": "cluster",
    "redis+sentinel": "sentinel",
    "rediss+sentinel": "sentinel",
}
_DEFAULT_PORTS = {"cluster": 6379, "sentinel": 26379}


@dataclass(frozen=True, slots=True)
class ServerAddress:
    """Where the servers are, as a URL names them (see the module docstring).

    For `kind` "single" only `url` is set: redis-py reads it. `options` are the
    URL's query, converted as redis-py converts them (`("socket_timeout", 2.5)`).
    """

    kind: Literal["single", "cluster", "sentinel"]
    url: str = field(repr=False)
    hosts: tuple[tuple[str, int], ...] = ()
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    #: The name the sentinels know the primary by (sentinel only).
    service: str | None = None
    db: int = 0
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def shown(self) -> str:
        """The URL with any password replaced by `***`, safe to print or log."""
        return _hide_password(self.url)


def cluster_url(
    nodes: Sequence[str | tuple[str, int]],
    *,
    username: str | None = None,
    password: str | None = None,
    tls: bool = False,
) -> str:
    """The `redis+cluster://` URL of `nodes` ("host:port" or (host, port)), the
    keyword form of a cluster address (`Client(cluster=[...])` uses it)."""
    if isinstance(nodes, str) or not nodes:
        raise ArgumentError(f"cluster: give a list of host:port nodes, not {nodes!r}")
    hosts = []
    for node in nodes:
        if isinstance(node, tuple):
            host, port = node
            node = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        if not isinstance(node, str) or not node or "," in node or "/" in node:
            raise ArgumentError(f"cluster: {node!r} is not a host:port node")
        hosts.append(node)
    auth = ""
    if username is not None or password is not None:
        auth = f"{quote(username or '', safe='')}:{quote(password or '', safe='')}@"
    url = f"{'rediss' if tls else 'redis'}+cluster://{auth}{','.join(hosts)}"
    parse_server_url(url)  # the same checks as a URL written out
    return url


def parse_server_url(url: str) -> ServerAddress:
    """Read a server URL; raises ArgumentError naming what is wrong with it."""
    shown = _hide_password(url)
    scheme, found, rest = url.partition("://")
    kind = SCHEMES.get(scheme.lower()) if found else None
    if kind is None:
        accepted = ", ".join(f"{name}://" for name in SCHEMES)
        what = f"unsupported URL scheme {scheme!r} in" if found else "no URL scheme in"
        raise ArgumentError(f"{what} {shown!r} (use {accepted})")
    if kind == "single":
        return ServerAddress("single", url)
    rest, _, query = rest.partition("?")
    netloc, _, path = rest.partition("/")
    userinfo, at, hostlist = netloc.rpartition("@")
    username, password = _credentials(userinfo) if at else (None, None)
    hosts = _hosts(hostlist, _DEFAULT_PORTS[kind], shown)
    options = _options(query, shown)
    tls = scheme.lower().startswith("rediss")
    if kind == "cluster":
        _check_cluster_path(path, shown)
        return ServerAddress(kind, url, hosts, username, password, tls, None, 0, options)
    service, db = _service_and_db(path, shown)
    return ServerAddress(kind, url, hosts, username, password, tls, service, db, options)


def _hide_password(url: str) -> str:
    scheme, found, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    userinfo, at, hosts = netloc.rpartition("@")
    if not found or not at or ":" not in userinfo:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user}:***@{hosts}{slash}{path}"


def _credentials(userinfo: str) -> tuple[str | None, str | None]:
    user, colon, password = userinfo.partition(":")
    return (unquote(user) or None, unquote(password) if colon else None)


def _hosts(hostlist: str, default_port: int, shown: str) -> tuple[tuple[str, int], ...]:
    if not hostlist.strip():
        raise ArgumentError(f"{shown!r} names no host: give host:port[,host:port...]")
    hosts: list[tuple[str, int]] = []
    for item in hostlist.split(","):
        item = item.strip()
        if not item:
            raise ArgumentError(f"{shown!r} has an empty host in its list {hostlist!r}")
        if item.startswith("["):  # [IPv6]:port
            host, _, after = item[1:].partition("]")
            port_text = after.removeprefix(":") if after else ""
        else:
            host, _, port_text = item.partition(":")
        if not host:
            raise ArgumentError(f"{shown!r}: {item!r} names no host")
        hosts.append((host, _port(port_text, default_port, item, shown)))
    return tuple(hosts)


def _port(text: str, default: int, item: str, shown: str) -> int:
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ArgumentError(
            f"{shown!r}: the port {text!r} of {item!r} is not a port number (1-65535)"
        )
    return int(text)


def _options(query: str, shown: str) -> tuple[tuple[str, Any], ...]:
    options: list[tuple[str, Any]] = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "db":
            raise ArgumentError(f"{shown!r}: give the database in the path, not as ?db=")
        parser = cast(Callable[[str], Any] | None, URL_QUERY_ARGUMENT_PARSERS.get(name))
        if parser is None:
            options.append((name, value))  # passed as text, as redis-py does
            continue
        try:
            options.append((name, parser(value)))
        except ValueError:
            raise ArgumentError(f"{shown!r}: invalid value {value!r} for {name!r}") from None
    return tuple(options)


def _check_cluster_path(path: str, shown: str) -> None:
    database = path.strip("/")
    if not database or database == "0":
        return
    if not database.isdigit():
        raise ArgumentError(f"{shown!r}: the database must be a number, got {database!r}")
    raise ArgumentError(f"{shown!r} asks for database {database}: a cluster has only database 0")


def _service_and_db(path: str, shown: str) -> tuple[str, int]:
    parts = path.strip("/").split("/") if path.strip("/") else []
    if not parts:
        raise ArgumentError(
            f"{shown!r} names no service: give the name the sentinels know the primary "
            "by, as redis+sentinel://host:port/service_name[/db]"
        )
    if len(parts) > 2:
        raise ArgumentError(f"{shown!r}: the path must be /service_name[/db], got /{path}")
    if len(parts) == 2 and not parts[1].isdigit():
        raise ArgumentError(f"{shown!r}: the database must be a number, got {parts[1]!r}")
    return unquote(parts[0]), int(parts[1]) if len(parts) == 2 else 0


def _connection_options(address: ServerAddress, options: dict[str, Any]) -> dict[str, Any]:
    """What every connection to the servers gets: text replies, the URL's
    credentials and TLS, the caller's options; the URL's query wins, as in redis-py."""
    made: dict[str, Any] = {"decode_responses": True}
    if address.username is not None:
        made["username"] = address.username
    if address.password is not None:
        made["password"] = address.password
    if address.tls:
        made["ssl"] = True
    return {**made, **options, **dict(address.options)}


def _sentinel_options(address: ServerAddress, options: dict[str, Any]) -> dict[str, Any]:
    """What the connections to the sentinels get: the URL's credentials and TLS
    and the connection time-outs (the caller's `sentinel_kwargs` replace these)."""
    shared = ("username", "password", "ssl", "socket_timeout", "socket_connect_timeout")
    made = _connection_options(address, options)
    return {name: made[name] for name in shared if name in made}


def _sentinel_parts(
    address: ServerAddress, options: dict[str, Any]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The service, the sentinels' options and the servers' options of a sentinel address."""
    if address.service is None:
        raise ArgumentError(f"{address.shown!r} names no service for the sentinels")
    given = options.pop("sentinel_kwargs", None)
    sentinel_kwargs = dict(given) if given is not None else _sentinel_options(address, options)
    connection = {**_connection_options(address, options), "db": address.db}
    return address.service, sentinel_kwargs, connection


def _not_a_cluster(address: ServerAddress) -> ServerAccessError:
    hosts = ", ".join(f"{host}:{port}" for host, port in address.hosts)
    host, port = address.hosts[0]
    verb = "is not a cluster node" if len(address.hosts) == 1 else "are not cluster nodes"
    return ServerAccessError(
        f"{hosts} {verb}: cluster mode is not enabled there; "
        f"use redis://{host}:{port} for a single server",
        problem="not-a-cluster",
        url=address.shown,
    )


def _explain_cluster_error(exc: RedisClusterException, address: ServerAddress) -> Exception:
    if "cluster mode is not enabled" in str(exc).lower():
        return _not_a_cluster(address)
    # RedisClusterUnreachableError since redis-py 5.1; its text, since before.
    if "cannot be connected" in str(exc):
        # A connection error, so that callers treat it as any server they cannot
        # reach (the CLI says so in one line; a worker keeps trying).
        nodes = ", ".join(f"{host}:{port}" for host, port in address.hosts)
        return RedisConnectionError(f"no node of the cluster answered ({nodes}): {exc}")
    return exc


def _unknown_service(address: ServerAddress) -> ServerAccessError:
    sentinels = ", ".join(f"{host}:{port}" for host, port in address.hosts)
    return ServerAccessError(
        f"the sentinels at {sentinels} know no service {address.service!r}: check the "
        "name after the hosts in the URL (SENTINEL MASTERS lists those they know)",
        problem="unknown-service",
        url=address.shown,
    )


def _not_sentinels(address: ServerAddress) -> ServerAccessError:
    sentinels = ", ".join(f"{host}:{port}" for host, port in address.hosts)
    host, port = address.hosts[0]
    return ServerAccessError(
        f"{sentinels}: no sentinel answers there (the SENTINEL command is unknown); "
        f"use redis://{host}:{port} for a single server",
        problem="not-a-sentinel",
        url=address.shown,
    )


def _explain_no_primary(answers: list[object], address: ServerAddress) -> Exception | None:
    """Why no primary was found, from each sentinel's answer to
    GET-MASTER-ADDR-BY-NAME (an address, None, or the error raised); None when
    it is worth trying again (a sentinel is unreachable or knows the primary)."""
    if any(isinstance(a, list | tuple) for a in answers):
        return None  # known, only not reachable now: a failover may be under way
    if any(a is None for a in answers):
        return _unknown_service(address)
    if answers and all(isinstance(a, ResponseError) for a in answers):
        return _not_sentinels(address)
    return None


class _Sentinel(Sentinel):
    """redis-py's Sentinel, whose "no master found" says why when it is sure."""

    def __init__(self, address: ServerAddress, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address = address

    def discover_master(self, service_name: str) -> tuple[str, int]:
        try:
            return super().discover_master(service_name)  # type: ignore[no-any-return]
        except (MasterNotFoundError, ResponseError) as exc:  # redis-py < 5.1 lets the second out
            answers: list[object] = []
            for sentinel in self.sentinels:
                try:
                    answers.append(sentinel.sentinel_get_master_addr_by_name(service_name))
                except (RedisConnectionError, RedisTimeoutError, ResponseError) as error:
                    answers.append(error)
            raise (_explain_no_primary(answers, self._address) or exc) from exc


class _AsyncSentinel(redis.asyncio.sentinel.Sentinel):
    """The asyncio twin of `_Sentinel`."""

    def __init__(self, address: ServerAddress, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address = address

    async def discover_master(self, service_name: str) -> tuple[str, int]:
        try:
            return await super().discover_master(service_name)  # type: ignore[no-any-return]
        except redis.asyncio.sentinel.MasterNotFoundError as exc:  # not redis.sentinel's
            answers: list[object] = []
            for sentinel in self.sentinels:
                try:
                    answers.append(await sentinel.sentinel_get_master_addr_by_name(service_name))
                except (RedisConnectionError, RedisTimeoutError, ResponseError) as error:
                    answers.append(error)
            raise (_explain_no_primary(answers, self._address) or exc) from exc


class _SentinelPool(SentinelConnectionPool):
    """redis-py's pool of connections to the primary; closing it closes the
    connections to the sentinels too, which redis-py leaves open."""

    def disconnect(self, inuse_connections: bool = True) -> None:
        super().disconnect(inuse_connections)
        for sentinel in self.sentinel_manager.sentinels:
            sentinel.close()


class _AsyncSentinelPool(redis.asyncio.sentinel.SentinelConnectionPool):
    """The asyncio twin of `_SentinelPool`."""

    async def disconnect(self, inuse_connections: bool = True) -> None:
        await super().disconnect(inuse_connections)
        for sentinel in self.sentinel_manager.sentinels:
            await sentinel.aclose()


class _AsyncCluster(redis.asyncio.cluster.RedisCluster):
    """redis-py's asyncio cluster client, whose first connection says plainly
    when the nodes are not in cluster mode."""

    def __init__(self, address: ServerAddress, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._address = address

    async def initialize(self, *args: Any, **kwargs: Any) -> _AsyncCluster:
        try:
            await super().initialize(*args, **kwargs)
        except RedisClusterException as exc:
            raise _explain_cluster_error(exc, self._address) from exc
        return self


def connect_sync(address: ServerAddress, **options: Any) -> Redis | RedisCluster:
    """A redis-py connection to `address`, with text replies.

    `options` are redis-py connection options; the URL's query overrides them.
    "single": `Redis.from_url(address.url, **options)`, not contacted yet (as
    `Client` connects today; `decode_responses` defaults to True here too).
    "cluster": a `RedisCluster`, which asks the nodes for the slot map at once;
    raises ServerAccessError if they are not in cluster mode. "sentinel": a
    `Redis` that asks the sentinels for the primary on each new connection
    (so it follows a failover), and raises ServerAccessError there if they do
    not know the service. The sentinels get the URL's credentials and TLS too,
    unless `options` has `sentinel_kwargs` (redis-py's) for them.
    """
    if address.kind == "single":
        return Redis.from_url(address.url, **{"decode_responses": True, **options})
    if address.kind == "cluster":
        nodes = [ClusterNode(host, port) for host, port in address.hosts]  # type: ignore[no-untyped-call]
        try:
            return RedisCluster(startup_nodes=nodes, **_connection_options(address, options))
        except RedisClusterException as exc:
            raise _explain_cluster_error(exc, address) from exc
    service, sentinel_kwargs, connection = _sentinel_parts(address, options)
    sentinel = _Sentinel(address, list(address.hosts), sentinel_kwargs=sentinel_kwargs)
    primary: Redis = sentinel.master_for(service, connection_pool_class=_SentinelPool, **connection)
    return primary


def connect_async(
    address: ServerAddress, **options: Any
) -> redis.asyncio.Redis | redis.asyncio.cluster.RedisCluster:
    """The asyncio twin of `connect_sync`; nothing is contacted before the first command.

    "single": `redis.asyncio.Redis` over a `BlockingConnectionPool.from_url`, as
    `AsyncClient` connects today. "cluster": a `redis.asyncio.RedisCluster`
    whose first command raises ServerAccessError if the nodes are not in
    cluster mode. "sentinel": as in `connect_sync`.
    """
    if address.kind == "single":
        text = {"decode_responses": True, **options}
        pool = redis.asyncio.BlockingConnectionPool.from_url(address.url, **text)
        return redis.asyncio.Redis.from_pool(pool)
    if address.kind == "cluster":
        nodes = [redis.asyncio.cluster.ClusterNode(host, port) for host, port in address.hosts]
        return _AsyncCluster(address, startup_nodes=nodes, **_connection_options(address, options))
    service, sentinel_kwargs, connection = _sentinel_parts(address, options)
    sentinel = _AsyncSentinel(address, list(address.hosts), sentinel_kwargs=sentinel_kwargs)
    primary: redis.asyncio.Redis = sentinel.master_for(
        service, connection_pool_class=_AsyncSentinelPool, **connection
    )
    return primary
