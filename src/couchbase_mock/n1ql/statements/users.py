"""CREATE/ALTER/DROP USER, CREATE/ALTER/DROP GROUP, GRANT and REVOKE.

Syntax (createuser.adoc, alteruser.adoc, dropuser.adoc, creategroup.adoc,
altergroup.adoc, dropgroup.adoc, grant.adoc, revoke.adoc)::

    CREATE USER [IF NOT EXISTS] name PASSWORD 'pw' [WITH 'full name']
        [GROUP g | GROUPS g, ... | NO GROUPS]
    ALTER USER name [PASSWORD 'pw'] [WITH 'full name'] [GROUP g | GROUPS g, ... | NO GROUPS]
    DROP USER [IF EXISTS] name
    CREATE GROUP [IF NOT EXISTS] name [WITH 'description']
        (ROLE r [ON ks] | ROLES r [ON ks], ... | NO ROLES)
    ALTER GROUP name [WITH 'description'] [ROLE ... | ROLES ... | NO ROLES]
    DROP GROUP [IF EXISTS] name
    GRANT role, ... [ON ks, ...] TO [USER[S]] u, ... | GROUP[S] g, ...
    REVOKE role, ... [ON ks, ...] FROM [USER[S]] u, ... | GROUP[S] g, ...

The clauses after a name may come in any order (altergroup.adoc's example
puts WITH after NO ROLES). ``select``/``insert``/``update``/``delete`` are
the short forms of the ``query_*`` roles. A keyspace is ``bucket`` or
``bucket.scope.collection``; a bucket-level role given
``bucket._default._default`` is that bucket's role (grant.adoc).

Every statement acts, on the cluster's loop, through the same handlers as the
management REST API (:mod:`couchbase_mock.users_rest`), so a user made here
logs in at once and the REST API lists it. Who may: the Full Admin and the
local user security admin (``security_admin_local``), as for the REST API;
anyone else gets 13014. Without the cluster (a bare datastore) the statements
fail with 5000, saying they need it.

Errors (the query service's numbering where it has one: 5210 no such user,
5220 a role that needs a keyspace, 5230 a role that takes none, 5240 a
keyspace (bucket, scope or collection) that does not exist, 5250 an unknown
role; warnings 5260 a role already held, 5270 a role not held, 5280 a user
left with no roles). Codes the reference gives none for are this module's:
5212 a user that exists, 5214 no such group, 5216 a group that exists, 5218 a
request the cluster manager refused (a short password, a bad name), with its
message.
"""

from __future__ import annotations

from typing import Any, Callable, Optional
from urllib.parse import urlencode

from ... import rbac, users_rest
from .. import ast as A
from ..errors import N1QLError
from ..lexer import STRING
from . import runner, statement

E_USER_NOT_FOUND = 5210
E_USER_EXISTS = 5212
E_GROUP_NOT_FOUND = 5214
E_GROUP_EXISTS = 5216
E_REFUSED = 5218
E_ROLE_REQUIRES_KEYSPACE = 5220
E_ROLE_TAKES_NO_KEYSPACE = 5230
E_NO_SUCH_KEYSPACE = 5240
E_ROLE_NOT_FOUND = 5250
W_ROLE_ALREADY_PRESENT = 5260
W_ROLE_NOT_PRESENT = 5270
W_USER_WITH_NO_ROLES = 5280

SHORT_ROLES = {"select": "query_select", "insert": "query_insert",
               "update": "query_update", "delete": "query_delete"}
DEFAULT = "_default"

Keyspace = tuple[str, ...]  # (bucket,) or (bucket, scope, collection)
RoleSpec = tuple[str, Optional[Keyspace]]


# -- syntax -------------------------------------------------------------------------------


class UserStatement(A.Node):
    """``verb`` CREATE/ALTER/DROP; ``groups`` ``None`` (not given) or the list
    (``[]`` for NO GROUPS)."""

    __slots__ = ("verb", "name", "if_flag", "password", "full_name", "groups")

    def __init__(self, verb: str, name: str, if_flag: bool = False,
                 password: Optional[str] = None, full_name: Optional[str] = None,
                 groups: Optional[list[str]] = None) -> None:
        self.verb = verb
        self.name = name
        self.if_flag = if_flag
        self.password = password
        self.full_name = full_name
        self.groups = groups


