"""A view of 100,000 rows: built in a few seconds, answered in chunks."""

from __future__ import annotations

import socket
import time

import h11
import pytest
from mock_http import ADMIN
from mock_views import index_stats, put_ddoc, query, store, view_path

from couchbase_mock import MockCluster

pytest.importorskip("py_mini_racer")

N = 100_000


def stream_view(mock, path, node=0):
    """Read a view response with a raw h11 client: (status, headers, chunks, body)."""
    conn = h11.Connection(h11.CLIENT)
    sock = socket.create_connection((mock.host, mock.nodes[node].capi_port), timeout=60)
    try:
        headers = [("Host", "localhost"), *ADMIN.items()]
        sock.sendall(conn.send(h11.Request(method="GET", target=path, headers=headers)))
        sock.sendall(conn.send(h11.EndOfMessage()))
        status, resp_headers, chunks, body = None, {}, 0, bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(sock.recv(262144))
            elif isinstance(event, h11.Response):
                status = event.status_code
                resp_headers = {k.decode().lower(): v.decode() for k, v in event.headers}
            elif isinstance(event, h11.Data):
                body += event.data
                chunks += event.chunk_end
            elif isinstance(event, h11.EndOfMessage):
                return status, resp_headers, chunks, bytes(body)
    finally:
        sock.close()


def test_a_hundred_thousand_rows(capsys):
    with MockCluster(nodes=4) as mock:
        store(mock, ((f"beer-{i:06d}", {"type": "beer", "name": f"Beer {i}",
                                        "brewery_id": f"brewery-{i % 500}", "abv": i % 13})
                     for i in range(N)))
        put_ddoc(mock, "big", {
            "by_name": {"map": "function (doc, meta) { emit(doc.name, null); }"},
            "by_brewery": {"map": "function (doc) { emit([doc.brewery_id, doc.abv], doc.abv); }",
                           "reduce": "_stats"},
        })
        started = time.perf_counter()
        body = query(mock, "big", "by_name", limit=1)
        build = time.perf_counter() - started
        assert body["total_rows"] == N
        assert index_stats(mock, "big")["mapped_docs"] == N

        started = time.perf_counter()
        status, headers, chunks, raw = stream_view(mock, view_path("big", "by_name", stale="ok"),
                                                   node=2)
        answer = time.perf_counter() - started
        assert status == 200 and headers["transfer-encoding"] == "chunked"
        assert chunks >= N // 1000  # written as it is produced, not in one piece
        assert raw.count(b'"id":') == N
        assert raw.startswith(b'{"total_rows":100000,"rows":[') and raw.rstrip().endswith(b"}")

        started = time.perf_counter()
        grouped = query(mock, "big", "by_brewery", group_level=1, stale="ok")
        reduce_time = time.perf_counter() - started
        assert len(grouped["rows"]) == 500
        assert sum(r["value"]["count"] for r in grouped["rows"]) == N

        with capsys.disabled():
            print(f"\n[views] {N} docs: index build {build:.2f}s, full response "
                  f"{len(raw) / 1e6:.1f} MB in {answer:.2f}s ({chunks} chunks), "
                  f"group_level=1 _stats {reduce_time:.2f}s")
        # Generous bounds: a loaded 2-core machine must pass too.
        assert build < 60 and answer < 20
