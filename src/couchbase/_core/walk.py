"""The bootstrap walk: seed by seed, until one gives the cluster's configuration.

The connection string names seeds; a client does not know which of them are
up. The walk tries them in order, key-value seeds first (CCCP: the config
comes with the connection's bootstrap, GET_CLUSTER_CONFIG), then the
management ports over HTTP (``/pools/default/bs/<bucket>``, the first config
of the stream). Each seed gets its own deadline, ``node_timeout`` seconds
(libcouchbase's ``config_node_timeout``) but never past the whole walk's
``total_timeout``: a seed that accepts TCP and then says nothing costs that
much, and the walk goes on to the next.

A refused password or a missing bucket ends the walk at once (another node
would say the same); any other failure is kept and the next seed tried.
When every seed failed the walk raises
:class:`~couchbase._core.errors.BootstrapFailed` with each seed's error.

The walk is a flow (:mod:`couchbase._core.commands`): it yields
:class:`~couchbase._core.commands.OpenNode` for a key-value seed and the
HTTP commands of :func:`config_flow` for a management one; it reads the
clock it is given and touches no socket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generator, NamedTuple, Optional
from urllib.parse import quote

from .bootstrap import Session
from .commands import RECEIVE, Connect, Endpoint, OpenNode
from .errors import (
    AuthenticationFailed,
    BootstrapFailed,
    BucketUnavailable,
    CoreError,
    HttpStatusError,
    RemoteProtocolError,
    Timeout,
)
from .http import HttpExchange
from .logsink import DEBUG, ERROR, INFO, WARNING, emit
from .router import Router

Flow = Generator[Any, Any, Any]

KV = "kv"
HTTP = "http"
CONFIG_SEPARATOR = b"\n\n\n\n"  # between the configs of a streaming config response
_CONFIG_LIMIT = 16 << 20
_LOG = "couchbase.bootstrap"


class Seed(NamedTuple):
    kind: str  # KV or HTTP
    host: str
    port: int


def http_config_path(bucket: Optional[str]) -> str:
    """Where a management port streams the bucket's configuration."""
    if bucket:
        return f"/pools/default/bs/{quote(bucket, safe='')}"
    return "/pools/default/nodeServices"


@dataclass
class WalkPlan:
    """Everything the walk needs besides the router it fills and the clock."""

    seeds: list[Seed]
    total_timeout: float
    node_timeout: float
    bucket: Optional[str] = None
    username: str = ""
    password: str = ""
    tls: Any = None  # passed through to the HTTP endpoints
    # errors a seed may fail with that send the walk on to the next seed (the drivers'
    # own network errors join the core's)
    seed_errors: tuple[type[BaseException], ...] = field(default=(CoreError,))

    def endpoint(self, host: str, port: int, timeout: float) -> Endpoint:
        return Endpoint(host, port, self.tls, self.username, self.password, timeout)


def config_flow(endpoint: Endpoint, path: str) -> Flow:
    """GET ``path``: the first configuration of the (possibly streaming) response."""
    ex = HttpExchange("GET", endpoint.host, endpoint.port, path, endpoint.username,
                      endpoint.password)
    yield Connect(endpoint, ex.request)
    where = f"{endpoint.host}:{endpoint.port}"
    body = bytearray()
    while not ex.complete:
        data = yield RECEIVE
        for chunk in ex.feed(data):
            body += chunk
            if ex.status == 200 and CONFIG_SEPARATOR in body:
                return bytes(body[: body.index(CONFIG_SEPARATOR)])
            if len(body) > _CONFIG_LIMIT:
                raise RemoteProtocolError(f"{where} sent over {_CONFIG_LIMIT} bytes of "
                                          f"configuration for {path}")
        if not data:
            break
    if ex.status == 200:
        return bytes(body.strip())
    if ex.status == 401:
        raise AuthenticationFailed(f"{where} refused the credentials for {path}",
                                   http_status=ex.status)
    if ex.status == 404:
        raise BucketUnavailable(f"{where} has no {path}", http_status=ex.status)
    raise HttpStatusError(f"GET {path} on {where} answered {ex.status}",
                          http_status=ex.status)


def walk(plan: WalkPlan, router: Router, clock: Callable[[], float]) -> Flow:
    """Bootstrap ``router`` from the first seed that answers; see the module docstring."""
    start = clock()
    total = start + plan.total_timeout
    errors: list[BaseException] = []
    for seed in plan.seeds:
        now = clock()
        if now >= total:
            errors.append(Timeout(f"bootstrap did not finish in {plan.total_timeout}s"))
            break
        deadline = min(now + plan.node_timeout, total)
        where = f"{seed.host}:{seed.port}"
        emit(_LOG, DEBUG, "bootstrap: trying %s seed %s (%.3gs for this node)",
             "key-value" if seed.kind == KV else "HTTP", where, deadline - now)
        try:
            if seed.kind == KV:
                session: Session = yield OpenNode(seed.host, seed.port, deadline)
                if session.config is not None:
                    router.update(session.config, seed.host)
                if router.config is not None:
                    _found(where, session.mechanism, router)
                    return
                errors.append(RemoteProtocolError(f"{where} gave no cluster configuration"))
            else:
                endpoint = plan.endpoint(seed.host, seed.port, max(deadline - now, 0.001))
                raw = yield from config_flow(endpoint, http_config_path(plan.bucket))
                if router.update(raw, seed.host):
                    _found(where, "HTTP", router)
                    return
                errors.append(RemoteProtocolError(f"{where} gave no usable configuration"))
        except (AuthenticationFailed, BucketUnavailable) as exc:
            emit(_LOG, WARNING, "bootstrap: %s refused: %s", where, _message(exc))
            raise
        except plan.seed_errors as exc:
            errors.append(exc)
        emit(_LOG, WARNING, "bootstrap: seed %s failed: %s", where, _message(errors[-1]))
    emit(_LOG, ERROR, "bootstrap: no seed gave the cluster map (%d tried)", len(errors))
    if not errors:
        raise BootstrapFailed("no node to bootstrap from in the connection string", errors)
    raise BootstrapFailed("could not bootstrap from any node: "
                          + "; ".join(_message(e) for e in errors), errors)


def _found(where: str, how: str, router: Router) -> None:
    config = router.config
    emit(_LOG, INFO, "bootstrap: cluster map revision %s from %s (%s), %d nodes",
         getattr(config, "rev", "?"), where, how, len(getattr(config, "nodes", ())))


def _message(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc)


__all__ = ["HTTP", "KV", "Seed", "WalkPlan", "config_flow", "http_config_path", "walk"]
