"""Cluster management over the REST port (8091) as flows: buckets, users, raw requests.

Each flow takes the management :class:`~couchbase._core.commands.Endpoint`
(credentials included) and returns an :class:`~couchbase.result.HttpResult`;
an error status raises :exc:`~couchbase.exceptions.HTTPError` carrying the
server's message, its status and (``objextra``) the HttpResult. Written
once: the 2.x :class:`~couchbase.admin.Admin`, ``Bucket.flush()`` and the
3.x bucket and user managers drive the same flows, each front end its way.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Optional, Union
from urllib.parse import quote, urlencode

from .._core.commands import Endpoint
from ..exceptions import ArgumentError, CouchbaseError, HTTPError
from ..formats import FMT_BYTES, FMT_JSON, FMT_UTF8
from ..result import HttpResult
from .flows import Flow, _pause, decode_body, http_error, request_flow

FORM = "application/x-www-form-urlencoded"


class NotReadyError(CouchbaseError):
    """Not every node serves the bucket yet (:meth:`~couchbase.admin.Admin.wait_ready`)."""


def _decode(raw: bytes, response_format: int) -> Any:
    if response_format == FMT_BYTES:
        return raw
    if response_format == FMT_UTF8:
        return raw.decode("utf-8", "replace")
    return decode_body(raw)


def http_flow(endpoint: Endpoint, path: str, method: str = "GET",
              content: Union[bytes, str, None] = None, content_type: str = "application/json",
              response_format: int = FMT_JSON, what: Optional[str] = None) -> Flow:
    """Any request to the management port -> HttpResult; HTTPError for a status >= 300."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise ArgumentError(f"path must be a string starting with '/', not {path!r}")
    if method not in ("GET", "PUT", "POST", "DELETE"):  # (the 2.x Admin's http_request)
        raise ArgumentError(f"unknown HTTP method {method!r}", objextra=method)
    return _http(endpoint, path, method, content, content_type, response_format, what)


def _http(endpoint: Endpoint, path: str, method: str, content: Union[bytes, str, None],
          content_type: str = "application/json", response_format: int = FMT_JSON,
          what: Optional[str] = None) -> Flow:
    body = content.encode("utf-8") if isinstance(content, str) else content
    if body is not None and not isinstance(body, bytes):
        raise ArgumentError("content must be bytes or a string", objextra=content)
    ex, raw = yield from request_flow(endpoint, method, path, body, content_type)
    result = HttpResult(path, ex.status or 0, _decode(raw, response_format), ex.headers)
    if not result.success:
        error = http_error(ex, raw, what or f"{method} {path}")
        error.objextra = result
        raise error
    return result


def _form(endpoint: Endpoint, method: str, path: str, fields: dict[str, Any],
          what: str) -> Flow:
    body = urlencode({k: v for k, v in fields.items() if v is not None})
    return _http(endpoint, path, method, body, FORM, what=what)  # (PATCH too)


form_flow = _form  # (endpoint, method, path, fields, what): a form; None values left out


def bucket_path(name: str) -> str:
    if not isinstance(name, str) or not name:
        raise ArgumentError(f"a bucket name must be a non-empty string, not {name!r}")
    return f"/pools/default/buckets/{quote(name, safe='')}"


def _bool(value: Any) -> Optional[str]:
    return None if value is None else ("1" if value else "0")


def bucket_create_flow(endpoint: Endpoint, name: str, bucket_type: str = "couchbase",
                       bucket_password: str = "", replicas: int = 0, ram_quota: int = 1024,
                       flush_enabled: bool = False, **extra: Any) -> Flow:
    """``POST /pools/default/buckets``; ``extra`` are more of the server's fields
    (``evictionPolicy="fullEviction"``...)."""
    bucket_path(name)
    fields: dict[str, Any] = {"name": name, "bucketType": bucket_type,
                              "ramQuotaMB": ram_quota, "flushEnabled": _bool(flush_enabled),
                              "authType": "sasl", "saslPassword": bucket_password or None}
    if bucket_type != "memcached":
        fields["replicaNumber"] = replicas
    fields.update(extra)
    return _form(endpoint, "POST", "/pools/default/buckets", fields,
                 f"creating bucket {name!r}")


