"""The services the web console reaches through the management port, as the
server's console does (a page may only call its own origin):

- ``/_p/query/query/service``: the query service (``/query/service`` on a
  query port), for the query workbench and the index list;
- ``/couchBase/<bucket>/_design/...``: the views service (``capi``), for
  design documents and view queries.

The caller's identity (Basic credentials or a console session) is passed on
as Basic credentials; the services check it as usual.
"""

from __future__ import annotations

import base64
import time
from typing import Any, Iterable, Optional

from .cluster import Cluster

QUERY_PREFIX = "/_p/query/"
VIEWS_PREFIX = "/couchBase/"
_DROPPED = (b"authorization", b"cookie", b"host")


def owns(path: str) -> bool:
    return path.startswith(QUERY_PREFIX) or path.startswith(VIEWS_PREFIX)


def _as_bytes(chunks: Iterable[Any]) -> bytes:
    return b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)


async def handle(cluster: Cluster, node: int, method: str, target: str,
                 headers: list[tuple[bytes, bytes]], creds: Optional[tuple[str, str]],
                 body: bytes) -> tuple[int, str, bytes]:
    """``(status, content type, body)`` of the proxied request."""
    if target.startswith(QUERY_PREFIX):
        from . import query_service

        auth: list[tuple[bytes, bytes]] = []
        if creds is not None:
            token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode())
            auth = [(b"authorization", b"Basic " + token)]
        kept = [(k, v) for k, v in headers if k.lower() not in _DROPPED]
        status, chunks, ctype = await query_service.handle(
            cluster, method, "/" + target[len(QUERY_PREFIX):], kept + auth, body,
            time.perf_counter())
        return status, ctype, _as_bytes(chunks)
    from .views import service as views

    user = creds[0] if creds is not None else None
    reply = await views.handle(cluster, node, method, "/" + target[len(VIEWS_PREFIX):],
                               user, body)
    data = reply.body if reply.chunks is None else _as_bytes(reply.chunks)
    if reply.after is not None:
        await reply.after.update()
    return reply.status, "application/json", data
