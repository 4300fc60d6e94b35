"""User, group and role management (SDK 4.x): ``cluster.users()``.

>>> mgr = cluster.users()
>>> mgr.upsert_user(User(username="web", password="s3cret!",
...                      roles={Role("bucket_full_access", bucket="travel-sample")}))
>>> mgr.get_user("web").user.roles
{Role(name='bucket_full_access', bucket='travel-sample', ...)}

Over ``/settings/rbac`` (users, groups, roles) and
``/controller/changePassword``, through the flows of
:mod:`couchbase._http.management` that the 2.x ``Admin`` runs too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Optional

from .._http import management as rest
from ..auth_domain import AuthDomain
from ..exceptions import ArgumentError
from ._errors import invalid_argument
from ._manager import Manager, check_name, converted, returning_none
from .options import (
    ChangePasswordOptions,
    DropGroupOptions,
    DropUserOptions,
    GetAllGroupsOptions,
    GetAllUsersOptions,
    GetGroupOptions,
    GetRolesOptions,
    GetUserOptions,
    UpsertGroupOptions,
    UpsertUserOptions,
    merge,
)


class Role:
    """A role, for a bucket (``bucket="*"``: every bucket), scope and collection where
    the role takes them: ``Role("data_reader", bucket="travel-sample", scope="inventory")``."""

    def __init__(self, name: Optional[str] = None, bucket: Optional[str] = None,
                 scope: Optional[str] = None, collection: Optional[str] = None) -> None:
        self._name = name
        self._bucket = bucket
        self._scope = scope
        self._collection = collection

    name = property(lambda self: self._name)
    bucket = property(lambda self: self._bucket)
    scope = property(lambda self: self._scope)
    collection = property(lambda self: self._collection)

    def _key(self) -> tuple[Any, ...]:
        return (self._name, self._bucket, self._scope, self._collection)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self._name, "bucket": self._bucket, "scope": self._scope,
                "collection": self._collection}

    def _text(self) -> str:
        """The REST form: ``name[bucket:scope:collection]``."""
        if not isinstance(self._name, str) or not self._name:
            raise invalid_argument(f"a role needs a name: {self!r}")
        params = [p for p in (self._bucket, self._scope, self._collection) if p]
        return f"{self._name}[{':'.join(params)}]" if params else self._name

    @classmethod
    def create_role(cls, raw_data: dict[str, Any]) -> Role:
        """A Role from the server's JSON (``role``, ``bucket_name``, ``scope_name``...)."""
        return cls(raw_data.get("role") or raw_data.get("name"), raw_data.get("bucket_name"),
                   raw_data.get("scope_name"), raw_data.get("collection_name"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Role) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Role(name={self._name!r}, bucket={self._bucket!r}, scope={self._scope!r}, "
                f"collection={self._collection!r})")


class RoleAndDescription:
    """A role the cluster offers (:meth:`UserManager.get_roles`)."""

    def __init__(self, role: Optional[Role] = None, display_name: Optional[str] = None,
                 description: Optional[str] = None, ce: Optional[bool] = None) -> None:
        self.role = role
        self.display_name = display_name
        self.description = description
        self.ce = ce

    @classmethod
    def create_role_and_description(cls, raw_data: dict[str, Any]) -> RoleAndDescription:
        return cls(Role.create_role(raw_data), raw_data.get("name"), raw_data.get("desc"),
                   raw_data.get("ce"))

    def __repr__(self) -> str:
        return f"RoleAndDescription(role={self.role!r}, display_name={self.display_name!r})"


class Origin:
    """Why a user has a role: ``type`` ``"user"`` (given to the user) or ``"group"``
    (``name``: the group's)."""

    def __init__(self, type: Optional[str] = None, name: Optional[str] = None) -> None:
        self.type = type
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) and (self.type, self.name) == (other.type, other.name)

    def __hash__(self) -> int:
        return hash((self.type, self.name))

    def __repr__(self) -> str:
        return f"Origin(type={self.type!r}, name={self.name!r})"


class RoleAndOrigins:
    """A role a user has, and where it comes from (:class:`Origin`)."""

    def __init__(self, role: Optional[Role] = None,
                 origins: Optional[list[Origin]] = None) -> None:
        self.role = role
        self.origins = origins or []

    @classmethod
    def create_role_and_origins(cls, raw_data: dict[str, Any]) -> RoleAndOrigins:
        origins = [Origin(o.get("type"), o.get("name")) for o in raw_data.get("origins") or ()]
        return cls(Role.create_role(raw_data), origins)

    def __repr__(self) -> str:
        return f"RoleAndOrigins(role={self.role!r}, origins={self.origins!r})"


