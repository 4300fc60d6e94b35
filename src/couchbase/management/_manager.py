"""How a manager runs a call: its flow, at a service endpoint, through its owner's driver.

A manager belongs to a cluster (buckets, users, query and search indexes),
a bucket (collections, views) or a collection (its query indexes). Each call
is a flow (:mod:`couchbase._waiting`) made of the REST and N1QL flows the
2.x API already uses; the owner drives it, so the sync API returns the
value, acouchbase an awaitable, txcouchbase a Deferred.

Where the endpoint comes from:

- a bucket or collection: its cluster map (the service's nodes, round robin);
- a cluster: an open bucket's cluster map when it has one; otherwise the
  connection string's management address (``couchbase://host`` is
  ``host:8091``, ``couchbase://host:port=http`` names the port), and for the
  query and search services the nodes that ``/pools/default/nodeServices``
  lists. The cluster then drives the flow with its front end's HTTP-only driver.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Optional

from .._core.commands import Endpoint
from .._errors4x import ServiceUnavailableException
from ..exceptions import CouchbaseError
from ._errors import named, translate_any

Flow = Generator[Any, Any, Any]
MakeFlow = Callable[[Endpoint], Flow]

DEFAULT_TIMEOUT = 75.0  # seconds a management request may wait for its answer
_SERVICE_KEYS = {"query": ("n1ql", "n1qlSSL"), "search": ("fts", "ftsSSL"),
                 "views": ("capi", "capiSSL"), "mgmt": ("mgmt", "mgmtSSL")}


class Manager:
    """What every manager shares: its owner and the way a call runs."""

    _errors = ""  # the error table of :mod:`._errors` for this manager's REST answers

    def __init__(self, owner: Any) -> None:
        self._owner = owner

    def _call(self, make: MakeFlow, options: dict[str, Any], service: str = "mgmt",
              errors: Optional[str] = None) -> Any:
        """Run ``make(endpoint)`` at ``service`` on the owner's driver."""
        timeout = options.get("timeout") or DEFAULT_TIMEOUT
        table = errors if errors is not None else self._errors
        return drive(self._owner, service, timeout, lambda endpoint: _translated(
            make(endpoint), table))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._owner!r})"


def _translated(flow: Flow, table: str) -> Flow:
    try:
        return (yield from flow)
    except CouchbaseError as exc:
        raise translate_any(exc, table) from None


def drive(owner: Any, service: str, timeout: float, make: MakeFlow) -> Any:
    """Run ``make(endpoint)`` through ``owner`` (a bucket, a collection or a cluster)."""
    bucket = owner._open_bucket() if hasattr(owner, "_open_bucket") else owner
    if bucket is not None:
        def on_map() -> Flow:
            # looked up when the flow starts: after an asynchronous bootstrap
            endpoint = bucket._live().service_endpoint(service, timeout)
            return (yield from make(endpoint))

        return bucket._drive(on_map())

    def on_address() -> Flow:
        endpoint = yield from cluster_endpoint_flow(owner, service, timeout)
        return (yield from make(endpoint))

    return owner._http_drive(on_address())


def cluster_endpoint_flow(cluster: Any, service: str, timeout: float) -> Flow:
    """The ``service`` endpoint of a cluster that has no open bucket."""
    from .._http.management import http_flow

    username, password = cluster._management_credentials()
    host, port, tls = cluster._mgmt_target(username, password)  # couchbases://: TLS
    mgmt = Endpoint(host, port, tls, username, password, timeout)
    if service == "mgmt":
        return mgmt
    answer = yield from http_flow(mgmt, "/pools/default/nodeServices")
    key = _SERVICE_KEYS[service][0 if tls is None else 1]
    for node in (answer.value or {}).get("nodesExt") or ():
        port = (node.get("services") or {}).get(key)
        if port:
            return Endpoint(node.get("hostname") or host, port, tls, username, password,
                            timeout)
    raise named(ServiceUnavailableException,
                f"no node of the cluster runs the {service} service")


def check_name(value: Any, what: str) -> str:
    """A name argument: a non-empty string, else InvalidArgumentException."""
    if not isinstance(value, str) or not value:
        from ._errors import invalid_argument

        raise invalid_argument(f"{what} must be a non-empty string, not {value!r}")
    return value


def returning_none(flow: Flow) -> Flow:
    """``flow``, for a call that returns None (the 4.x managers' create, drop...)."""
    yield from flow
    return None


def converted(flow: Flow, convert: Callable[[Any], Any]) -> Flow:
    """``convert`` of the decoded body of ``flow``'s HttpResult."""
    result = yield from flow
    return convert(result.value)


__all__ = ["Manager", "check_name", "converted", "drive", "returning_none"]
