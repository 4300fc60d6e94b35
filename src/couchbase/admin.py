"""Cluster administration over the REST port (SDK 2.x): buckets, users, raw requests.

>>> adm = Admin("Administrator", "password", host="localhost", port=8091)
>>> adm.bucket_create("app", ram_quota=100, flush_enabled=True)
>>> adm.wait_ready("app", timeout=10)
>>> adm.user_upsert(AuthDomain.Local, "web", "s3cret!", [("bucket_full_access", "app")])
>>> adm.bucket_remove("app")

Unlike :class:`~couchbase.bucket.Bucket`, Admin speaks to one node, on its
management port; it opens a connection per request. Every method returns
an :class:`~couchbase.result.HttpResult` (``value``: the decoded JSON) or
raises :exc:`~couchbase.exceptions.HTTPError` with the server's message
(``objextra`` is the HttpResult). The requests themselves are the flows of
:mod:`couchbase._http.management`, run here in the caller's thread.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, NoReturn, Optional
from urllib.parse import urlencode, urlsplit

from ._core.commands import Endpoint
from ._core.connstr import ConnectionString, parse_connection_string
from ._core.dnssrv import resolve_seeds
from ._http import management as mgmt
from ._http.management import NotReadyError
from ._io.blocking import BlockingHttpLink, SocketNetwork
from ._settings import DEFAULT_BOOTSTRAP_TIMEOUT, _tls_context
from ._waiting import Flow, wait_blocking
from .auth_domain import AuthDomain
from .exceptions import ArgumentError, AuthError, HTTPError, NotSupportedError
from .formats import FMT_JSON
from .result import HttpResult

DEFAULT_TIMEOUT = 75.0
_IGNORED = frozenset({"ipv6", "quiet", "unlock_gil", "lockmode", "bucket"})


class _HttpOnly:
    """The blocking driver's answers for flows that only make HTTP requests and sleep."""

    def __init__(self) -> None:
        self.network = SocketNetwork()

    def open_http(self, endpoint: Endpoint, data: bytes) -> BlockingHttpLink:
        return BlockingHttpLink(self.network, endpoint, data)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _no_kv(self, *args: Any) -> NoReturn:
        raise NotSupportedError("Admin makes no key-value requests: use a Bucket")

    execute = execute_multi = stats = each_node = open_node = _no_kv


