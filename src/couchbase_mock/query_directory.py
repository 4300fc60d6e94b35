"""The local cluster's users and nodes as the query service's ``system:``
keyspaces show them (``system:user_info``, ``system:my_user_info``,
``system:applicable_roles``, ``system:nodes``; n1ql-intro/sysinfo).

Users: the administrator (domain ``builtin``, role ``admin``), the RBAC users
in the server's user description (roles with their ``origins``), and a bucket
name authenticated with its bucket password (the 1.x way), which holds
``bucket_full_access`` on its bucket.
"""

from __future__ import annotations

from typing import Any, Optional

from .cluster import Cluster
from .n1ql.system import Directory
from .rbac import roles_of

# The services a node's ports serve, as ``system:nodes`` names them.
_SERVICES = {"kv": "kv", "n1ql": "n1ql", "fts": "fts", "index": "index", "cbas": "cbas",
             "eventing": "eventing"}


class ClusterDirectory(Directory):
    def __init__(self, cluster: Cluster) -> None:
        super().__init__(f"{cluster.host}:{cluster.nodes[0].mgmt_port}")
        self.cluster = cluster

    def users(self) -> list[dict[str, Any]]:
        cluster = self.cluster
        out = [{"domain": "builtin", "id": cluster.username, "name": cluster.username,
                "roles": [{"role": "admin"}]}]
        groups = cluster.users.groups
        for user in cluster.users.entries.values():
            out.append(user.to_json(groups=groups))
        return out

    def user(self, name: str) -> Optional[dict[str, Any]]:
        found = super().user(name)
        if found is not None or name not in self.cluster.buckets:
            return found
        roles = [r.to_json() for r in roles_of(self.cluster, name)]
        return {"domain": "local", "id": name, "name": name, "roles": roles}

    def nodes(self) -> list[dict[str, Any]]:
        out = []
        for node in self.cluster.nodes:
            if not node.member:
                continue
            ports = {k: v for k, v in sorted(node.ports.items()) if v}
            services = sorted({_SERVICES[k] for k in ports if k in _SERVICES})
            out.append({"name": f"{self.cluster.host}:{node.mgmt_port}", "ports": ports,
                        "services": services})
        return out