class GroupStatement(A.Node):
    """``roles`` ``None`` (not given) or ``[(role word, keyspace or None)]``."""

    __slots__ = ("verb", "name", "if_flag", "description", "roles")

    def __init__(self, verb: str, name: str, if_flag: bool = False,
                 description: Optional[str] = None,
                 roles: Optional[list[RoleSpec]] = None) -> None:
        self.verb = verb
        self.name = name
        self.if_flag = if_flag
        self.description = description
        self.roles = roles


class GrantStatement(A.Node):
    """GRANT (``grant`` true) or REVOKE ``roles`` ON ``keyspaces`` to/from
    ``names``, which are groups when ``groups`` is true."""

    __slots__ = ("grant", "roles", "keyspaces", "names", "groups")

    def __init__(self, grant: bool, roles: list[str], keyspaces: list[Keyspace],
                 names: list[str], groups: bool) -> None:
        self.grant = grant
        self.roles = roles
        self.keyspaces = keyspaces
        self.names = names
        self.groups = groups


def _name(p: Any) -> str:
    """A user, group or role name: any word or a quoted identifier."""
    return str(p.any_name())


def _names(p: Any) -> list[str]:
    out = [_name(p)]
    while p.accept_op(","):
        out.append(_name(p))
    return out


def _string(p: Any) -> str:
    t = p.tok
    if t.kind != STRING:
        raise p.error()
    p.i += 1
    return str(t.value)


def _if(p: Any, creating: bool) -> bool:
    if not p.is_kw("IF"):
        return False
    p.i += 1
    if creating:
        p.expect_kw("NOT")
    p.expect_kw("EXISTS")
    return True


def _keyspace(p: Any) -> Keyspace:
    first = p.ident_or_word()
    if p.accept_op(":"):
        if first.lower() != "default":
            raise N1QLError(12002, f"Namespace not found in CB datastore: {first}")
        first = p.ident_or_word()
    parts = [first]
    while p.is_op(".") and len(parts) < 3:
        p.i += 1
        parts.append(p.ident_or_word())
    if len(parts) == 2:
        raise p.error()
    return tuple(parts)


def _role_specs(p: Any) -> list[RoleSpec]:
    """``role [ON keyspace]``, comma-separated (creategroup.adoc, Add Roles)."""
    out: list[RoleSpec] = []
    while True:
        role = _name(p)
        out.append((role, _keyspace(p) if p.accept_kw("ON") else None))
        if not p.accept_op(","):
            return out


def _head(p: Any, kind: str, make: Any) -> Any:
    """``CREATE|ALTER|DROP <kind> [IF [NOT] EXISTS] name`` read into ``make(verb,
    name, if_flag)`` (IF is not part of ALTER)."""
    verb = p.expect_kw("CREATE", "ALTER", "DROP")
    p.expect_kw(kind)
    if_flag = _if(p, verb == "CREATE") if verb != "ALTER" else False
    return make(verb, _name(p), if_flag)


@statement("CREATE", "USER")
@statement("ALTER", "USER")
@statement("DROP", "USER")
def _parse_user(p: Any) -> UserStatement:
    stmt = _head(p, "USER", UserStatement)
    if stmt.verb == "DROP":
        return stmt
    verb = stmt.verb
    seen: set[str] = set()
    while True:
        word = p.accept_kw("PASSWORD", "WITH", "GROUP", "GROUPS", "NO")
        if word is None:
            break
        key = "GROUPS" if word in ("GROUP", "NO") else word
        if key in seen:
            raise p.error(p.peek(-1))
        seen.add(key)
        if word == "PASSWORD":
            stmt.password = _string(p)
        elif word == "WITH":
            stmt.full_name = _string(p)
        elif word == "GROUP":
            stmt.groups = [_name(p)]
        elif word == "GROUPS":
            stmt.groups = _names(p)
        else:
            p.expect_kw("GROUPS")
            stmt.groups = []
    if verb == "CREATE" and stmt.password is None:
        raise p.error()
    return stmt