def bucket_update_flow(endpoint: Endpoint, name: str, current: Any = None,
                       bucket_password: Optional[str] = None, replicas: Optional[int] = None,
                       ram_quota: Optional[int] = None, flush_enabled: Optional[bool] = None,
                       **extra: Any) -> Flow:
    """``POST /pools/default/buckets/<name>``: only the settings given change.
    ``current`` (the bucket's info, as 2.x took it) is accepted and not needed."""
    fields: dict[str, Any] = {"ramQuotaMB": ram_quota, "replicaNumber": replicas,
                              "flushEnabled": _bool(flush_enabled),
                              "saslPassword": bucket_password}
    fields.update(extra)
    return _form(endpoint, "POST", bucket_path(name), fields, f"updating bucket {name!r}")


def bucket_remove_flow(endpoint: Endpoint, name: str) -> Flow:
    return http_flow(endpoint, bucket_path(name), "DELETE", what=f"removing bucket {name!r}")


def bucket_info_flow(endpoint: Endpoint, name: str) -> Flow:
    return http_flow(endpoint, bucket_path(name), what=f"bucket info of {name!r}")


def bucket_flush_flow(endpoint: Union[Endpoint, Callable[[], Endpoint]], name: str) -> Flow:
    """``POST .../controller/doFlush``: every document goes; HTTPError if the bucket's
    flush is disabled (``endpoint`` may be a function, called when the flow starts)."""
    if callable(endpoint):
        endpoint = endpoint()
    result = yield from http_flow(endpoint, bucket_path(name) + "/controller/doFlush", "POST",
                                  b"", FORM, what=f"flushing bucket {name!r}")
    return result


def wait_ready_flow(endpoint: Endpoint, name: str, timeout: float = 5.0,
                    sleep_interval: float = 0.2) -> Flow:
    """Poll the bucket's info until every node reports it healthy; after ``timeout``
    seconds the last error (HTTPError) or :exc:`NotReadyError`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            info = yield from bucket_info_flow(endpoint, name)
            nodes = info.value.get("nodes") if isinstance(info.value, dict) else None
            if nodes and all(n.get("status") == "healthy" for n in nodes):
                return info
            raise NotReadyError(f"not every node serves bucket {name!r} yet")
        except (HTTPError, NotReadyError):
            if time.monotonic() + sleep_interval > deadline:
                raise
        yield from _pause(sleep_interval, deadline + sleep_interval, "unreachable")


# -- users ---------------------------------------------------------------------------------
def users_path(domain: str, userid: Optional[str] = None) -> str:
    path = f"/settings/rbac/users/{quote(domain, safe='')}"
    if userid is not None:
        if not isinstance(userid, str) or not userid:
            raise ArgumentError(f"a user id must be a non-empty string, not {userid!r}")
        path += "/" + quote(userid, safe="")
    return path


def role_text(role: Any) -> str:
    """``"admin"``, or ``("bucket_admin", "default")`` as ``"bucket_admin[default]"``."""
    if isinstance(role, str):
        return role
    if isinstance(role, (tuple, list)) and role and all(isinstance(p, str) for p in role):
        name, *params = role
        return f"{name}[{':'.join(params)}]" if params else name
    raise ArgumentError(f"a role is a name or (name, bucket), not {role!r}", objextra=role)


def user_upsert_flow(endpoint: Endpoint, domain: str, userid: str,
                     password: Optional[str] = None, roles: Optional[Iterable[Any]] = None,
                     name: Optional[str] = None, groups: Optional[Iterable[str]] = None) -> Flow:
    if isinstance(roles, (str, tuple)):
        roles = [roles]
    fields = {"password": password, "name": name,
              "roles": ",".join(role_text(r) for r in roles or ()),
              "groups": None if groups is None else ",".join(groups)}
    return _form(endpoint, "PUT", users_path(domain, userid), fields,
                 f"creating user {userid!r}")


def user_get_flow(endpoint: Endpoint, domain: str, userid: str) -> Flow:
    return http_flow(endpoint, users_path(domain, userid), what=f"getting user {userid!r}")


def users_get_flow(endpoint: Endpoint, domain: str) -> Flow:
    return http_flow(endpoint, users_path(domain), what="listing users")


def user_remove_flow(endpoint: Endpoint, domain: str, userid: str) -> Flow:
    return http_flow(endpoint, users_path(domain, userid), "DELETE",
                     what=f"removing user {userid!r}")


def change_password_flow(endpoint: Endpoint, password: str) -> Flow:
    """``POST /controller/changePassword``: the password of the endpoint's own user."""
    return _form(endpoint, "POST", "/controller/changePassword", {"password": password},
                 "changing the password")


