"""Real Redis Cluster and Sentinel topologies on loopback ports, for tests.

`start_cluster` joins fresh servers into a cluster with plain redis-py commands
(no redis-cli), `start_sentinel` starts a primary, a replica and three sentinels.
Both work with valkey-server and redis-server (`ServerKind`); every process is
started with `own_session`, so it dies with the test session. Failover is real:
`kill` sends SIGKILL and the survivors promote a replica.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from redis.exceptions import RedisError

from reqless.server import LocalServer, ServerKind, free_port, start_server

__all__ = ["LocalCluster", "LocalSentinelSet", "start_cluster", "start_sentinel"]

#: Hash slots of every Redis Cluster.
SLOTS = 16384
#: Milliseconds without an answer before a cluster node counts as failing. Short,
#: so a failover takes seconds; long enough for a busy 2-core test machine.
NODE_TIMEOUT_MS = 1000
#: Milliseconds without an answer before a sentinel counts the primary as down.
DOWN_AFTER_MS = 1000
#: Milliseconds the sentinels give one failover before trying another.
FAILOVER_TIMEOUT_MS = 4000
#: Seconds a topology may take to start, or to settle after a change.
SETTLE_TIMEOUT = 20.0

#: Replicas answer their full sync at once instead of waiting for more replicas.
_REPLICATION_OPTIONS = ("--repl-diskless-sync-delay", "0")


def _wait(what: str, ready: Callable[[], bool], timeout: float) -> None:
    """Poll `ready` until it is true; a RedisError counts as not yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return
        except RedisError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting until {what}")
        time.sleep(0.05)


def _alive(node: LocalServer) -> bool:
    return node.process.poll() is None


def _info(node: LocalServer, section: str) -> dict[str, object]:
    with node.client() as redis:
        return dict(redis.info(section))


def _cluster_info(node: LocalServer) -> dict[str, str]:
    with node.client() as redis:
        text = str(redis.execute_command("CLUSTER", "INFO"))
    return dict(line.split(":", 1) for line in text.split() if ":" in line)


def _cluster_nodes(node: LocalServer) -> list[list[str]]:
    """CLUSTER NODES of `node`, one word list per node it knows."""
    with node.client() as redis:
        reply = redis.execute_command("CLUSTER", "NODES")
    return [line.split() for line in str(reply).splitlines() if line]


def _slot_owners(node: LocalServer) -> list[tuple[int, int, int]]:
    """(first slot, last slot, port of the primary) as `node` sees them."""
    with node.client() as redis:
        reply = redis.execute_command("CLUSTER", "SLOTS")
    return [(int(entry[0]), int(entry[1]), int(entry[2][1])) for entry in reply]


