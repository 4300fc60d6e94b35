"""Role-based access: the roles the server defines, local users, and what a role allows.

A role is a name and, for the roles that apply to buckets, its parameters
(``bucket_name``, and for the data roles ``scope_name`` and
``collection_name``; ``*`` is any). Its text form is the server's:
``admin``, ``bucket_admin[travel-sample]``, ``data_reader[b:inventory:*]``,
``data_reader[*]``. Users live in the ``local`` domain (with a password the
cluster checks on KV and HTTP) or ``external`` (no password here). A user in
groups also has its groups' roles (each role's ``origins`` say where it came from).

What a role allows (:func:`permitted`) is the part of the server's model the
mock serves: which buckets a user reaches (SELECT_BUCKET, views, query), and
who may create, edit, flush and delete buckets and manage users.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Optional, Union

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import Cluster

BUCKET = ("bucket_name",)
COLLECTION = ("bucket_name", "scope_name", "collection_name")
ANY = "*"

ROLES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "admin": ((), "Full Admin", "Can manage all cluster features (including security)."),
    "ro_admin": ((), "Read-Only Admin", "Can view all cluster statistics."),
    "security_admin_local": ((), "Local User Security Admin",
                             "Can view all cluster statistics and manage local user roles."),
    "security_admin_external": ((), "External User Security Admin",
                                "Can view all cluster statistics and manage external user "
                                "roles."),
    "cluster_admin": ((), "Cluster Admin", "Can manage all cluster features except security."),
    "replication_admin": ((), "XDCR Admin", "Can administer XDCR features."),
    "query_system_catalog": ((), "Query System Catalog",
                             "Can look up system catalog information via N1QL."),
    "query_external_access": ((), "Query CURL Access", "Can execute the CURL statement."),
    "bucket_admin": (BUCKET, "Bucket Admin",
                     "Can manage ALL bucket features for a given bucket (including start/stop "
                     "XDCR)."),
    "bucket_full_access": (BUCKET, "Application Access",
                           "Full access to bucket data. This user cannot access the web console."),
    "views_admin": (BUCKET, "Views Admin", "Can create and manage views of a given bucket."),
    "views_reader": (BUCKET, "Views Reader", "Can read data from the views of a given bucket."),
    "data_backup": (BUCKET, "Data Backup & Restore",
                    "Can backup and restore a given bucket's data."),
    "fts_admin": (BUCKET, "Search Admin", "Can administer all Full Text Search features."),
    "analytics_manager": (BUCKET, "Analytics Manager",
                          "Can manage Analytics links and datasets of a given bucket."),
    "data_reader": (COLLECTION, "Data Reader", "Can read data from a given bucket, scope or "
                                               "collection."),
    "data_writer": (COLLECTION, "Data Writer", "Can write data to a given bucket, scope or "
                                               "collection."),
    "data_dcp_reader": (COLLECTION, "Data DCP Reader",
                        "Can initiate DCP streams for a given bucket, scope or collection."),
    "data_monitoring": (COLLECTION, "Data Monitor",
                        "Can read statistics for a given bucket, scope or collection."),
    "fts_searcher": (COLLECTION, "Search Reader",
                     "Can query Full Text Search indexes for a given bucket, scope or "
                     "collection."),
    "query_select": (COLLECTION, "Query Select", "Can execute a SELECT statement on a given "
                                                 "bucket, scope or collection."),
    "query_update": (COLLECTION, "Query Update", "Can execute an UPDATE statement."),
    "query_insert": (COLLECTION, "Query Insert", "Can execute an INSERT statement."),
    "query_delete": (COLLECTION, "Query Delete", "Can execute a DELETE statement."),
    "query_manage_index": (COLLECTION, "Query Manage Index",
                           "Can manage indexes for a given bucket, scope or collection."),
    "analytics_reader": ((), "Analytics Reader", "Can query datasets created on this cluster."),
}
"""name -> (parameters, display name, description), as GET /settings/rbac/roles lists them."""

# What each action needs: roles that allow it anywhere, and roles that allow it on their bucket.
_ACTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "buckets.create": (frozenset({"cluster_admin"}), frozenset()),
    "bucket.delete": (frozenset({"cluster_admin"}), frozenset()),
    "bucket.settings": (frozenset({"cluster_admin"}), frozenset({"bucket_admin"})),
    "bucket.flush": (frozenset({"cluster_admin"}),
                     frozenset({"bucket_admin", "bucket_full_access"})),
    "bucket.read": (frozenset({"cluster_admin", "ro_admin"}),
                    frozenset(n for n, (p, _, _) in ROLES.items() if p)),
    "security.local.read": (frozenset({"ro_admin", "security_admin_local",
                                       "security_admin_external"}), frozenset()),
    "security.local.write": (frozenset({"security_admin_local"}), frozenset()),
    "security.external.write": (frozenset({"security_admin_external"}), frozenset()),
}
PERMISSION_NAMES = {
    "buckets.create": "cluster.buckets!create",
    "bucket.delete": "cluster.bucket[{b}]!delete",
    "bucket.settings": "cluster.bucket[{b}].settings!write",
    "bucket.flush": "cluster.bucket[{b}]!flush",
    "bucket.read": "cluster.bucket[{b}].settings!read",
    "security.local.read": "cluster.admin.security.local!read",
    "security.local.write": "cluster.admin.security.local!write",
    "security.external.write": "cluster.admin.security.external!write",
}
"""How the server names each permission in its 403 answer."""


class Role(NamedTuple):
    name: str
    params: tuple[str, ...] = ()

    def __str__(self) -> str:
        params = list(self.params)
        while params and params[-1] == ANY:
            params.pop()
        if not self.params:
            return self.name
        return f"{self.name}[{':'.join(params) or ANY}]"

    def to_json(self) -> dict[str, str]:
        out = {"role": self.name}
        out.update(zip(ROLES[self.name][0], self.params))
        return out

    def covers(self, bucket: str) -> bool:
        return bool(self.params) and self.params[0] in (ANY, bucket)


def parse_role(text: str) -> Union[Role, str]:
    """A role from its text form, or the text itself if it is malformed or unknown."""
    name, bracket, rest = text.partition("[")
    name = name.strip().lower()
    if name not in ROLES:
        return text
    defs = ROLES[name][0]
    if not bracket:
        return Role(name) if not defs else text
    if not rest.endswith("]") or rest == "]":
        return text
    params = rest[:-1].split(":")
    if len(params) > len(defs) or not defs:
        return text
    if params == [ANY]:
        params = []
    return Role(name, tuple(params) + (ANY,) * (len(defs) - len(params)))


def role_problem(role: Role, cluster: Cluster) -> bool:
    """Whether a well-formed role names a bucket, scope or collection that does not exist."""
    if not role.params or role.params[0] == ANY:
        return False
    bucket = cluster.buckets.get(role.params[0])
    if bucket is None:
        return True
    if len(role.params) < 2 or role.params[1] == ANY:
        return False
    scope = bucket.manifest.scopes.get(role.params[1])
    if scope is None:
        return True
    return role.params[2] != ANY and role.params[2] not in scope.collections


class Group:
    """A group of users: they have its roles."""

    __slots__ = ("name", "description", "roles", "ldap_ref")

    def __init__(self, name: str, description: str, roles: list[Role],
                 ldap_ref: Optional[str] = None) -> None:
        self.name = name
        self.description = description
        self.roles = roles
        self.ldap_ref = ldap_ref

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": self.name, "roles": [r.to_json() for r in self.roles],
                               "description": self.description}
        if self.ldap_ref:
            doc["ldap_group_ref"] = self.ldap_ref
        return doc

    def to_saved(self) -> dict[str, Any]:
        return {"id": self.name, "description": self.description, "ldap": self.ldap_ref,
                "roles": [[r.name, list(r.params)] for r in self.roles]}


class User:
    __slots__ = ("id", "domain", "name", "password", "roles", "changed", "groups")

    def __init__(self, userid: str, domain: str, name: Optional[str], password: Optional[str],
                 roles: list[Role], changed: float, groups: Optional[list[str]] = None) -> None:
        self.id = userid
        self.domain = domain
        self.name = name
        self.password = password
        self.roles = roles
        self.changed = changed
        self.groups = groups or []

    def to_json(self, origins: bool = True,
                groups: Optional[dict[str, Group]] = None) -> dict[str, Any]:
        """The server's description; with ``groups`` (the cluster's), the roles the
        user's groups give it too, each role's ``origins`` naming the user and groups."""
        where: dict[Role, list[dict[str, str]]] = {r: [{"type": "user"}] for r in self.roles}
        for name in self.groups:
            group = (groups or {}).get(name)
            for role in group.roles if group is not None else ():
                where.setdefault(role, []).append({"type": "group", "name": name})
        roles = []
        for role, came_from in where.items():
            entry: dict[str, Any] = role.to_json()
            if origins:
                entry["origins"] = came_from
            roles.append(entry)
        doc: dict[str, Any] = {"id": self.id, "domain": self.domain, "roles": roles,
                               "groups": list(self.groups), "external_groups": []}
        if self.name is not None:
            doc["name"] = self.name
        if self.domain == "local":
            doc["password_change_date"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                                        time.gmtime(self.changed))
        return doc


class Users:
    """The users of both domains by ``(id, domain)``; loaded on first use from
    ``load()`` (what the data directory kept), saved through :meth:`to_json`."""

    def __init__(self, load: Callable[[], Any],
                 load_groups: Optional[Callable[[], Any]] = None) -> None:
        self._load: Optional[Callable[[], Any]] = load
        self._load_groups = load_groups
        self._users: dict[tuple[str, str], User] = {}
        self._groups: dict[str, Group] = {}

    @property
    def groups(self) -> dict[str, Group]:
        """The groups by name (loaded, like the users, on first use)."""
        if self._load_groups is not None:
            saved, self._load_groups = self._load_groups(), None
            for spec in saved or ():
                self._groups[spec["id"]] = Group(
                    spec["id"], spec.get("description") or "",
                    [Role(r[0], tuple(r[1])) for r in spec["roles"]], spec.get("ldap"))
        return self._groups

    def groups_json(self) -> list[dict[str, Any]]:
        return [g.to_saved() for g in self.groups.values()]

    @property
    def entries(self) -> dict[tuple[str, str], User]:
        if self._load is not None:
            saved, self._load = self._load(), None
            for spec in saved or ():
                roles = [Role(r[0], tuple(r[1])) for r in spec["roles"]]
                user = User(spec["id"], spec["domain"], spec.get("name"), spec.get("password"),
                            roles, spec.get("changed", 0.0), spec.get("groups"))
                self._users[(user.id, user.domain)] = user
        return self._users

    def to_json(self) -> list[dict[str, Any]]:
        return [{"id": u.id, "domain": u.domain, "name": u.name, "password": u.password,
                 "roles": [[r.name, list(r.params)] for r in u.roles], "changed": u.changed,
                 "groups": u.groups}
                for u in self.entries.values()]

    def password(self, userid: str) -> Optional[str]:
        """The password of local user ``userid`` (``None``: no such user)."""
        user = self.entries.get((userid, "local"))
        return user.password if user is not None else None

    def roles_of(self, userid: str) -> list[Role]:
        """A local user's roles, its groups' included."""
        user = self.entries.get((userid, "local"))
        if user is None:
            return []
        if not user.groups:
            return user.roles
        roles = list(user.roles)
        for name in user.groups:
            group = self.groups.get(name)
            roles.extend(r for r in (group.roles if group is not None else ()) if r not in roles)
        return roles


def permitted(cluster: Cluster, user: Optional[str], action: str,
              bucket: Optional[str] = None) -> bool:
    """Whether ``user`` (authenticated; ``None``: nobody) may do ``action`` (see
    :data:`PERMISSION_NAMES`) on ``bucket``."""
    if user is None:
        return False
    if user == cluster.username:
        return True
    anywhere, on_bucket = _ACTIONS[action]
    for role in roles_of(cluster, user):
        if role.name == "admin" or role.name in anywhere:
            return True
        if bucket is not None and role.name in on_bucket and role.covers(bucket):
            return True
    return False


def roles_of(cluster: Cluster, user: str) -> list[Role]:
    """A user's roles; a bucket name authenticated with its bucket password (the
    1.x/2.x way) has full access to that bucket, as the server's upgrade to RBAC gave."""
    roles = cluster.users.roles_of(user)
    if not roles and user in cluster.buckets and cluster.users.password(user) is None:
        return [Role("bucket_full_access", (user,))]
    return roles


def reaches(cluster: Cluster, user: str, bucket: str) -> bool:
    """Whether a local user's roles give it any access to ``bucket`` (SELECT_BUCKET)."""
    return any(r.name == "admin" or r.covers(bucket) for r in cluster.users.roles_of(user))


def forbidden(action: str, bucket: Optional[str] = None) -> dict[str, Any]:
    """The server's 403 body."""
    return {"message": "Forbidden. User needs the following permissions",
            "permissions": [PERMISSION_NAMES[action].format(b=bucket or "")]}


__all__ = ["ROLES", "Group", "Role", "User", "Users", "forbidden", "parse_role", "permitted",
           "reaches", "role_problem", "roles_of"]
