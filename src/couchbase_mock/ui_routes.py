"""What the management port answers for the web console, before its REST routes
(:mod:`couchbase_mock.http`): the console's files (:mod:`.ui_assets`), login
and logout and the session cookie (:mod:`.ui_session`), the query and views
services reached through this port (:mod:`.ui_proxy`), and two REST endpoints
the console reads: documents (:mod:`.docs_rest`) and bucket statistics
(:mod:`.stats_rest`). Basic-auth clients see the same REST as before.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

import h11

from . import docs_rest, stats_rest, ui_assets, ui_proxy, ui_session
from .httpserver import REALM, HTTPProtocol, credentials, request_path
from .persistence import meta_durable, meta_mark

_JSON = "application/json"
_NO_STORE = ("Cache-Control", "no-cache,no-store,must-revalidate")
_SESSION_PATHS = ("/uilogin", "/uilogout", "/uisession")


def screen(cluster: Any, request: h11.Request) -> bool:
    """Whether a request without valid Basic credentials may still be read: the
    console's files, login/logout, or a live console session."""
    path = request_path(request.target)
    if ui_assets.owns(path) or path in _SESSION_PATHS:
        return True
    return ui_session.session_for(cluster, request.headers) is not None


def challenge(request: h11.Request) -> list[tuple[str, str]]:
    """The 401's ``WWW-Authenticate``, unless the console asked for none."""
    return [] if ui_session.wants_no_challenge(request.headers) else [
        ("WWW-Authenticate", REALM)]


def dispatch(proto: Any, request: h11.Request) -> tuple[bool, Optional[str]]:
    """Answer ``request`` if it is the console's business: ``(True, _)``.
    Otherwise ``(False, user)``: the user the REST routes should act for (Basic
    credentials or a console session), ``None`` if unauthenticated."""
    cluster = proto.cluster
    path = request_path(request.target)
    method = request.method.decode()
    headers = list(request.headers)
    if ui_assets.owns(path):
        proto.take_body()
        status, extra, body = ui_assets.serve(
            method, path, ui_session.header(headers, b"if-none-match"))
        _send(proto, status, extra, body, method == "HEAD")
        return True, None
    if path == "/uisession":  # the local cluster's: who the page is logged in as
        proto.take_body()
        session = ui_session.session_for(cluster, headers)
        _json_reply(proto, 200, {"user": session.user if session else None}, [])
        return True, None
    if path in _SESSION_PATHS:
        body = proto.take_body()
        if method != "POST":
            _send(proto, 405, [("Content-Type", "text/plain")], b"")
        elif path == "/uilogin":
            _json_reply(proto, *ui_session.login(cluster, headers, body))
        else:
            _json_reply(proto, *ui_session.logout(cluster, headers))
        return True, None
    creds = credentials(headers)
    if creds is None or not cluster.check_password(*creds):
        creds = None
        session = ui_session.session_for(cluster, headers)
        if session is not None:
            refusal = ui_session.csrf_refusal(method, headers)
            if refusal is not None:
                proto.take_body()
                _json_reply(proto, 403, {"error": refusal}, [])
                return True, None
            creds = (session.user, session.password)
    user = creds[0] if creds is not None else None
    target = request.target.decode("latin-1")
    if ui_proxy.owns(path):
        body = proto.take_body()
        if user is None:
            _json_reply(proto, 401, {"error": "unauthorized"}, challenge(request))
        else:
            proto._task = asyncio.ensure_future(
                _proxied(proto, method, target, headers, creds, body))
        return True, None
    parts = path.strip("/").split("/")
    if parts[:3] == ["pools", "default", "buckets"] and len(parts) > 4:
        rest = parts[4:]
        if rest == ["stats"] or docs_rest.owns(rest):
            body = proto.take_body()
            name = parts[3]
            if user is None or not cluster.may_access(user, name):
                _json_reply(proto, 401, {"error": "unauthorized"}, challenge(request))
            elif rest == ["stats"]:
                _answer(proto, *stats_rest.handle(cluster, name, method))
            else:
                query = urlsplit(target).query
                _answer(proto, *docs_rest.handle(
                    cluster, name, method, [unquote(p) for p in rest], query, body))
            return True, None
    return False, user


def _answer(proto: HTTPProtocol, status: int, answer: Any) -> None:
    if isinstance(answer, bytes):
        _send(proto, status, [("Content-Type", "text/plain"), _NO_STORE], answer)
    else:
        _json_reply(proto, status, answer, [])


def _json_reply(proto: HTTPProtocol, status: int, answer: Any,
                extra: list[tuple[str, str]]) -> None:
    body = json.dumps(answer, separators=(",", ":")).encode()
    _send(proto, status, [("Content-Type", _JSON), _NO_STORE, *extra], body)


def _send(proto: HTTPProtocol, status: int, headers: list[tuple[str, str]], body: bytes,
          head_only: bool = False) -> None:
    proto.send_whole(status, [*headers, ("Content-Length", str(len(body))),
                              ("Server", "Couchbase Server")], body, head_only)
    proto.next_cycle()


async def _proxied(proto: Any, method: str, target: str, headers: list[tuple[bytes, bytes]],
                   creds: Optional[tuple[str, str]], body: bytes) -> None:
    mark = meta_mark(proto.cluster)  # a design document: on disk before the answer
    try:
        status, ctype, data = await ui_proxy.handle(
            proto.cluster, proto.node, method, target, headers, creds, body)
        await meta_durable(proto.cluster, mark)
    except Exception as exc:  # keep the connection answering
        status, ctype = 500, _JSON
        data = json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode()
    proto.send_whole(status, [("Content-Type", ctype), _NO_STORE,
                              ("Content-Length", str(len(data)))], data)
    if proto.next_cycle():
        proto._process()