@dataclass
class LocalCluster:
    """A Redis Cluster of servers this test session started and owns."""

    kind: ServerKind
    #: Every node, in start order (a restarted node keeps its place).
    nodes: list[LocalServer]
    _tmp: tempfile.TemporaryDirectory[str] = field(repr=False)
    #: The cluster bus port of each node, by client port.
    _bus_ports: dict[int, int] = field(default_factory=dict, repr=False)
    #: The replicas (client ports) of each killed primary, by its port.
    _orphans: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def primaries(self) -> list[LocalServer]:
        """The running nodes that are primaries now."""
        return [n for n in self.nodes if _alive(n) and _info(n, "replication")["role"] == "master"]

    def replicas(self) -> list[LocalServer]:
        """The running nodes that are replicas now."""
        return [n for n in self.nodes if _alive(n) and _info(n, "replication")["role"] == "slave"]

    @property
    def url(self) -> str:
        """`redis+cluster://` URL naming every current primary."""
        hosts = ",".join(f"127.0.0.1:{node.port}" for node in self.primaries())
        return f"redis+cluster://{hosts}"

    def node_for_slot(self, slot: int) -> LocalServer:
        """The primary that serves hash slot `slot` now."""
        survivor = next(n for n in self.nodes if _alive(n))
        for first, last, port in _slot_owners(survivor):
            if first <= slot <= last:
                return self._by_port(port)
        raise LookupError(f"no node serves slot {slot}")

    def flushall(self) -> None:
        """Empty every primary (the replicas follow)."""
        for node in self.primaries():
            with node.client() as redis:
                redis.flushall()

    def kill(self, node: LocalServer, before: Callable[[], None] | None = None) -> None:
        """SIGKILL `node`; a primary's replicas are remembered for `wait_failover`.
        `before` runs once they are, just before the kill (to cut the links, say)."""
        if _info(node, "replication")["role"] == "master":
            info = _info(node, "replication")
            self._orphans[node.port] = [
                int(value["port"])
                for key, value in info.items()
                if key.startswith("slave") and isinstance(value, dict)
            ]
        if before is not None:
            before()
        node.process.kill()
        node.process.wait()

    def wait_failover(
        self, old_primary: LocalServer, timeout: float = SETTLE_TIMEOUT
    ) -> LocalServer:
        """Wait until a replica of the killed `old_primary` took over; return it.

        Done when that replica is a primary, no running node still routes a slot
        to `old_primary`, and every running node says `cluster_state:ok`.
        """
        if old_primary.port not in self._orphans:
            raise ValueError(f"node {old_primary.port} was not a primary killed by kill()")
        candidates = [self._by_port(port) for port in self._orphans[old_primary.port]]
        survivors = [n for n in self.nodes if _alive(n)]
        promoted: list[LocalServer] = []

        def taken_over() -> bool:
            promoted[:] = [n for n in candidates if _info(n, "replication")["role"] == "master"]
            return bool(promoted) and all(
                _cluster_info(n)["cluster_state"] == "ok"
                and all(port != old_primary.port for _, _, port in _slot_owners(n))
                for n in survivors
            )

        _wait(f"a replica of {old_primary.port} is primary", taken_over, timeout)
        return promoted[0]

    def restart(self, node: LocalServer, timeout: float = SETTLE_TIMEOUT) -> LocalServer:
        """Start the stopped `node` again on its port, with no data; it rejoins the
        cluster under its old id (a primary that was replaced comes back a replica)."""
        if _alive(node):
            raise ValueError(f"node {node.port} is still running")
        index = self.nodes.index(node)
        again = _start_node(self.kind, node.workdir, self._bus_ports[node.port], node.port)
        self.nodes[index] = again
        self._orphans.pop(node.port, None)
        self._wait_settled(timeout)
        return again

    def stop(self) -> None:
        """Stop every node and remove their files."""
        for node in self.nodes:
            node.stop()
        self._tmp.cleanup()

    def _by_port(self, port: int) -> LocalServer:
        return next(node for node in self.nodes if node.port == port)

    def _wait_settled(self, timeout: float) -> None:
        """Wait until every node sees all the others, none failing, every slot
        served, and every replica linked to its primary."""
        total = len(self.nodes)

        def settled() -> bool:
            for node in self.nodes:
                info = _cluster_info(node)
                if info["cluster_state"] != "ok" or int(info["cluster_known_nodes"]) != total:
                    return False
                if any("fail" in words[2] or "handshake" in words[2]
                       for words in _cluster_nodes(node)):  # fmt: skip
                    return False
                replication = _info(node, "replication")
                if replication["role"] == "slave" and replication["master_link_status"] != "up":
                    return False
            return True

        _wait("the cluster is settled", settled, timeout)


def _start_node(kind: ServerKind, workdir: Path, bus_port: int, port: int | None) -> LocalServer:
    workdir.mkdir(parents=True, exist_ok=True)
    return start_server(
        kind,
        port,
        workdir=workdir,
        own_session=True,
        options=(
            "--cluster-enabled", "yes",
            "--cluster-config-file", str(workdir / "nodes.conf"),
            "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
            "--cluster-port", str(bus_port),
            # A replica may always take over, however long it was cut off.
            "--cluster-replica-validity-factor", "0",
            *_REPLICATION_OPTIONS,
        ),
    )  # fmt: skip


