"""Views: how long the local cluster takes to build a design document's index.

One in-process local cluster (4 nodes) holds ``--docs`` small JSON documents
(10,000), written straight into its engine. Each run creates a new design
document with one simple map function (``emit(doc.name, doc.abv)``) and
times the first ``stale=false`` query over HTTP: building the whole index
(documents sent to the JavaScript engine in batches, rows sorted) plus a
one-row answer. Prints the median of ``--runs`` (5) and documents per
second. Usage::

    PYTHONPATH=src python3 benchmarks/views_index.py [--docs 10000] [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from couchbase_mock.mock import MockCluster  # noqa: E402

MAP = "function (doc, meta) { emit(doc.name, doc.abv); }"


def load(mock: MockCluster, docs: int) -> None:
    def run(cluster: Any) -> None:
        bucket = cluster.buckets["default"]
        engine = cluster.engines["default"]
        for i in range(docs):
            key = f"beer-{i:06d}".encode()
            value = json.dumps({"type": "beer", "name": f"Beer {i}", "abv": i % 13}).encode()
            vb = bucket.vbucket_of(key)
            engine.store(bucket.active_node(vb), vb, (0, key), "set", value, 0x02000006,
                         0, 0, 1)

    mock.call(run)


def request(mock: MockCluster, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    auth = base64.b64encode(f"{mock.username}:{mock.password}".encode()).decode()
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].capi_port, timeout=600)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Authorization": f"Basic {auth}"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def build_once(mock: MockCluster, name: str, docs: int) -> float:
    status, body = request(mock, "PUT", f"/default/_design/{name}",
                           {"views": {"v": {"map": MAP}}})
    assert status == 201, body
    started = time.perf_counter()
    status, body = request(mock, "GET", f"/default/_design/{name}/_view/v?stale=false&limit=1")
    elapsed = time.perf_counter() - started
    assert status == 200 and body["total_rows"] == docs, body
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with MockCluster(nodes=4) as mock:
        load(mock, args.docs)
        build_once(mock, "warmup", args.docs)
        times = [build_once(mock, f"bench{r}", args.docs) for r in range(args.runs)]
    median = statistics.median(times)
    result = {"docs": args.docs, "runs": args.runs, "median_s": round(median, 4),
              "min_s": round(min(times), 4), "docs_per_s": round(args.docs / median)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"index build, {args.docs} docs: median {median * 1000:.0f} ms "
              f"(min {min(times) * 1000:.0f} ms) over {args.runs} runs, "
              f"{result['docs_per_s']:,} docs/s")


if __name__ == "__main__":
    main()
