"""RBAC over REST, as ns_server answers it: users, the role list, whoami.

``PUT /settings/rbac/users/<domain>/<id>`` (form fields ``name``,
``password``, ``roles``, ``groups``) creates or replaces a user;
``GET`` and ``DELETE`` on the same path read and remove one;
``GET /settings/rbac/users[/<domain>]`` lists them; ``GET
/settings/rbac/roles`` lists the roles (see :mod:`couchbase_mock.rbac`);
``GET /whoami`` describes the caller. Groups: ``PUT
/settings/rbac/groups/<name>`` (``description``, ``roles``, ``ldap_group_ref``)
creates or replaces one, ``GET``/``DELETE`` read and remove it, ``GET
/settings/rbac/groups`` lists them; a user's ``groups`` must exist, and its
roles include its groups' (with their ``origins``). Refusals carry the
server's text: ``{"errors": {"roles": "Cannot assign roles..."}}`` and the
like with 400, ``"Unknown user."`` / ``"Unknown group."`` with 404, and the
plain-text ``Requested resource not found.`` for a path that names nothing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Optional

from .bucket_rest import parse_form
from .rbac import (
    ROLES,
    Group,
    Role,
    User,
    forbidden,
    parse_role,
    permitted,
    role_problem,
    roles_of,
)

if TYPE_CHECKING:  # pragma: no cover
    from .cluster import Cluster

DOMAINS = ("local", "external")
MIN_PASSWORD = 6
_ID_FORBIDDEN = set('()<>,;:\\"/[]?={}')
_FIELDS = ("name", "password", "roles", "groups")
_GROUP_FIELDS = ("description", "roles", "ldap_group_ref")
NOT_FOUND = b"Requested resource not found.\r\n"

Answer = tuple[int, Any]


def handle(cluster: Cluster, user: str, method: str, parts: list[str], body: bytes) -> Answer:
    """A request under ``/settings/rbac`` (``parts`` after it) or ``/whoami`` (``parts``
    is ``["whoami"]``), from authenticated ``user``."""
    if parts == ["whoami"]:
        return (200, whoami(cluster, user)) if method == "GET" else (405, b"")
    if parts == ["roles"]:
        return (200, roles_list()) if method == "GET" else (405, b"")
    if parts and parts[0] == "groups" and len(parts) <= 2:
        return _groups(cluster, user, method, parts[1] if len(parts) == 2 else None, body)
    if not parts or parts[0] != "users" or len(parts) > 3:
        return 404, NOT_FOUND
    domain = parts[1] if len(parts) > 1 else None
    if domain is not None and domain not in DOMAINS:
        return 404, "Unknown user domain."
    if len(parts) < 3:
        if method != "GET":
            return 405, b""
        if not permitted(cluster, user, "security.local.read"):
            return 403, forbidden("security.local.read")
        groups = cluster.users.groups
        return 200, [u.to_json(groups=groups) for u in _sorted(cluster, domain)]
    assert domain is not None
    userid = parts[2]
    if method == "GET":
        if not permitted(cluster, user, "security.local.read"):
            return 403, forbidden("security.local.read")
        found = cluster.users.entries.get((userid, domain))
        return ((200, found.to_json(groups=cluster.users.groups)) if found is not None
                else (404, "Unknown user."))
    action = f"security.{domain}.write"
    if method == "PUT":
        problem = id_problem(userid)
        if problem is not None:
            return 400, {"errors": {"_": problem}}
        if not permitted(cluster, user, action):
            return 403, forbidden(action)
        return put_user(cluster, userid, domain, parse_form(body))
    if method == "DELETE":
        if not permitted(cluster, user, action):
            return 403, forbidden(action)
        if cluster.users.entries.pop((userid, domain), None) is None:
            return 404, "User was not found."
        cluster.persist_meta()
        return 200, ""
    return 405, b""


def _groups(cluster: Cluster, user: str, method: str, name: Optional[str],
            body: bytes) -> Answer:
    """``/settings/rbac/groups[/<name>]``."""
    groups = cluster.users.groups
    if method == "GET":
        if not permitted(cluster, user, "security.local.read"):
            return 403, forbidden("security.local.read")
        if name is None:
            return 200, [groups[g].to_json() for g in sorted(groups)]
        found = groups.get(name)
        return (200, found.to_json()) if found is not None else (404, "Unknown group.")
    if name is None:
        return 405, b""
    if not permitted(cluster, user, "security.local.write"):
        return 403, forbidden("security.local.write")
    if method == "PUT":
        problem = id_problem(name)
        if problem is not None:
            return 400, {"errors": {"_": problem.replace("Username", "Group name")}}
        form = parse_form(body)
        errors = {key: "Unsupported key" for key in form if key not in _GROUP_FIELDS}
        roles, bad = _roles(cluster, form.get("roles", ""))
        if bad:
            errors["roles"] = ("Cannot assign roles to group because the following roles are "
                               "unknown, malformed or role parameters are undefined: "
                               f"[{','.join(bad)}]")
        if errors:
            return 400, {"errors": errors}
        groups[name] = Group(name, form.get("description", ""), roles,
                             form.get("ldap_group_ref") or None)
        cluster.persist_meta()
        return 200, ""
    if method == "DELETE":
        if groups.pop(name, None) is None:
            return 404, "Group was not found."
        for member in cluster.users.entries.values():
            if name in member.groups:
                member.groups = [g for g in member.groups if g != name]
        cluster.persist_meta()
        return 200, ""
    return 405, b""


def _roles(cluster: Cluster, text: str) -> tuple[list[Role], list[str]]:
    """The roles of a ``roles`` form field, and the texts that name no role."""
    roles: list[Role] = []
    bad: list[str] = []
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        role = parse_role(item)
        if isinstance(role, str):
            bad.append(role)
        elif role_problem(role, cluster):
            bad.append(str(role))
        elif role not in roles:
            roles.append(role)
    return roles, bad


def _sorted(cluster: Cluster, domain: Optional[str]) -> list[User]:
    users = [u for u in cluster.users.entries.values() if domain in (None, u.domain)]
    return sorted(users, key=lambda u: (u.id, u.domain))


def id_problem(userid: str) -> Optional[str]:
    """Why ``userid`` cannot name a user (the server's message), or ``None``."""
    if not userid:
        return "Username must not be empty"
    if len(userid) > 128:
        return "Username may not exceed 128 characters"
    if userid.startswith("@"):
        return "Username cannot start with '@'"
    if any(ord(c) <= 32 or ord(c) == 127 or c in _ID_FORBIDDEN for c in userid):
        return ("Username must not contain spaces, control or any of ()<>,;:\\\"/[]?={} "
                "characters and must be valid utf8")
    return None


def password_problem(password: str) -> Optional[str]:
    if len(password) < MIN_PASSWORD:
        return f"The password must be at least {MIN_PASSWORD} characters long."
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return "The password must not contain control characters"
    return None


def put_user(cluster: Cluster, userid: str, domain: str, form: dict[str, str]) -> Answer:
    errors: dict[str, str] = {}
    for key in form:
        if key not in _FIELDS:
            errors[key] = "Unsupported key"
    roles, bad = _roles(cluster, form.get("roles", ""))
    if bad:
        errors["roles"] = ("Cannot assign roles to user because the following roles are "
                           "unknown, malformed or role parameters are undefined: "
                           f"[{','.join(bad)}]")
    groups = [g.strip() for g in form.get("groups", "").split(",") if g.strip()]
    missing = [g for g in groups if g not in cluster.users.groups]
    if missing:
        errors["groups"] = f"Groups do not exist: {','.join(missing)}"
    password = form.get("password")
    existing = cluster.users.entries.get((userid, domain))
    if domain == "local" and password is not None:
        problem = password_problem(password)
        if problem is not None:
            errors["password"] = problem
    if errors:
        return 400, {"errors": errors}
    if domain == "local" and password is None:
        if existing is None:
            return 400, {"errors": {"password": "Password is required for new user."}}
        password = existing.password
    if domain == "external":
        password = None
    changed = existing.changed if existing is not None and password == existing.password \
        else time.time()
    cluster.users.entries[(userid, domain)] = User(userid, domain, form.get("name"), password,
                                                   roles, changed, groups)
    cluster.persist_meta()
    return 200, ""


def roles_list() -> list[dict[str, Any]]:
    """``GET /settings/rbac/roles``."""
    out = []
    for name, (params, title, desc) in ROLES.items():
        entry: dict[str, Any] = {"role": name}
        entry.update({p: "*" for p in params})
        entry.update(name=title, desc=desc)
        out.append(entry)
    return out


def whoami(cluster: Cluster, user: str) -> dict[str, Any]:
    """``GET /whoami``: the caller, with its roles."""
    if user == cluster.username:
        return {"id": user, "domain": "admin", "roles": [{"role": "admin"}]}
    found = cluster.users.entries.get((user, "local"))
    if found is not None:
        return found.to_json(origins=False, groups=cluster.users.groups)
    # a bucket name with its bucket password (the 1.x/2.x way)
    return {"id": user, "domain": "bucket",
            "roles": [r.to_json() for r in roles_of(cluster, user)]}


__all__ = ["DOMAINS", "handle", "id_problem", "password_problem", "put_user", "roles_list",
           "whoami"]