def _free_ports(count: int) -> list[int]:
    """`count` distinct free ports (the kernel may hand out one twice)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def start_cluster(
    kind: ServerKind = "valkey",
    primaries: int = 3,
    replicas: int = 1,
    timeout: float = SETTLE_TIMEOUT,
) -> LocalCluster:
    """Start `primaries * (1 + replicas)` nodes and join them into one cluster.

    The slots are split evenly over the primaries; each replica follows one
    primary. Returns once every node says `cluster_state:ok` and every replica's
    link to its primary is up.
    """
    total = primaries * (1 + replicas)
    tmp = tempfile.TemporaryDirectory(prefix=f"reqless-cluster-{kind}-")
    cluster = LocalCluster(kind, [], tmp)
    try:
        ports = _free_ports(2 * total)
        for index in range(total):
            bus = ports[total + index]
            node = _start_node(kind, Path(tmp.name) / f"node{index}", bus, ports[index])
            cluster.nodes.append(node)
            cluster._bus_ports[node.port] = bus
        _join(cluster, primaries)
        cluster._wait_settled(timeout)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _node_id(node: LocalServer) -> str:
    with node.client() as redis:
        return str(redis.execute_command("CLUSTER", "MYID"))


def _join(cluster: LocalCluster, primaries: int) -> None:
    """Give the primaries their slots, introduce every node, attach the replicas."""
    nodes = cluster.nodes
    for index, node in enumerate(nodes[:primaries]):
        first = index * SLOTS // primaries
        last = (index + 1) * SLOTS // primaries - 1
        with node.client() as redis:
            # Distinct epochs from the start, so no collision round is needed.
            redis.execute_command("CLUSTER", "SET-CONFIG-EPOCH", index + 1)
            redis.execute_command("CLUSTER", "ADDSLOTSRANGE", first, last)
    # Every pair meets directly: faster than waiting for gossip to spread the news.
    for index, node in enumerate(nodes):
        with node.client() as redis:
            for other in nodes[index + 1 :]:
                bus = cluster._bus_ports[other.port]
                redis.execute_command("CLUSTER", "MEET", "127.0.0.1", other.port, bus)
    ids = [_node_id(node) for node in nodes[:primaries]]

    def all_known() -> bool:
        return all(
            {words[0] for words in _cluster_nodes(node)} >= set(ids) for node in nodes[primaries:]
        )

    _wait("every node knows the primaries", all_known, SETTLE_TIMEOUT)
    for index, node in enumerate(nodes[primaries:]):
        with node.client() as redis:
            redis.execute_command("CLUSTER", "REPLICATE", ids[index % primaries])


@dataclass
class LocalSentinelSet:
    """A primary, its replica and three sentinels watching them, all owned here."""

    kind: ServerKind
    #: The primary and the replica, in start order (a restarted one keeps its place).
    servers: list[LocalServer]
    sentinels: list[LocalServer]
    _tmp: tempfile.TemporaryDirectory[str] = field(repr=False)
    #: The name the sentinels know the primary by.
    service: str = "reqless"
    _killed: LocalServer | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """`redis+sentinel://` URL naming every sentinel and the service."""
        hosts = ",".join(f"127.0.0.1:{node.port}" for node in self.sentinels)
        return f"redis+sentinel://{hosts}/{self.service}"

    def primary(self) -> LocalServer:
        """The primary now, as a running sentinel reports it."""
        sentinel = next(node for node in self.sentinels if _alive(node))
        with sentinel.client() as redis:
            _, port = redis.sentinel_get_master_addr_by_name(self.service)
        return next(node for node in self.servers if node.port == int(port))

    def kill_primary(self) -> LocalServer:
        """SIGKILL the current primary; returns it."""
        primary = self.primary()
        primary.process.kill()
        primary.process.wait()
        self._killed = primary
        return primary

    def note_killed(self, primary: LocalServer) -> None:
        """Record that `primary` was killed by the caller (as `kill_primary` does)."""
        self._killed = primary

    def wait_failover(self, timeout: float = SETTLE_TIMEOUT) -> LocalServer:
        """Wait until every sentinel names a new, running primary that says it is
        one, after `kill_primary`; return it."""
        killed = self._killed
        if killed is None:
            raise ValueError("no primary was killed: call kill_primary() first")

        def promoted() -> bool:
            ports = set()
            for sentinel in self.sentinels:
                with sentinel.client() as redis:
                    ports.add(int(redis.sentinel_get_master_addr_by_name(self.service)[1]))
            if len(ports) != 1 or killed.port in ports:
                return False
            return _info(self.primary(), "replication")["role"] == "master"

        _wait("the sentinels promoted a replica", promoted, timeout)
        return self.primary()

    def restart(self, server: LocalServer, timeout: float = SETTLE_TIMEOUT) -> LocalServer:
        """Start the stopped `server` again, empty, as a replica of the current
        primary, and wait until every sentinel sees it up."""
        if _alive(server):
            raise ValueError(f"server {server.port} is still running")
        primary = self.primary()
        again = _start_data_server(self.kind, server.workdir, server.port, primary.port)
        self.servers[self.servers.index(server)] = again
        if self._killed is server:
            self._killed = None
        self._wait_watched(timeout)
        return again

    def stop(self) -> None:
        """Stop the sentinels, then the servers, and remove their files."""
        for node in [*self.sentinels, *self.servers]:
            node.stop()
        self._tmp.cleanup()

    def _wait_watched(self, timeout: float) -> None:
        """Wait until each sentinel sees the primary, a linked replica that is
        up, and the two other sentinels."""

        def watched() -> bool:
            for sentinel in self.sentinels:
                with sentinel.client() as redis:
                    primary = redis.sentinel_master(self.service)
                    seen = redis.sentinel_slaves(self.service)
                if primary["num-other-sentinels"] != len(self.sentinels) - 1:
                    return False
                if not primary["is_master"] or primary["is_sdown"] or primary["is_odown"]:
                    return False
                linked = [r for r in seen if not r["is_sdown"] and not r["is_disconnected"]
                          and r["master-link-status"] == "ok"]  # fmt: skip
                if len(linked) != len(self.servers) - 1:
                    return False
            return True

        _wait("the sentinels see the primary and its replica", watched, timeout)


def _start_data_server(
    kind: ServerKind, workdir: Path, port: int | None, primary_port: int | None
) -> LocalServer:
    workdir.mkdir(parents=True, exist_ok=True)
    follow = ("--replicaof", "127.0.0.1", str(primary_port)) if primary_port else ()
    return start_server(
        kind, port, workdir=workdir, own_session=True, options=(*_REPLICATION_OPTIONS, *follow)
    )


def _sentinel_conf(service: str, primary_port: int, me: int, ports: list[int]) -> str:
    """The config of sentinel number `me` of those on `ports`. Each is told the
    others up front (ids are made up), which saves the seconds their hello
    messages take to introduce them."""
    known = "".join(
        f"sentinel known-sentinel {service} 127.0.0.1 {port} {_sentinel_id(index)}\n"
        for index, port in enumerate(ports)
        if index != me
    )
    return (
        f"sentinel myid {_sentinel_id(me)}\n"
        f"sentinel monitor {service} 127.0.0.1 {primary_port} 2\n"
        f"sentinel down-after-milliseconds {service} {DOWN_AFTER_MS}\n"
        f"sentinel failover-timeout {service} {FAILOVER_TIMEOUT_MS}\n"
        "sentinel resolve-hostnames no\n"
        f"{known}"
    )


def _sentinel_id(index: int) -> str:
    return f"{index + 1:040x}"


def start_sentinel(
    kind: ServerKind = "valkey", service: str = "reqless", timeout: float = SETTLE_TIMEOUT
) -> LocalSentinelSet:
    """Start a primary, a replica of it and three sentinels monitoring it as
    `service` (quorum 2); returns once every sentinel sees the primary, the
    replica and the other sentinels."""
    tmp = tempfile.TemporaryDirectory(prefix=f"reqless-sentinel-{kind}-")
    root = Path(tmp.name)
    sentinel_set = LocalSentinelSet(kind, [], [], tmp, service)
    try:
        primary = _start_data_server(kind, root / "primary", None, None)
        sentinel_set.servers.append(primary)
        replica = _start_data_server(kind, root / "replica", None, primary.port)
        sentinel_set.servers.append(replica)
        # Sentinels learn the replicas from the primary's INFO, asked at once and
        # then only every 10 s: start them after the replica is linked.
        _wait(
            "the replica is linked",
            lambda: _info(replica, "replication")["master_link_status"] == "up",
            timeout,
        )
        ports = _free_ports(3)
        for index, port in enumerate(ports):
            workdir = root / f"sentinel{index}"
            workdir.mkdir()
            conf = workdir / "sentinel.conf"
            conf.write_text(_sentinel_conf(service, primary.port, index, ports))
            sentinel_set.sentinels.append(
                start_server(
                    kind,
                    port,
                    workdir=workdir,
                    own_session=True,
                    config_file=conf,
                    options=("--sentinel",),
                )
            )
        sentinel_set._wait_watched(timeout)
    except BaseException:
        sentinel_set.stop()
        raise
    return sentinel_set