@statement("CREATE", "GROUP")
@statement("ALTER", "GROUP")
@statement("DROP", "GROUP")
def _parse_group(p: Any) -> GroupStatement:
    stmt = _head(p, "GROUP", GroupStatement)
    if stmt.verb == "DROP":
        return stmt
    verb = stmt.verb
    seen: set[str] = set()
    while True:
        word = p.accept_kw("WITH", "ROLE", "ROLES", "NO")
        if word is None:
            break
        key = "WITH" if word == "WITH" else "ROLES"
        if key in seen:
            raise p.error(p.peek(-1))
        seen.add(key)
        if word == "WITH":
            stmt.description = _string(p)
        elif word == "ROLE":
            role = _name(p)
            stmt.roles = [(role, _keyspace(p) if p.accept_kw("ON") else None)]
        elif word == "ROLES":
            stmt.roles = _role_specs(p)
        else:
            p.expect_kw("ROLES")
            stmt.roles = []
    if verb == "CREATE" and stmt.roles is None:
        raise p.error()
    return stmt


@statement("GRANT")
@statement("REVOKE")
def _parse_grant(p: Any) -> GrantStatement:
    grant = p.expect_kw("GRANT", "REVOKE") == "GRANT"
    roles = _names(p)
    keyspaces: list[Keyspace] = []
    if p.accept_kw("ON"):
        keyspaces.append(_keyspace(p))
        while p.accept_op(","):
            keyspaces.append(_keyspace(p))
    p.expect_kw("TO" if grant else "FROM")
    groups = p.accept_kw("GROUP", "GROUPS") is not None
    if not groups:
        p.accept_kw("USER", "USERS")
    return GrantStatement(grant, roles, keyspaces, _names(p), groups)


# -- running ------------------------------------------------------------------------------


def on_cluster(engine: Any, what: str, call: Callable[[Any], Any]) -> Any:
    """``call(cluster)`` on the cluster's loop; the statement ``what`` needs one."""
    manage = getattr(engine.datastore, "manage", None)
    if manage is None:
        raise N1QLError(5000, f"{what} needs the cluster's user and bucket management: "
                              "this datastore has none (run it on the local cluster)")
    return manage(call)


def acting_user(cluster: Any, ctx: Any) -> str:
    """Who runs the statement (the engine run directly: the administrator)."""
    return getattr(ctx, "user", None) or cluster.username


def require(cluster: Any, ctx: Any, action: str, what: str, role: str,
            bucket: Optional[str] = None) -> str:
    """The acting user, if it may do ``action`` (:func:`rbac.permitted`); else 13014."""
    user = acting_user(cluster, ctx)
    if not rbac.permitted(cluster, user, action, bucket):
        raise N1QLError(13014, f"User does not have credentials to run {what}. "
                               f"Add role {role} to allow the statement to run.")
    return user


def refused(answer: tuple, what: str) -> Optional[N1QLError]:
    """The cluster manager's refusal of a request as a N1QLError (``None``: done)."""
    status, body = answer[0], answer[1]
    if status < 300:
        return None
    if isinstance(body, dict):
        errors = body.get("errors", body)
        if isinstance(errors, dict):
            text = "; ".join(f"{v}" for v in errors.values())
        else:
            text = str(errors)
    else:
        text = body.decode().strip() if isinstance(body, bytes) else str(body)
    return N1QLError(E_REFUSED, f"{what} failed: {text}")


def _rest(cluster: Any, user: str, method: str, parts: list[str], what: str,
          form: Optional[dict[str, str]] = None) -> None:
    body = urlencode(form or {}).encode()
    err = refused(users_rest.handle(cluster, user, method, parts, body), what)
    if err is not None:
        raise err


def _put_user(cluster: Any, user: str, found: rbac.User, what: str,
              roles: Optional[list[rbac.Role]] = None, password: Optional[str] = None,
              full_name: Optional[str] = None, groups: Optional[list[str]] = None) -> None:
    """Replace local user ``found`` over the REST handler, what is not given kept."""
    form = {"roles": ",".join(str(r) for r in (found.roles if roles is None else roles)),
            "groups": ",".join(found.groups if groups is None else groups)}
    name = found.name if full_name is None else full_name
    if name is not None:
        form["name"] = name
    if password is not None:
        form["password"] = password
    _rest(cluster, user, "PUT", ["users", "local", found.id], what, form)