# -- groups --------------------------------------------------------------------------------
def group_path(name: Optional[str] = None) -> str:
    path = "/settings/rbac/groups"
    if name is not None:
        if not isinstance(name, str) or not name:
            raise ArgumentError(f"a group name must be a non-empty string, not {name!r}")
        path += "/" + quote(name, safe="")
    return path


def group_upsert_flow(endpoint: Endpoint, name: str, roles: Iterable[Any] = (),
                      description: Optional[str] = None,
                      ldap_group_ref: Optional[str] = None) -> Flow:
    fields = {"description": description, "ldap_group_ref": ldap_group_ref,
              "roles": ",".join(role_text(r) for r in roles)}
    return _form(endpoint, "PUT", group_path(name), fields, f"creating group {name!r}")


# -- scopes and collections ----------------------------------------------------------------
def scopes_path(bucket: str, scope: Optional[str] = None,
                collection: Optional[str] = None) -> str:
    """``.../buckets/<bucket>/scopes[/<scope>[/collections[/<collection>]]]``."""
    path = bucket_path(bucket) + "/scopes"
    if scope is not None:
        path += "/" + quote(scope, safe="")
        if collection is not None:
            path += "/collections"
            if collection:
                path += "/" + quote(collection, safe="")
    return path


def scope_create_flow(endpoint: Endpoint, bucket: str, scope: str) -> Flow:
    return _form(endpoint, "POST", scopes_path(bucket), {"name": scope},
                 f"creating scope {scope!r}")


def collection_create_flow(endpoint: Endpoint, bucket: str, scope: str, collection: str,
                           max_ttl: Optional[int] = None,
                           history: Optional[bool] = None) -> Flow:
    fields = {"name": collection, "maxTTL": max_ttl,
              "history": None if history is None else ("true" if history else "false")}
    return _form(endpoint, "POST", scopes_path(bucket, scope, ""), fields,
                 f"creating collection {scope}.{collection}")


def collection_update_flow(endpoint: Endpoint, bucket: str, scope: str, collection: str,
                           max_ttl: Optional[int] = None,
                           history: Optional[bool] = None) -> Flow:
    """``PATCH`` a collection's settings (server 7.2 and later)."""
    fields = {"maxTTL": max_ttl,
              "history": None if history is None else ("true" if history else "false")}
    return _form(endpoint, "PATCH", scopes_path(bucket, scope, collection), fields,
                 f"updating collection {scope}.{collection}")


__all__ = ["NotReadyError", "bucket_create_flow", "change_password_flow",
           "collection_create_flow", "collection_update_flow", "form_flow",
           "group_path", "group_upsert_flow", "scope_create_flow", "scopes_path",
           "bucket_flush_flow", "bucket_info_flow", "bucket_path", "bucket_remove_flow",
           "bucket_update_flow", "http_flow", "role_text", "user_get_flow",
           "user_remove_flow", "user_upsert_flow", "users_get_flow", "users_path",
           "wait_ready_flow"]
