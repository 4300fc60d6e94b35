"""The management REST service (port 8091 on a real node), driven by h11.

:class:`MgmtProtocol` is an :class:`asyncio.Protocol` around a server-side
:class:`h11.Connection`; :func:`route` maps a request to a :class:`Reply`.
``GET /mock/<command>?...`` runs a control command (see
:mod:`couchbase_mock.control`). Streaming endpoints (``/pools/default/bs/<b>``,
``/pools/default/bucketsStreaming/<b>``) send one config followed by four
newlines whenever the cluster config changes, in one chunked response held
open until the client goes away or the bucket is deleted.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Optional, Union
from urllib.parse import parse_qsl, unquote, urlsplit

import h11

from . import (
    alternate,
    bucket_rest,
    client_cert,
    collections_rest,
    configjson,
    ui_routes,  # the web console (couchbase_mock/ui)
    users_rest,
)
from .cluster import Cluster
from .control import parse_query_payload, run_command
from .httpserver import REALM, Headers, HTTPProtocol, request_path
from .persistence import meta_durable, meta_mark
from .rbac import forbidden, permitted
from .samples import rest as samples_rest

STREAM_SEPARATOR = b"\n\n\n\n"
CONTROL_PREFIX = "/mock/"
"""Where the control API (couchbase_mock.control) answers, as on CouchbaseMock."""
_JSON = "application/json"


class Reply:
    """A complete response: status, body and content type."""

    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(
        self,
        status: int,
        body: Union[bytes, Any] = b"",
        content_type: str = _JSON,
        headers: Optional[list[tuple[str, str]]] = None,
    ) -> None:
        self.status = status
        if not isinstance(body, bytes):
            body = json.dumps(body, separators=(",", ":")).encode()
        self.body = body
        self.content_type = content_type
        self.headers = headers or []


class Stream:
    """A request to stream a bucket's config."""

    __slots__ = ("bucket",)

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket


def _rest_answer(status: int, answer: Any) -> Reply:
    """A handler's answer; a 404 given as bytes is ns_server's plain text."""
    if status == 404 and isinstance(answer, bytes):
        return Reply(404, answer, "text/plain")
    return Reply(status, answer)


def _not_found() -> Reply:
    """ns_server's 404: plain text (the official SDK's bucket manager reads it)."""
    return Reply(404, b"Requested resource not found.\r\n", "text/plain")


def _unauthorized() -> Reply:
    return Reply(401, b"", "text/plain", [("WWW-Authenticate", REALM)])