def _what(stmt: Any) -> str:
    if isinstance(stmt, GrantStatement):
        return "GRANT" if stmt.grant else "REVOKE"
    kind = "USER" if isinstance(stmt, UserStatement) else "GROUP"
    return f"{stmt.verb} {kind}"


@runner(UserStatement)
def run_user(engine: Any, stmt: UserStatement, ctx: Any) -> tuple:
    what = _what(stmt)

    def change(cluster: Any) -> None:
        user = require(cluster, ctx, "security.local.write", what, "security_admin_local")
        found = cluster.users.entries.get((stmt.name, "local"))
        for group in stmt.groups or ():
            if group not in cluster.users.groups:
                raise N1QLError(E_GROUP_NOT_FOUND, f"Unable to find group {group}.")
        if stmt.verb == "CREATE":
            if found is not None:
                if stmt.if_flag:
                    return
                raise N1QLError(E_USER_EXISTS, f"User {stmt.name} already exists.")
            form = {"password": stmt.password or "", "roles": "",
                    "groups": ",".join(stmt.groups or [])}
            if stmt.full_name is not None:
                form["name"] = stmt.full_name
            _rest(cluster, user, "PUT", ["users", "local", stmt.name], what, form)
            return
        if found is None:
            if stmt.verb == "DROP" and stmt.if_flag:
                return
            raise N1QLError(E_USER_NOT_FOUND, f"Unable to find user {stmt.name}.")
        if stmt.verb == "DROP":
            _rest(cluster, user, "DELETE", ["users", "local", stmt.name], what)
        else:
            _put_user(cluster, user, found, what, password=stmt.password,
                      full_name=stmt.full_name, groups=stmt.groups)

    on_cluster(engine, what, change)
    return [], None, None


@runner(GroupStatement)
def run_group(engine: Any, stmt: GroupStatement, ctx: Any) -> tuple:
    what = _what(stmt)

    def change(cluster: Any) -> None:
        user = require(cluster, ctx, "security.local.write", what, "security_admin_local")
        found = cluster.users.groups.get(stmt.name)
        if stmt.verb == "CREATE" and found is not None:
            if stmt.if_flag:
                return
            raise N1QLError(E_GROUP_EXISTS, f"Group {stmt.name} already exists.")
        if stmt.verb != "CREATE" and found is None:
            if stmt.verb == "DROP" and stmt.if_flag:
                return
            raise N1QLError(E_GROUP_NOT_FOUND, f"Unable to find group {stmt.name}.")
        if stmt.verb == "DROP":
            _rest(cluster, user, "DELETE", ["groups", stmt.name], what)
            return
        if stmt.roles is not None:
            roles = [r for spec in stmt.roles for r in resolve(cluster, spec[0], spec[1])]
        else:
            roles = found.roles if found is not None else []
        description = stmt.description
        if description is None:
            description = found.description if found is not None else ""
        form = {"description": description, "roles": ",".join(str(r) for r in roles)}
        if found is not None and found.ldap_ref:
            form["ldap_group_ref"] = found.ldap_ref
        _rest(cluster, user, "PUT", ["groups", stmt.name], what, form)

    on_cluster(engine, what, change)
    return [], None, None


@runner(GrantStatement)
def run_grant(engine: Any, stmt: GrantStatement, ctx: Any) -> tuple:
    what = _what(stmt)

    def change(cluster: Any) -> None:
        user = require(cluster, ctx, "security.local.write", what, "security_admin_local")
        wanted: list[rbac.Role] = []
        for word in stmt.roles:
            for role in _resolve_all(cluster, word, stmt.keyspaces):
                if role not in wanted:
                    wanted.append(role)
        if stmt.groups:
            _grant_groups(cluster, user, stmt, wanted, what)
            return
        users = []
        for name in stmt.names:
            found = cluster.users.entries.get((name, "local"))
            if found is None:
                raise N1QLError(E_USER_NOT_FOUND, f"Unable to find user {name}.")
            users.append(found)
        for found in users:
            roles = _changed_roles(ctx, f"User {found.id}", found.roles, wanted, stmt.grant)
            if roles is not None:
                _put_user(cluster, user, found, what, roles=roles)
                if not roles and not found.groups:
                    _warn(ctx, W_USER_WITH_NO_ROLES, f"User {found.id} has no roles. "
                          "Connecting with this user may not be possible")

    on_cluster(engine, what, change)
    return [], None, None


