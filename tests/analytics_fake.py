"""A small fake of the analytics service's HTTP API, for the analytics tests
(the local cluster has no analytics service yet: issue 16).

``POST /analytics/service`` takes the query JSON and answers as the service
does: ``requestID``, ``clientContextID``, ``signature``, ``results``,
``status``, ``metrics``; a statement containing ``FAIL`` gets HTTP 400 with
``errors`` and status ``fatal``. ``SELECT VALUE n`` with ``count=<n>`` in the
named parameters gives ``n`` rows (``{"n": i}``); otherwise one row echoing
what was asked. With ``"mode": "async"`` the answer is a status handle,
``running`` for ``polls`` GETs (``$polls``, default 2), then ``success`` with
a result handle whose GET gives the rows as one JSON array.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PATH = "/analytics/service"


class FakeAnalytics:
    """Start with ``with FakeAnalytics() as svc:``; ``svc.host`` is ``"127.0.0.1:port"``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []  # {"method", "path", "body", "headers"}
        self._jobs: dict[str, dict[str, Any]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake._record(self, body)
                status, answer = fake.answer(self.path, body)
                self._send(status, answer)

            def do_GET(self) -> None:  # noqa: N802
                fake._record(self, None)
                status, answer = fake.poll(self.path)
                self._send(status, answer)

            def _send(self, status: int, answer: Any) -> None:
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        self.requests.append({"method": handler.command, "path": handler.path, "body": body,
                              "headers": dict(handler.headers)})

    def __enter__(self) -> FakeAnalytics:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def rows_for(body: dict[str, Any]) -> list[Any]:
        count = body.get("$count")
        if isinstance(count, int):
            return [{"n": i} for i in range(count)]
        return [{"statement": body.get("statement"), "args": body.get("args"),
                 "named": {k[1:]: v for k, v in body.items() if k.startswith("$")}}]

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if path != PATH:
            return 404, {"errors": [{"code": 1, "msg": f"no such path {path}"}]}
        statement = str(body.get("statement", ""))
        head = {"requestID": str(uuid.uuid4()), "clientContextID": body.get("client_context_id"),
                "signature": {"*": "*"}}
        if "FAIL" in statement:
            return 400, {**head, "errors": [{"code": 24045, "msg": "Cannot find dataset FAIL"}],
                         "status": "fatal", "metrics": {"errorCount": 1}}
        rows = self.rows_for(body)
        if body.get("mode") == "async":
            job = uuid.uuid4().hex
            self._jobs[job] = {"rows": rows, "polls": body.get("$polls", 2)}
            return 202, {**head, "status": "running",
                         "handle": f"http://{self.host}{PATH}/status/{job}"}
        return 200, {**head, "results": rows, "status": "success",
                     "metrics": {"elapsedTime": "1.5ms", "executionTime": "1ms",
                                 "resultCount": len(rows), "resultSize": 10}}

    def poll(self, path: str) -> tuple[int, Any]:
        kind, _, job = path[len(PATH) + 1:].partition("/")
        state = self._jobs.get(job)
        if state is None:
            return 404, {"errors": [{"code": 1, "msg": "no such handle"}]}
        if kind == "result":
            return 200, state["rows"]
        if state["polls"] > 0:
            state["polls"] -= 1
            return 200, {"status": "running"}
        return 200, {"status": "success", "handle": f"http://{self.host}{PATH}/result/{job}",
                     "resultCount": len(state["rows"])}
