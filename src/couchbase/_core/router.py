"""Which node a request goes to, and keeping the cluster map current."""

from __future__ import annotations

from typing import Optional, Union

from ..exceptions import NoMatchingServerError
from .config import ClusterConfig
from .request import Request


class Router:
    """Holds the newest cluster configuration and routes requests by it."""

    __slots__ = ("config", "tls", "network")

    def __init__(self, tls: bool = False, network: str = "default") -> None:
        self.config: Optional[ClusterConfig] = None
        self.tls = tls
        self.network = network  # which addresses to use: default, external or auto

    def update(self, raw: Union[bytes, str, dict], origin_host: str) -> bool:
        """Take ``raw`` if it is newer than the current config; True if taken.

        A config that does not parse is ignored: the current one stays.
        """
        try:
            config = ClusterConfig.from_json(raw, origin_host, self.network)
        except (ValueError, KeyError, TypeError):
            return False
        current = self.config
        if current is None or config.newer_than(current):
            self.config = config
            return True
        return False

    def address(self, index: int) -> tuple[str, int]:
        assert self.config is not None
        node = self.config.kv_nodes[index]
        port = node.kv_tls_port if self.tls else node.kv_port
        if port is None:
            raise NoMatchingServerError(f"node {node.hostname} offers no KV port")
        return node.hostname, port

    def addresses(self) -> list[tuple[str, int]]:
        if self.config is None:
            return []
        return [self.address(i) for i in range(len(self.config.kv_nodes))]

    def route(self, req: Request) -> tuple[int, tuple[str, int]]:
        """``(vbucket, (host, port))`` for ``req``."""
        config = self.config
        if config is None:
            raise NoMatchingServerError("no cluster configuration yet")
        vb, index = config.node_for_key(req.key, req.replica)
        if index is None or index < 0:
            what = f"replica {req.replica}" if req.replica else "active copy"
            raise NoMatchingServerError(
                f"no node holds the {what} of vbucket {vb}", key=req.key
            )
        return vb, self.address(index)

    def replica_count(self) -> int:
        return self.config.num_replicas if self.config is not None else 0


