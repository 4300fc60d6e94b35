"""A tiny stand-in for a node's views service, for client tests.

It stores design documents, answers view queries from row lists the test
gives it (already sorted, as the server's index would be) with the common
options, and streams large generated views in small chunks. Every request is
recorded with its method, path, query, body and Authorization header.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator, Optional
from urllib.parse import parse_qsl, unquote, urlsplit


class FakeViews:
    def __init__(self) -> None:
        self.ddocs: dict[tuple[str, str], dict[str, Any]] = {}
        self.rows: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (ddoc, view) -> rows
        self.generated: dict[tuple[str, str], tuple[int, Callable[[int], dict[str, Any]]]] = {}
        self.requests: list[dict[str, Any]] = []
        self.not_ready_polls = 0  # view queries answered 404 before a new ddoc "is built"
        self.chunk = 7  # bytes per write for ordinary responses (shakes out framing bugs)
        self.errors: list[Any] = []  # "errors" to add to view responses
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- request handling -------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _handle(self) -> None:
                url = urlsplit(self.path)
                body = self._body()
                fake.requests.append({
                    "method": self.command, "path": unquote(url.path),
                    "query": dict(parse_qsl(url.query, keep_blank_values=True)),
                    "raw_query": url.query, "body": body,
                    "auth": self.headers.get("Authorization"),
                })
                status, chunks = fake.answer(self.command, unquote(url.path),
                                             dict(parse_qsl(url.query)), body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in chunks:
                    if chunk:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
                self.close_connection = True

            do_GET = do_PUT = do_POST = do_DELETE = _handle

        return Handler

    def _small(self, data: bytes) -> Iterator[bytes]:
        for i in range(0, len(data), self.chunk):
            yield data[i:i + self.chunk]

    def answer(self, method: str, path: str, query: dict[str, str],
               body: bytes) -> tuple[int, Iterator[bytes]]:
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[1] == "_design":
            ddoc = parts[2]
            if len(parts) == 3:
                return self._design(method, parts[0], ddoc, body)
            if len(parts) == 5 and parts[3] == "_view":
                return self._view(parts[0], ddoc, parts[4], query, body)
        return self._error(404, "not_found", "no such path")

    def _error(self, status: int, error: str, reason: str) -> tuple[int, Iterator[bytes]]:
        return status, self._small(json.dumps({"error": error, "reason": reason}).encode())

    def _design(self, method: str, bucket: str, ddoc: str,
                body: bytes) -> tuple[int, Iterator[bytes]]:
        key = (bucket, ddoc)
        if method == "PUT":
            self.ddocs[key] = json.loads(body)
            self._polls = self.not_ready_polls
            return 201, self._small(json.dumps({"ok": True, "id": f"_design/{ddoc}"}).encode())
        if key not in self.ddocs:
            return self._error(404, "not_found", "missing")
        if method == "DELETE":
            del self.ddocs[key]
            return 200, self._small(b'{"ok":true,"id":"_design/%s"}' % ddoc.encode())
        return 200, self._small(json.dumps(self.ddocs[key]).encode())

    def _view(self, bucket: str, ddoc: str, view: str, query: dict[str, str],
              body: bytes) -> tuple[int, Iterator[bytes]]:
        if (ddoc, view) in self.generated:
            count, make = self.generated[(ddoc, view)]
            return 200, self._stream(count, make)
        known = (bucket, ddoc) in self.ddocs and view in self.ddocs[(bucket, ddoc)].get(
            "views", {})
        if not known and (ddoc, view) not in self.rows:
            return self._error(404, "not_found", f"missing view {view}")
        if known and getattr(self, "_polls", 0) > 0:
            self._polls -= 1
            return self._error(404, "not_found", "view is being built")
        for name in query:
            if name not in ("limit", "skip", "descending", "startkey", "endkey", "key", "keys",
                            "inclusive_end", "stale", "reduce", "group_level", "group",
                            "startkey_docid", "endkey_docid", "full_set", "on_error",
                            "debug", "connection_timeout"):
                return self._error(400, "query_parse_error", f"Invalid URL parameter: {name}")
        rows = list(self.rows.get((ddoc, view), []))
        total = len(rows)
        if query.get("descending") == "true":
            rows.reverse()
        keys = json.loads(body)["keys"] if body else None
        if "keys" in query:  # (a short list travels in the URI, a long one in the body)
            keys = json.loads(query["keys"])
        if keys is not None:
            rows = [r for k in keys for r in rows if r["key"] == k]
        if "key" in query:
            rows = [r for r in rows if r["key"] == json.loads(query["key"])]
        rev = query.get("descending") == "true"
        if "startkey" in query:
            start = json.loads(query["startkey"])
            rows = [r for r in rows if (r["key"] <= start if rev else r["key"] >= start)]
        if "endkey" in query:
            end = json.loads(query["endkey"])
            inclusive = query.get("inclusive_end", "true") == "true"
            rows = [r for r in rows
                    if (r["key"] >= end if rev else r["key"] <= end)
                    and (inclusive or r["key"] != end)]
        if "group_level" in query and query.get("reduce") != "false":
            level = int(query["group_level"])
            groups: dict[str, int] = {}
            for r in rows:
                groups[json.dumps(r["key"][:level])] = groups.get(
                    json.dumps(r["key"][:level]), 0) + 1
            rows = [{"key": json.loads(k), "value": v} for k, v in groups.items()]
        rows = rows[int(query.get("skip", 0)):]
        if "limit" in query:
            rows = rows[:int(query["limit"])]
        out: dict[str, Any] = {"total_rows": total, "rows": rows}
        if self.errors:
            out["errors"] = self.errors
        text = json.dumps(out, indent=1).encode()
        return 200, self._small(text)

    def _stream(self, count: int, make: Callable[[int], dict[str, Any]]) -> Iterator[bytes]:
        yield b'{"total_rows":%d,"rows":[\r\n' % count
        batch: list[bytes] = []
        for i in range(count):
            batch.append(json.dumps(make(i)).encode() + (b",\r\n" if i < count - 1 else b""))
            if len(batch) == 500:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch) + b"\r\n]\r\n}"


def rows_of(docs: dict[str, dict[str, Any]], emit: Callable[[dict[str, Any]], Optional[Any]]
            ) -> list[dict[str, Any]]:
    """Index rows of ``docs`` as the server would sort them (keys of one type here)."""
    rows = []
    for docid, doc in docs.items():
        key = emit(doc)
        if key is not None:
            rows.append({"id": docid, "key": key, "value": None})
    rows.sort(key=lambda r: (r["key"], r["id"]))
    return rows


def point_at(bucket: Any, fake: FakeViews, username: str = "default",
             password: str = "") -> None:
    """Send ``bucket``'s view requests to the fake service."""
    from couchbase._core.commands import Endpoint

    bucket._views_endpoint = lambda: Endpoint("127.0.0.1", fake.port, None, username,
                                              password, 10.0)