class User:
    """A user: ``username``, ``display_name``, ``password`` (only to set it), ``roles``
    (a set of :class:`Role`) and ``groups`` (group names)."""

    def __init__(self, username: Optional[str] = None, display_name: Optional[str] = None,
                 groups: Optional[Iterable[str]] = None, roles: Optional[Iterable[Role]] = None,
                 password: Optional[str] = None) -> None:
        self.username = username
        self.display_name = display_name
        self.groups = set(groups or ())
        self.roles = set(roles or ())
        self.password = password

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "display_name": self.display_name,
                "password": self.password, "roles": list(self.roles),
                "groups": list(self.groups)}

    @classmethod
    def create_user(cls, raw_data: dict[str, Any],
                    roles: Optional[Iterable[Role]] = None) -> User:
        if roles is None:
            roles = [Role.create_role(r) for r in raw_data.get("roles") or ()
                     if _given_to_user(r)]
        return cls(raw_data.get("id"), raw_data.get("name"), raw_data.get("groups"), roles)

    def __repr__(self) -> str:
        return (f"User(username={self.username!r}, display_name={self.display_name!r}, "
                f"roles={self.roles!r}, groups={self.groups!r})")


def _given_to_user(raw_role: dict[str, Any]) -> bool:
    origins = raw_role.get("origins")
    return not origins or any(o.get("type") == "user" for o in origins)


def _as_domain(domain: Any) -> Any:
    """The AuthDomain a server's domain name stands for (an unknown one kept as it is)."""
    try:
        return AuthDomain.from_str(domain) if isinstance(domain, str) else domain
    except ArgumentError:
        return domain


class UserAndMetadata:
    """A user as the cluster describes it: ``domain`` (an
    :class:`~couchbase.auth.AuthDomain`, equal to ``"local"`` or ``"external"`` too),
    ``user`` (:class:`User`, with the roles given to it), ``effective_roles``
    (:class:`RoleAndOrigins`, its groups' roles too), ``password_changed``
    (datetime), ``external_groups``."""

    def __init__(self, domain: Any = None, user: Optional[User] = None,
                 effective_roles: Optional[list[RoleAndOrigins]] = None,
                 password_changed: Optional[datetime] = None,
                 external_groups: Optional[Iterable[str]] = None, **kwargs: Any) -> None:
        self.domain = _as_domain(domain)
        self.user = user
        self.effective_roles = effective_roles or []
        self.password_changed = password_changed
        self.external_groups = set(external_groups or ())
        self.raw_data = kwargs.get("raw_data")

    @classmethod
    def create_user_and_metadata(cls, raw_data: dict[str, Any]) -> UserAndMetadata:
        changed = raw_data.get("password_change_date")
        when = None
        if isinstance(changed, str):
            try:
                when = datetime.fromisoformat(changed.replace("Z", "+00:00"))
            except ValueError:
                when = None
        return cls(raw_data.get("domain"), User.create_user(raw_data),
                   [RoleAndOrigins.create_role_and_origins(r)
                    for r in raw_data.get("roles") or ()],
                   when, raw_data.get("external_groups"), raw_data=raw_data)

    def __repr__(self) -> str:
        return f"UserAndMetadata(domain={self.domain!r}, user={self.user!r})"


class Group:
    """A group: users in it have its ``roles``; ``ldap_group_reference`` maps an LDAP group."""

    def __init__(self, name: Optional[str] = None, description: Optional[str] = None,
                 roles: Optional[Iterable[Role]] = None,
                 ldap_group_reference: Optional[str] = None, **kwargs: Any) -> None:
        self.name = name
        self.description = description
        self.roles = set(roles or ())
        self.ldap_group_reference = ldap_group_reference
        self.raw_data = kwargs.get("raw_data")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "roles": list(self.roles), "ldap_group_reference": self.ldap_group_reference}

    @classmethod
    def create_group(cls, raw_data: dict[str, Any]) -> Group:
        return cls(raw_data.get("id"), raw_data.get("description"),
                   [Role.create_role(r) for r in raw_data.get("roles") or ()],
                   raw_data.get("ldap_group_ref"), raw_data=raw_data)

    def __repr__(self) -> str:
        return f"Group(name={self.name!r}, roles={self.roles!r})"


def _domain(options: dict[str, Any]) -> str:
    try:
        return AuthDomain.to_str(options.get("domain_name", "local"))
    except Exception:
        raise invalid_argument(f"domain_name must be 'local' or 'external', not "
                               f"{options.get('domain_name')!r}") from None


def _roles(roles: Iterable[Any]) -> list[str]:
    out = []
    for role in roles:
        if not isinstance(role, Role):
            raise invalid_argument(f"roles must be Role objects, not {role!r}")
        out.append(role._text())
    return out


