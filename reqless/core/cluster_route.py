"""Where a namespace's core calls go in a Redis or Valkey Cluster.

All keys of a namespace hash to one slot (reqless.keys), so every core call of a
client goes to the one primary that serves that slot. Asking redis-py's cluster
client to find it on each call would cost a `COMMAND GETKEYS` round trip (FCALL's
keys are "movable"); the route keeps the slot's primary instead, as a plain
`Redis` client of that node, and asks the cluster again only when the node said
the slot moved (MOVED, ASK), said it has no primary for it yet (CLUSTERDOWN,
TRYAGAIN), or could not be reached (a failover).
"""

from __future__ import annotations

from redis import Redis
from redis.cluster import RedisCluster
from redis.exceptions import RedisError

__all__ = ["SlotRoute"]


class SlotRoute:
    """The primary serving the slot of `key` in `cluster`, followed across moves."""

    def __init__(self, cluster: RedisCluster, key: str) -> None:
        self.cluster = cluster
        self.slot: int = cluster.keyslot(key)  # type: ignore[no-untyped-call]
        #: True when the next call must ask the cluster where the slot is.
        self.stale = False
        self._node: Redis | None = None

    def redis(self) -> Redis:
        """A client of the slot's primary (asks the cluster first when stale)."""
        if self.stale or self._node is None:
            if self.stale:
                self.cluster.nodes_manager.initialize()
                self.stale = False
            node = self.cluster.nodes_manager.get_node_from_slot(self.slot)
            self._node = self.cluster.get_redis_connection(node)
        return self._node

    def lost(self) -> None:
        """The node moved the slot or failed: find it again on the next call."""
        self.stale = True

    def primaries(self) -> list[Redis]:
        """A client of every primary of the cluster, for loading the library."""
        return [
            self.cluster.get_redis_connection(node)
            for node in self.cluster.get_primaries()  # type: ignore[no-untyped-call]
        ]

    def where(self) -> str:
        """host:port of the slot's primary, as last known."""
        try:
            node = self.cluster.nodes_manager.get_node_from_slot(self.slot)
        except RedisError:
            return f"slot {self.slot} (unknown node)"
        return f"{node.host}:{node.port}"