def route(
    cluster: Cluster, node: int, method: str, target: str, user: Optional[str], body: bytes
) -> Union[Reply, Stream]:
    """Answer one request. ``user`` is the authenticated user (``None``: none)."""
    path = unquote(urlsplit(target).path).rstrip("/") or "/"
    parts = path.strip("/").split("/")
    is_admin = user == cluster.username
    if path == "/pools" and method == "GET":  # public, as on the server
        return Reply(200, _pools(cluster, user))
    if user is None:
        return _unauthorized()
    if parts[:2] == ["settings", "rbac"] or parts == ["whoami"]:
        status, answer = users_rest.handle(cluster, user, method, parts[2:] or parts, body)
        return _rest_answer(status, answer)
    if parts[:2] == ["settings", "querySettings"]:  # the CURL() access list
        from . import query_settings_rest

        status, answer = query_settings_rest.handle(cluster, user, method, parts[2:], body)
        return _rest_answer(status, answer)
    if parts[0] == "sampleBuckets":
        # Installing creates buckets: who may create them may install samples.
        status, answer = samples_rest.handle(cluster, method, parts[1:], body,
                                             permitted(cluster, user, "buckets.create"))
        return _rest_answer(status, answer)
    if parts == ["node", "controller", "setupAlternateAddresses", "external"]:
        if not is_admin:  # the node's external address (couchbase_mock.alternate)
            return Reply(403, {"message": "Forbidden. User needs the following permissions",
                               "permissions": ["cluster.admin.settings!write"]})
        return _rest_answer(*alternate.handle(cluster, node, method, body))
    if parts == ["settings", "clientCertAuth"]:  # couchbase_mock.client_cert
        return _rest_answer(*client_cert.handle(cluster, is_admin, method, body))
    if parts[:2] == ["pools", "default"] and parts[2:] in (["certificate"], ["trustedCAs"]):
        return _certificate(cluster, method, parts[2])
    if parts == ["pools", "default", "tasks"] and method == "GET":  # (samples loading)
        return Reply(200, samples_rest.tasks(cluster))
    if parts == ["pools", "nodes"] and method == "GET":
        return Reply(200, configjson.pools_nodes(cluster, node))
    if parts[:2] != ["pools", "default"] or len(parts) < 2:
        return _not_found()
    rest = parts[2:]
    if not rest:
        if method != "GET":
            return Reply(405)
        return Reply(200, configjson.pools_default(cluster, node))
    if rest == ["nodeServices"] and method == "GET":  # the nodes and their services' ports
        return Reply(200, configjson.node_services(cluster, node))
    kind = rest[0]
    name = rest[1] if len(rest) > 1 else None
    if kind == "buckets" and name is None:
        if method == "POST":
            if not permitted(cluster, user, "buckets.create"):
                return Reply(403, forbidden("buckets.create"))
            return _answer(bucket_rest.create(cluster, body, _query(target)))
        if method != "GET":
            return Reply(405)
        visible = [b for b in cluster.buckets.values() if cluster.may_access(user, b.name)]
        return Reply(200, [bucket_rest.bucket_info(cluster, b, node) for b in visible])
    scopes = kind == "buckets" and len(rest) > 2 and rest[2] == "scopes"
    ddocs = kind == "buckets" and rest[2:] == ["ddocs"]
    if kind not in ("buckets", "b", "bs", "bucketsStreaming") or name is None:
        return _not_found()
    flush = kind == "buckets" and rest[2:] == ["controller", "doFlush"]
    if len(rest) > 2 and not (scopes or ddocs or flush):
        return _not_found()
    if kind == "buckets" and (flush or len(rest) == 2) and method in ("POST", "DELETE"):
        return _manage_bucket(cluster, user, method, name, flush, body, _query(target))
    if name not in cluster.buckets:
        return _not_found() if is_admin else _unauthorized()
    if not cluster.may_access(user, name):
        return _unauthorized()
    if ddocs:
        if method != "GET":
            return Reply(405)
        from .views.service import ddoc_listing  # views import this module

        return Reply(200, ddoc_listing(cluster, name))
    if scopes:
        status, answer = collections_rest.handle(
            cluster, name, method, rest[3:], body, is_admin
        )
        if isinstance(answer, str):
            return Reply(status, answer.encode(), "text/plain")
        return Reply(status, answer)
    bucket = cluster.buckets[name]
    if method != "GET":
        return Reply(405)
    if kind == "buckets":
        return Reply(200, bucket_rest.bucket_info(cluster, bucket, node))
    if kind == "b":
        return Reply(200, configjson.rest_bucket_config(cluster, bucket, node))
    return Stream(name)


def _certificate(cluster: Cluster, method: str, what: str) -> Reply:
    """The cluster CA: ``certificate`` as PEM, ``trustedCAs`` as the 7.1+ list."""
    if method != "GET":
        return Reply(405)
    if cluster.tls is None:
        return Reply(404, b"This cluster serves no TLS (start it with --tls)", "text/plain")
    if what == "certificate":
        return Reply(200, cluster.tls.ca_pem, "text/plain")
    return Reply(200, cluster.tls.trusted_cas())


def _pools(cluster: Cluster, user: Optional[str]) -> dict[str, Any]:
    """``GET /pools``: what the server tells anyone, and whether they are the admin."""
    doc = configjson.pools(cluster)
    doc["isAdminCreds"] = user == cluster.username
    return doc


def _query(target: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))


def _answer(answer: tuple[int, Any, list[tuple[str, str]]]) -> Reply:
    status, body, headers = answer
    if isinstance(body, bytes) and body:
        return Reply(status, body, "text/plain", headers)
    return Reply(status, body, headers=headers)


def _manage_bucket(cluster: Cluster, user: str, method: str, name: str, flush: bool,
                   body: bytes, query: dict[str, str]) -> Reply:
    """Edit (POST), flush (POST .../controller/doFlush) or delete (DELETE) a bucket
    (see couchbase_mock.bucket_rest); 403 for a user whose roles do not allow it."""
    action = "bucket.delete" if method == "DELETE" else (
        "bucket.flush" if flush else "bucket.settings")
    if not permitted(cluster, user, action, name):
        return Reply(403, forbidden(action, name))
    if method == "DELETE":
        return _answer(bucket_rest.delete(cluster, name))
    bucket = cluster.buckets.get(name)
    if bucket is None:
        return _not_found()
    if flush:
        return _answer(bucket_rest.flush(cluster, bucket))
    return _answer(bucket_rest.edit(cluster, bucket, body, query))


