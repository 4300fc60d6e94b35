"""The web console's files (package data under ``couchbase_mock/ui/``), served
on the management port at ``/ui/...`` as on the server; ``/`` and ``/ui``
redirect to ``/ui/index.html``.

The files need no credentials (the page itself asks for them: see
:mod:`couchbase_mock.ui_session`). Every answer carries an ``ETag`` and
``Cache-Control: no-cache`` (the browser revalidates and gets 304 while the
file is unchanged), ``X-Content-Type-Options: nosniff`` and a
content-security policy that allows only this origin's scripts and styles and
no framing.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Optional

UI_DIR = Path(__file__).parent / "ui"
PREFIX = "/ui/"
INDEX = "/ui/index.html"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"),
    ("Referrer-Policy", "same-origin"),
]

Headers = list[tuple[str, str]]


def owns(path: str) -> bool:
    """Whether this module answers ``path`` (percent-decoded, no trailing ``/``)."""
    return path in ("/", "/ui") or path.startswith(PREFIX)


@lru_cache(maxsize=64)
def _load(relative: str) -> Optional[tuple[bytes, str]]:
    root = UI_DIR.resolve()
    target = (root / relative).resolve()
    if root not in target.parents or not target.is_file():
        return None
    data = target.read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:20] + '"'


def serve(method: str, path: str, if_none_match: Optional[str]) -> tuple[int, Headers, bytes]:
    """``(status, headers, body)`` for a GET or HEAD of a console path."""
    if path in ("/", "/ui"):
        return 302, [("Location", INDEX), ("Content-Type", "text/plain")], b""
    if method not in ("GET", "HEAD"):
        return 405, [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")], b""
    relative = path[len(PREFIX):]
    kind = TYPES.get(Path(relative).suffix)
    found = _load(relative) if kind is not None and ".." not in relative.split("/") else None
    if found is None or kind is None:
        return 404, [("Content-Type", "text/plain")], b"Requested resource not found.\r\n"
    data, etag = found
    headers = [("ETag", etag), ("Cache-Control", "no-cache"), *SECURITY_HEADERS]
    if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
        return 304, headers, b""
    return 200, [("Content-Type", kind), *headers], data