class UserManager(Manager):
    """The cluster's users, groups and roles.

    On acouchbase each method returns an awaitable, on txcouchbase a Deferred.
    """

    _errors = "user"

    def get_user(self, username: str, *options: GetUserOptions,
                 **kwargs: Any) -> UserAndMetadata:
        """:raise: UserNotFoundException"""
        opts = merge(GetUserOptions, options, kwargs)
        name, domain = check_name(username, "username"), _domain(opts)
        return self._call(lambda ep: converted(rest.user_get_flow(ep, domain, name),
                                               UserAndMetadata.create_user_and_metadata), opts)

    def get_all_users(self, *options: GetAllUsersOptions,
                      **kwargs: Any) -> list[UserAndMetadata]:
        opts = merge(GetAllUsersOptions, options, kwargs)
        domain = _domain(opts)
        return self._call(lambda ep: converted(rest.users_get_flow(ep, domain), lambda users: [
            UserAndMetadata.create_user_and_metadata(u) for u in users or ()]), opts)

    def upsert_user(self, user: User, *options: UpsertUserOptions, **kwargs: Any) -> None:
        """Create the user, or replace its settings (a local user needs a password when
        created). :raise: InvalidArgumentException (roles or groups the server refuses)"""
        if not isinstance(user, User):
            raise invalid_argument(f"expected a User, not {user!r}")
        opts = merge(UpsertUserOptions, options, kwargs)
        domain, name = _domain(opts), check_name(user.username, "the user's username")
        if domain == "external" and user.password:
            raise invalid_argument("an external user has no password here")
        roles, groups = _roles(user.roles), sorted(user.groups) or None
        return self._call(lambda ep: returning_none(rest.user_upsert_flow(
            ep, domain, name, user.password, roles, user.display_name,
            groups)), opts)

    def drop_user(self, username: str, *options: DropUserOptions, **kwargs: Any) -> None:
        """:raise: UserNotFoundException"""
        opts = merge(DropUserOptions, options, kwargs)
        name, domain = check_name(username, "username"), _domain(opts)
        return self._call(lambda ep: returning_none(rest.user_remove_flow(ep, domain, name)),
                          opts)

    def change_password(self, new_password: str, *options: ChangePasswordOptions,
                        **kwargs: Any) -> None:
        """Change the password of the user this connection authenticates as."""
        password = check_name(new_password, "new_password")
        return self._call(lambda ep: returning_none(rest.change_password_flow(ep, password)),
                          merge(ChangePasswordOptions, options, kwargs))

    def get_roles(self, *options: GetRolesOptions, **kwargs: Any) -> list[RoleAndDescription]:
        """Every role the cluster offers."""
        return self._call(lambda ep: converted(rest.http_flow(ep, "/settings/rbac/roles"),
                                               lambda roles: [
            RoleAndDescription.create_role_and_description(r) for r in roles or ()]),
            merge(GetRolesOptions, options, kwargs))

    # -- groups -------------------------------------------------------------------------
    def get_group(self, group_name: str, *options: GetGroupOptions, **kwargs: Any) -> Group:
        """:raise: GroupNotFoundException"""
        path = rest.group_path(check_name(group_name, "group_name"))
        return self._call(lambda ep: converted(rest.http_flow(ep, path), Group.create_group),
                          merge(GetGroupOptions, options, kwargs), errors="group")

    def get_all_groups(self, *options: GetAllGroupsOptions, **kwargs: Any) -> list[Group]:
        return self._call(lambda ep: converted(rest.http_flow(ep, rest.group_path()),
                                               lambda groups: [
            Group.create_group(g) for g in groups or ()]),
            merge(GetAllGroupsOptions, options, kwargs), errors="group")

    def upsert_group(self, group: Group, *options: UpsertGroupOptions, **kwargs: Any) -> None:
        if not isinstance(group, Group):
            raise invalid_argument(f"expected a Group, not {group!r}")
        name = check_name(group.name, "the group's name")
        roles = _roles(group.roles)
        return self._call(lambda ep: returning_none(rest.group_upsert_flow(
            ep, name, roles, group.description, group.ldap_group_reference)),
            merge(UpsertGroupOptions, options, kwargs), errors="group")

    def drop_group(self, group_name: str, *options: DropGroupOptions, **kwargs: Any) -> None:
        """:raise: GroupNotFoundException"""
        path = rest.group_path(check_name(group_name, "group_name"))
        return self._call(lambda ep: returning_none(rest.http_flow(
            ep, path, "DELETE", what=f"dropping group {group_name!r}")),
            merge(DropGroupOptions, options, kwargs), errors="group")


__all__ = ["Group", "Origin", "Role", "RoleAndDescription", "RoleAndOrigins", "User",
           "UserAndMetadata", "UserManager"]