class MgmtProtocol(HTTPProtocol):
    """One HTTP connection to a node's management port."""

    public_paths = frozenset({"/pools"})

    def __init__(self, cluster: Cluster, node: int) -> None:
        super().__init__()
        self.cluster = cluster
        self.node = node
        self._streaming: Optional[str] = None
        self._last_sent = b""

    def connection_lost(self, exc: Optional[Exception]) -> None:
        super().connection_lost(exc)
        self._stop_streaming()

    def data_received(self, data: bytes) -> None:
        if self._streaming is not None:
            return  # nothing more is expected from a streaming client
        HTTPProtocol.data_received(self, data)

    def authorized(self, request: h11.Request) -> bool:
        # The control API answers without credentials, as CouchbaseMock's does
        # (the suites written for it send none); the cluster listens on
        # loopback unless told otherwise.
        if request.method == b"GET" and request_path(request.target).startswith(CONTROL_PREFIX):
            return True
        # the web console: its files, login/logout and session cookies (ui_routes)
        return super().authorized(request) or ui_routes.screen(self.cluster, request)

    def unauthorized(self, request: h11.Request) -> tuple[Headers, bytes]:
        return [("Content-Type", "text/plain"), *ui_routes.challenge(request)], b""

    def eof_received(self) -> Optional[bool]:
        # Unlike the views and query ports, a half-sent request is not answered
        # here: the connection just closes.
        try:
            self.conn.receive_data(b"")
        except h11.ProtocolError:
            pass
        return None

    def request_complete(self) -> None:
        req = self._request
        assert req is not None
        target = req.target.decode("latin-1")
        if req.method == b"GET" and request_path(req.target).startswith(CONTROL_PREFIX):
            self.take_body()
            self._task = asyncio.ensure_future(self._control(target))
            return
        handled, user = ui_routes.dispatch(self, req)  # the web console's, else who asks
        if handled:
            return
        mark = meta_mark(self.cluster)
        result = route(
            self.cluster, self.node, req.method.decode(), req.target.decode("latin-1"), user,
            self.take_body(),
        )
        if isinstance(result, Stream):
            self._start_streaming(result.bucket)  # the connection stays busy
            return
        flusher = self.cluster.flusher
        if mark is not None and flusher is not None and flusher.meta_pending(mark):
            # a bucket, scope, collection or user change: on disk before the answer
            self._task = asyncio.ensure_future(self._reply_durable(result, mark))
            return
        self._reply(result)
        self.next_cycle()

    async def _reply_durable(self, result: Reply, mark: int) -> None:
        await meta_durable(self.cluster, mark)
        self._reply(result)
        if self.next_cycle():
            self._process()

    def _reply(self, result: Reply) -> None:
        headers = [
            ("Content-Type", result.content_type),
            ("Content-Length", str(len(result.body))),
            ("Server", "Couchbase Server"),
            ("Cache-Control", "no-cache,no-store,must-revalidate"),
            *result.headers,
        ]
        self.send_whole(result.status, headers, result.body)

    async def _control(self, target: str) -> None:
        """``GET /mock/<command>?field=value...``: a CouchbaseMock control command."""
        split = urlsplit(target)
        command = unquote(split.path)[len(CONTROL_PREFIX):].strip("/")
        payload = parse_query_payload(dict(parse_qsl(split.query)))
        reply = await run_command(self.cluster, command, payload)
        body = json.dumps(reply).encode()
        status = 200 if reply["status"] == "ok" else 400
        self.send_whole(status, [("Content-Type", "application/json"),
                                 ("Content-Length", str(len(body)))], body)
        if self.next_cycle():
            self._process()

    # -- streaming ----------------------------------------------------------

    def _start_streaming(self, bucket: str) -> None:
        self._streaming = bucket
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Server", "Couchbase Server"),
            ("Cache-Control", "no-cache,no-store,must-revalidate"),
        ]
        self._send(h11.Response(status_code=200, headers=headers))
        self.cluster.subscribe(self._config_changed)
        self._config_changed()

    def _config_changed(self) -> None:
        name = self._streaming
        if name is None or self.transport is None:
            return
        bucket = self.cluster.buckets.get(name)
        if bucket is None:
            # The bucket is gone: end the stream, as the server does.
            self._stop_streaming()
            self._send(h11.EndOfMessage())
            if self.transport is not None:
                self.transport.close()
            return
        config = configjson.rest_bucket_config(self.cluster, bucket, self.node)
        if config != self._last_sent:
            self._last_sent = config
            self._send(h11.Data(data=config + STREAM_SEPARATOR))

    def _stop_streaming(self) -> None:
        if self._streaming is not None:
            self.cluster.unsubscribe(self._config_changed)
            self._streaming = None
