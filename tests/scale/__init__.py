"""The client on a namespace, a Redis Cluster and Sentinel (docs/scale-out.md)."""
