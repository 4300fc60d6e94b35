"""Web console sessions on the management port: ``/uilogin``, ``/uilogout``, the
session cookie and the CSRF rules (see ``couchbase_mock/ui/``).

As the server's console does, the page posts the cluster's credentials as a
form (``user``, ``password``) to ``POST /uilogin``; the answer sets a session
cookie (``ui-auth-<host>``: ``HttpOnly``, ``SameSite=Strict``, ``Path=/``) and
from then on the REST calls carry that cookie instead of Basic credentials.
Bad credentials get 400 and no cookie. ``POST /uilogout`` ends the session.

Requests authenticated by the cookie alone (Basic auth clients are not
affected) are checked against cross-site request forgery: a request that
changes anything (not GET/HEAD) must carry the console's ``ns-server-ui: yes``
header and, when the browser names one, an ``Origin`` (or else ``Referer``)
on the same host and port as the request's ``Host``; anything else gets 403.
A request with ``invalid-auth-response: on`` (the console's) is refused 401
without ``WWW-Authenticate``, so that the browser shows no password dialog.

Sessions live in memory, per cluster, and end after :data:`IDLE_SECONDS`
without use, at logout, or when the user's password changes.
"""

from __future__ import annotations

import secrets
import time
import weakref
from typing import Iterable, Optional
from urllib.parse import parse_qsl, quote, urlsplit

from .cluster import Cluster

IDLE_SECONDS = 3600.0
COOKIE_PREFIX = "ui-auth-"
UI_HEADER = b"ns-server-ui"
SAFE_METHODS = frozenset({"GET", "HEAD"})

RawHeaders = Iterable[tuple[bytes, bytes]]


class Session:
    """One logged-in console: who, and when it was last used."""

    __slots__ = ("user", "password", "used")

    def __init__(self, user: str, password: str, now: float) -> None:
        self.user = user
        self.password = password  # to act for the user on the query and views services
        self.used = now


_sessions: weakref.WeakKeyDictionary[Cluster, dict[str, Session]] = \
    weakref.WeakKeyDictionary()


def _store(cluster: Cluster) -> dict[str, Session]:
    store = _sessions.get(cluster)
    if store is None:
        store = _sessions[cluster] = {}
    return store


def header(headers: RawHeaders, name: bytes) -> Optional[str]:
    """The first value of header ``name`` (lower case), if any."""
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def cookie_name(headers: RawHeaders) -> str:
    """The session cookie's name for the host the browser asked (nodes of one
    machine differ by port, and cookies do not)."""
    return COOKIE_PREFIX + quote(header(headers, b"host") or "", safe="")


def _cookie(headers: RawHeaders) -> Optional[str]:
    wanted = cookie_name(headers)
    for key, value in headers:
        if key.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            name, _, token = part.strip().partition("=")
            if name == wanted and token:
                return token
    return None


def session_for(cluster: Cluster, headers: RawHeaders) -> Optional[Session]:
    """The live session the request's cookie names, if any (its use is noted)."""
    token = _cookie(headers)
    if token is None:
        return None
    store = _store(cluster)
    session = store.get(token)
    if session is None:
        return None
    now = time.monotonic()
    if now - session.used > IDLE_SECONDS or \
            not cluster.check_password(session.user, session.password):
        del store[token]
        return None
    session.used = now
    return session


def csrf_refusal(method: str, headers: RawHeaders) -> Optional[str]:
    """Why a cookie-authenticated request must be refused (403), or ``None``."""
    if method in SAFE_METHODS:
        return None
    if (header(headers, UI_HEADER) or "").lower() != "yes":
        return "the ns-server-ui: yes header is required"
    if not same_origin(headers):
        return "cross-origin request refused"
    return None


def same_origin(headers: RawHeaders) -> bool:
    """Whether the ``Origin`` (or else ``Referer``) the browser sent, if any,
    names the host and port the request was sent to."""
    host = (header(headers, b"host") or "").lower()
    source = header(headers, b"origin")
    if source is None:
        source = header(headers, b"referer")
    if source is None:
        return True  # not a browser's cross-site request: those name their origin
    if source == "null":
        return False
    return urlsplit(source).netloc.lower() == host and bool(host)


def wants_no_challenge(headers: RawHeaders) -> bool:
    """The console asks for 401 without ``WWW-Authenticate`` (no browser dialog)."""
    return (header(headers, b"invalid-auth-response") or "").lower() == "on"


def login(cluster: Cluster, headers: RawHeaders, body: bytes
          ) -> tuple[int, dict[str, str], list[tuple[str, str]]]:
    """``POST /uilogin``: ``(status, JSON body, extra headers)``."""
    if not same_origin(headers):
        return 403, {"error": "cross-origin request refused"}, []
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    user, password = form.get("user", ""), form.get("password", "")
    if not user or not cluster.check_password(user, password):
        return 400, {"error": "Invalid username or password"}, []
    token = secrets.token_urlsafe(32)
    _store(cluster)[token] = Session(user, password, time.monotonic())
    cookie = (f"{cookie_name(headers)}={token}; Path=/; HttpOnly; SameSite=Strict")
    return 200, {"user": user}, [("Set-Cookie", cookie)]


def logout(cluster: Cluster, headers: RawHeaders
           ) -> tuple[int, dict[str, str], list[tuple[str, str]]]:
    """``POST /uilogout``: forget the session; the cookie is cleared either way."""
    token = _cookie(headers)
    if token is not None:
        _store(cluster).pop(token, None)
    cookie = f"{cookie_name(headers)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    return 200, {}, [("Set-Cookie", cookie)]