class Admin:
    """An administrative connection to a Couchbase cluster's management port.

    :param username: the administrator (``Administrator`` usually)
    :param password: its password
    :param host: a node of the cluster
    :param port: that node's management port
    :param connection_string: ``http://host:port`` instead of ``host`` and ``port``;
        or ``couchbases://host?cert_path=ca.pem`` (``https://host:port?cert_path=...``):
        HTTPS to the management TLS port with the CA verified, 18091 when the string
        names no port, else the node's ``mgmtSSL`` from the cluster map (read over the
        key-value port the string names); ``couchbase://host:kvport`` likewise reads
        the node's ``mgmt`` port
    :param timeout: seconds to wait for each answer
    :raise: :exc:`~couchbase.exceptions.AuthError` if the cluster refuses the
        credentials; :exc:`~couchbase.exceptions.ConnectError` if the node cannot
        be reached
    """

    def __init__(self, username: str, password: str, host: str = "localhost",
                 port: int = 8091, **kwargs: Any) -> None:
        connstr = kwargs.pop("connection_string", None)
        timeout = kwargs.pop("timeout", DEFAULT_TIMEOUT)
        tls = kwargs.pop("_tls", None)  # Cluster.cluster_manager(): its bucket's context
        unknown = set(kwargs) - _IGNORED
        if unknown:
            raise ArgumentError(f"unknown Admin arguments: {', '.join(sorted(unknown))}")
        if not isinstance(username, str) or not isinstance(password, str):
            raise ArgumentError("username and password must be strings")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ArgumentError(f"timeout must be a positive number, not {timeout!r}")
        if connstr is not None:
            host, port, tls = _target(connstr, username, password)
        if not isinstance(host, str) or not host:
            raise ArgumentError(f"bad host {host!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ArgumentError(f"bad port {port!r}")
        self.host = host
        self.port = port
        self._endpoint = Endpoint(host, port, tls, username, password, float(timeout))
        self._io = _HttpOnly()
        try:
            self.http_request("/pools/default")
        except HTTPError as exc:
            if exc.status == 401:
                raise AuthError(f"the cluster at {host}:{port} refused the credentials of "
                                f"{username!r}", status=401) from None
            raise

    def _run(self, flow: Flow) -> Any:
        return wait_blocking(flow, self._io)

    # -- raw requests -----------------------------------------------------------------------
    def http_request(self, path: str, method: str = "GET", content: Any = None,
                     content_type: str = "application/json",
                     response_format: int = FMT_JSON) -> HttpResult:
        """Any REST request to the node: ``path`` like ``/pools/default``; ``content``
        the body (bytes or text); ``response_format`` FMT_JSON (decode the JSON),
        FMT_UTF8 (text) or FMT_BYTES."""
        return self._run(mgmt.http_flow(self._endpoint, path, method, content, content_type,
                                        response_format))

    # -- buckets -----------------------------------------------------------------------------
    def bucket_create(self, name: str, bucket_type: str = "couchbase",
                      bucket_password: str = "", replicas: int = 0, ram_quota: int = 1024,
                      flush_enabled: bool = False) -> HttpResult:
        """Create a bucket (``bucket_type``: couchbase, memcached or ephemeral; ``ram_quota``
        in MiB per node); it serves requests once :meth:`wait_ready` says so."""
        if bucket_type not in ("couchbase", "membase", "memcached", "ephemeral"):
            raise ArgumentError(f"unknown bucket type {bucket_type!r}", objextra=bucket_type)
        return self._run(mgmt.bucket_create_flow(self._endpoint, name, bucket_type,
                                                 bucket_password, replicas, ram_quota,
                                                 flush_enabled))

    def bucket_remove(self, name: str) -> HttpResult:
        """Delete a bucket and every document in it."""
        return self._run(mgmt.bucket_remove_flow(self._endpoint, name))

    bucket_delete = bucket_remove

    def bucket_info(self, name: str) -> HttpResult:
        """The bucket's settings and nodes (``value``: the server's JSON)."""
        return self._run(mgmt.bucket_info_flow(self._endpoint, name))

    def bucket_update(self, name: str, current: Any = None,
                      bucket_password: Optional[str] = None, replicas: Optional[int] = None,
                      ram_quota: Optional[int] = None,
                      flush_enabled: Optional[bool] = None) -> HttpResult:
        """Change the settings given (``None``: unchanged)."""
        return self._run(mgmt.bucket_update_flow(self._endpoint, name, current,
                                                 bucket_password, replicas, ram_quota,
                                                 flush_enabled))

    def wait_ready(self, name: str, timeout: float = 5.0, sleep_interval: float = 0.2) -> None:
        """Wait until every node serves bucket ``name``.

        :raise: :exc:`NotReadyError` (or the last HTTPError) after ``timeout`` seconds
        """
        self._run(mgmt.wait_ready_flow(self._endpoint, name, timeout, sleep_interval))

    # -- users (RBAC) ----------------------------------------------------------------------
    def users_get(self, domain: Any) -> HttpResult:
        """Every user of ``domain`` (:class:`~couchbase.auth_domain.AuthDomain`)."""
        return self._run(mgmt.users_get_flow(self._endpoint, AuthDomain.to_str(domain)))

    def user_get(self, domain: Any, userid: str) -> HttpResult:
        return self._run(mgmt.user_get_flow(self._endpoint, AuthDomain.to_str(domain), userid))

    def user_upsert(self, domain: Any, userid: str, password: Optional[str] = None,
                    roles: Optional[Iterable[Any]] = None,
                    name: Optional[str] = None) -> HttpResult:
        """Create or replace a user. ``roles``: names (``"admin"``) or ``(role, bucket)``
        pairs (``("bucket_full_access", "beer-sample")``); ``password`` is required for
        a new local user and not used for external ones."""
        return self._run(mgmt.user_upsert_flow(self._endpoint, AuthDomain.to_str(domain),
                                               userid, password, roles, name))

    def user_remove(self, domain: Any, userid: str) -> HttpResult:
        return self._run(mgmt.user_remove_flow(self._endpoint, AuthDomain.to_str(domain),
                                               userid))

    # -- the object ----------------------------------------------------------------------
    def close(self) -> None:
        """Nothing to close: each request had its own connection."""

    def __enter__(self) -> Admin:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Admin({self.host}:{self.port}, user={self._endpoint.username!r})"


def _target(connstr: str, username: str, password: str) -> tuple[str, int, Any]:
    """The management address and TLS context (or None) a connection string names."""
    if not isinstance(connstr, str):
        raise ArgumentError(f"bad connection string {connstr!r}")
    if connstr.startswith("http://"):
        parts = urlsplit(connstr)
        if not parts.hostname:
            raise ArgumentError(f"bad connection string {connstr!r}")
        return parts.hostname, parts.port or 8091, None
    try:
        cs = parse_connection_string(connstr)
    except ValueError as exc:
        raise ArgumentError(f"bad connection string {connstr!r}: {exc}") from None
    tls = _tls_context(cs)
    if any(port is None or cs._is_http(kind) for _, port, kind in cs.hosts):
        host, port = _host_port(connstr)
        return host, port, tls
    return _from_cluster_map(cs, username, password)


def _from_cluster_map(cs: ConnectionString, username: str,
                      password: str) -> tuple[str, int, Any]:
    """Only key-value ports named: bootstrap there (without a bucket) and take the
    first node's management port (``mgmtSSL`` over TLS) from the cluster map."""
    from .bucket import Bucket

    text = cs.scheme + "://" + ",".join(f"{h}:{p}" for h, p, _ in cs.hosts)
    if cs.options:
        text += "?" + urlencode(cs.options)
    conn = Bucket(text, username=username, password=password, _no_bucket=True)
    try:
        endpoint = conn._live().service_endpoint("mgmt", DEFAULT_BOOTSTRAP_TIMEOUT)
    finally:
        conn.close()
    return endpoint.host, endpoint.port, endpoint.tls


def _host_port(connstr: str) -> tuple[str, int]:
    """``http://host:port`` (or a couchbase:// string: its first host, port 8091
    (couchbases://: 18091), after DNS SRV as a bucket's bootstrap does it:
    ``couchbase://name`` is looked up as ``_couchbase._tcp.name``, and the first
    record's target is the host)."""
    if not isinstance(connstr, str):
        raise ArgumentError(f"bad connection string {connstr!r}")
    if connstr.startswith(("http://", "https://")):
        parts = urlsplit(connstr)
        if not parts.hostname:
            raise ArgumentError(f"bad connection string {connstr!r}")
        return parts.hostname, parts.port or (8091 if connstr.startswith("http:") else 18091)
    try:
        cs = parse_connection_string(connstr)
        return resolve_seeds(cs, DEFAULT_BOOTSTRAP_TIMEOUT).http_hosts()[0]
    except (ValueError, IndexError) as exc:
        raise ArgumentError(f"bad connection string {connstr!r}: {exc}") from None


__all__ = ["Admin", "NotReadyError"]