def _grant_groups(cluster: Any, user: str, stmt: GrantStatement, wanted: list[rbac.Role],
                  what: str) -> None:
    groups = []
    for name in stmt.names:
        found = cluster.users.groups.get(name)
        if found is None:
            raise N1QLError(E_GROUP_NOT_FOUND, f"Unable to find group {name}.")
        groups.append(found)
    for group in groups:
        roles = _changed_roles(None, f"Group {group.name}", group.roles, wanted, stmt.grant)
        if roles is None:
            continue
        form = {"description": group.description, "roles": ",".join(str(r) for r in roles)}
        if group.ldap_ref:
            form["ldap_group_ref"] = group.ldap_ref
        _rest(cluster, user, "PUT", ["groups", group.name], what, form)


def _changed_roles(ctx: Any, who: str, held: list[rbac.Role], wanted: list[rbac.Role],
                   grant: bool) -> Optional[list[rbac.Role]]:
    """``held`` with ``wanted`` added (GRANT) or taken away (REVOKE), warning of
    each role already held / not held; ``None`` if nothing changes."""
    roles = list(held)
    for role in wanted:
        if (role in roles) == grant:
            code, verb = ((W_ROLE_ALREADY_PRESENT, "already has") if grant
                          else (W_ROLE_NOT_PRESENT, "did not have"))
            _warn(ctx, code, f"{who} {verb} role {_shown(role)}.")
        elif grant:
            roles.append(role)
        else:
            roles.remove(role)
    return None if roles == held else roles


def _shown(role: rbac.Role) -> str:
    text = str(role)
    return text.replace("[", "(").replace("]", ")")


def _warn(ctx: Any, code: int, msg: str) -> None:
    warnings = getattr(ctx, "warnings", None)
    if warnings is not None:
        warnings.append({"code": code, "msg": msg})


def _resolve_all(cluster: Any, word: str, keyspaces: list[Keyspace]) -> list[rbac.Role]:
    if not keyspaces:
        return resolve(cluster, word, None)
    return [r for ks in keyspaces for r in resolve(cluster, word, ks)]


def resolve(cluster: Any, word: str, keyspace: Optional[Keyspace]) -> list[rbac.Role]:
    """The role ``word`` names on ``keyspace``, checked as the query service
    checks it: 5250 unknown, 5220 needs a keyspace, 5230 takes none, 5240 the
    keyspace does not exist (or is finer than the role applies to)."""
    name = SHORT_ROLES.get(word.lower(), word.lower())
    if name not in rbac.ROLES:
        raise N1QLError(E_ROLE_NOT_FOUND, f"Role {word} is not valid.")
    params = rbac.ROLES[name][0]
    if not params:
        if keyspace is not None:
            raise N1QLError(E_ROLE_TAKES_NO_KEYSPACE, f"Role {name} does not take a keyspace.")
        return [rbac.Role(name)]
    if keyspace is None:
        raise N1QLError(E_ROLE_REQUIRES_KEYSPACE, f"Role {name} requires a keyspace.")
    path = "default:" + ".".join(f"`{k}`" if not k.isidentifier() else k for k in keyspace)
    if len(params) == 1:
        if len(keyspace) == 3 and keyspace[1:] != (DEFAULT, DEFAULT):
            raise N1QLError(E_NO_SUCH_KEYSPACE, f"Keyspace {path} is not valid: role {name} "
                                                "applies to a whole bucket.")
        role = rbac.Role(name, (keyspace[0],))
    else:
        role = rbac.Role(name, tuple(keyspace) + (rbac.ANY,) * (len(params) - len(keyspace)))
    if rbac.role_problem(role, cluster):
        bucket = cluster.buckets.get(keyspace[0])
        if bucket is None:
            raise N1QLError(E_NO_SUCH_KEYSPACE, f"Bucket {keyspace[0]} is not valid.")
        if keyspace[1] not in bucket.manifest.scopes:
            raise N1QLError(E_NO_SUCH_KEYSPACE, f"Scope {keyspace[0]}.{keyspace[1]} is not "
                                                "valid.")
        raise N1QLError(E_NO_SUCH_KEYSPACE, f"Keyspace {path} is not valid.")
    return [role]
