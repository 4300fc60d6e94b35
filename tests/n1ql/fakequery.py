"""A tiny stand-in for a node's query service, for client tests.

It answers ``POST /query/service`` with the response shape of the real
service (requestID, clientContextID, signature, results, errors, status,
metrics), running the statements on the local cluster's N1QL engine over an
in-memory datastore the test fills. Responses go out chunked, a few bytes per
write, to shake out framing bugs. Tests can script the next answers
(``canned``) and make the service forget its prepared statements. Every
request is recorded with its decoded JSON body and Authorization header.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, Optional

from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
from couchbase_mock.n1ql.errors import N1QLError

_HTTP_STATUS = {3000: 400, 4000: 404, 4040: 404, 12003: 404, 1080: 504}


class FakeQuery:
    def __init__(self, bucket: str = "default") -> None:
        self.bucket = bucket
        self.store = MemoryDatastore()
        self.store.create_bucket(bucket)
        self.engine = QueryEngine(self.store)
        self.requests: list[dict[str, Any]] = []
        self.canned: list[tuple[int, bytes]] = []  # (status, body) answered next, in order
        self.chunk = 7
        self.rows_per_write: Optional[int] = None  # stream results this many at a time
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def load(self, docs: dict[str, Any]) -> None:
        path = (self.bucket, "_default", "_default")
        for key, value in docs.items():
            self.store.upsert(path, key, json.dumps(value).encode())

    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests]

    # -- request handling ------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"_raw": raw}
                fake.requests.append({"path": self.path, "body": body,
                                      "content_type": self.headers.get("Content-Type"),
                                      "auth": self.headers.get("Authorization")})
                if fake.canned:
                    status, text = fake.canned.pop(0)
                    chunks: Iterator[bytes] = fake._small(text)
                elif self.path != "/query/service":
                    status, chunks = 404, fake._small(b"not found")
                else:
                    status, chunks = fake.answer(body)
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

            do_GET = do_POST

        return Handler

    def _small(self, data: bytes) -> Iterator[bytes]:
        for i in range(0, len(data), self.chunk):
            yield data[i:i + self.chunk]

    def answer(self, body: dict[str, Any]) -> tuple[int, Iterator[bytes]]:
        named = {k[1:]: v for k, v in body.items() if k.startswith("$")}
        head = {"requestID": str(uuid.uuid4())}
        if "client_context_id" in body:
            head["clientContextID"] = body["client_context_id"]
        try:
            with self._lock:
                statement, prepared = body.get("statement"), body.get("prepared")
                if body.get("auto_execute") and statement.upper().startswith("PREPARE "):
                    made = self.engine.query(statement)
                    statement, prepared = None, made.results[0]["name"]
                    head["prepared"] = prepared
                result = self.engine.query(statement, body.get("args"), named,
                                           prepared=prepared)
        except N1QLError as exc:
            out = {**head, "errors": [exc.to_json()], "status": "fatal",
                   "metrics": {"elapsedTime": "1.1ms", "executionTime": "1ms",
                               "resultCount": 0, "resultSize": 0, "errorCount": 1}}
            return _HTTP_STATUS.get(exc.code, 500), self._small(json.dumps(out).encode())
        metrics = {"elapsedTime": "2.5ms", "executionTime": "2.4ms", **result.metrics}
        metrics["resultSize"] = len(json.dumps(result.results))
        if self.rows_per_write:
            return 200, self._stream(head, result, metrics)
        out = {**head, "signature": result.signature, "results": result.results,
               "status": result.status, "metrics": metrics}
        return 200, self._small(json.dumps(out, indent=1).encode())

    def _stream(self, head: dict[str, Any], result: Any,
                metrics: dict[str, Any]) -> Iterator[bytes]:
        text = json.dumps({**head, "signature": result.signature})
        yield text[:-1].encode() + b',\n"results": ['
        rows = result.results
        step = self.rows_per_write or 1
        for i in range(0, len(rows), step):
            part = ",".join(json.dumps(r) for r in rows[i:i + step])
            yield (b"," if i else b"") + part.encode()
        yield (b'],\n"status": "success", "metrics": ' + json.dumps(metrics).encode() + b"}")


def point_at(bucket: Any, fake: FakeQuery, username: str = "Administrator",
             password: str = "password", enhanced: bool = False) -> None:
    """Send ``bucket``'s N1QL requests to the fake service (``enhanced``: prepare
    with auto_execute, whatever the cluster map says)."""
    from couchbase._core.commands import Endpoint

    bucket._n1ql_enhanced = lambda: enhanced
    bucket._query_endpoint = lambda timeout=None: Endpoint(
        "127.0.0.1", fake.port, None, username, password, timeout or 10.0)
